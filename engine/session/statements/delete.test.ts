import { beforeEach, describe, expect, it } from 'vitest';
import { createDefaultCatalogs } from '../../../connectors/registry.js';
import { SqlError } from '../../errors/index.js';
import { openTestSession, type TestSession } from '../../testing/run-sql.js';

let s: TestSession;
beforeEach(async () => {
  s = openTestSession(createDefaultCatalogs(), 'tester', 'memory');
  await s.query('create table t (id int, name text)');
  await s.query("insert into t select i, 'n' || i from generate_series(1, 10) i");
});

const rows = async (sql: string) => (await s.query(sql)).rows;
const codeOf = async (sql: string) => ((await s.query(sql).then(() => null, (e: unknown) => e)) as SqlError | null)?.code;

describe('DELETE', () => {
  it('deletes the rows the WHERE clause selects and reports how many', async () => {
    expect((await s.query('delete from t where id % 3 = 0')).tag).toBe('DELETE 3');
    expect(await rows('select id from t order by id')).toEqual([['1'], ['2'], ['4'], ['5'], ['7'], ['8'], ['10']]);
    expect((await s.query('delete from t where id > 100')).tag).toBe('DELETE 0');
    expect((await s.query('delete from t as x where x.name = $1', ['n1'])).tag).toBe('DELETE 1');
    expect((await s.query('delete from t')).tag).toBe('DELETE 6');
    expect(await rows('select count(*) from t')).toEqual([['0']]);
  });

  it('deletes with USING and subqueries, each row once', async () => {
    await s.query('create table gone (id int)');
    await s.query('insert into gone values (2), (2), (5)');
    expect((await s.query('delete from t using gone where t.id = gone.id')).tag).toBe('DELETE 2');
    expect((await s.query('delete from t where id in (select id + 1 from gone)')).tag).toBe('DELETE 2');
    expect(await rows('select id from t order by id')).toEqual([['1'], ['4'], ['7'], ['8'], ['9'], ['10']]);
  });

  it('keeps hidden row-id columns out of SELECT *, INSERT and the catalog', async () => {
    expect((await s.query('select * from t limit 1')).columns).toEqual(['id', 'name']);
    expect((await s.query('select t.* from t limit 1')).columns).toEqual(['id', 'name']);
    expect(await rows('select "$row_id" from t where id = 3')).toEqual([['2']]);
    expect(await rows("select column_name from information_schema.columns where table_name = 't' order by ordinal_position")).toEqual([['id'], ['name']]);
  });

  it('fails cleanly where rows cannot be deleted', async () => {
    expect(await codeOf('delete from tpch.tiny.nation where n_nationkey = 1')).toBe('0A000');
    expect(await codeOf('delete from t where nosuch = 1')).toBe('42703');
    expect(await codeOf('delete from nosuch')).toBe('42P01');
  });
});
