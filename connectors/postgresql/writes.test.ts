import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import type { PostgresqlConnector } from './connector.js';
import { ORACLE_OPTIONS, connectorFor, directClient, freshDatabase, oracleRows, session, tearDown, uniqueName } from './testing.js';

const DB = uniqueName('lakegate_pgconn_writes');

let setup: pg.Client;
let oracle: pg.Client;
let connector: PostgresqlConnector;
let gateway: TestSession;

beforeAll(async () => {
  setup = await freshDatabase(DB);
  await setup.query(`
    CREATE TABLE public.source (
      id int4, b bool, i8 int8, f4 float4, f8 float8, n numeric(20,6), t text, vc varchar(5), bc char(3), by bytea, d date,
      tm time(3), ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb, ai int8[], at text[]
    );
    INSERT INTO public.source VALUES
      (1, true, 9223372036854775807, 1.25, 1e-300, 12345678901234.123456, E'multi\\nline ''q'' \\\\ 😀', 'abcde', 'x', '\\xdeadbeef',
       '0001-01-01 BC', '01:02:03.456', '2024-02-29 23:59:59.999999', '2024-01-01 00:00:00+05', '-3 days 04:00:00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
       '{"k": [1, "two"]}', '{"z": 1, "a": {"b": null}}', '{1,NULL,-9223372036854775808}', '{"",NULL,"a\\"b",NULL}'),
      (2, NULL, NULL, 'NaN', '-Infinity', NULL, NULL, NULL, NULL, NULL, 'infinity', NULL, '-infinity', NULL, NULL, NULL, NULL, NULL, '{}', NULL);
    CREATE TABLE public.uniq (id int4 PRIMARY KEY, v text);
  `);
  oracle = await directClient(DB, ORACLE_OPTIONS);
  connector = connectorFor(DB);
  gateway = openTestSession(new Map([['pg', connector]]));
});

afterAll(() => tearDown(DB, connector, oracle, setup));

const columnTypes = (schema: string, table: string) => oracleRows(oracle, `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull::text
  FROM pg_catalog.pg_attribute a WHERE a.attrelid = pg_catalog.format('%I.%I', $1::text, $2::text)::pg_catalog.regclass AND a.attnum > 0 ORDER BY a.attnum`, [schema, table]);

describe('writes', () => {
  it('CREATE SCHEMA, CREATE TABLE with every mapped type, INSERT VALUES, DROP', async () => {
    // CREATE/DROP SCHEMA take an unqualified name: in the session's default catalog (its database).
    const inPg = openTestSession(new Map([['pg', connector]]), 'tester', 'pg');
    await inPg.query('CREATE SCHEMA "new ""schema"""');
    await gateway.query(`CREATE TABLE pg."new ""schema""".t (id int NOT NULL, n numeric(7,2), v varchar(4), c char(2), ts timestamp(3), tz timestamptz(0),
      iv interval day to second(1), a text[], b bytea, j jsonb, "odd ""col""" date)`);
    expect(await columnTypes('new "schema"', 't')).toEqual([
      ['id', 'integer', 'true'], ['n', 'numeric(7,2)', 'false'], ['v', 'character varying(4)', 'false'], ['c', 'character(2)', 'false'],
      ['ts', 'timestamp(3) without time zone', 'false'], ['tz', 'timestamp(0) with time zone', 'false'],
      ['iv', 'interval day to second(1)', 'false'], ['a', 'text[]', 'false'], ['b', 'bytea', 'false'], ['j', 'jsonb', 'false'], ['odd "col"', 'date', 'false'],
    ]);
    const r = await gateway.query(`INSERT INTO pg."new ""schema""".t VALUES
      (1, 12.345, 'ab', 'x', '2024-01-02 03:04:05.6789', '2024-01-02 03:04:05.6+00', '1 day 00:00:01.26', ARRAY['a', NULL], '\\x00ff', '{"b": 2, "a": 1}', DATE '2024-05-06'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    expect(r.tag).toBe('INSERT 0 2');
    expect(await oracleRows(oracle, 'SELECT * FROM "new ""schema""".t ORDER BY id')).toEqual([
      ['1', '12.35', 'ab', 'x ', '2024-01-02 03:04:05.679', '2024-01-02 03:04:06+00', '1 day 00:00:01.3', '{a,NULL}', '\\x00ff', '{"a": 1, "b": 2}', '2024-05-06'],
      ['2', null, null, null, null, null, null, null, null, null, null],
    ]);
    await gateway.query('DROP TABLE pg."new ""schema""".t');
    await inPg.query('DROP SCHEMA "new ""schema"""');
    expect(await connector.listSchemas()).not.toContain('new "schema"');
  });

  it('CREATE TABLE AS SELECT and INSERT … SELECT copy every value exactly', async () => {
    await gateway.query('CREATE TABLE pg.public.copy AS SELECT * FROM pg.public.source');
    expect(await columnTypes('public', 'copy')).toEqual(await columnTypes('public', 'source'));
    const list = '*';
    expect(await oracleRows(oracle, `SELECT ${list} FROM public.copy ORDER BY id`)).toEqual(await oracleRows(oracle, `SELECT ${list} FROM public.source ORDER BY id`));
    const inserted = await gateway.query('INSERT INTO pg.public.copy SELECT * FROM pg.public.source WHERE id = 1');
    expect(inserted.tag).toBe('INSERT 0 1');
    expect(await oracleRows(oracle, 'SELECT count(*) FROM public.copy')).toEqual([['3']]);
    expect((await gateway.query('SELECT t, by, ai FROM pg.public.copy WHERE id = 1')).rows).toEqual(
      await oracleRows(oracle, 'SELECT t, by, ai FROM public.copy WHERE id = 1'));
  });

  it('many rows go in several statements of one transaction', async () => {
    await gateway.query('CREATE TABLE pg.public.many AS SELECT g AS id, g * 2 AS twice FROM generate_series(1, 25000) g');
    expect(await oracleRows(oracle, 'SELECT count(*), sum(id), sum(twice) FROM public.many')).toEqual([['25000', '312512500', '625025000']]);
  });

  it('a failing INSERT leaves nothing behind and keeps the upstream SQLSTATE', async () => {
    await setup.query(`INSERT INTO public.uniq VALUES (2500, 'there already')`);
    const failing = gateway.query(`INSERT INTO pg.public.uniq SELECT g, 'new' FROM generate_series(1, 4000) g`);
    await expect(failing).rejects.toMatchObject({ code: '23505', message: 'duplicate key value violates unique constraint "uniq_pkey"', detail: 'Key (id)=(2500) already exists.' });
    expect(await oracleRows(oracle, 'SELECT count(*) FROM public.uniq')).toEqual([['1']]);
    await expect(gateway.query(`INSERT INTO pg.public.uniq VALUES (1, 'x'), (2, NULL), (3, repeat('y', 3))`)).resolves.toMatchObject({ tag: 'INSERT 0 3' });
    expect(await oracleRows(oracle, 'SELECT count(*) FROM public.uniq')).toEqual([['4']]);
  });

  it('a value too long for the upstream column fails with 22001 and writes nothing', async () => {
    await setup.query('CREATE TABLE public.short (v varchar(3))');
    const table = (await connector.getTable(session, 'public', 'short'))!;
    const rows = (async function* () {
      yield { length: 2, columns: [{ type: table.columns[0]!.type, length: 2, data: ['abc', 'abcd'], nulls: null }] };
    })();
    await expect(connector.insert(session, { ...table, columns: [{ ...table.columns[0]!, type: { ...table.columns[0]!.type, typmod: -1 } }] }, rows))
      .rejects.toMatchObject({ code: '22001' });
    expect(await oracleRows(oracle, 'SELECT count(*) FROM public.short')).toEqual([['0']]);
  });

  it('a failing CREATE TABLE AS leaves no table', async () => {
    await expect(gateway.query('CREATE TABLE pg.public.broken AS SELECT 10 / (g - 3) AS x FROM generate_series(1, 5) g')).rejects.toMatchObject({ code: '22012' });
    expect(await connector.getTable(session, 'public', 'broken')).toBeUndefined();
  });

  it('upstream DDL errors keep their SQLSTATE', async () => {
    await expect(gateway.query('CREATE TABLE pg.public.source (x int)')).rejects.toMatchObject({ code: '42P07' });
    await expect(connector.createTable(session, 'public', 'p', [], false, { partitioned_by: 'x' })).rejects.toMatchObject({ code: '22023' });
    await expect(connector.dropSchema(session, 'public', { ifExists: false, cascade: false })).rejects.toMatchObject({ code: '2BP01' });
    await expect(connector.createTable(session, 'public', 'x'.repeat(64), [], false)).rejects.toMatchObject({ code: '42622' });
  });
});
