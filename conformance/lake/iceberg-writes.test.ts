// Writes through the real Iceberg REST catalog (scripts/services/iceberg-rest.sh) onto the real
// S3 store (scripts/services/s3.sh): the eight TPC-H tables of tpch.tiny become Iceberg tables
// with CREATE TABLE AS, the 22 TPC-H queries over them answer as over tpch.tiny, pyiceberg
// reads what was written, concurrent INSERTs through two connectors all land or fail with
// 40001 (never losing or duplicating rows), DELETE commits position deletes, and a partitioned
// table (identity, year and bucket) prunes files by partition.
//   ICEBERG_REST_URI (http://127.0.0.1:8181), VENV or LAKE_PYTHON: the python with pyiceberg
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitConflict } from '../../connectors/iceberg/catalog/catalog.js';
import { HadoopCatalog } from '../../connectors/iceberg/catalog/hadoop-catalog.js';
import { RestCatalog } from '../../connectors/iceberg/catalog/rest-catalog.js';
import { icebergConnectorFactory } from '../../connectors/iceberg/index.js';
import type { Connector } from '../../connectors/spi/index.js';
import { tpchConnectorFactory } from '../../connectors/tpch/index.js';
import type { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';

const catalogUri = (process.env.ICEBERG_REST_URI ?? 'http://127.0.0.1:8181').replace(/\/$/, '');
const repoVenv = fileURLToPath(new URL('../../.tmp/venv/bin/python', import.meta.url));
const python = process.env.LAKE_PYTHON ?? (process.env.VENV ? `${process.env.VENV}/bin/python` : existsSync(repoVenv) ? repoVenv : 'python3');
const namespace = `tpch_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'];
const queryDir = fileURLToPath(new URL('../differential/queries/tpch/', import.meta.url));
const queries = readdirSync(queryDir).filter((f) => /^q\d+\.sql$/.test(f)).sort();

const newConnector = (): Connector => icebergConnectorFactory.create('ice', { 'connector.name': 'iceberg', 'iceberg.catalog.type': 'rest', 'iceberg.rest-catalog.uri': catalogUri });
const tpch = tpchConnectorFactory.create('tpch', {});
let ice: TestSession;
let reference: TestSession;

beforeAll(async () => {
  ice = openTestSession(new Map([['ice', newConnector()], ['tpch', tpch]]), 'tester', 'ice');
  await ice.query(`create schema ${namespace}`);
  for (const t of TABLES) {
    const r = await ice.query(`create table ${namespace}.${t} as select * from tpch.tiny.${t}`);
    expect(r.tag).toMatch(/^SELECT \d+$/);
  }
  await ice.query(`set search_path to ${namespace}`);
  reference = openTestSession(new Map([['tpch', tpch]]), 'tester', 'tpch');
  await reference.query('set search_path to tiny');
}, 600_000);
afterAll(async () => {
  await ice?.query(`drop schema if exists ${namespace} cascade`);
}, 120_000);

/** Rows as text, trailing blanks dropped (char(n) columns are Iceberg strings) and sorted (ties may come in any order). */
const normalised = (rows: (string | null)[][]) => rows.map((r) => r.map((v) => (v === null ? null : v.replace(/ +$/, '')))).map((r) => JSON.stringify(r)).sort();

describe('Iceberg tables written through the REST catalog', () => {
  it('holds the TPC-H tables, with the generator\'s row counts', async () => {
    for (const t of TABLES) {
      expect((await ice.query(`select count(*) from ${t}`)).rows).toEqual((await reference.query(`select count(*) from ${t}`)).rows);
    }
    expect((await ice.query(`select operation, summary::jsonb->>'total-records' from "lineitem$snapshots"`)).rows).toEqual([['append', '60175']]);
  });

  it.each(queries)('answers TPC-H %s as tpch.tiny does', async (file) => {
    const sql = readFileSync(`${queryDir}${file}`, 'utf8');
    const got = (await ice.query(sql)).rows;
    const want = (await reference.query(sql)).rows;
    expect(got.length).toBe(want.length);
    expect(normalised(got)).toEqual(normalised(want));
  });

  it('writes tables pyiceberg reads through the same catalog', () => {
    const script = fileURLToPath(new URL('../../connectors/iceberg/testdata/read_table.py', import.meta.url));
    const out = execFileSync(python, [script, '--rest', catalogUri, `${namespace}.nation`], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
    const table = JSON.parse(out.trim().split('\n').pop()!) as { fields: [number, string, string, boolean][]; rows: string[][] };
    expect(table.fields.map((f) => [f[0], f[1], f[2]])).toEqual([[1, 'n_nationkey', 'int'], [2, 'n_name', 'string'], [3, 'n_regionkey', 'int'], [4, 'n_comment', 'string']]);
    expect(table.rows.length).toBe(25);
    expect(table.rows.find((r) => r[0] === '6')?.[1]).toBe('FRANCE');
  });

  it('lands concurrent INSERTs from two connectors, or fails them with 40001', async () => {
    await ice.query('create table race (writer int4, batch int4, n int4)');
    const other = openTestSession(new Map([['ice', newConnector()]]), 'tester', 'ice');
    await other.query(`set search_path to ${namespace}`);
    const run = async (session: TestSession, writer: number, batch: number) => {
      try {
        await session.query(`insert into race select ${writer}, ${batch}, g from generate_series(1, 50) g`);
        return { writer, batch, ok: true };
      } catch (e) {
        if ((e as SqlError).code !== '40001') throw e;
        return { writer, batch, ok: false };
      }
    };
    const results = await Promise.all([0, 1, 2, 3].flatMap((b) => [run(ice, 1, b), run(other, 2, b)]));
    const landed = results.filter((r) => r.ok).sort((a, b) => a.writer - b.writer || a.batch - b.batch);
    expect(landed.length).toBeGreaterThan(0);
    expect((await ice.query('select writer, batch, count(*) from race group by 1, 2 order by 1, 2')).rows).toEqual(
      landed.map((r) => [String(r.writer), String(r.batch), '50']),
    );
    expect((await ice.query('select count(*) from "race$snapshots"')).rows).toEqual([[String(landed.length)]]);
  });

  it('refuses a commit whose parent is no longer main (409 → CommitConflict)', async () => {
    const catalog = new RestCatalog({ uri: catalogUri, storage: {} });
    const loaded = (await catalog.loadTable(namespace, 'region'))!;
    const stale = { tableUuid: loaded.metadata.tableUuid!, parentSnapshotId: '1', snapshot: { 'snapshot-id': 42n, 'sequence-number': 99, 'timestamp-ms': Date.now(), 'manifest-list': 's3://nowhere/x.avro', summary: { operation: 'append' } } };
    await expect(catalog.commitSnapshot(namespace, 'region', stale)).rejects.toBeInstanceOf(CommitConflict);
    await expect(catalog.commitSnapshot(namespace, 'region', { ...stale, tableUuid: '00000000-0000-0000-0000-000000000000', parentSnapshotId: loaded.metadata.currentSnapshotId! })).rejects.toBeInstanceOf(CommitConflict);
    expect((await ice.query('select count(*) from region')).rows).toEqual([['5']]);
  });

  it('deletes rows with a position-delete commit', async () => {
    const before = Number((await ice.query('select count(*) from orders')).rows[0]![0]);
    const doomed = Number((await ice.query("select count(*) from orders where o_orderstatus = 'F'")).rows[0]![0]);
    expect((await ice.query("delete from orders where o_orderstatus = 'F'")).tag).toBe(`DELETE ${doomed}`);
    expect((await ice.query('select count(*) from orders')).rows).toEqual([[String(before - doomed)]]);
    expect((await ice.query('select operation from "orders$snapshots" order by committed_at')).rows).toEqual([['append'], ['delete']]);
  });
});

describe('a partitioned Iceberg table written through the REST catalog', () => {
  const filesRead = async (sql: string) => Number(/files=(\d+)/.exec((await ice.query(`explain analyze ${sql}`)).rows.map((r) => r[0]).join('\n'))?.[1]);
  const count = async (session: TestSession, sql: string) => Number((await session.query(sql)).rows[0]![0]);

  it('creates it WITH (partitioning = …), fills it by CREATE TABLE AS, and pyiceberg reads it', async () => {
    await ice.query(`create table orders_part with (partitioning = 'o_orderpriority, year(o_orderdate), bucket(4, o_custkey)') as select * from tpch.tiny.orders`);
    expect((await ice.query('select count(*), sum(o_totalprice) from orders_part')).rows).toEqual((await reference.query('select count(*), sum(o_totalprice) from orders')).rows);
    // 5 priorities × 7 years × 4 buckets
    expect((await ice.query('select count(*), count(distinct partition::text) from "orders_part$files"')).rows).toEqual([['140', '140']]);
    expect((await ice.query(`select distinct partition::jsonb->>'o_orderpriority' from "orders_part$files" order by 1`)).rows.map((r) => r[0])).toEqual(['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW']);
    const script = fileURLToPath(new URL('../../connectors/iceberg/testdata/read_table.py', import.meta.url));
    const out = execFileSync(python, [script, '--rest', catalogUri, `${namespace}.orders_part`], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });
    expect((JSON.parse(out.trim().split('\n').pop()!) as { rows: unknown[] }).rows.length).toBe(15000);
  });

  it('reads only the matching files for a query with a predicate on a partition column', async () => {
    const total = await count(ice, 'select count(*) from "orders_part$files"');
    expect(await filesRead('select count(*) from orders_part')).toBe(total);
    const urgent = await count(ice, `select count(*) from "orders_part$files" where partition::jsonb->>'o_orderpriority' = '1-URGENT'`);
    expect(urgent).toBe(total / 5);
    expect(await filesRead("select count(*) from orders_part where o_orderpriority = '1-URGENT'")).toBe(urgent);
    expect(await count(ice, "select count(*) from orders_part where o_orderpriority = '1-URGENT'")).toBe(await count(reference, "select count(*) from orders where o_orderpriority = '1-URGENT'"));
    // year(o_orderdate) = 1995 (25 years after 1970)
    const year = await count(ice, `select count(*) from "orders_part$files" where partition::jsonb->>'o_orderdate_year' = '25'`);
    expect(year).toBe(total / 7);
    const in1995 = "o_orderdate >= date '1995-01-01' and o_orderdate < date '1996-01-01'";
    expect(await filesRead(`select sum(o_totalprice) from orders_part where ${in1995}`)).toBe(year);
    expect((await ice.query(`select sum(o_totalprice) from orders_part where ${in1995}`)).rows).toEqual((await reference.query(`select sum(o_totalprice) from orders where ${in1995}`)).rows);
  });

  it('deletes from it, one position-delete file per partition touched', async () => {
    const doomed = await count(reference, "select count(*) from orders where o_orderpriority = '5-LOW' and o_orderstatus = 'F'");
    expect((await ice.query("delete from orders_part where o_orderpriority = '5-LOW' and o_orderstatus = 'F'")).tag).toBe(`DELETE ${doomed}`);
    expect(await count(ice, 'select count(*) from orders_part')).toBe(15000 - doomed);
    const deleteFiles = (await ice.query(`select distinct partition::jsonb->>'o_orderpriority' from "orders_part$files" where content = 1`)).rows;
    expect(deleteFiles).toEqual([['5-LOW']]);
    expect(await count(ice, "select count(*) from orders_part where o_orderpriority = '5-LOW'")).toBe(await count(reference, "select count(*) from orders where o_orderpriority = '5-LOW' and o_orderstatus <> 'F'"));
  });
});

describe('Iceberg tables in a Hadoop-style warehouse on S3', () => {
  const storage = {
    's3.endpoint': process.env.S3_TEST_ENDPOINT ?? 'http://127.0.0.1:9000', 's3.region': process.env.S3_TEST_REGION ?? 'us-east-1', 's3.path-style-access': 'true',
    's3.aws-access-key': process.env.S3_TEST_ACCESS_KEY ?? 'lakegate', 's3.aws-secret-key': process.env.S3_TEST_SECRET_KEY ?? 'lakegate-secret',
  };
  const warehouse = `s3://${process.env.S3_TEST_BUCKET ?? 'lake'}/iceberg-hadoop-tests/${namespace}`;

  it('writes, deletes and commits with conditional PUTs (If-None-Match: *): one of two racing commits wins', async () => {
    const connector = icebergConnectorFactory.create('ice', { 'connector.name': 'iceberg', 'iceberg.catalog.type': 'hadoop', 'iceberg.catalog.warehouse': warehouse, ...storage });
    const s = openTestSession(new Map([['ice', connector], ['tpch', tpch]]), 'tester', 'ice');
    await s.query('create schema h');
    await s.query('create table h.nation as select * from tpch.tiny.nation');
    await s.query('delete from h.nation where n_regionkey = 0');
    expect((await s.query('select count(*) from h.nation')).rows).toEqual([['20']]);
    const catalog = new HadoopCatalog(warehouse, storage);
    const loaded = (await catalog.loadTable('h', 'nation'))!;
    const commit = (id: bigint) => catalog.commitSnapshot('h', 'nation', {
      tableUuid: loaded.metadata.tableUuid!,
      parentSnapshotId: loaded.metadata.currentSnapshotId!,
      snapshot: { 'snapshot-id': id, 'parent-snapshot-id': BigInt(loaded.metadata.currentSnapshotId!), 'sequence-number': 3, 'timestamp-ms': Date.now(), 'manifest-list': loaded.metadata.snapshots[1]!.manifestList!, summary: { operation: 'delete' } },
    }).then(() => 'won', (e: unknown) => (e instanceof CommitConflict ? 'lost' : e));
    expect((await Promise.all([commit(21n), commit(22n)])).sort()).toEqual(['lost', 'won']);
    expect((await s.query('select count(*) from h.nation')).rows).toEqual([['20']]);
    await s.query('drop schema h cascade');
    expect((await s.query('select count(*) from information_schema.schemata where schema_name = \'h\'')).rows).toEqual([['0']]);
  });
});
