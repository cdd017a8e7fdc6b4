/** CREATE SCHEMA/TABLE [AS], INSERT and DROP against the real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { mysqlConnectorFactory, type MySqlConnector } from './index.js';
import { AdminConnection, testProperties } from './testing.js';

const DB = 'lgt_writes';
const admin = new AdminConnection();
let my: MySqlConnector;
let s: TestSession;

beforeAll(async () => {
  await admin.run(`DROP DATABASE IF EXISTS ${DB}`);
  my = mysqlConnectorFactory.create('my', testProperties()) as MySqlConnector;
  s = openTestSession(new Map([['my', my]]), 'tester', 'my');
});

afterAll(async () => {
  await admin.run(`DROP DATABASE IF EXISTS ${DB}`);
  await my.close();
  admin.close();
});

const rows = async (sql: string) => (await s.query(sql)).rows;
const failsWith = async (sql: string) => ((await s.query(sql).then(() => null, (e: unknown) => e)) as SqlError | null)?.code;

/** Many types, NULLs, fractions, emoji, bytes: the same expressions for writing and for the expected rows. */
const KINDS = `i::int2 as small, i as int, i::int8 * 1000000007 as big, (i / 3.0)::numeric(30,20) as num, (i * 1.25)::numeric(10,2) as money,
  (i * 0.5)::float4 as real, i * 0.1::float8 as dbl, i % 2 = 0 as even, 'row ' || i || ' 😀' as label, ('x' || i)::varchar(10) as code,
  'c'::char(3) as fixed, date '2024-02-28' + i as day, timestamp '2024-01-01 00:00:00.123456' + i * interval '1 hour' as ts,
  time '10:00' + i * interval '1 second' as t, decode(lpad(to_hex(i), 4, '0'), 'hex') as bytes, ('{"i": ' || i || '}')::json as doc,
  case when i % 4 = 0 then null else i end as maybe, 'it''s a \\ test' as quoted`;

describe('mysql writes', () => {
  it('creates a schema and reads back exactly what CREATE TABLE AS wrote', async () => {
    await s.query(`create schema ${DB}`);
    expect(await failsWith(`create schema ${DB}`)).toBe('42P06');
    await s.query(`create schema if not exists ${DB}`);
    const r = await s.query(`create table ${DB}.kinds as select ${KINDS} from generate_series(1, 5000) as g(i)`);
    expect(r.tag).toBe('SELECT 5000');
    const expected = await rows(`select * from (select ${KINDS} from generate_series(1, 5000) as g(i)) x order by int`);
    const back = await rows(`select small, int, big, num, money, real, dbl, even, label, code, fixed, day, ts, t, bytes, doc, maybe, quoted from ${DB}.kinds order by int`);
    expect(back).toEqual(expected);
    const columns = await admin.run('SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [DB, 'kinds']);
    expect(columns.map((c) => `${String(c[0])} ${String(c[1])}`)).toEqual([
      'small smallint(6)', 'int int(11)', 'big bigint(20)', 'num decimal(30,20)', 'money decimal(10,2)', 'real float', 'dbl double', 'even tinyint(1)',
      'label longtext', 'code varchar(10)', 'fixed char(3)', 'day date', 'ts datetime(6)', 't time(6)', 'bytes longblob', 'doc longtext', 'maybe int(11)', 'quoted longtext',
    ]);
  });

  it('appends with INSERT in one transaction per statement', async () => {
    await s.query(`create table ${DB}.t (id int not null, name text)`);
    expect((await s.query(`insert into ${DB}.t values (1, 'a'), (2, null)`)).tag).toBe('INSERT 0 2');
    expect((await s.query(`insert into ${DB}.t select i, i::text from generate_series(3, 20000) i`)).tag).toBe('INSERT 0 19998');
    expect(await rows(`select count(*), count(name), sum(id) from ${DB}.t`)).toEqual([['20000', '19999', '200010000']]);
  });

  it('stores timestamptz as its UTC time, read back as timestamp', async () => {
    await s.query(`create table ${DB}.zoned as select timestamptz '2024-05-01 12:00:00.5+02' as at`);
    expect(await admin.run(`SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'zoned'`, [DB])).toEqual([['datetime(6)']]);
    expect(await rows(`select at from ${DB}.zoned`)).toEqual([['2024-05-01 10:00:00.5']]);
  });

  it('leaves nothing behind when an INSERT fails part-way', async () => {
    await admin.run(`CREATE TABLE ${DB}.keyed (k INT PRIMARY KEY, v VARCHAR(3), CHECK (k <> 2999))`);
    await admin.run(`INSERT INTO ${DB}.keyed VALUES (100000, 'old')`);
    expect(await failsWith(`insert into ${DB}.keyed select i % 2500, 'x' from generate_series(1, 3000) i`)).toBe('23505');
    expect(await failsWith(`insert into ${DB}.keyed select i, 'x' from generate_series(1, 3000) i`)).toBe('23514');
    expect(await failsWith(`insert into ${DB}.t select case when i = 1999 then null else i end, 'x' from generate_series(1, 2000) i`)).toBe('23502');
    expect(await admin.run(`SELECT COUNT(*) FROM ${DB}.keyed`)).toEqual([['1']]);
    expect(await rows(`select count(*) from ${DB}.t`)).toEqual([['20000']]);
  });

  it('drops a CREATE TABLE AS that failed', async () => {
    expect(await failsWith(`create table ${DB}.broken as select 10 / (i - 4000) as x from generate_series(1, 5000) i`)).toBe('22012');
    expect(await my.getTable({ user: 'tester', queryId: 'q' }, DB, 'broken')).toBeUndefined();
  });

  it('refuses types MySQL cannot hold and table properties it does not know', async () => {
    expect(await failsWith(`create table ${DB}.bad (x interval)`)).toBe('0A000');
    expect(await failsWith(`create table ${DB}.bad (x numeric(70,2))`)).toBe('0A000');
    expect(await failsWith(`create table ${DB}.bad (x int[])`)).toBe('0A000');
    expect(await failsWith(`create table ${DB}.bad (x int) with (engine = 'MyISAM')`)).toBe('22023');
    expect(await failsWith(`insert into ${DB}.zoned values ('infinity')`)).toBe('22008');
    expect(await failsWith(`insert into ${DB}.zoned values ('0044-03-15 12:00 BC')`)).toBe('22008');
    expect(await failsWith(`create table ${DB}.floats as select 'NaN'::float8 as x`)).toBe('22003');
    expect(await my.getTable({ user: 'tester', queryId: 'q' }, DB, 'floats')).toBeUndefined();
  });

  it('drops tables and schemas', async () => {
    expect(await failsWith(`create table ${DB}.t (x int)`)).toBe('42P07');
    await s.query(`create table if not exists ${DB}.t (x int)`);
    expect(await failsWith(`drop schema ${DB}`)).toBe('2BP01');
    await s.query(`drop table ${DB}.t`);
    expect(await failsWith(`drop table ${DB}.t`)).toBe('42P01');
    await s.query(`drop table if exists ${DB}.t`);
    await s.query(`drop schema ${DB} cascade`);
    expect(await my.listSchemas()).not.toContain(DB);
    expect(await failsWith(`drop schema ${DB}`)).toBe('3F000');
    await s.query(`drop schema if exists ${DB}`);
  });
});
