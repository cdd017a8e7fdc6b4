/**
 * Files written here are read back with pyarrow and DuckDB (Python, from the project's venv
 * at .tmp/venv, else python3): values, types, statistics, encodings and metadata must match
 * what was written. Both Python packages are required: a missing one fails the test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../../../engine/errors/index.js';
import type { Batch } from '../../../../engine/execution/batch/batch.js';
import { vectorFromDatums } from '../../../../engine/execution/batch/vector.js';
import { formatInterval, interval, type Interval } from '../../../../engine/types/interval.js';
import { Numeric } from '../../../../engine/types/numeric.js';
import { T, arrayOf, numericTypmod, typeByName, type PgType } from '../../../../engine/types/pg-type.js';
import { createTpchConnector } from '../../../tpch/index.js';
import { snappyCompress } from './snappy.js';
import { ParquetWriter, openFileSink, type ParquetColumnSpec, type ParquetWriteOptions } from './index.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const READER = fileURLToPath(new URL('./read-parquet.py', import.meta.url));
const PYTHON = existsSync(join(ROOT, '.tmp/venv/bin/python')) ? join(ROOT, '.tmp/venv/bin/python') : 'python3';
const dir = mkdtempSync(join(tmpdir(), 'lakegate-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;

function python(args: string[], input?: string): string {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 30, input });
  if (r.status === 3 || /No module named/.test(r.stderr ?? '')) {
    throw new Error(
      `pyarrow and duckdb are needed to check Parquet files (${r.stdout || r.stderr}); ` +
      `install them with: ${PYTHON} -m pip install pyarrow duckdb (scripts/test-all.sh does this in .tmp/venv)`,
    );
  }
  if (r.error || r.status !== 0) throw new Error(`python failed: ${r.error?.message ?? ''}\n${r.stderr}`);
  return r.stdout;
}

interface ColumnMeta {
  path: string;
  physical_type: string;
  logical_type: string;
  converted_type: string;
  compression: string;
  encodings: string[];
  has_dictionary_page: boolean;
  has_column_index: boolean;
  has_offset_index: boolean;
  num_values: number;
  stats: { has_min_max: boolean; min: unknown; max: unknown; null_count: number | null } | null;
}

interface ReadBack {
  pyarrow: { columns: Record<string, unknown[]>; types: Record<string, string> };
  duckdb: { columns: Record<string, unknown[]>; types: Record<string, string> };
  duckdb_stats: [string, string, string | null, string | null, string | null][];
  /** Leaf name → [physical type, converted type, logical type] as the file's schema holds them. */
  duckdb_schema: Record<string, [string | null, string | null, string | null]>;
  meta: {
    num_rows: number;
    num_row_groups: number;
    created_by: string;
    format_version: string;
    kv: Record<string, string>;
    row_groups: { num_rows: number; columns: ColumnMeta[] }[];
  };
}

function readBack(path: string): ReadBack {
  return JSON.parse(python([READER, path])) as ReadBack;
}

async function writeFile(columns: ParquetColumnSpec[], batches: Batch[], options?: ParquetWriteOptions) {
  const path = join(dir, `f${fileNo++}.parquet`);
  const sink = await openFileSink(path);
  let result;
  try {
    const w = new ParquetWriter(sink, columns, options);
    for (const b of batches) await w.write(b);
    result = await w.finish();
    await sink.close();
  } catch (err) {
    await sink.discard();
    throw err;
  }
  expect(result.bytes).toBe(readFileSync(path).length);
  return { path, result };
}

const batchOf = (columns: ParquetColumnSpec[], rows: unknown[][]): Batch => ({
  length: rows.length,
  columns: columns.map((c, i) => vectorFromDatums(c.type, rows.map((r) => r[i] ?? null))),
});

const num = (s: string): Numeric => Numeric.fromString(s);
const hex = (b: Uint8Array): string => 'hex:' + Buffer.from(b).toString('hex');

/** A value as read-parquet.py prints it. */
function expected(t: PgType, x: unknown): unknown {
  if (x === null || x === undefined) return null;
  if (t.elem) return (x as unknown[]).map((e) => expected(t.elem!, e));
  switch (t.name) {
    case 'bool': return x;
    case 'float4': case 'float8': {
      const f = t.name === 'float4' ? Math.fround(x as number) : (x as number);
      return Number.isNaN(f) ? 'nan' : f === Infinity ? 'inf' : f === -Infinity ? '-inf' : f;
    }
    case 'numeric': {
      const n = x as Numeric;
      return (t.typmod < 4 ? n.round(18) : n).toString();
    }
    case 'bytea': return hex(x as Uint8Array);
    case 'interval': return formatInterval(x as Interval);
    case 'int2': case 'int4': case 'int8': case 'date': case 'time': case 'timestamp': case 'timestamptz':
      return String(x);
    default: return x;
  }
}

const num15 = typeByName('numeric', numericTypmod(15, 2));
const ALL: ParquetColumnSpec[] = [
  { name: 'b', type: T.bool, nullable: true },
  { name: 'i2', type: T.int2, nullable: true },
  { name: 'i4', type: T.int4, nullable: true },
  { name: 'i8', type: T.int8, nullable: true },
  { name: 'f4', type: T.float4, nullable: true },
  { name: 'f8', type: T.float8, nullable: true },
  { name: 'n1', type: typeByName('numeric', numericTypmod(5, 2)), nullable: true },
  { name: 'n2', type: num15, nullable: true },
  { name: 'n3', type: typeByName('numeric', numericTypmod(30, 5)), nullable: true },
  { name: 'n4', type: T.numeric, nullable: true },
  { name: 't', type: T.text, nullable: true },
  { name: 'vc', type: typeByName('varchar', 14), nullable: true },
  { name: 'bc', type: typeByName('bpchar', 7), nullable: true },
  { name: 'd', type: T.date, nullable: true },
  { name: 'ts', type: T.timestamp, nullable: true },
  { name: 'tz', type: T.timestamptz, nullable: true },
  { name: 'tm', type: T.time, nullable: true },
  { name: 'by', type: T.bytea, nullable: true },
  { name: 'u', type: T.uuid, nullable: true },
  { name: 'j', type: T.json, nullable: true },
  { name: 'jb', type: T.jsonb, nullable: true },
  { name: 'iv', type: T.interval, nullable: true },
  { name: 'arr', type: arrayOf(T.int4), nullable: true },
  { name: 'tarr', type: arrayOf(T.text), nullable: true },
  { name: 'req', type: T.int4, nullable: false },
];

const ALL_ROWS: unknown[][] = [
  [true, 1, 10, 100n, 1.5, 2.25, num('1.50'), num('12345.67'), num('1234567890123456789012345.12345'), num('1.5'),
    'a', 'short', 'ab ', 0, 0n, 0n, 0n, Uint8Array.of(0, 1, 255), '00000000-0000-0000-0000-000000000001',
    '{"a": 1}', '{"a": 1}', interval(1, 2, 3_000_000n), [1, 2, 3], ['x', null, 'z'], 1],
  [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 2],
  [false, -32768, -2147483648, -9223372036854775808n, -1e30, -0, num('-999.99'), num('-9999999999999.99'), num('-99999999999999999999999.99999'), num('-123456789.000000000000000001'),
    'é', 'ünïcödé', 'xyz', -719162, -62135596800000000n, 1700000000123456n, 86_399_999_999n, new Uint8Array(0), 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '[1, 2]', '[1, 2]', interval(-14, 0, -1n), [], [], 3],
  [true, 32767, 2147483647, 9223372036854775807n, 3.4e38, Infinity, num('999.99'), num('9999999999999.99'), num('99999999999999999999999.99999'), num('0.000000000000000001'),
    '😀', 'v', 'q', 2932896, 253402300799999999n, -1n, 1n, Uint8Array.of(7), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    'null', 'null', interval(0, 0, 0n), null, ['only'], 4],
  [false, 0, 0, 0n, NaN, NaN, num('0.00'), num('0.00'), num('0.00000'), num('0'),
    '\uff21', '', '', 19000, 1n, 1n, 43_200_000_000n, Uint8Array.of(0x80, 0x00), '123e4567-e89b-12d3-a456-426614174000',
    '"s"', '"s"', interval(0, 7, 0n), [null], [null, 'b'], 5],
];

describe('ParquetWriter read back by pyarrow and DuckDB', () => {
  it('writes every type with NULLs, and the metadata Lakegate reads back', async () => {
    const { path, result } = await writeFile(ALL, [batchOf(ALL, ALL_ROWS.slice(0, 2)), batchOf(ALL, []), batchOf(ALL, ALL_ROWS.slice(2))]);
    expect(result).toEqual({ rows: 5, bytes: result.bytes, rowGroups: 1 });
    const r = readBack(path);
    for (const c of ALL) {
      const want = ALL_ROWS.map((row) => expected(c.type, row[ALL.indexOf(c)]));
      expect({ column: c.name, values: r.pyarrow.columns[c.name] }).toEqual({ column: c.name, values: want });
      expect({ column: c.name, values: r.duckdb.columns[c.name] }).toEqual({ column: c.name, values: want });
    }
    expect(r.meta.created_by).toBe('lakegate version 0.1.0');
    expect(JSON.parse(r.meta.kv['lakegate.pg_types']!)).toEqual({
      b: 'boolean', i2: 'smallint', i4: 'integer', i8: 'bigint', f4: 'real', f8: 'double precision',
      n1: 'numeric(5,2)', n2: 'numeric(15,2)', n3: 'numeric(30,5)', n4: 'numeric', t: 'text',
      vc: 'character varying(10)', bc: 'character(3)', d: 'date', ts: 'timestamp without time zone',
      tz: 'timestamp with time zone', tm: 'time without time zone', by: 'bytea', u: 'uuid', j: 'json', jb: 'jsonb',
      iv: 'interval', arr: 'integer[]', tarr: 'text[]', req: 'integer',
    });
    expect(r.pyarrow.types).toMatchObject({
      b: 'bool', i2: 'int16', i4: 'int32', i8: 'int64', f4: 'float', f8: 'double', n1: 'decimal128(5, 2)',
      n2: 'decimal128(15, 2)', n3: 'decimal128(30, 5)', n4: 'decimal128(38, 18)', t: 'string', d: 'date32[day]',
      ts: 'timestamp[us]', tz: 'timestamp[us, tz=UTC]', tm: 'time64[us]', by: 'binary', arr: 'list<element: int32>',
      req: 'int32',
    });
    expect(r.duckdb.types).toMatchObject({ u: 'UUID', ts: 'TIMESTAMP', tz: 'TIMESTAMP WITH TIME ZONE', tm: 'TIME', n2: 'DECIMAL(15,2)' });

    const cols = Object.fromEntries(r.meta.row_groups[0]!.columns.map((c) => [c.path, c]));
    const stats = (p: string) => cols[p]!.stats!;
    expect(stats('b')).toEqual({ has_min_max: true, min: false, max: true, null_count: 1 });
    expect(stats('i2')).toMatchObject({ min: '-32768', max: '32767', null_count: 1 });
    expect(stats('i4')).toMatchObject({ min: '-2147483648', max: '2147483647' });
    expect(stats('i8')).toMatchObject({ min: '-9223372036854775808', max: '9223372036854775807' });
    expect(stats('f4')).toMatchObject({ min: Math.fround(-1e30), max: Math.fround(3.4e38), null_count: 1 });
    expect(stats('f8')).toMatchObject({ min: -0, max: 'inf' });
    expect(stats('n1')).toMatchObject({ min: '-999.99', max: '999.99' });
    expect(stats('n2')).toMatchObject({ min: '-9999999999999.99', max: '9999999999999.99' });
    expect(stats('n3')).toMatchObject({ min: '-99999999999999999999999.99999', max: '1234567890123456789012345.12345' });
    expect(stats('n4')).toMatchObject({ min: '-123456789.000000000000000001', max: '1.500000000000000000' });
    // UTF-8 byte order: U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80), unlike UTF-16.
    expect(stats('t')).toMatchObject({ min: 'a', max: '😀', null_count: 1 });
    expect(stats('d')).toMatchObject({ min: '-719162', max: '2932896' });
    expect(stats('ts')).toMatchObject({ min: '-62135596800000000', max: '253402300799999999' });
    expect(stats('u')).toMatchObject({ min: '00000000-0000-0000-0000-000000000001', max: 'ffffffff-ffff-ffff-ffff-ffffffffffff' });
    expect(stats('by')).toMatchObject({ min: 'hex:', max: 'hex:8000' });
    expect(stats('arr.list.element')).toMatchObject({ min: '1', max: '3', null_count: 4 });
    expect(stats('req')).toMatchObject({ min: '1', max: '5', null_count: 0 });
    expect(cols['t']!.logical_type).toBe('String');
    expect(cols['j']!.logical_type).toBe('JSON');
    expect(cols['u']!.logical_type).toBe('UUID');
    expect(cols['ts']!.logical_type).toMatch(/Timestamp\(isAdjustedToUTC=false, timeUnit=microseconds/);
    expect(cols['tz']!.logical_type).toMatch(/Timestamp\(isAdjustedToUTC=true, timeUnit=microseconds/);
    // legacy converted types next to the logical types
    const converted = Object.fromEntries(Object.entries(r.duckdb_schema).map(([k, v]) => [k, v[1]]));
    expect(converted).toMatchObject({
      i2: 'INT_16', n1: 'DECIMAL', n2: 'DECIMAL', n3: 'DECIMAL', n4: 'DECIMAL', t: 'UTF8', bc: 'UTF8', iv: 'UTF8', j: 'JSON', jb: 'JSON',
      d: 'DATE', ts: 'TIMESTAMP_MICROS', tz: 'TIMESTAMP_MICROS', tm: 'TIME_MICROS', arr: 'LIST', tarr: 'LIST',
    });
    expect(r.duckdb_schema['n3']![0]).toBe('FIXED_LEN_BYTE_ARRAY');
    expect(r.duckdb_schema['n1']![0]).toBe('INT32');
    for (const c of Object.values(cols)) {
      expect(c.compression).toBe('SNAPPY');
      expect(c.has_offset_index).toBe(true);
    }
    // DuckDB sees the same statistics
    const duck = Object.fromEntries(r.duckdb_stats.map((s) => [s[1], s]));
    expect(duck['i4']!.slice(2)).toEqual(['-2147483648', '2147483647', '1']);
    expect(duck['t']!.slice(2)).toEqual(['a', '😀', '1']);
    expect(duck['n2']!.slice(2)).toEqual(['-9999999999999.99', '9999999999999.99', '1']);
  });

  it('writes a file without rows, and one with only empty batches', async () => {
    const cols: ParquetColumnSpec[] = [{ name: 'a', type: T.int4, nullable: true }, { name: 's', type: T.text, nullable: false }];
    for (const batches of [[], [batchOf(cols, [])]]) {
      const { path, result } = await writeFile(cols, batches);
      expect(result.rows).toBe(0);
      expect(result.rowGroups).toBe(0);
      const r = readBack(path);
      expect(r.pyarrow.columns).toEqual({ a: [], s: [] });
      expect(r.duckdb.columns).toEqual({ a: [], s: [] });
      expect(r.meta.num_rows).toBe(0);
    }
  });

  it('cuts row groups at rowGroupRows and pages at pageRows, with per-group statistics and page indexes', async () => {
    const cols: ParquetColumnSpec[] = [
      { name: 'id', type: T.int8, nullable: false },
      { name: 'grp', type: T.text, nullable: true },
      { name: 'price', type: num15, nullable: true },
    ];
    const rows: unknown[][] = [];
    for (let i = 0; i < 3500; i++) rows.push([BigInt(i), i % 7 === 0 ? null : `g${i % 5}`, i % 11 === 0 ? null : Numeric.fromBigInt(BigInt(i * 3), 2)]);
    const batches: Batch[] = [];
    for (let i = 0; i < rows.length; i += 512) batches.push(batchOf(cols, rows.slice(i, i + 512)));
    const { path, result } = await writeFile(cols, batches, { rowGroupRows: 1000, pageRows: 100 });
    expect(result).toMatchObject({ rows: 3500, rowGroups: 4 });
    const r = readBack(path);
    expect(r.meta.row_groups.map((g) => g.num_rows)).toEqual([1000, 1000, 1000, 500]);
    expect(r.pyarrow.columns['id']).toEqual(rows.map((x) => String(x[0])));
    expect(r.duckdb.columns['grp']).toEqual(rows.map((x) => x[1]));
    expect(r.duckdb.columns['price']).toEqual(rows.map((x) => expected(num15, x[2])));
    r.meta.row_groups.forEach((g, k) => {
      const [id, grp, price] = g.columns;
      expect(id!.stats).toMatchObject({ min: String(k * 1000), max: String(Math.min(k * 1000 + 999, 3499)), null_count: 0 });
      const groupRows = rows.slice(k * 1000, k * 1000 + 1000);
      expect(grp!.stats!.null_count).toBe(groupRows.filter((x) => x[1] === null).length);
      expect(price!.stats!.null_count).toBe(groupRows.filter((x) => x[2] === null).length);
      expect(id!.has_column_index && id!.has_offset_index).toBe(true);
    });
  });

  it('writes every codec the same way; zstd needs a Node.js with zstd', async () => {
    const cols: ParquetColumnSpec[] = [{ name: 'x', type: T.int4, nullable: true }, { name: 's', type: T.text, nullable: true }];
    const rows = Array.from({ length: 3000 }, (_, i) => [i % 3 === 0 ? null : i * 7, `value ${i % 50} ${'x'.repeat(i % 13)}`]);
    const want = { x: rows.map((r) => (r[0] === null ? null : String(r[0]))), s: rows.map((r) => r[1]) };
    const hasZstd = typeof (await import('node:zlib') as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
    for (const compression of ['none', 'snappy', 'gzip', 'zstd'] as const) {
      if (compression === 'zstd' && !hasZstd) {
        await expect(writeFile(cols, [batchOf(cols, rows)], { compression })).rejects.toMatchObject({ code: '0A000' });
        continue;
      }
      const { path } = await writeFile(cols, [batchOf(cols, rows)], { compression, pageRows: 700 });
      const r = readBack(path);
      expect(r.pyarrow.columns).toEqual(want);
      expect(r.duckdb.columns).toEqual(want);
      expect(r.meta.row_groups[0]!.columns[0]!.compression).toBe(compression === 'none' ? 'UNCOMPRESSED' : compression.toUpperCase());
    }
  });

  it('falls back from dictionary to PLAIN when the dictionary grows past 1 MiB, and skips it when it does not pay', async () => {
    const cols: ParquetColumnSpec[] = [
      { name: 'mixed', type: T.text, nullable: true },
      { name: 'unique', type: T.text, nullable: true },
      { name: 'n', type: T.int8, nullable: true },
    ];
    const rows: unknown[][] = [];
    // First page: 20,000 rows of 100 distinct values (dictionary pays); then distinct long values.
    for (let i = 0; i < 60_000; i++) {
      const mixed = i < 20_000 ? `common-${i % 100}` : `distinct-${i}-${'y'.repeat(40)}-é`;
      rows.push([i % 1000 === 5 ? null : mixed, `u${i}`, i % 1000 === 7 ? null : BigInt(i) * 1_000_000_007n]);
    }
    const batches: Batch[] = [];
    for (let i = 0; i < rows.length; i += 4096) batches.push(batchOf(cols, rows.slice(i, i + 4096)));
    const { path } = await writeFile(cols, batches);
    const r = readBack(path);
    expect(r.duckdb.columns['mixed']).toEqual(rows.map((x) => x[0]));
    expect(r.pyarrow.columns['unique']).toEqual(rows.map((x) => x[1]));
    expect(r.pyarrow.columns['n']).toEqual(rows.map((x) => (x[2] === null ? null : String(x[2]))));
    const [mixed, unique, n] = r.meta.row_groups[0]!.columns;
    expect(mixed!.has_dictionary_page).toBe(true);
    expect(mixed!.encodings).toEqual(expect.arrayContaining(['PLAIN', 'RLE_DICTIONARY', 'RLE']));
    const texts = rows.map((x) => x[0]).filter((x): x is string => x !== null).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(mixed!.stats).toEqual({ has_min_max: true, min: texts[0], max: texts[texts.length - 1], null_count: 60 });
    expect(unique!.has_dictionary_page).toBe(false);
    expect(unique!.encodings).not.toContain('RLE_DICTIONARY');
    expect(n!.stats).toMatchObject({ min: '0', max: String(59_999n * 1_000_000_007n), null_count: 60 });
  });

  it('writes TPC-H lineitem (tiny) so that DuckDB computes the same aggregates', async () => {
    const tpch = createTpchConnector();
    const session = { user: 't', queryId: 'q' };
    const table = (await tpch.getTable(session, 'tiny', 'lineitem'))!;
    const specs = table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable ?? true }));
    const path = join(dir, 'lineitem.parquet');
    const sink = await openFileSink(path);
    const w = new ParquetWriter(sink, specs, { rowGroupRows: 25_000 });
    let sumPrice = 0n;
    let maxShip = -Infinity;
    for (const split of await tpch.getSplits(session, table, { desiredSplits: 2 })) {
      const scan = tpch.scan(session, { table, columns: specs.map((_, i) => i), split, signal: new AbortController().signal });
      for await (const batch of scan) {
        const price = batch.columns[5]!.data as Numeric[];
        const ship = batch.columns[10]!.data as Int32Array;
        for (let i = 0; i < batch.length; i++) {
          sumPrice += price[i]!.unscaled;
          if (ship[i]! > maxShip) maxShip = ship[i]!;
        }
        await w.write(batch);
      }
    }
    const result = await w.finish();
    await sink.close();
    expect(result).toMatchObject({ rows: 60_175, rowGroups: 3 });
    const out = python(['-c', `
import duckdb, json, sys
con = duckdb.connect()
r = con.execute("select count(*), sum(l_extendedprice)::varchar, max(l_shipdate)::varchar, count(distinct l_comment), min(l_shipmode), max(l_returnflag) from read_parquet(?)", [sys.argv[1]]).fetchone()
print(json.dumps([str(x) for x in r]))
`, path]);
    const [count, sum, maxDate, , minMode, maxFlag] = JSON.parse(out) as string[];
    expect(count).toBe('60175');
    expect(sum).toBe(Numeric.fromBigInt(sumPrice, 2).toString());
    expect(maxDate).toBe(new Date(maxShip * 86_400_000).toISOString().slice(0, 10));
    expect(minMode).toBe('AIR       ');
    expect(maxFlag).toBe('R');
  });
});

describe('ParquetWriter errors', () => {
  const write = async (spec: ParquetColumnSpec, values: unknown[]) => {
    const sink = { write: async () => {} };
    const w = new ParquetWriter(sink, [spec]);
    await w.write(batchOf([spec], values.map((v) => [v])));
    return w.finish();
  };

  it('rounds unconstrained numerics to 18 places and rejects what DECIMAL(38,18) cannot hold, and NaN/Infinity, with 22003', async () => {
    const spec = { name: 'amount', type: T.numeric, nullable: true };
    await expect(write(spec, [num('0.3333333333333333333333'), num('0.0000000000000000005')])).resolves.toMatchObject({ rows: 2 });
    for (const bad of [num('1e20'), Numeric.NaN, Numeric.POSITIVE_INFINITY]) {
      const err = await write(spec, [num('1'), bad]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SqlError);
      expect(err).toMatchObject({ code: '22003' });
      expect((err as SqlError).hint).toMatch(/numeric\(/);
    }
    await expect(write({ name: 'p', type: num15, nullable: true }, [Numeric.NaN])).rejects.toMatchObject({ code: '22003' });
    await expect(write(spec, [num('123.000000000000000000000')])).resolves.toMatchObject({ rows: 1 });
  });

  it('rejects NULL in a required column (23502) and types Parquet cannot hold (0A000)', async () => {
    await expect(write({ name: 'k', type: T.int4, nullable: false }, [1, null])).rejects.toMatchObject({ code: '23502' });
    expect(() => new ParquetWriter({ write: async () => {} }, [{ name: 'o', type: T.oid, nullable: true }])).toThrow(
      expect.objectContaining({ code: '0A000' }),
    );
    expect(() => new ParquetWriter({ write: async () => {} }, [{ name: 'big', type: typeByName('numeric', numericTypmod(50, 2)), nullable: true }])).toThrow(
      expect.objectContaining({ code: '0A000' }),
    );
  });
});

describe('snappy', () => {
  it('produces streams python-snappy-compatible decoders read back (via pyarrow)', () => {
    const inputs: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.of(1, 2, 3),
      new Uint8Array(200_000).fill(7),
      Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24),
      new TextEncoder().encode('the quick brown fox jumps over the lazy dog. '.repeat(5000)),
      Uint8Array.from({ length: 150_000 }, (_, i) => (i % 1000 < 500 ? i & 0xff : (i * 7) % 13)),
    ];
    inputs.forEach((input, k) => {
      const raw = join(dir, `snappy${k}.raw`);
      const packed = join(dir, `snappy${k}.snappy`);
      writeFileSync(raw, input);
      writeFileSync(packed, snappyCompress(input));
    });
    const out = python(['-c', `
import pyarrow as pa, sys, json
res = []
for k in range(int(sys.argv[2])):
    raw = open(f"{sys.argv[1]}/snappy{k}.raw", "rb").read()
    packed = open(f"{sys.argv[1]}/snappy{k}.snappy", "rb").read()
    back = pa.decompress(packed, decompressed_size=len(raw), codec="snappy", asbytes=True)
    res.append([back == raw, len(packed), len(raw)])
print(json.dumps(res))
`, dir, String(inputs.length)]);
    const res = JSON.parse(out) as [boolean, number, number][];
    for (const [ok] of res) expect(ok).toBe(true);
    expect(res[2]![1]).toBeLessThan(20_000); // a long run compresses
    expect(res[4]![1]).toBeLessThan(30_000); // repeated text compresses
  });
});
