import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../engine/execution/batch/batch.js';
import { datumAt } from '../../engine/execution/batch/vector.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { formatText } from '../../engine/types/text-codec.js';
import { formatType } from '../../engine/types/pg-type.js';
import { runsInWorkers, type ConnectorFactory, type RunsInWorkers, type Split, type TableMetadata } from '../spi/index.js';
import type { PostgresqlConnector } from './connector.js';
import type { PgSplit } from './splits.js';
import { ORACLE_OPTIONS, connectorFor, directClient, freshDatabase, oracleRows, session, tearDown, uniqueName } from './testing.js';
import { REMOTE_TEXT } from './types.js';

const DB = uniqueName('lakegate_pgconn');

let setup: pg.Client;
let oracle: pg.Client;
let connector: PostgresqlConnector;
let gateway: TestSession;

beforeAll(async () => {
  setup = await freshDatabase(DB);
  await setup.query(`
    CREATE TYPE public.mood AS ENUM ('sad', 'happy');
    CREATE DOMAIN public.short_text AS varchar(8);
    CREATE DOMAIN public.price AS numeric(9,2);
    CREATE TABLE public.types (
      id int4 PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, n102 numeric(10,2),
      t text, vc varchar(10), vcu varchar, bc char(5), ch "char", nm name, by bytea, d date, tm time, tm3 time(3),
      ts timestamp, ts3 timestamp(3), tstz timestamptz, iv interval, ivd interval day to second(2), u uuid, j json,
      jb jsonb, o oid, ai int4[], at text[], an numeric(8,3)[], ats timestamptz[], ab bool[],
      st public.short_text, pr public.price, mo public.mood, pt point, ir int4range
    );
    INSERT INTO public.types VALUES
      (1, true, -32768, 2147483647, -9223372036854775808, 1.5, 0.1, 123456789012345678901234567890.123456789, -12345678.91,
       'it''s a \\ "quote" 😀' || chr(10) || 'line', 'abc', 'abcdefghij', 'ab', 'x', 'a name', '\\x00ff10', '2024-02-29', '23:59:59.999999', '12:00:00.123',
       '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789', '2024-06-01 12:00:00+02', '1 year 2 mons 3 days 04:05:06.7', '1 day 02:03:04.56',
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2],  "b" : null}', '{"b": 1, "a": [true, null]}', 4294967295,
       '{1,NULL,3}', '{"a,b","c\\"d",NULL,""}', '{1.5,NULL,-2.125}', '{"2024-01-01 00:00:00+00",NULL}', '{t,f,NULL}',
       'short', 19.99, 'happy', '(1,2)', '[1,5)'),
      (2, false, 0, 0, 0, 'NaN', 'Infinity', 'NaN', 0, '', '', '', '', ' ', '', '\\x', '4713-01-01 BC', '00:00:00', '00:00:00',
       'infinity', '-infinity', '1999-12-31 23:59:59.5-08', '-1 days +02:00:00', '0', '00000000-0000-0000-0000-000000000000',
       '[]', '{}', 0, '{}', '{}', '{}', '{}', '{}', '', 0, 'sad', NULL, NULL),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    CREATE VIEW public.types_view AS SELECT id, t FROM public.types;
    CREATE MATERIALIZED VIEW public.types_mv AS SELECT id, n102 FROM public.types;
    CREATE SCHEMA "odd ""schema"".x";
    CREATE TABLE "odd ""schema"".x"."tab.le ü" ("col ""q""" int4, "ü name" text);
    INSERT INTO "odd ""schema"".x"."tab.le ü" VALUES (1, 'one'), (2, NULL);
    CREATE TABLE public.big (id int8 PRIMARY KEY, v text);
    INSERT INTO public.big SELECT g, 'v' || g FROM pg_catalog.generate_series(1, 250000) g;
    CREATE TABLE public.heap (v int4, w text);
    INSERT INTO public.heap SELECT g % 1000, pg_catalog.md5(g::text) FROM pg_catalog.generate_series(1, 200000) g;
    CREATE TABLE public.never_analyzed (v int4);
    INSERT INTO public.never_analyzed SELECT g FROM pg_catalog.generate_series(1, 5000) g;
    CREATE TABLE public.parted (k int4, v text) PARTITION BY RANGE (k);
    CREATE TABLE public.parted_1 PARTITION OF public.parted FOR VALUES FROM (0) TO (100);
    CREATE TABLE public.parted_2 PARTITION OF public.parted FOR VALUES FROM (100) TO (200);
    INSERT INTO public.parted SELECT g % 200, 'p' FROM pg_catalog.generate_series(1, 4000) g;
  `);
  await setup.query('ANALYZE public.big; ANALYZE public.heap; ANALYZE public.types; ANALYZE public.parted');
  oracle = await directClient(DB, ORACLE_OPTIONS);
  connector = connectorFor(DB);
  gateway = openTestSession(new Map([['pg', connector]]));
});

afterAll(() => tearDown(DB, connector, oracle, setup));

/** Every row of every batch of one scan, as PostgreSQL text. */
async function scanText(table: Awaited<ReturnType<PostgresqlConnector['getTable']>>, split: PgSplit = { kind: 'whole' }): Promise<(string | null)[][]> {
  const batches: Batch[] = [];
  const request = { table: table!, columns: table!.columns.map((_c, i) => i), split: { info: split }, signal: new AbortController().signal };
  for await (const b of connector.scan(session, request)) batches.push(b);
  return batches.flatMap((b) => Array.from({ length: b.length }, (_x, i) => b.columns.map((v) => {
    const d = datumAt(v, i);
    return d === null ? null : formatText(v.type, d, REMOTE_TEXT);
  })));
}

describe('metadata', () => {
  it('lists schemas without the system ones', async () => {
    const schemas = await connector.listSchemas();
    expect(schemas).toEqual(expect.arrayContaining(['public', 'odd "schema".x']));
    expect(schemas.filter((s) => s.startsWith('pg_') || s === 'information_schema')).toEqual([]);
  });

  it('lists tables, views, materialized views and partitioned tables', async () => {
    const tables = await connector.listTables(session, 'public');
    expect(tables).toEqual(expect.arrayContaining(['types', 'types_view', 'types_mv', 'parted', 'parted_1', 'big']));
    expect(await connector.getTable(session, 'public', 'nope')).toBeUndefined();
  });

  it('maps column types, keeping modifiers, resolving domains and leaving out what Lakegate cannot represent', async () => {
    const t = (await connector.getTable(session, 'public', 'types'))!;
    const types = Object.fromEntries(t.columns.map((c) => [c.name, formatType(c.type)]));
    expect(types).toMatchObject({
      id: 'integer', b: 'boolean', i8: 'bigint', f4: 'real', n: 'numeric', n102: 'numeric(10,2)', vc: 'character varying(10)',
      vcu: 'character varying', bc: 'character(5)', ch: '"char"', nm: 'name', by: 'bytea', tm3: 'time without time zone',
      tstz: 'timestamp with time zone', u: 'uuid', j: 'json', jb: 'jsonb', o: 'oid', ai: 'integer[]', an: 'numeric(8,3)[]',
      ats: 'timestamp with time zone[]', st: 'character varying(8)', pr: 'numeric(9,2)',
    });
    expect(t.columns.find((c) => c.name === 'ts3')!.type.typmod).toBe(3);
    expect(t.columns.find((c) => c.name === 'ivd')!.type.typmod).toBe(((8 | 1024 | 2048 | 4096) << 16) | 2);
    expect(t.columns.map((c) => c.name)).not.toEqual(expect.arrayContaining(['mo']));
    expect(t.columns.map((c) => c.name).filter((n) => ['mo', 'pt', 'ir'].includes(n))).toEqual([]);
    expect(t.columns.find((c) => c.name === 'id')!.nullable).toBe(false);
    expect((await connector.getTable(session, 'public', 'types_view'))!.columns.map((c) => c.name)).toEqual(['id', 't']);
    expect((await connector.getTable(session, 'public', 'types_mv'))!.columns.map((c) => formatType(c.type))).toEqual(['integer', 'numeric(10,2)']);
  });

  it('quotes odd identifiers', async () => {
    expect(await connector.listTables(session, 'odd "schema".x')).toEqual(['tab.le ü']);
    const r = await gateway.query('SELECT "col ""q""", "ü name" FROM pg."odd ""schema"".x"."tab.le ü" ORDER BY 1');
    expect(r.rows).toEqual([['1', 'one'], ['2', null]]);
  });
});

describe('values', () => {
  it('round-trips every mapped type, NULLs included, as PostgreSQL prints them', async () => {
    const t = (await connector.getTable(session, 'public', 'types'))!;
    const list = t.columns.map((c) => `"${c.name}"`).join(', ');
    const ours = await gateway.query(`SELECT ${list} FROM pg.public.types ORDER BY id`);
    const theirs = await oracleRows(oracle, `SELECT ${list} FROM public.types ORDER BY id`);
    expect(ours.rows).toEqual(theirs);
    expect(ours.rows[0]![t.columns.findIndex((c) => c.name === 'n')]).toBe('123456789012345678901234567890.123456789');
    expect(ours.rows[0]![t.columns.findIndex((c) => c.name === 'bc')]).toBe('ab   ');
  });

  it('reads tables and views through the engine', async () => {
    expect((await gateway.query('SELECT count(*) FROM pg.public.types_view')).rows).toEqual([['3']]);
    expect((await gateway.query('SELECT n102 FROM pg.public.types_mv ORDER BY id')).rows).toEqual([['-12345678.91'], ['0.00'], [null]]);
  });
});

describe('statistics', () => {
  it('row counts from pg_class and column statistics from pg_stats', async () => {
    const big = (await connector.getTable(session, 'public', 'big'))!;
    const stats = await connector.getStatistics(session, big);
    expect(stats.rowCount).toBe(250000);
    expect(stats.columns!.id).toMatchObject({ nullFraction: 0, distinctCount: 250000 });
    expect(stats.columns!.id!.min).toBeGreaterThanOrEqual(1);
    expect(stats.columns!.id!.max).toBeLessThanOrEqual(250000);
    expect(stats.columns!.id!.max).toBeGreaterThan(240000);
    expect(stats.columns!.v!.dataSize).toBeGreaterThan(0);
    const heap = await connector.getStatistics(session, (await connector.getTable(session, 'public', 'heap'))!);
    expect(heap.columns!.v!.distinctCount).toBe(1000);
    expect(heap.columns!.v).toMatchObject({ min: 0, max: 999 });
  });

  it('dates and timestamps as text; partitioned tables over their partitions; estimates before ANALYZE', async () => {
    const types = await connector.getStatistics(session, (await connector.getTable(session, 'public', 'types'))!);
    expect(types.rowCount).toBe(3);
    expect(types.columns!.d).toMatchObject({ min: '4713-01-01 BC', max: '2024-02-29', nullFraction: expect.closeTo(1 / 3, 5) });
    const parted = await connector.getStatistics(session, (await connector.getTable(session, 'public', 'parted'))!);
    expect(parted.rowCount).toBe(4000);
    expect(parted.columns!.k!.distinctCount).toBe(200);
    const fresh = await connector.getStatistics(session, (await connector.getTable(session, 'public', 'never_analyzed'))!);
    expect(fresh.rowCount).toBeGreaterThan(1000);
    expect(fresh.rowCount).toBeLessThan(50000);
    expect(await connector.getStatistics(session, (await connector.getTable(session, 'public', 'types_view'))!)).toEqual({ columns: {} });
  });
});

describe('splits', () => {
  it('a big table with an integer key splits into key ranges that together give every row once', async () => {
    const big = (await connector.getTable(session, 'public', 'big'))!;
    const splits = await connector.getSplits(session, big, { desiredSplits: 4 });
    expect(splits.map((s) => s.info)).toEqual([
      { kind: 'key', column: 'id', typeName: 'int8', from: null, to: '62501' },
      { kind: 'key', column: 'id', typeName: 'int8', from: '62501', to: '125001' },
      { kind: 'key', column: 'id', typeName: 'int8', from: '125001', to: '187501' },
      { kind: 'key', column: 'id', typeName: 'int8', from: '187501', to: null },
    ]);
    const parts = await Promise.all(splits.map((s) => scanText(big, s.info as PgSplit)));
    expect(parts.map((p) => p.length)).toEqual([62500, 62500, 62500, 62500]);
    const ids = parts.flat().map((r) => Number(r[0])).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 250000 }, (_x, i) => i + 1));
  });

  it('a big table without a key splits by ctid block ranges', async () => {
    const heap = (await connector.getTable(session, 'public', 'heap'))!;
    const splits = await connector.getSplits(session, heap, { desiredSplits: 3 });
    expect(splits).toHaveLength(3);
    expect(splits.every((s) => (s.info as PgSplit).kind === 'blocks')).toBe(true);
    const rows = (await Promise.all(splits.map((s) => scanText(heap, s.info as PgSplit)))).flat();
    const expected = await oracleRows(oracle, 'SELECT v::text, w FROM public.heap');
    const key = (r: (string | null)[]) => r.join('|');
    expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it('small tables, views and pushed-down aggregates are one split', async () => {
    const one = [{ info: { kind: 'whole' } }];
    expect(await connector.getSplits(session, (await connector.getTable(session, 'public', 'types'))!, { desiredSplits: 8 })).toEqual(one);
    expect(await connector.getSplits(session, (await connector.getTable(session, 'public', 'types_view'))!, { desiredSplits: 8 })).toEqual(one);
    const big = (await connector.getTable(session, 'public', 'big'))!;
    const agg = connector.applyAggregation(session, big, [], [{ name: 'count', args: [], distinct: false, type: big.columns[0]!.type }])!;
    expect(await connector.getSplits(session, agg, { desiredSplits: 8 })).toEqual(one);
    const limited = connector.applyLimit(session, big, 10)!;
    expect(await connector.getSplits(session, limited, { desiredSplits: 8 })).toEqual(one);
  });

  it('a split scan through the engine gives the same rows as PostgreSQL', async () => {
    const ours = await gateway.query('SELECT count(*), sum(id), min(v), max(v) FROM pg.public.big');
    expect(ours.rows).toEqual(await oracleRows(oracle, 'SELECT count(*), sum(id), min(v COLLATE "C"), max(v COLLATE "C") FROM public.big'));
  });
});

describe('native queries', () => {
  it('learns the result columns without running the statement', async () => {
    await setup.query('CREATE TABLE public.calls (n int4)');
    const t = await connector.nativeQuery(session, `SELECT n, 'x'::varchar(3) AS v, 2.5::numeric(4,1) AS d, ARRAY[1] AS a FROM public.calls; `);
    expect(t.columns.map((c) => [c.name, formatType(c.type)])).toEqual([
      ['n', 'integer'], ['v', 'character varying(3)'], ['d', 'numeric(4,1)'], ['a', 'integer[]'],
    ]);
    const volatile = await connector.nativeQuery(session, `SELECT pg_catalog.pg_sleep(30)::text AS s`);
    expect(volatile.columns.map((c) => c.name)).toEqual(['s']);
  });

  it('runs through the engine', async () => {
    const r = await gateway.query(`SELECT * FROM pg.system.query('SELECT i4, t FROM public.types WHERE id = 1 -- trailing comment')`);
    expect(r.rows).toEqual(await oracleRows(oracle, 'SELECT i4, t FROM public.types WHERE id = 1'));
  });

  it('takes one read-only query, nothing else', async () => {
    await expect(connector.nativeQuery(session, 'SELECT 1; SELECT 2')).rejects.toMatchObject({ code: '42601' });
    await expect(connector.nativeQuery(session, 'SELECT 1; DROP TABLE public.types')).rejects.toMatchObject({ code: '42601' });
    await expect(connector.nativeQuery(session, 'DELETE FROM public.types')).rejects.toMatchObject({ code: '42601' });
    await expect(connector.nativeQuery(session, 'WITH d AS (DELETE FROM public.types RETURNING id) SELECT id FROM d')).rejects.toMatchObject({ code: '0A000' });
    await expect(connector.nativeQuery(session, 'SELECT 1 AS a, 2 AS a')).rejects.toMatchObject({ code: '42701' });
    await expect(connector.nativeQuery(session, "SELECT 'a\u0000' AS x")).rejects.toMatchObject({ code: '22021' });
    await expect(connector.nativeQuery(session, `SELECT 'happy'::public.mood AS m`)).rejects.toMatchObject({ code: '0A000' });
    expect((await oracleRows(oracle, 'SELECT count(*) FROM public.types'))[0]).toEqual(['3']);
  });

  it('keeps the upstream SQLSTATE of errors', async () => {
    await expect(gateway.query(`SELECT * FROM pg.system.query('SELECT 1 / (id - id) AS x FROM public.types')`)).rejects.toMatchObject({
      code: '22012', message: 'division by zero',
    });
    await expect(connector.nativeQuery(session, 'SELECT * FROM public.missing')).rejects.toMatchObject({
      code: '42P01', message: 'relation "public.missing" does not exist', position: undefined,
    });
  });
});

describe('worker threads', () => {
  it('the origin re-creates the connector, which reads the same split', async () => {
    expect(runsInWorkers(connector)).toBe(true);
    const origin = (connector as PostgresqlConnector & RunsInWorkers).origin;
    expect(origin).toMatchObject({ factoryExport: 'postgresqlConnectorFactory', catalogName: 'pg' });
    const module = (await import(origin.module.replace(/\.js$/, '.ts'))) as Record<string, ConnectorFactory>;
    const copy = module[origin.factoryExport]!.create(origin.catalogName, origin.properties) as PostgresqlConnector;
    const table = JSON.parse(JSON.stringify((await connector.getTable(session, 'public', 'types_view'))!)) as TableMetadata;
    const [split] = JSON.parse(JSON.stringify(await connector.getSplits(session, table, { desiredSplits: 4 }))) as Split[];
    const rows: number[] = [];
    for await (const b of copy.scan(session, { table, columns: [0], split: split!, signal: new AbortController().signal })) rows.push(...(b.columns[0]!.data as Int32Array));
    expect(rows.sort()).toEqual([1, 2, 3]);
    await copy.close();
  });
});

describe('connection failures', () => {
  it('are HV00N, never class 08', async () => {
    const bad = connectorFor('no_such_database_here');
    await expect(bad.listSchemas()).rejects.toMatchObject({ code: 'HV00N', detail: 'upstream SQLSTATE 3D000' });
    await bad.close();
    const refused = connectorFor(DB, 'pg', { 'connection-url': 'jdbc:postgresql://127.0.0.1:1/x', 'postgresql.connection-timeout': '2s' });
    await expect(refused.listSchemas()).rejects.toMatchObject({ code: 'HV00N' });
    await refused.close();
  });
});
