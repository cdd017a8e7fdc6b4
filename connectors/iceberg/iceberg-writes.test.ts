/**
 * Writes to Iceberg tables in a local Hadoop-style warehouse: CREATE SCHEMA / TABLE, CREATE
 * TABLE AS from tpch, INSERT, DELETE (SQL and the connector's deleteRows with `$path`/`$pos`),
 * DROP; every type round-trips; pyiceberg reads what Lakegate wrote (testdata/read_table.py);
 * concurrent INSERTs either land or fail with 40001; failed commits clean up only what is
 * safe to remove. Needs .tmp/venv/bin/python with pyiceberg (scripts/test-all.sh installs it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../engine/execution/batch/batch.js';
import { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import type { Connector, TableMetadata } from '../spi/index.js';
import { tpchConnectorFactory } from '../tpch/index.js';
import { CommitConflict, CommitOutcomeUnknown, type IcebergCatalog, type SnapshotCommit } from './catalog/catalog.js';
import { HadoopCatalog } from './catalog/hadoop-catalog.js';
import { IcebergConnector } from './connector.js';
import { icebergConnectorFactory } from './index.js';

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
