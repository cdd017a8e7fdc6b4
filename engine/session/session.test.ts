import { beforeEach, describe, expect, it } from 'vitest';
import { createDefaultCatalogs } from '../../connectors/registry.js';
import { SqlError } from '../errors/index.js';
import { openTestSession, type TestSession } from '../testing/run-sql.js';
import { createEngine } from '../index.js';

let s: TestSession;
beforeEach(() => {
  s = openTestSession(createDefaultCatalogs());
});

const rows = async (sql: string, params?: unknown[]) => (await s.query(sql, params)).rows;
const fails = async (sql: string, code: string) => {
  const e = await s.query(sql).then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(SqlError);
  expect((e as SqlError).code).toBe(code);
  return e as SqlError;
};

describe('expressions', () => {
  it('evaluates literals, arithmetic and names columns like PostgreSQL', async () => {
    const r = await s.query("select 1 + 2 * 3, 'a' || 'b' as ab, 7 / 2, 7.0 / 2, -5 % 3, 2::int8 * 3, 1.5::float8 + 1, true and null, null is null");
    expect(r.columns).toEqual(['?column?', 'ab', '?column?', '?column?', '?column?', '?column?', '?column?', '?column?', '?column?']);
    expect(r.rows).toEqual([['7', 'ab', '3', '3.5000000000000000', '-2', '6', '2.5', null, 't']]);
    expect(r.tag).toBe('SELECT 1');
  });

  it('raises PostgreSQL errors with SQLSTATEs', async () => {
    await fails('select 1/0', '22012');
    await fails('select 2147483647 + 1', '22003');
    await fails('select 9223372036854775807::int8 + 1', '22003');
    const e = await fails('select nosuch from (values (1)) v(a)', '42703');
    expect(e.position).toBe(8);
    await fails('selec 1', '42601');
    await fails('select * from nosuch', '42P01');
  });

  it('evaluates CASE lazily and COALESCE / NULLIF / IN / BETWEEN', async () => {
    expect(await rows('select case when x = 0 then 0 else 10 / x end from (values (0), (5)) t(x)')).toEqual([['0'], ['2']]);
    expect(await rows("select coalesce(null, 2, 3), nullif(1, 1), 3 in (1, 2, 3), 5 between 1 and 4, 'abc' like 'a%', 'ABC' ilike 'a_c'")).toEqual([
      ['2', null, 't', 'f', 't', 't'],
    ]);
  });
});

describe('tables in the memory catalog', () => {
  beforeEach(async () => {
    await s.query('create table t (a int not null, b text, c numeric(10,2))');
    await s.query("insert into t values (1, 'x', 1.5), (2, 'y', 2.25), (3, null, null), (2, 'z', 10)");
  });

  it('filters, sorts and limits', async () => {
    expect(await rows('select a, b from t where a >= 2 order by a desc, b limit 2')).toEqual([['3', null], ['2', 'y']]);
    expect(await rows('select a from t order by b nulls first, a limit 1 offset 1')).toEqual([['1']]);
    expect(await rows('select a from t order by b desc')).toEqual([['3'], ['2'], ['2'], ['1']]);
  });

  it('groups and aggregates with PostgreSQL result types', async () => {
    const r = await s.query('select a, count(*), count(b), sum(c), avg(c), min(b), max(c) from t group by a order by 1');
    expect(r.rows).toEqual([
      ['1', '1', '1', '1.50', '1.50000000000000000000', 'x', '1.50'],
      ['2', '2', '2', '12.25', '6.1250000000000000', 'y', '10.00'],
      ['3', '1', '0', null, null, null, null],
    ]);
    expect(await rows('select count(*), sum(a), avg(a) from t where a > 100')).toEqual([['0', null, null]]);
    expect(await rows('select sum(a), avg(a), count(distinct a) from t')).toEqual([['8', '2.0000000000000000', '3']]);
    await fails('select a, b from t group by a', '42803');
  });

  it('joins', async () => {
    await s.query("create table u (a int, d text)");
    await s.query("insert into u values (1, 'one'), (2, 'two'), (4, 'four')");
    expect(await rows('select t.a, d from t join u on t.a = u.a order by 1, 2')).toEqual([['1', 'one'], ['2', 'two'], ['2', 'two']]);
    expect(await rows('select t.a, d from t left join u using (a) where t.a <> 2 order by 1')).toEqual([['1', 'one'], ['3', null]]);
    expect(await rows('select count(*) from t, u where t.a = u.a and u.d <> \'one\'')).toEqual([['2']]);
    expect(await rows('select count(*) from t cross join u')).toEqual([['12']]);
  });

  it('creates tables from queries and drops them', async () => {
    expect((await s.query('create table t2 as select a * 2 as d from t where a < 3')).tag).toBe('SELECT 3');
    expect(await rows('select sum(d) from t2')).toEqual([['10']]);
    expect((await s.query('drop table t2')).tag).toBe('DROP TABLE');
    await fails('select * from t2', '42P01');
    await fails("insert into t (b) values ('no a')", '23502');
  });
});

describe('parameters', () => {
  it('infers parameter types from context', async () => {
    await s.query('create table p (a int, b text)');
    const [statement] = s.session.parse('select b from p where a = $1 and b <> $2');
    const prepared = await s.session.prepare(statement!, []);
    expect(prepared.paramTypes.map((t) => t.name)).toEqual(['int4', 'text']);
    const unresolved = await s.session.prepare(s.session.parse('select $1')[0]!, []);
    expect(unresolved.paramTypes.map((t) => t.name)).toEqual(['text']);
  });
});

describe('sessions', () => {
  it('SET, SHOW and RESET settings, reporting changes', async () => {
    await s.query("set application_name = 'psql'");
    expect(await rows('show application_name')).toEqual([['psql']]);
    expect(s.parameterChanges).toContainEqual(['application_name', 'psql']);
    await s.query('set datestyle to german');
    expect(await rows('show DateStyle')).toEqual([['German, DMY']]);
    await s.query('reset all');
    expect(await rows("select current_setting('DateStyle'), set_config('search_path', 'x', false)")).toEqual([['ISO, MDY', 'x']]);
    expect(await rows('show transaction isolation level')).toEqual([['read committed']]);
    await fails('set nosuch = 1', '42704');
    await fails('show nosuch', '42704');
  });

  it('tracks transaction status and 25P02 after an error', async () => {
    await s.query('begin');
    expect(s.session.transactionStatus).toBe('T');
    await fails('select 1/0', '22012');
    expect(s.session.transactionStatus).toBe('E');
    await fails('select 1', '25P02');
    expect((await s.query('commit')).tag).toBe('ROLLBACK');
    expect(s.session.transactionStatus).toBe('I');
  });

  it('reverts SET on ROLLBACK', async () => {
    await s.query('begin; set extra_float_digits = 3; rollback');
    expect(await rows('show extra_float_digits')).toEqual([['1']]);
  });

  it('answers the functions clients ask for', async () => {
    const [[version, user, db, schema]] = (await rows('select version(), current_user, current_database(), current_schema()')) as string[][];
    expect(version).toMatch(/^PostgreSQL 15\.\d+/);
    expect([user, db, schema]).toEqual(['tester', 'lakegate', 'public']);
  });
});

describe('tpch', () => {
  it('counts tiny lineitem', async () => {
    expect(await rows('select count(*) from tpch.tiny.lineitem')).toEqual([['60175']]);
  });
});

describe('engine shutdown', () => {
  it('closes the connectors that hold connections', async () => {
    const catalogs = createDefaultCatalogs();
    let closed = 0;
    const pooled = Object.assign(Object.create(catalogs.get('memory')!) as object, { close: async () => void closed++ });
    const engine = createEngine({ catalogs: new Map([...catalogs, ['pooled', pooled as never]]) });
    await engine.close();
    expect(closed).toBe(1);
  });
});
