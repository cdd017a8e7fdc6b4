import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { findPython } from '../lib/parquet/testing.js';
import { lakeConnectorFactory } from './index.js';

let root: string;
let s: TestSession;

/** Files written by another engine (pyarrow): row groups of 1,000 rows sorted by id, Hive partitions. */
const MAKE_FILES = `
import sys, datetime, decimal
import pyarrow as pa, pyarrow.parquet as pq, pyarrow.dataset as ds
root = sys.argv[1]
n = 10000
t = pa.table({
  'id': pa.array(range(n), pa.int64()),
  'day': pa.array([datetime.date(2024, 1, 1) + datetime.timedelta(days=i // 100) for i in range(n)], pa.date32()),
  'price': pa.array([decimal.Decimal(i) / 100 for i in range(n)], pa.decimal128(12, 2)),
  'name': pa.array([None if i % 7 == 0 else f'item {i % 50}' for i in range(n)], pa.string()),
})
import os
os.makedirs(f'{root}/shop/items', exist_ok=True)
pq.write_table(t, f'{root}/shop/items/part-0.parquet', row_group_size=1000)
pq.write_table(t.slice(0, 10), f'{root}/shop/single.parquet')
ev = pa.table({'k': pa.array([i % 3 for i in range(30)], pa.int32()), 'v': pa.array([float(i) for i in range(30)]),
               'region': pa.array(['eu', 'us', 'apac'] * 10)})
codes = pa.table({'code': pa.array(['a', 'c', 'e'] * 100 + ['x', 'z'] * 150), 'n': pa.array(range(600), pa.int32())})
pq.write_table(codes, f'{root}/shop/codes.parquet', row_group_size=300, use_dictionary=True)
ds.write_dataset(ev, f'{root}/shop/events', format='parquet', partitioning=['region'], partitioning_flavor='hive')
`;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lake-parquet-'));
  execFileSync(findPython(), ['-c', MAKE_FILES, root], { stdio: ['ignore', 'ignore', 'inherit'] });
  s = openTestSession(new Map([['lake', lakeConnectorFactory.create('lake', { root })]]), 'tester', 'lake');
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rows = async (sql: string) => (await s.query(sql)).rows;
const explain = async (sql: string) => (await rows(`explain analyze ${sql}`)).map((r) => r[0]).join('\n');

describe('lake: Parquet tables written by another engine', () => {
  it('maps Parquet types to PostgreSQL types', async () => {
    expect(await rows("select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns where table_schema = 'shop' and table_name = 'items' order by ordinal_position")).toEqual([
      ['id', 'bigint', '64', '0'], ['day', 'date', null, null], ['price', 'numeric', '12', '2'], ['name', 'text', null, null],
    ]);
  });

  it('reads every row and NULL', async () => {
    expect(await rows('select count(*), count(name), sum(price), min(day), max(day), sum(id) from shop.items')).toEqual([
      ['10000', '8571', '499950.00', '2024-01-01', '2024-04-09', '49995000'],
    ]);
    expect(await rows('select * from shop.single order by id limit 2')).toEqual([['0', '2024-01-01', '0.00', null], ['1', '2024-01-01', '0.01', 'item 1']]);
  });

  it('skips row groups whose statistics rule the filter out', async () => {
    const plan = await explain('select count(*) from shop.items where id between 2500 and 3200');
    expect(plan).toMatch(/TableScan lake\.shop\.items.*tasks=2 files=1/);
    expect(await rows('select count(*) from shop.items where id between 2500 and 3200')).toEqual([['701']]);
    const byDate = await explain("select count(*) from shop.items where day >= date '2024-04-01'");
    expect(byDate).toMatch(/tasks=1 files=1/);
    expect(await rows("select count(*) from shop.items where day < date '2024-01-05' + interval '1 day'")).toEqual([['500']]);
  });

  it('skips row groups whose dictionary holds none of the wanted values', async () => {
    // row group 0 holds a, c, e; row group 1 holds x, z: min/max of both cover 'b' and 'y'
    expect(await rows("select count(*) from shop.codes where code = 'b'")).toEqual([['0']]);
    expect(await explain("select count(*) from shop.codes where code = 'b'")).not.toMatch(/TableScan lake\.shop\.codes.*tasks=[1-9]/);
    expect(await explain("select count(*) from shop.codes where code in ('c', 'y')")).toMatch(/TableScan lake\.shop\.codes.*tasks=1 files=1/);
    expect(await rows("select count(*) from shop.codes where code in ('c', 'z')")).toEqual([['250']]);
  });

  it('reads Hive-partitioned datasets and prunes partitions', async () => {
    expect(await rows('select region, count(*), sum(v) from shop.events group by region order by region')).toEqual([
      ['apac', '10', '155'], ['eu', '10', '135'], ['us', '10', '145'],
    ]);
    expect(await explain("select sum(v) from shop.events where region = 'us'")).toMatch(/tasks=1 files=1/);
  });

  it('answers from the decoded-column cache the second time', async () => {
    const q = 'select sum(price), count(name) from shop.items';
    const first = await rows(q);
    expect(await rows(q)).toEqual(first);
  });
});
