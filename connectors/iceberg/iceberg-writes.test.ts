/**
 * Writes to Iceberg tables in a local Hadoop-style warehouse: CREATE SCHEMA / TABLE, CREATE
 * TABLE AS from tpch, INSERT, DELETE (SQL and the connector's deleteRows with `$path`/`$pos`),
 * DROP; every type round-trips; pyiceberg reads what Lakegate wrote (testdata/read_table.py);
 * concurrent INSERTs either land or fail with 40001; failed commits clean up only what is
 * safe to remove. Needs .tmp/venv/bin/python with pyiceberg (scripts/test-all.sh installs it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../engine/execution/batch/batch.js';
import { SqlError } from '../../engine/errors/index.js';
import { Numeric } from '../../engine/types/numeric.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import type { Connector, TableMetadata } from '../spi/index.js';
import { tpchConnectorFactory } from '../tpch/index.js';
import { CommitConflict, CommitOutcomeUnknown, type IcebergCatalog, type SnapshotCommit } from './catalog/catalog.js';
import { HadoopCatalog } from './catalog/hadoop-catalog.js';
import { IcebergConnector } from './connector.js';
import { icebergConnectorFactory } from './index.js';
import { parseTransform } from './values.js';
import { transformDatum } from './write/partitioning.js';

const here = dirname(fileURLToPath(import.meta.url));
const python = resolve(here, '../../.tmp/venv/bin/python');

let root: string;
let ice: Connector;
let s: TestSession;
const tpch = tpchConnectorFactory.create('tpch', {});
const cs = { user: 'tester', queryId: 'q' };

beforeAll(async () => {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/test-all.sh unit (it creates .tmp/venv with pyiceberg)`);
  root = mkdtempSync(join(tmpdir(), 'iceberg-writes-'));
  ice = icebergConnectorFactory.create('ice', { 'connector.name': 'iceberg', 'iceberg.catalog.type': 'hadoop', 'iceberg.catalog.warehouse': root });
  s = openTestSession(new Map([['ice', ice], ['tpch', tpch]]), 'tester', 'ice');
  await s.query('create schema w');
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const rows = async (sql: string, session = s) => (await session.query(sql)).rows;
const errorOf = async (sql: string, session = s) => {
  try {
    await session.query(sql);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error(`expected ${sql} to fail`);
};

interface PyTable {
  fields: [number, string, string, boolean][];
  rows: unknown[][];
  snapshots: [string, Record<string, string>][];
}

/** The table as pyiceberg reads it from its current metadata file. */
function pyiceberg(schema: string, table: string): PyTable {
  const folder = join(root, schema, table, 'metadata');
  const version = Math.max(...readdirSync(folder).map((f) => /^v(\d+)\.metadata\.json$/.exec(f)?.[1]).filter((v) => v !== undefined).map(Number));
  const out = execFileSync(python, [join(here, 'testdata/read_table.py'), join(folder, `v${version}.metadata.json`)], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });
  return JSON.parse(out.trim().split('\n').pop()!) as PyTable;
}

const filesUnder = (path: string): string[] => (existsSync(path) ? readdirSync(path, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name)) : []);

describe('iceberg writes: tables', () => {
  it('creates tables of every type and round-trips their values (also through pyiceberg)', async () => {
    await s.query(`create table w.types (b bool, s2 int2, i int4 not null, l int8, f4 float4, f8 float8, dec numeric(10,2), num numeric, d date, t time,
      ts timestamp, tstz timestamptz, tx text, vc varchar(5), ch char(3), u uuid, by bytea, j json, ia int4[], ta text[])`);
    expect(await rows("select column_name, data_type, is_nullable from information_schema.columns where table_schema = 'w' and table_name = 'types' order by ordinal_position")).toEqual([
      ['b', 'boolean', 'YES'], ['s2', 'integer', 'YES'], ['i', 'integer', 'NO'], ['l', 'bigint', 'YES'], ['f4', 'real', 'YES'], ['f8', 'double precision', 'YES'],
      ['dec', 'numeric', 'YES'], ['num', 'numeric', 'YES'], ['d', 'date', 'YES'], ['t', 'time without time zone', 'YES'], ['ts', 'timestamp without time zone', 'YES'],
      ['tstz', 'timestamp with time zone', 'YES'], ['tx', 'text', 'YES'], ['vc', 'text', 'YES'], ['ch', 'text', 'YES'], ['u', 'uuid', 'YES'], ['by', 'bytea', 'YES'],
      ['j', 'text', 'YES'], ['ia', 'ARRAY', 'YES'], ['ta', 'ARRAY', 'YES'],
    ]);
    const tag = (await s.query(`insert into w.types values
      (true, 7, 1, 1099511627776, 1.5, 2.25, 12345.67, 3.14159, '2024-02-29', '13:14:15.123456', '2024-01-02 03:04:05.678901', '2024-01-02 03:04:05+00',
       'héllo', 'abc', 'ab', '12345678-1234-5678-1234-567812345678', '\\x00ff', '{"a": 1}', '{1,NULL,3}', '{x,y}'),
      (null, null, 2, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)`)).tag;
    expect(tag).toBe('INSERT 0 2');
    const expected = [
      ['t', '7', '1', '1099511627776', '1.5', '2.25', '12345.67', '3.141590000000000000', '2024-02-29', '13:14:15.123456', '2024-01-02 03:04:05.678901',
        '2024-01-02 03:04:05+00', 'héllo', 'abc', 'ab', '12345678-1234-5678-1234-567812345678', '\\x00ff', '{"a": 1}', '{1,NULL,3}', '{x,y}'],
      [null, null, '2', ...Array(17).fill(null)],
    ];
    expect(await rows('select * from w.types order by i')).toEqual(expected);
    expect(await rows("select pg_typeof(dec)::text, pg_typeof(num)::text, pg_typeof(ia)::text from w.types limit 1")).toEqual([['numeric', 'numeric', 'integer[]']]);
    expect((await errorOf('insert into w.types (i) values (null)')).code).toBe('23502');

    const py = pyiceberg('w', 'types');
    expect(py.fields.map(([id, name, type, required]) => [id, name, type, required])).toEqual([
      [1, 'b', 'boolean', false], [2, 's2', 'int', false], [3, 'i', 'int', true], [4, 'l', 'long', false], [5, 'f4', 'float', false], [6, 'f8', 'double', false],
      [7, 'dec', 'decimal(10, 2)', false], [8, 'num', 'decimal(38, 18)', false], [9, 'd', 'date', false], [10, 't', 'time', false], [11, 'ts', 'timestamp', false],
      [12, 'tstz', 'timestamptz', false], [13, 'tx', 'string', false], [14, 'vc', 'string', false], [15, 'ch', 'string', false], [16, 'u', 'uuid', false],
      [17, 'by', 'binary', false], [18, 'j', 'string', false], [19, 'ia', 'list<int>', false], [20, 'ta', 'list<string>', false],
    ]);
    const [first, second] = py.rows as unknown[][];
    expect(first!.slice(0, 15)).toEqual(['t', '7', '1', '1099511627776', '1.5', '2.25', '12345.67', '3.141590000000000000', '2024-02-29', '13:14:15.123456',
      '2024-01-02T03:04:05.678901', '2024-01-02T03:04:05+00:00', 'héllo', 'abc', 'ab']);
    expect([String(first![15]).replace(/^\\x/, '')].map((u) => u.replace(/-/g, ''))).toEqual(['12345678123456781234567812345678']);
    expect(first!.slice(16)).toEqual(['\\x00ff', '{"a": 1}', ['1', null, '3'], ['x', 'y']]);
    expect(second).toEqual([null, null, '2', ...Array(17).fill(null)]);
  });

  it('creates tables with CREATE TABLE AS from tpch and answers as tpch does', async () => {
    for (const t of ['nation', 'orders', 'lineitem']) {
      const r = await s.query(`create table w.${t} as select * from tpch.tiny.${t}`);
      expect(r.tag).toBe(`SELECT ${(await rows(`select count(*) from tpch.tiny.${t}`))[0]![0]}`);
    }
    const q = (schema: string) => `select l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice * (1 - l_discount)), avg(l_discount), count(*)
      from ${schema}.lineitem where l_shipdate <= date '1998-09-02' group by 1, 2 order by 1, 2`;
    expect(await rows(q('w'))).toEqual(await rows(q('tpch.tiny')));
    const joined = (schema: string) => `select n_name::text, count(*), sum(o_totalprice) from ${schema}.orders, ${schema}.nation
      where o_custkey % 25 = n_nationkey and n_name like 'A%' group by 1 order by 1`;
    expect(await rows(joined('w'))).toEqual(await rows(joined('tpch.tiny')));
    // bounds written into the manifests prune files: a fresh file per INSERT
    await s.query('insert into w.nation select n_nationkey + 100, n_name, n_regionkey, n_comment from tpch.tiny.nation');
    const plan = (await rows('explain analyze select count(*) from w.nation where n_nationkey >= 100')).map((r) => r[0]).join('\n');
    expect(/files=(\d+)/.exec(plan)?.[1]).toBe('1');
    const py = pyiceberg('w', 'lineitem');
    expect(py.rows.length).toBe(60175);
    expect(py.snapshots.map((x) => x[0])).toEqual(['append']);
    expect(py.snapshots[0]![1]['total-records']).toBe('60175');
  });

  it('appends snapshots whose manifest lists keep the earlier manifests', async () => {
    await s.query('create table w.appends (id int8, v text)');
    for (let k = 0; k < 3; k++) await s.query(`insert into w.appends select g, 'v' || g from generate_series(${k * 10}, ${k * 10 + 9}) g`);
    expect(await rows('select count(*), count(distinct id), sum(id) from w.appends')).toEqual([['30', '30', '435']]);
    expect(await rows('select operation, parent_id is null from w."appends$snapshots" order by committed_at')).toEqual([['append', 't'], ['append', 'f'], ['append', 'f']]);
    expect(await rows('select count(*), sum(added_data_files_count) from w."appends$manifests"')).toEqual([['3', '3']]);
    expect(await rows(`select summary::jsonb->>'total-records' from w."appends$snapshots" order by committed_at`)).toEqual([['10'], ['20'], ['30']]);
    // an empty INSERT commits nothing
    expect((await s.query('insert into w.appends select 1, null where false')).tag).toBe('INSERT 0 0');
    expect(await rows('select count(*) from w."appends$snapshots"')).toEqual([['3']]);
    expect(pyiceberg('w', 'appends').rows.length).toBe(30);
  });

  it('has hidden $path and $pos columns, left out of * and the catalog views', async () => {
    expect((await s.query('select * from w.appends limit 1')).columns).toEqual(['id', 'v']);
    expect(await rows("select count(*) from information_schema.columns where table_schema = 'w' and table_name = 'appends'")).toEqual([['2']]);
    const got = await rows('select "$path", "$pos", id from w.appends order by id');
    const paths = [...new Set(got.map((r) => r[0]))];
    expect(paths.length).toBe(3);
    expect(paths.every((p) => p!.startsWith(join(root, 'w', 'appends', 'data')) && p!.endsWith('.parquet'))).toBe(true);
    expect(got.map((r) => r[1])).toEqual(Array.from({ length: 30 }, (_, i) => String(i % 10)));
  });

  it('fails CREATE TABLE for types Iceberg cannot hold, and duplicates', async () => {
    expect((await errorOf('create table w.bad (i interval)')).code).toBe('0A000');
    expect((await errorOf('create table w.bad (o oid)')).code).toBe('0A000');
    expect((await errorOf('create table w.bad (n numeric(50, 2))')).code).toBe('0A000');
    expect((await errorOf('create table w.appends (a int)')).code).toBe('42P07');
    await s.query('create table if not exists w.appends (a int)');
    expect((await errorOf('create table nope.t (a int)')).code).toBe('3F000');
    expect((await errorOf('create schema w')).code).toBe('42P06');
    // a failed CREATE TABLE AS leaves no table behind
    expect((await errorOf('create table w.ctas_fail as select 1 / (n_nationkey - 3) as x from tpch.tiny.nation')).code).toBe('22012');
    expect(await rows("select count(*) from information_schema.tables where table_schema = 'w' and table_name = 'ctas_fail'")).toEqual([['0']]);
    expect(existsSync(join(root, 'w', 'ctas_fail'))).toBe(false);
  });

  it('drops tables and schemas', async () => {
    await s.query('create schema gone');
    await s.query('create table gone.t as select 1 as a');
    expect((await errorOf('drop schema gone')).code).toBe('2BP01');
    await s.query('drop table gone.t');
    expect(existsSync(join(root, 'gone', 't'))).toBe(false);
    expect((await errorOf('drop table gone.t')).code).toBe('42P01');
    await s.query('create table gone.u as select 1 as a');
    await s.query('drop schema gone cascade');
    expect(existsSync(join(root, 'gone'))).toBe(false);
    expect((await errorOf('drop schema gone')).code).toBe('3F000');
    await s.query('drop schema if exists gone');
  });
});

describe('iceberg writes: DELETE', () => {
  it('deletes rows with position-delete files (SQL), and pyiceberg sees the same rows', async () => {
    await s.query('create table w.del as select * from tpch.tiny.orders');
    await s.query("insert into w.del select * from tpch.tiny.orders where o_orderkey < 100");
    const tag = (await s.query("delete from w.del where o_orderpriority = '1-URGENT' or o_orderkey < 10")).tag;
    const expected = Number((await rows("select count(*) from tpch.tiny.orders where o_orderpriority = '1-URGENT' or o_orderkey < 10"))[0]![0])
      + Number((await rows("select count(*) from tpch.tiny.orders where o_orderkey < 100 and (o_orderpriority = '1-URGENT' or o_orderkey < 10)"))[0]![0]);
    expect(tag).toBe(`DELETE ${expected}`);
    const left = await rows('select count(*), sum(o_orderkey) from w.del');
    const want = await rows(`select sum(c), sum(k) from (
      select count(*) c, sum(o_orderkey) k from tpch.tiny.orders where not (o_orderpriority = '1-URGENT' or o_orderkey < 10)
      union all select count(*), sum(o_orderkey) from tpch.tiny.orders where o_orderkey < 100 and not (o_orderpriority = '1-URGENT' or o_orderkey < 10)) x`);
    expect(left).toEqual(want);
    expect(await rows("select count(*) from w.del where o_orderpriority = '1-URGENT'")).toEqual([['0']]);
    expect(await rows('select operation from w."del$snapshots" order by committed_at')).toEqual([['append'], ['append'], ['delete']]);
    expect(await rows('select content, count(*) from w."del$files" group by 1 order by 1')).toEqual([['0', '2'], ['1', '1']]);
    expect((await s.query('delete from w.del where o_orderkey < 0')).tag).toBe('DELETE 0');
    // a second delete stacks on the first
    await s.query('delete from w.del where o_orderkey between 10 and 40');
    expect(await rows('select count(*) from w.del where o_orderkey <= 40')).toEqual([['0']]);

    const py = pyiceberg('w', 'del');
    const count = Number((await rows('select count(*) from w.del'))[0]![0]);
    expect(py.rows.length).toBe(count);
    const keys = (py.rows as string[][]).map((r) => Number(r[0])).sort((a, b) => a - b);
    const ours = (await rows('select o_orderkey from w.del order by 1')).map((r) => Number(r[0]));
    expect(keys).toEqual(ours);
    expect(py.snapshots.map((x) => x[0])).toEqual(['append', 'append', 'delete', 'delete']);
  });

  it('deletes the rows whose $path / $pos a scan produced (connector level)', async () => {
    await s.query('create table w.rowids as select g as id from generate_series(1, 1000) g');
    await s.query('insert into w.rowids select g from generate_series(1001, 1500) g');
    const table = (await ice.getTable(cs, 'w', 'rowids'))!;
    const path = table.columns.findIndex((c) => c.name === '$path');
    const pos = table.columns.findIndex((c) => c.name === '$pos');
    expect(table.columns.filter((c) => c.hidden).map((c) => c.name)).toEqual(['$path', '$pos']);
    expect((ice as IcebergConnector).rowIdColumns()).toEqual(['$path', '$pos']);
    // every row whose id is a multiple of 7, read with its row id
    const doomed: Batch[] = [];
    let expected = 0;
    for (const split of await ice.getSplits(cs, table, { desiredSplits: 4 })) {
      for await (const b of ice.scan(cs, { table, columns: [0, path, pos], split, signal: new AbortController().signal })) {
        const ids = b.columns[0]!.data as Int32Array;
        const keep: number[] = [];
        for (let i = 0; i < b.length; i++) if (ids[i]! % 7 === 0) keep.push(i);
        expected += keep.length;
        doomed.push({ length: keep.length, columns: [1, 2].map((c) => ({ ...b.columns[c]!, length: keep.length, data: keep.map((i) => (b.columns[c]!.data as ArrayLike<unknown>)[i]) as never })) });
        for (const col of doomed[doomed.length - 1]!.columns) if (col.type.name === 'int8') (col as { data: unknown }).data = BigInt64Array.from(col.data as bigint[]);
      }
    }
    async function* feed() {
      yield* doomed;
    }
    expect(await (ice as IcebergConnector).deleteRows(cs, table, feed())).toBe(expected);
    expect(await rows('select count(*), count(*) filter (where id % 7 = 0) from w.rowids')).toEqual([[String(1500 - expected), '0']]);
    expect(pyiceberg('w', 'rowids').rows.length).toBe(1500 - expected);
  });

  it('fails DELETE and INSERT on table versions and metadata tables', async () => {
    const [snap] = (await rows('select snapshot_id from w."rowids$snapshots" order by committed_at limit 1'))[0]!;
    expect((await errorOf(`delete from w."rowids@${snap}" where id = 1`)).code).toBe('0A000');
    expect((await errorOf(`insert into w."rowids@${snap}" values (1)`)).code).toBe('0A000');
  });
});

describe('iceberg writes: partitioned tables', () => {
  const partitionsPy = join(here, 'testdata/partitions.py');
  const py = (args: string[], input?: string): unknown =>
    JSON.parse(execFileSync(python, [partitionsPy, ...args], { encoding: 'utf8', timeout: 180_000, maxBuffer: 1 << 28, ...(input !== undefined ? { input } : {}) }).trim().split('\n').pop()!);
  const metadataFile = (schema: string, table: string): string => {
    const folder = join(root, schema, table, 'metadata');
    const version = Math.max(...readdirSync(folder).map((f) => /^v(\d+)\.metadata\.json$/.exec(f)?.[1]).filter((v) => v !== undefined).map(Number));
    return join(folder, `v${version}.metadata.json`);
  };
  /** Every data file's manifest partition against pyiceberg's transforms of the file's rows. */
  const checkPartitions = (schema: string, table: string) => py(['check', metadataFile(schema, table)]) as { files: number; specs: number[]; mismatches: unknown[] };
  const filesOf = async (sql: string) => Number(/files=(\d+)/.exec((await rows(`explain analyze ${sql}`)).map((r) => r[0]).join('\n'))?.[1]);

  it('computes every transform as pyiceberg does, for many values', () => {
    const cases: [string, string, unknown, string][] = [];
    const add = (transform: string, type: string, datum: unknown, text: string) => cases.push([transform, type, datum, text]);
    const ints = [0, 1, -1, 2, 7, 34, 100, -100, 999, 1000, -1001, 2147483647, -2147483648, 123456789, -987654321];
    for (let k = 0; k < 40; k++) ints.push(Math.floor(Math.sin(k + 1) * 2 ** 31));
    for (const v of ints) for (const t of ['bucket[16]', 'bucket[1000]', 'bucket[1]', 'truncate[10]', 'truncate[3]', 'identity']) add(t, 'int', v, String(v));
    const longs = [...ints.map(BigInt), 9223372036854775807n, -9223372036854775808n, 1099511627776n, -1099511627777n, 4611686018427387904n];
    for (const v of longs) for (const t of ['bucket[16]', 'bucket[77]', 'truncate[10]', 'truncate[7]', 'identity']) add(t, 'long', v, String(v));
    const days = [0, 1, -1, -365, -366, -719162, 11016, 17897, 19783, 19812, 2932896, 59, 60, -25567];
    for (const v of days) for (const t of ['year', 'month', 'day', 'bucket[16]', 'bucket[10]']) add(t, 'date', v, String(v));
    const micros = [0n, 1n, -1n, 3_599_999_999n, 3_600_000_000n, -3_600_000_000n, -3_600_000_001n, 86_399_999_999n, -86_400_000_001n,
      1_714_559_400_000_000n, 1_709_164_800_123_456n, -2_208_988_800_000_000n, 253_402_300_799_999_999n, 951_782_400_000_000n];
    for (const v of micros) {
      for (const type of ['timestamp', 'timestamptz']) for (const t of ['year', 'month', 'day', 'hour', 'bucket[16]', 'bucket[5]', 'identity']) add(t, type, v, String(v));
    }
    for (const v of [0n, 1n, 45_296_123_456n, 86_399_999_999n]) for (const t of ['bucket[16]', 'bucket[3]', 'identity']) add(t, 'time', v, String(v));
    // values at the column's scale, as a decimal(10,2) column holds them
    const decimals = ['0.00', '14.20', '-0.05', '-0.06', '1.00', '-1.00', '12345678.91', '-12345678.99', '0.01', '99999999.99', '5.00', '-5.50', '-0.10', '0.99', '1.27', '-1.28', '327.67', '-327.68'];
    for (const v of decimals) for (const t of ['bucket[16]', 'bucket[7]', 'truncate[10]', 'truncate[3]', 'truncate[1]', 'identity']) add(t, 'decimal(10,2)', Numeric.fromString(v), v);
    for (const v of ['0.000000000000000000', '123456789012345678.123456789012345678', '-0.000000000000000001', '3.141590000000000000']) {
      for (const t of ['bucket[16]', 'truncate[100]']) add(t, 'decimal(38,18)', Numeric.fromString(v), v);
    }
    const strings = ['', 'a', 'iceberg', 'héllo', 'naïve café', '😀abc', 'a😀', 'ab😀cd', '日本語テキスト', 'The quick brown fox jumps over the lazy dog', 'x'.repeat(300)];
    for (const v of strings) for (const t of ['bucket[16]', 'bucket[2147483647]', 'truncate[1]', 'truncate[2]', 'truncate[4]', 'identity']) add(t, 'string', v, v);
    const uuids = ['f79c3e09-677c-4d31-b2b4-ab6c7a4a5b5c', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '12345678-1234-5678-1234-567812345678'];
    for (const v of uuids) for (const t of ['bucket[16]', 'bucket[100]', 'identity']) add(t, 'uuid', v, v);
    const bytes = ['', '00', '00010203', 'ff', 'deadbeefcafe', '0102030405060708090a0b0c0d0e0f1011'];
    for (const v of bytes) for (const t of ['bucket[16]', 'bucket[9]', 'truncate[2]', 'identity']) add(t, 'binary', Uint8Array.from(Buffer.from(v, 'hex')), v);
    for (const v of ['00000000', 'deadbeef', 'ffffffff']) add('bucket[16]', 'fixed[4]', Uint8Array.from(Buffer.from(v, 'hex')), v);

    const text = (v: unknown): string =>
      v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v);
    const ours = cases.map(([t, type, datum]) => text(transformDatum(parseTransform(t), type, datum)));
    const theirs = py(['transforms'], JSON.stringify(cases.map(([t, type, , value]) => [t, type, value]))) as string[];
    const differ = cases.map((c, i) => [c[0], c[1], c[3], ours[i], theirs[i]]).filter((r) => r[3] !== r[4]);
    expect(differ).toEqual([]);
    expect(cases.length).toBeGreaterThan(900);
  });

  it('creates a table WITH (partitioning = …) and writes one file per partition, with the tuples pyiceberg computes', async () => {
    await s.query(`create table w.parts (id int8, region text, ts timestamptz, name text, v int4)
      with (partitioning = 'region, day(ts), bucket(16, id), truncate(4, name)')`);
    const spec = JSON.parse(readFileSync(metadataFile('w', 'parts'), 'utf8')) as { 'partition-specs': unknown[]; 'default-spec-id': number; 'last-partition-id': number };
    expect(spec['partition-specs']).toEqual([{ 'spec-id': 0, fields: [
      { name: 'region', transform: 'identity', 'source-id': 2, 'field-id': 1000 },
      { name: 'ts_day', transform: 'day', 'source-id': 3, 'field-id': 1001 },
      { name: 'id_bucket', transform: 'bucket[16]', 'source-id': 1, 'field-id': 1002 },
      { name: 'name_trunc', transform: 'truncate[4]', 'source-id': 4, 'field-id': 1003 },
    ] }]);
    expect(spec['last-partition-id']).toBe(1003);
    const tag = (await s.query(`insert into w.parts select g, (array['emea', 'apac', 'amer'])[g % 3 + 1], timestamptz '2024-01-01 00:00:00+00' + (g % 4) * interval '1 day' + g * interval '1 minute',
      (array['alpha', 'alphabet', 'beta', 'bet', null])[g % 5 + 1], g from generate_series(1, 60) g`)).tag;
    expect(tag).toBe('INSERT 0 60');
    await s.query("insert into w.parts values (null, null, null, null, 0), (61, 'emea', '1969-12-31 23:59:59.999999+00', 'ünïcödé', 61)");
    expect(await rows('select count(*), sum(v), count(distinct region), count(ts) from w.parts')).toEqual([['62', '1891', '3', '61']]);
    const files = await rows(`select partition::jsonb->>'region', partition::jsonb->>'ts_day', partition::jsonb->>'id_bucket', partition::jsonb->>'name_trunc', record_count
      from w."parts$files" where content = 0 order by 1, 2, 3, 4`);
    // one file per distinct partition tuple
    expect(await rows('select count(distinct partition::text) from w."parts$files"')).toEqual([[String(files.length)]]);
    expect(files.find((f) => f[0] === null)).toEqual([null, null, null, null, '1']);
    expect(files.some((f) => f[1] === '1969-12-31' && f[3] === 'ünïc')).toBe(true);
    // files live under data/<partition path>/
    const paths = (await rows('select distinct "$path" from w.parts')).map((r) => r[0]!);
    expect(paths.every((p) => p.startsWith(join(root, 'w', 'parts', 'data', 'region=')))).toBe(true);
    expect(paths.some((p) => p.includes('/region=emea/ts_day=2024-01-02/id_bucket='))).toBe(true);
    expect(paths.some((p) => p.includes('/region=null/ts_day=null/id_bucket=null/name_trunc=null/'))).toBe(true);
    // manifest list summaries cover the partition values
    expect(await rows(`select added_rows_count, partition_summaries::jsonb->0->>'contains_null', partition_summaries::jsonb->0->>'lower_bound', partition_summaries::jsonb->0->>'upper_bound',
      partition_summaries::jsonb->1->>'lower_bound', partition_summaries::jsonb->1->>'upper_bound' from w."parts$manifests" order by 1`)).toEqual([
      ['2', 'true', 'emea', 'emea', '1969-12-31', '1969-12-31'],
      ['60', 'false', 'amer', 'emea', '2024-01-01', '2024-01-04'],
    ]);

    const check = checkPartitions('w', 'parts');
    expect(check.mismatches).toEqual([]);
    expect(check.files).toBe(files.length);
    const read = pyiceberg('w', 'parts');
    expect(read.rows.length).toBe(62);
    const compared = py(['compare', metadataFile('w', 'parts'), join(root, 'pycompare')]) as { ours: unknown[]; theirs: unknown[] };
    expect(compared.ours.length).toBeGreaterThan(20);
    expect(compared.ours).toEqual(compared.theirs);
    // one file per partition tuple per INSERT: as many changed partitions as added files
    expect(read.snapshots.map((x) => x[1]['changed-partition-count'])).toEqual(read.snapshots.map((x) => x[1]['added-data-files']));
    expect(read.snapshots[1]![1]['added-data-files']).toBe('2');
  });

  it('writes year, month, hour, identity and the other bucket and truncate sources, also by CREATE TABLE AS', async () => {
    await s.query(`create table w.parts2 with (partitioning = 'year(d), month(d2), hour(t), identity(n), bucket(8, u), truncate(10, amount), bucket(4, b)') as
      select g as n, date '2023-11-20' + g * 9 as d, date '2024-01-30' + g as d2, timestamp '2024-03-10 22:00' + g * interval '37 minutes' as t,
        md5(g::text)::uuid as u, (g * 7.35 - 100)::numeric(10,2) as amount, decode(lpad(to_hex(g * 37), 4, '0'), 'hex') as b, time '10:00' + g * interval '1 second' as tm
      from generate_series(1, 50) g`);
    await s.query('insert into w.parts2 values (null, null, null, null, null, null, null, null)');
    expect(await rows('select count(*), count(distinct u), sum(amount) from w.parts2')).toEqual([['51', '50', '4371.25']]);
    const specFields = (JSON.parse(readFileSync(metadataFile('w', 'parts2'), 'utf8')) as { 'partition-specs': { fields: { name: string }[] }[] })['partition-specs'][0]!.fields.map((f) => f.name);
    expect(specFields).toEqual(['d_year', 'd2_month', 't_hour', 'n', 'u_bucket', 'amount_trunc', 'b_bucket']);
    const check = checkPartitions('w', 'parts2');
    expect(check.mismatches).toEqual([]);
    expect(check.files).toBe(51);
    const compared = py(['compare', metadataFile('w', 'parts2'), join(root, 'pycompare')]) as { ours: unknown[]; theirs: unknown[] };
    expect(compared.ours).toEqual(compared.theirs);
    expect(pyiceberg('w', 'parts2').rows.length).toBe(51);
    expect(await rows("select partition::jsonb->>'d_year', partition::jsonb->>'d2_month', partition::jsonb->>'t_hour' from w.\"parts2$files\" where partition::jsonb->>'n' = '1'"))
      .toEqual([['53', '648', String(19792 * 24 + 22)]]); // years, months and hours since 1970 (2023, 2024-01, 2024-03-10 22h)
    // several fields on one source column, and bucket of time (pyiceberg cannot write these, so only the per-row check)
    await s.query(`create table w.parts3 with (partitioning = 'bucket(3, d), day(d), truncate(2, b), bucket(4, b), bucket(6, amount), truncate(100, amount), day(t), hour(t), bucket(5, tm)') as
      select d, b, amount, t, tm from w.parts2`);
    const same = checkPartitions('w', 'parts3');
    expect(same.mismatches).toEqual([]);
    expect(same.files).toBeGreaterThan(40);
    expect(await rows('select count(*), sum(amount) from w.parts3')).toEqual([['51', '4371.25']]);
  });

  it('prunes files by partition: a predicate on a partition column reads only the matching files', async () => {
    const total = Number((await rows('select count(*) from w."parts$files"'))[0]![0]);
    expect(await filesOf('select count(*) from w.parts')).toBe(total);
    const emea = Number((await rows(`select count(*) from w."parts$files" where partition::jsonb->>'region' = 'emea'`))[0]![0]);
    expect(await filesOf("select count(*) from w.parts where region = 'emea'")).toBe(emea);
    expect(emea).toBeLessThan(total);
    const day = Number((await rows(`select count(*) from w."parts$files" where partition::jsonb->>'ts_day' = '2024-01-03'`))[0]![0]);
    expect(await filesOf("select count(*) from w.parts where ts >= '2024-01-03 00:00+00' and ts < '2024-01-04 00:00+00'")).toBe(day);
    // bucket(16, id): at most the files of id 7's bucket (their id bounds may rule out more)
    const bucketFiles = Number((await rows(`select count(*) from w."parts$files" where partition::jsonb->>'id_bucket' =
      (select partition::jsonb->>'id_bucket' from w."parts$files" where file_path = (select "$path" from w.parts where id = 7))`))[0]![0]);
    expect(bucketFiles).toBeLessThan(total);
    expect(await filesOf('select count(*) from w.parts where id = 7')).toBeLessThanOrEqual(bucketFiles);
    expect(await rows('select region, v from w.parts where id = 7')).toEqual([['apac', '7']]);
    expect(await rows("select count(*) from w.parts where region = 'emea' and ts >= '2024-01-03 00:00+00' and ts < '2024-01-04 00:00+00'"))
      .toEqual(await rows("select count(*) from (select * from w.parts order by id) x where region = 'emea' and ts::date = '2024-01-03'"));
    expect(await filesOf("select count(*) from w.parts2 where d >= date '2024-01-01' and d < date '2025-01-01'")).toBe(
      Number((await rows(`select count(*) from w."parts2$files" where partition::jsonb->>'d_year' = '54'`))[0]![0]),
    );
  });

  it('deletes from a partitioned table: one position-delete file per partition, carrying its tuple', async () => {
    await s.query(`create table w.pdel with (partitioning = 'bucket(4, id), region') as
      select g as id, (array['emea', 'apac'])[g % 2 + 1] as region, g * 10 as v from generate_series(1, 200) g`);
    const tag = (await s.query('delete from w.pdel where id % 3 = 0 or id < 10')).tag;
    expect(tag).toBe('DELETE 72');
    expect(await rows('select count(*), sum(v) from w.pdel')).toEqual(await rows('select count(*), sum(g * 10) from generate_series(1, 200) g where not (g % 3 = 0 or g < 10)'));
    const dataParts = await rows(`select distinct partition::text from w."pdel$files" where content = 0 order by 1`);
    const deleteParts = await rows(`select partition::text from w."pdel$files" where content = 1 order by 1`);
    expect(deleteParts).toEqual(dataParts);
    expect(await rows(`select operation, summary::jsonb->>'added-delete-files', summary::jsonb->>'changed-partition-count' from w."pdel$snapshots" order by committed_at`))
      .toEqual([['append', null, String(dataParts.length)], ['delete', String(dataParts.length), String(dataParts.length)]]);
    // delete files sit in their partition's folder
    const paths = (await rows('select file_path from w."pdel$files" where content = 1')).map((r) => r[0]!);
    expect(paths.every((p) => /\/data\/id_bucket=\d\/region=(emea|apac)\//.test(p))).toBe(true);
    await s.query("delete from w.pdel where region = 'apac' and id > 150");
    const left = await rows('select id from w.pdel order by id');
    const read = pyiceberg('w', 'pdel');
    expect((read.rows as string[][]).map((r) => [r[0]]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(left);
    expect(checkPartitions('w', 'pdel').mismatches).toEqual([]);
    // pruning still applies with deletes
    expect(await rows("select count(*) from w.pdel where region = 'emea'")).toEqual(await rows("select count(*) from (select * from w.pdel order by 1) x where region = 'emea'"));
  });

  it('creates format-version 1 partitioned tables (DELETE is 0A000 there)', async () => {
    await s.query(`create table w.v1parts (id int4, ts timestamp) with (format_version = '1', partitioning = 'bucket(4, id), month(ts)')`);
    await s.query("insert into w.v1parts select g, timestamp '2024-01-15' + g * interval '10 days' from generate_series(1, 30) g");
    const meta = JSON.parse(readFileSync(metadataFile('w', 'v1parts'), 'utf8')) as Record<string, unknown>;
    expect(meta['format-version']).toBe(1);
    expect((meta['partition-spec'] as unknown[]).length).toBe(2);
    expect(await rows('select count(*), sum(id) from w.v1parts')).toEqual([['30', '465']]);
    expect(checkPartitions('w', 'v1parts').mismatches).toEqual([]);
    expect(pyiceberg('w', 'v1parts').rows.length).toBe(30);
    expect((await errorOf('delete from w.v1parts where id = 1')).code).toBe('0A000');
    await s.query(`create table w.v2explicit (a int4) with (format_version = 2)`);
    expect(JSON.parse(readFileSync(metadataFile('w', 'v2explicit'), 'utf8'))['format-version']).toBe(2);
  });

  it('inserts into tables pyiceberg partitioned, with every transform and with an evolved spec (written with the default spec)', async () => {
    const made = py(['make', root]) as { events: string; evolved: string };
    expect(made.events).toContain('/ext/events/metadata/');
    await s.query(`insert into ext.events values (2, 'apac', '2024-05-01 11:45:00+00', '2023-12-31', 99.999, '00000000-0000-0000-0000-000000000001'),
      (3, 'emea', '2024-05-01 10:59:59+00', '2024-05-02', -100.5, 'ffffffff-0000-0000-0000-000000000000'), (null, null, null, null, null, null)`);
    expect(await rows('select count(*), count(distinct region) from ext.events')).toEqual([['4', '2']]);
    const events = checkPartitions('ext', 'events');
    expect(events).toEqual({ files: 4, specs: [0], mismatches: [] });
    expect(pyiceberg('ext', 'events').rows.length).toBe(4);

    await s.query("insert into ext.evolved select g, (array['emea', 'apac'])[g % 2 + 1], timestamptz '2024-01-01 00:00+00' + g * interval '11 days', null, g, null from generate_series(10, 40) g");
    const evolved = checkPartitions('ext', 'evolved');
    expect(evolved.mismatches).toEqual([]);
    expect(evolved.specs).toEqual([0, 1]);
    const [[spec1Partitions, emeaPartitions]] = await rows("select count(distinct region || date_trunc('month', ts, 'UTC')::text), count(distinct date_trunc('month', ts, 'UTC')) filter (where region = 'emea') from ext.evolved where id >= 10") as string[][];
    expect(await rows('select spec_id, count(*) from ext."evolved$files" group by 1 order by 1')).toEqual([['0', '2'], ['1', spec1Partitions]]);
    expect(await rows("select count(*) from ext.evolved where region = 'emea'")).toEqual([['17']]);
    // spec 0 files have no region partition: they are pruned by their column bounds only
    expect(await filesOf("select count(*) from ext.evolved where region = 'emea'")).toBe(Number(emeaPartitions) + 1);
    // a DELETE over files of both specs: a delete manifest per spec
    expect((await s.query("delete from ext.evolved where region = 'emea'")).tag).toBe('DELETE 17');
    expect(await rows('select content, partition_spec_id, added_data_files_count from ext."evolved$manifests" where content = 1 order by 2')).toEqual([['1', '0', '1'], ['1', '1', emeaPartitions]]);
    const read = pyiceberg('ext', 'evolved');
    expect((read.rows as string[][]).map((r) => r[1]).sort()).toEqual(Array(16).fill('apac'));
  });

  it('fails on unknown table properties, bad transforms and unknown columns', async () => {
    const create = (props: string) => errorOf(`create table w.badparts (id int8, ts timestamptz, d date, f float8, tx text, l int4[]) with (${props})`);
    expect(await create("location = 'x'")).toMatchObject({ code: '22023', message: 'unrecognized table property "location"' });
    expect((await create("format_version = '3'")).code).toBe('22023');
    expect((await create("partitioning = 'nope'")).code).toBe('42703');
    expect((await create("partitioning = 'day(nope)'")).code).toBe('42703');
    expect((await create("partitioning = 'week(ts)'")).code).toBe('22023');
    expect((await create("partitioning = 'bucket(id)'")).code).toBe('22023');
    expect((await create("partitioning = 'bucket(0, id)'")).code).toBe('22023');
    expect((await create("partitioning = 'hour(d)'")).code).toBe('22023');
    expect((await create("partitioning = 'bucket(4, f)'")).code).toBe('22023');
    expect((await create("partitioning = 'truncate(4, ts)'")).code).toBe('22023');
    expect((await create("partitioning = 'l'")).code).toBe('22023');
    expect((await create("partitioning = 'id, id'")).code).toBe('22023');
    expect((await create("partitioning = 'day(ts), , id'")).code).toBe('22023');
    expect((await errorOf("create table w.badparts with (partitioning = 'nope') as select 1 as a")).code).toBe('42703');
    expect(existsSync(join(root, 'w', 'badparts'))).toBe(false);
    // Trino's argument order and quoted names are accepted
    await s.query(`create table w.trino_order ("Mixed Case" text, id int8) with (partitioning = 'bucket(id, 8), "Mixed Case"', format_version = '2')`);
    await s.query(`insert into w.trino_order values ('x y', 1), ('x y', 2), ('z', 3)`);
    const fields = (JSON.parse(readFileSync(metadataFile('w', 'trino_order'), 'utf8')) as { 'partition-specs': { fields: { name: string; transform: string }[] }[] })['partition-specs'][0]!.fields;
    expect(fields.map((f) => [f.name, f.transform])).toEqual([['id_bucket', 'bucket[8]'], ['Mixed Case', 'identity']]);
    expect(await rows('select "Mixed Case", id from w.trino_order order by id')).toEqual([['x y', '1'], ['x y', '2'], ['z', '3']]);
    expect(pyiceberg('w', 'trino_order').rows.length).toBe(3);
    expect(checkPartitions('w', 'trino_order').mismatches).toEqual([]);
  });
});

describe('iceberg writes: commits', () => {
  it('lands concurrent INSERTs from two sessions, or fails them with 40001; never loses or duplicates rows', async () => {
    await s.query('create table w.race (writer int4, batch int4, n int4)');
    const other = openTestSession(new Map([
      ['ice', icebergConnectorFactory.create('ice', { 'connector.name': 'iceberg', 'iceberg.catalog.type': 'hadoop', 'iceberg.catalog.warehouse': root })],
      ['tpch', tpch],
    ]), 'tester', 'ice');
    const run = async (session: TestSession, writer: number, batch: number) => {
      try {
        await session.query(`insert into w.race select ${writer}, ${batch}, g from generate_series(1, 100) g`);
        return { writer, batch, ok: true };
      } catch (e) {
        if ((e as SqlError).code !== '40001') throw e;
        return { writer, batch, ok: false };
      }
    };
    const results = await Promise.all([0, 1, 2, 3, 4, 5].flatMap((b) => [run(s, 1, b), run(other, 2, b)]));
    const landed = results.filter((r) => r.ok);
    expect(landed.length).toBeGreaterThan(0);
    expect(await rows('select writer, batch, count(*) from w.race group by 1, 2 order by 1, 2')).toEqual(
      landed.sort((a, b) => a.writer - b.writer || a.batch - b.batch).map((r) => [String(r.writer), String(r.batch), '100']),
    );
    expect(await rows('select count(*) from w."race$snapshots"')).toEqual([[String(landed.length)]]);
    expect(pyiceberg('w', 'race').rows.length).toBe(landed.length * 100);
  });

  it('lets exactly one of two commits on the same parent win (create-if-absent of the next metadata file)', async () => {
    await s.query('create table w.parent as select 1 as a');
    const catalog = new HadoopCatalog(root, {});
    const loaded = (await catalog.loadTable('w', 'parent'))!;
    const commit = (id: bigint) => catalog.commitSnapshot('w', 'parent', {
      tableUuid: loaded.metadata.tableUuid!,
      parentSnapshotId: loaded.metadata.currentSnapshotId!,
      snapshot: { 'snapshot-id': id, 'parent-snapshot-id': BigInt(loaded.metadata.currentSnapshotId!), 'sequence-number': 2, 'timestamp-ms': Date.now(), 'manifest-list': loaded.metadata.snapshots[0]!.manifestList!, summary: { operation: 'append' } },
    }).then(() => 'won', (e: unknown) => (e instanceof CommitConflict ? 'lost' : e));
    expect((await Promise.all([commit(11n), commit(12n)])).sort()).toEqual(['lost', 'won']);
    // a later commit on the old parent loses too
    expect(await commit(13n)).toBe('lost');
    expect(await rows('select count(*) from w."parent$snapshots"')).toEqual([['2']]);
    expect(await rows('select count(*) from w.parent')).toEqual([['1']]);
  });

  /** A catalog whose commits fail as `fail` says; everything else is the warehouse's. */
  function failingConnector(fail: () => Error): Connector {
    const inner = new HadoopCatalog(root, {});
    const catalog: IcebergCatalog = Object.assign(Object.create(inner) as IcebergCatalog, {
      commitSnapshot: async (_n: string, _t: string, _c: SnapshotCommit) => {
        throw fail();
      },
    });
    return new IcebergConnector('ice', catalog);
  }

  async function insertWith(connector: Connector, table: string): Promise<unknown> {
    const meta = (await connector.getTable(cs, 'w', table))! as TableMetadata;
    const session = openTestSession(new Map([['ice', connector], ['tpch', tpch]]), 'tester', 'ice');
    void meta;
    return session.query(`insert into w.${table} select g from generate_series(1, 10) g`).then(() => null, (e: unknown) => e);
  }

  it('keeps the written files when the commit outcome is unknown (40003)', async () => {
    await s.query('create table w.unknown (a int4)');
    const before = filesUnder(join(root, 'w', 'unknown'));
    const e = await insertWith(failingConnector(() => new CommitOutcomeUnknown('HTTP 504')), 'unknown');
    expect((e as SqlError).code).toBe('40003');
    const after = filesUnder(join(root, 'w', 'unknown'));
    // the data file, its manifest and the manifest list stay
    expect(after.filter((f) => f.endsWith('.parquet')).length).toBe(1);
    expect(after.filter((f) => f.endsWith('.avro')).length).toBe(2);
    expect(after.length).toBe(before.length + 3);
    expect(await rows('select count(*) from w.unknown')).toEqual([['0']]);
  });

  it('removes the written files when the commit definitely failed, or lost every retry (40001)', async () => {
    await s.query('create table w.failed (a int4)');
    const before = filesUnder(join(root, 'w', 'failed')).sort();
    const refused = await insertWith(failingConnector(() => new SqlError('HV000' as never, 'refused')), 'failed');
    expect((refused as SqlError).code).toBe('HV000');
    expect(filesUnder(join(root, 'w', 'failed')).sort()).toEqual(before);
    const conflicts = await insertWith(failingConnector(() => new CommitConflict('main moved')), 'failed');
    expect((conflicts as SqlError).code).toBe('40001');
    expect(filesUnder(join(root, 'w', 'failed')).sort()).toEqual(before);
  });
});
