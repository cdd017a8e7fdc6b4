/**
 * Iceberg tables written by pyiceberg (testdata/make_tables.py, SqlCatalog on SQLite) read
 * through the hadoop-style catalog: types, partitions and pruning, schema evolution, deletes,
 * time travel and metadata tables. Needs .tmp/venv/bin/python with pyiceberg (scripts/test-all.sh
 * installs it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { icebergConnectorFactory } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const python = resolve(here, '../../.tmp/venv/bin/python');

interface Made {
  orders: { snapshots: string[]; times: number[]; manifest_lists: string[]; files: number; partitions: number; manifests: number };
  deletes: { after_positions: number[] };
}

let root: string;
let made: Made;
let s: TestSession;

beforeAll(() => {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/test-all.sh unit (it creates .tmp/venv with pyiceberg), or create it with python3 -m venv .tmp/venv && .tmp/venv/bin/pip install 'pyiceberg[pyarrow,sql-sqlite,pyiceberg-core]>=0.12,<0.13'`);
  try {
    execFileSync(python, ['-c', 'import pyiceberg, pyarrow, sqlalchemy, pyiceberg_core'], { stdio: 'pipe' });
  } catch {
    throw new Error(`${python} lacks pyiceberg, pyarrow, sqlalchemy or pyiceberg-core: .tmp/venv/bin/pip install 'pyiceberg[pyarrow,sql-sqlite,pyiceberg-core]>=0.12,<0.13'`);
  }
  root = mkdtempSync(join(tmpdir(), 'iceberg-'));
  const out = execFileSync(python, [join(here, 'testdata/make_tables.py'), root], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
  made = JSON.parse(out.trim().split('\n').pop()!) as Made;
  const ice = icebergConnectorFactory.create('ice', { 'connector.name': 'iceberg', 'iceberg.catalog.type': 'hadoop', 'iceberg.catalog.warehouse': root });
  s = openTestSession(new Map([['ice', ice]]), 'tester', 'ice');
}, 180_000);
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const rows = async (sql: string) => (await s.query(sql)).rows;
const explain = async (sql: string) => (await rows(`explain analyze ${sql}`)).map((r) => r[0]).join('\n');
const scanOf = (plan: string) => /TableScan[^\n]*/.exec(plan)?.[0] ?? plan;
const filesOf = (plan: string) => Number(/files=(\d+)/.exec(scanOf(plan))?.[1] ?? -1);
const errorOf = async (sql: string) => {
  try {
    await s.query(sql);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error(`expected ${sql} to fail`);
};

describe('iceberg: tables written by pyiceberg', () => {
  it('lists namespaces and tables', async () => {
    expect(await rows("select table_name from information_schema.tables where table_schema = 'shop' order by 1")).toEqual([
      ['deletes'], ['evolve'], ['legacy'], ['orders'], ['types'],
    ]);
  });

  it('maps Iceberg types to PostgreSQL types and hides struct and map columns', async () => {
    expect(await rows("select column_name, data_type from information_schema.columns where table_schema = 'shop' and table_name = 'types' order by ordinal_position")).toEqual([
      ['b', 'boolean'], ['i', 'integer'], ['l', 'bigint'], ['f', 'real'], ['d', 'double precision'], ['dec', 'numeric'], ['dt', 'date'],
      ['t', 'time without time zone'], ['ts', 'timestamp without time zone'], ['tstz', 'timestamp with time zone'], ['s', 'text'], ['u', 'uuid'],
      ['fx', 'bytea'], ['bin', 'bytea'], ['li', 'ARRAY'],
    ]);
    expect(await rows('select b, i, l, f, d, dec, dt, t, ts, tstz, s, u, fx, bin, li from shop.types order by i nulls last')).toEqual([
      ['t', '1', '1099511627776', '1.5', '2.25', '12345.6789', '2024-02-29', '13:14:15.123456', '2024-01-02 03:04:05', '2024-01-02 03:04:05+00',
        'héllo', '12345678-1234-5678-1234-567812345678', '\\x616263', '\\x00ff', '{1,NULL,3}'],
      Array(15).fill(null),
    ]);
    expect(await rows("select pg_typeof(dec)::text from shop.types limit 1")).toEqual([['numeric']]);
  });

  it('reads a partitioned table (identity, day and bucket partitions)', async () => {
    expect(await rows('select count(*), sum(order_id), sum(amount), min(ts), max(ts) from shop.orders')).toEqual([
      ['60', '1770', '1785.00', '2024-05-01 00:00:00+00', '2024-05-13 07:00:00+00'],
    ]);
    expect(await rows("select category, count(*) from shop.orders group by 1 order by 1")).toEqual([['books', '20'], ['games', '20'], ['tools', '20']]);
  });

  it('prunes partitions and files from the query constraint', async () => {
    const all = filesOf(await explain('select count(*) from shop.orders'));
    expect(all).toBe(made.orders.files);
    const byCategory = await explain("select count(*) from shop.orders where category = 'books'");
    expect(filesOf(byCategory)).toBeLessThan(all);
    expect(filesOf(byCategory)).toBeGreaterThan(0);
    expect(await rows("select count(*) from shop.orders where category = 'books'")).toEqual([['20']]);
    // day(ts): 2024-05-12 00:00 and later
    const byDay = await explain("select count(*) from shop.orders where ts >= timestamptz '2024-05-12 00:00:00+00'");
    expect(filesOf(byDay)).toBeLessThan(all / 4);
    expect(await rows("select count(*) from shop.orders where ts >= timestamptz '2024-05-12 00:00:00+00'")).toEqual([['7']]);
    // bucket(order_id) and the files' order_id bounds leave order 7's file and one holding orders 5 and 8 (same bucket)
    const byId = await explain('select customer from shop.orders where order_id = 7');
    expect(filesOf(byId)).toBe(2);
    expect(await rows('select customer, amount from shop.orders where order_id = 7')).toEqual([['c0', '7.25']]);
    expect(await rows('select count(*) from shop.orders where order_id in (7, 8, 9, 1000)')).toEqual([['3']]);
  });

  it('reads across schema evolution by field id (rename, drop, add, int → long)', async () => {
    expect(await rows("select column_name, data_type from information_schema.columns where table_schema = 'shop' and table_name = 'evolve' order by ordinal_position")).toEqual([
      ['id', 'bigint'], ['full_name', 'text'], ['qty', 'bigint'], ['note', 'text'], ['score', 'double precision'],
    ]);
    expect(await rows('select * from shop.evolve order by id')).toEqual([
      ['0', 'n0', '0', null, null], ['1', 'n1', '1', null, null], ['2', 'n2', '2', null, null], ['3', 'n3', '5000000000', 'new', null],
    ]);
    expect(await rows('select sum(qty) from shop.evolve where qty > 1')).toEqual([['5000000002']]);
  });

  it('applies position and equality deletes by sequence number', async () => {
    const expected = made.deletes.after_positions.filter((id) => id !== 50 && id !== 51);
    const got = await rows('select id, v from shop.deletes order by id, v');
    expect(got.filter((r) => r[1] !== 'again').map((r) => Number(r[0]))).toEqual(expected);
    // the row appended after the equality delete is not deleted by it
    expect(got.filter((r) => r[1] === 'again')).toEqual([['50', 'again']]);
    expect(await rows('select count(*) from shop.deletes where id between 10 and 15')).toEqual([['4']]);
  });

  it('reads format-version 1 tables', async () => {
    expect(await rows('select k, sum(n) from shop.legacy group by k order by k')).toEqual([['a', '4'], ['b', '2']]);
    expect(filesOf(await explain("select * from shop.legacy where k = 'b'"))).toBe(1);
  });

  it('travels in time by snapshot id, reference and timestamp', async () => {
    const [first, second] = made.orders.snapshots;
    expect(await rows(`select count(*) from shop."orders@${first}"`)).toEqual([['40']]);
    expect(await rows(`select count(*) from shop."orders@${second}"`)).toEqual([['60']]);
    expect(await rows('select count(*) from shop."orders@first_load"')).toEqual([['40']]);
    expect(await rows('select count(*) from shop."orders@dev"')).toEqual([['40']]);
    expect(await rows('select count(*) from shop."orders@main"')).toEqual([['60']]);
    const [t1, t2] = made.orders.times;
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(await rows(`select count(*) from shop."orders@${iso(t1!)}"`)).toEqual([['40']]);
    expect(await rows(`select count(*) from shop."orders@${iso(t2! - 1)}"`)).toEqual([['40']]);
    expect(await rows(`select count(*) from shop."orders@${iso(t2!)}"`)).toEqual([['60']]);
    expect((await errorOf(`select * from shop."orders@${iso(t1! - 60_000)}"`)).code).toBe('22023');
    expect((await errorOf('select * from shop."orders@123"')).code).toBe('22023');
    expect((await errorOf('select * from shop.nope')).code).toBe('42P01');
  });

  it('has Trino-style metadata tables', async () => {
    const [first, second] = made.orders.snapshots;
    expect(await rows('select snapshot_id::text, parent_id::text, operation, manifest_list from shop."orders$snapshots" order by committed_at')).toEqual([
      [first, null, 'append', made.orders.manifest_lists[0]], [second, first, 'append', made.orders.manifest_lists[1]],
    ]);
    expect(await rows(`select summary::jsonb->>'total-records' from shop."orders$snapshots" order by committed_at`)).toEqual([['40'], ['60']]);
    expect(await rows('select snapshot_id::text, is_current_ancestor from shop."orders$history" order by made_current_at')).toEqual([[first, 't'], [second, 't']]);
    expect(await rows('select count(*), sum(record_count), min(content), min(file_format) from shop."orders$files"')).toEqual([[String(made.orders.files), '60', '0', 'PARQUET']]);
    expect(await rows(`select partition::jsonb->>'category', partition::jsonb->>'ts_day' from shop."orders$files" order by file_path limit 1`)).toEqual([['books', '2024-05-01']]);
    expect(await rows('select count(*), sum(added_data_files_count) from shop."orders$manifests"')).toEqual([[String(made.orders.manifests), String(made.orders.files)]]);
    expect(await rows('select count(*), sum(record_count), sum(file_count) from shop."orders$partitions"')).toEqual([[String(made.orders.partitions), '60', String(made.orders.files)]]);
    expect(await rows('select name, type, snapshot_id::text from shop."orders$refs" order by name')).toEqual([
      ['dev', 'BRANCH', first], ['first_load', 'TAG', first], ['main', 'BRANCH', second],
    ]);
    expect(await rows(`select key, value from shop."orders$properties" where key = 'owner'`)).toEqual([['owner', 'tests']]);
    // metadata tables of an older snapshot
    const firstFiles = filesOf(await explain(`select count(*) from shop."orders@${first}"`));
    expect(firstFiles).toBeLessThan(made.orders.files);
    expect(await rows(`select count(*), sum(record_count) from shop."orders@${first}$files"`)).toEqual([[String(firstFiles), '40']]);
    expect(await rows('select content, count(*) from shop."deletes$files" group by 1 order by 1')).toEqual([['0', '2'], ['1', '1'], ['2', '1']]);
  });

  it('gives the optimizer row counts and column bounds', async () => {
    const stats = await rows('show stats for shop.orders');
    expect(stats.find((r) => r[0] === null)?.[4]).toBe('60');
    expect(stats.find((r) => r[0] === 'order_id')?.slice(5)).toEqual(['0', '59']);
  });
});
