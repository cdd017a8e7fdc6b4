import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { tpchConnectorFactory } from '../tpch/index.js';
import { lakeConnectorFactory } from './index.js';

let root: string;
let s: TestSession;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lake-writes-'));
  s = openTestSession(new Map([
    ['lake', lakeConnectorFactory.create('lake', { root })],
    ['tpch', tpchConnectorFactory.create('tpch', {})],
  ]), 'tester', 'lake');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rows = async (sql: string) => (await s.query(sql)).rows;
const failsWith = async (sql: string) => ((await s.query(sql).then(() => null, (e: unknown) => e)) as SqlError | null)?.code;

describe('lake: writing Parquet tables', () => {
  it('creates schemas and tables, and reads back exactly what CREATE TABLE AS wrote', async () => {
    await s.query('create schema w');
    expect(await failsWith('create schema w')).toBe('42P06');
    const r = await s.query(`create table w.kinds as
      select i::int2 as small, i as int, i::int8 * 1000000000 as big, (i / 3.0)::numeric(30,20) as num, (i * 1.25)::numeric(10,2) as money,
             (i * 0.5)::numeric(6,1) as half, (i * 0.5)::float4 as real, i % 2 = 0 as even, 'row ' || i as label, ('x' || i)::varchar(10) as code,
             'c'::char(3) as fixed, date '2024-02-28' + i as day, timestamp '2024-01-01 00:00:00.123456' + i * interval '1 hour' as ts,
             timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute' as tstz, time '10:00' + i * interval '1 second' as t,
             decode(lpad(to_hex(i), 4, '0'), 'hex') as bytes, ('{"i": ' || i || '}')::json as doc,
             case when i % 4 = 0 then null else i end as maybe
      from generate_series(1, 5000) as g(i)`);
    expect(r.tag).toBe('SELECT 5000');
    const expected = await rows(`select i::int2, i, i::int8 * 1000000000, (i / 3.0)::numeric(30,20), (i * 1.25)::numeric(10,2), (i * 0.5)::numeric(6,1), (i * 0.5)::float4, i % 2 = 0,
             'row ' || i, ('x' || i)::varchar(10), 'c'::char(3), date '2024-02-28' + i, timestamp '2024-01-01 00:00:00.123456' + i * interval '1 hour',
             timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute', time '10:00' + i * interval '1 second',
             decode(lpad(to_hex(i), 4, '0'), 'hex'), ('{"i": ' || i || '}')::json::text, case when i % 4 = 0 then null else i end
      from generate_series(1, 5000) as g(i) order by 2`);
    const back = await rows('select small, int, big, num, money, half, real, even, label, code, fixed, day, ts, tstz, t, bytes, doc::text, maybe from w.kinds order by int');
    expect(back).toEqual(expected);
    // numeric without precision and scale is stored as DECIMAL(38,18): rounded to 18 places,
    // read back without the trailing zeros of that scale
    await s.query('create table w.ratios as select i / 3.0 as r, i * 0.5 as h from generate_series(1, 2) i');
    expect(await rows('select r, h from w.ratios order by r')).toEqual([['0.333333333333333333', '0.5'], ['0.666666666666666667', '1']]);
    expect(await rows("select column_name, data_type from information_schema.columns where table_schema = 'w' and table_name = 'kinds' and column_name in ('money', 'code', 'fixed', 'tstz') order by 1")).toEqual([
      ['code', 'character varying'], ['fixed', 'character'], ['money', 'numeric'], ['tstz', 'timestamp with time zone'],
    ]);
  });

  it('appends with INSERT and counts every file', async () => {
    await s.query('create table w.t (id int, name text)');
    expect(await rows('select count(*) from w.t')).toEqual([['0']]);
    expect((await s.query("insert into w.t values (1, 'a'), (2, null)")).tag).toBe('INSERT 0 2');
    expect((await s.query('insert into w.t select i, i::text from generate_series(3, 10) i')).tag).toBe('INSERT 0 8');
    expect(await rows('select count(*), count(name), sum(id) from w.t')).toEqual([['10', '9', '55']]);
    expect(readdirSync(join(root, 'w', 't')).filter((f) => f.endsWith('.parquet'))).toHaveLength(2);
  });

  it('leaves no table and no file behind when CREATE TABLE AS or INSERT fails', async () => {
    expect(await failsWith('create table w.broken as select 1 / (i - 3) as x from generate_series(1, 5) i')).toBe('22012');
    expect(await rows("select count(*) from information_schema.tables where table_schema = 'w' and table_name = 'broken'")).toEqual([['0']]);
    expect(await failsWith('insert into w.t select 1 / (i - 3), null from generate_series(1, 5) i')).toBe('22012');
    expect(await rows('select count(*) from w.t')).toEqual([['10']]);
    expect(readdirSync(join(root, 'w', 't')).filter((f) => !f.endsWith('.parquet') && !f.startsWith('.lakegate'))).toEqual([]);
  });

  it('copies a TPC-H table and answers a TPC-H query the same way', async () => {
    await s.query('create table w.lineitem as select * from tpch.tiny.lineitem');
    const q = (t: string) => `select l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice * (1 - l_discount)), avg(l_discount), count(*)
      from ${t} where l_shipdate <= date '1998-12-01' - interval '90' day group by 1, 2 order by 1, 2`;
    expect(await rows(q('w.lineitem'))).toEqual(await rows(q('tpch.tiny.lineitem')));
  });

  it('reads only the pages whose statistics the filter allows', async () => {
    await s.query('create table w.sorted as select i as id, i % 7 as k from generate_series(1, 100000) i');
    const plan = (await rows('explain analyze select count(*), sum(k) from w.sorted where id between 40010 and 40020')).map((r) => r[0]).join('\n');
    // pages hold 20,000 rows: one page of the five is decoded
    expect(plan).toMatch(/TableScan lake\.w\.sorted.*actual rows=20000 /);
    expect(await rows('select count(*), sum(k) from w.sorted where id between 40010 and 40020')).toEqual([['11', '33']]);
    expect(await rows('select count(*) from w.sorted where id < 0 or id is null')).toEqual([['0']]);
    expect(await rows('select count(*) from w.sorted where id in (5, 99999)')).toEqual([['2']]);
  });

  it('writes partitioned tables into Hive partition folders and prunes them', async () => {
    await s.query("create table w.events (id int, region text, day date) with (partitioned_by = 'region, day')");
    await s.query("insert into w.events values (1, 'eu', '2024-01-01'), (2, 'eu', '2024-01-02'), (3, 'us', '2024-01-01'), (4, null, '2024-01-01'), (5, 'a/b=c', null)");
    expect(readdirSync(join(root, 'w', 'events')).filter((f) => !f.startsWith('.')).sort()).toEqual(['region=__HIVE_DEFAULT_PARTITION__', 'region=a%2Fb%3Dc', 'region=eu', 'region=us']);
    expect(await rows('select id, region, day from w.events order by id')).toEqual([
      ['1', 'eu', '2024-01-01'], ['2', 'eu', '2024-01-02'], ['3', 'us', '2024-01-01'], ['4', null, '2024-01-01'], ['5', 'a/b=c', null],
    ]);
    const plan = (await rows("explain analyze select count(*) from w.events where region = 'eu' and day = date '2024-01-02'")).map((r) => r[0]).join('\n');
    expect(plan).toMatch(/TableScan lake\.w\.events.*tasks=1 files=1/);
    await s.query("create table w.copy with (partitioned_by = 'region') as select * from w.events where id < 4");
    expect(await rows('select region, count(*) from w.copy group by 1 order by 1')).toEqual([['eu', '2'], ['us', '1']]);
    // character(n) partition values are pruned too
    await s.query("create table w.orders with (partitioned_by = 'o_orderstatus') as select * from tpch.tiny.orders");
    const byStatus = (await rows("explain analyze select count(*) from w.orders where o_orderstatus = 'F'")).map((r) => r[0]).join('\n');
    expect(byStatus).toMatch(/TableScan lake\.w\.orders.*tasks=1 files=1/);
    expect(await rows("select count(*) from w.orders where o_orderstatus = 'F'")).toEqual(await rows("select count(*) from tpch.tiny.orders where o_orderstatus = 'F'"));
    expect(await failsWith("create table w.bad (x int) with (partitioned_by = 'nosuch')")).toBe('42703');
    expect(await failsWith("create table w.bad (x int) with (format = 'orc')")).toBe('22023');
    expect(await failsWith("create table w.bad (x int) with (colour = 'blue')")).toBe('22023');
  });

  it('refuses to write where it cannot, and drops tables and schemas', async () => {
    expect(await failsWith('create table w.t (x int)')).toBe('42P07');
    expect(await failsWith('drop schema w')).toBe('2BP01');
    await s.query('drop table w.t');
    expect(await failsWith('select * from w.t')).toBe('42P01');
    await s.query('drop schema w cascade');
    expect(await rows("select count(*) from information_schema.schemata where schema_name = 'w'")).toEqual([['0']]);
  });
});
