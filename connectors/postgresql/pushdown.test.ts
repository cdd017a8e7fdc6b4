import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../engine/execution/batch/batch.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import { T } from '../../engine/types/pg-type.js';
import { scanStatement } from '../lib/sql/index.js';
import type { ConnectorExpression, ConnectorSession, ScanRequest, TableMetadata } from '../spi/index.js';
import { parseConfig } from './config.js';
import { PostgresqlConnector } from './connector.js';
import { postgresqlDialect } from './dialect.js';
import { PG_HOST, PG_PORT, directClient, freshDatabase, oracleRows, session, tearDown, uniqueName } from './testing.js';

const DB = uniqueName('lakegate_pgconn_pushdown');

/** The connector, counting the rows PostgreSQL sends and keeping the statements' EXPLAIN text. */
class CountingConnector extends PostgresqlConnector {
  rowsReceived = 0;
  override async *scan(s: ConnectorSession, request: ScanRequest): AsyncIterable<Batch> {
    for await (const b of super.scan(s, request)) {
      this.rowsReceived += b.length;
      yield b;
    }
  }
}

let setup: pg.Client;
let oracle: pg.Client;
let connector: CountingConnector;
let gateway: TestSession;

/** Runs `sql` through the engine, returning its rows and how many rows PostgreSQL sent for it. */
async function run(sql: string, params: unknown[] = []): Promise<{ rows: (string | null)[][]; received: number }> {
  connector.rowsReceived = 0;
  const r = await gateway.query(sql, params);
  return { rows: r.rows, received: connector.rowsReceived };
}

async function sourceQuery(sql: string): Promise<string> {
  const plan = (await gateway.query(`EXPLAIN ${sql}`)).rows.map((r) => r[0]).join('\n');
  const lines = plan.split('\n').filter((l) => l.includes('Source Query:'));
  return lines.join('\n');
}

const PROBES = [
  `it's`, `back\\slash`, `back\\`, `100%`, `a_c`, `$$dollar$$`, `$1`, `😀 emoji`, `"dq"`, `x' OR '1'='1`, `1=1) OR (1=1`,
  `-- comment`, `/* c */`, `ünï`, `tab\there`, `E'\\x41'`, '',
];

beforeAll(async () => {
  setup = await freshDatabase(DB);
  await setup.query(`
    CREATE TABLE public.strs (id int4 PRIMARY KEY, s text, v varchar(20));
    CREATE TABLE public."we""ird.name ü" ("col ""x"".y z" int4, "ünï" text);
    INSERT INTO public."we""ird.name ü" VALUES (1, 'a'), (2, 'b'), (-1, 'minus');
    CREATE TABLE public.nums (id int4 PRIMARY KEY, x int4, n numeric(12,3), f float8, d date, ts timestamptz);
    INSERT INTO public.nums SELECT g, g - 50, g * 1.125, g / 7.0, DATE '2024-01-01' + g, TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * interval '1 hour'
      FROM pg_catalog.generate_series(1, 100) g;
    INSERT INTO public.nums VALUES (101, NULL, NULL, NULL, NULL, NULL);
    CREATE TABLE public.agg (k int4, g text, v int8, s text, f float8);
    INSERT INTO public.agg SELECT g % 7, CASE WHEN g % 3 = 0 THEN 'B' WHEN g % 3 = 1 THEN 'a' ELSE 'é' END, g, pg_catalog.md5(g::text), g / 3.0
      FROM pg_catalog.generate_series(1, 5000) g;
    INSERT INTO public.agg VALUES (NULL, NULL, NULL, NULL, NULL);
    CREATE TABLE public.orders (id int4 PRIMARY KEY, customer int4, total numeric(10,2));
    CREATE TABLE public.customers (id int4 PRIMARY KEY, name text);
    INSERT INTO public.customers SELECT g, 'c' || g FROM pg_catalog.generate_series(1, 50) g;
    INSERT INTO public.orders SELECT g, g % 60, g * 1.5 FROM pg_catalog.generate_series(1, 1000) g;
  `);
  await setup.query('INSERT INTO public.strs SELECT i, s, pg_catalog.left(s, 20) FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS u(s, i)', [PROBES]);
  await setup.query(`INSERT INTO public.strs VALUES (1000, NULL, NULL), (1001, 'B', 'B'), (1002, 'a', 'a'), (1003, 'ä', 'ä'), (1004, 'Z', 'Z')`);
  // Attacker-planted objects in public: with the upstream's search_path pinned to '' they are never resolved.
  await setup.query(`
    CREATE FUNCTION public.planted_eq(varchar, text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted operator called'; END $$;
    CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = text, FUNCTION = public.planted_eq);
    CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted lower called'; END $$;
    CREATE FUNCTION public.abs(int4) RETURNS int4 LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted abs called'; END $$;
  `);
  await setup.query(`ALTER DATABASE ${DB} SET search_path = public, pg_catalog`);
  oracle = await directClient(DB, '-c search_path=pg_catalog -c extra_float_digits=1');
  connector = new CountingConnector('pg', parseConfig('pg', { 'connection-url': `jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB}`, 'connection-user': 'postgres' }));
  gateway = openTestSession(new Map([['pg', connector]]));
});

afterAll(() => tearDown(DB, connector, oracle, setup));

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

describe('filters', () => {
  it('string predicates with quotes, backslashes, wildcards, dollars and emoji are bound parameters with local results', async () => {
    for (const probe of PROBES) {
      const ours = await run(`SELECT id FROM pg.public.strs WHERE s = ${literal(probe)} ORDER BY id`);
      expect(ours.rows, probe).toEqual(await oracleRows(oracle, 'SELECT id FROM public.strs WHERE s = $1 ORDER BY id', [probe]));
      expect(ours.rows).toHaveLength(1);
      expect(ours.received, probe).toBe(1);
      const source = await sourceQuery(`SELECT id FROM pg.public.strs WHERE s = ${literal(probe)}`);
      expect(source).toMatch(/\("s"\) COLLATE "C"\) = \(\(\$1::pg_catalog\.text\) COLLATE "C"\)/);
    }
  });

  it('LIKE with %, _ and backslash (default escape) and with ESCAPE gives the local matches', async () => {
    const patterns: [string, string | null][] = [['%\\_%', null], ['back\\\\%', null], ['100\\%', null], ['a_c', null], ['%!%%', '!'], ['$$%', null], ['%😀%', null]];
    for (const [pattern, escape] of patterns) {
      const like = `s LIKE ${literal(pattern)}${escape ? ` ESCAPE ${literal(escape)}` : ''}`;
      const ours = await run(`SELECT id FROM pg.public.strs WHERE ${like} ORDER BY id`);
      const local = await run(`SELECT id FROM (SELECT id, s FROM pg.public.strs ORDER BY id LIMIT 100000) t WHERE ${like} ORDER BY id`);
      expect(ours.rows, pattern).toEqual(local.rows);
      expect(ours.rows, pattern).toEqual(await oracleRows(oracle, `SELECT id FROM public.strs WHERE ${like.replace('s LIKE', 's COLLATE "C" LIKE')} ORDER BY id`));
    }
    expect((await run(`SELECT id FROM pg.public.strs WHERE s LIKE '%\\_%'`)).received).toBe(1);
  });

  it('text comparisons and sorting follow byte order (COLLATE "C"), as Lakegate does', async () => {
    const ours = await run(`SELECT s FROM pg.public.strs WHERE s > 'B' AND s < 'b' ORDER BY s`);
    expect(ours.rows).toEqual(await oracleRows(oracle, `SELECT s FROM public.strs WHERE s COLLATE "C" > 'B' AND s COLLATE "C" < 'b' ORDER BY s COLLATE "C"`));
    expect(ours.received).toBe(ours.rows.length);
  });

  it('odd identifiers are quoted and resolved through the catalog', async () => {
    const ours = await run(`SELECT "ünï" FROM pg.public."we""ird.name ü" WHERE "col ""x"".y z" > 1`);
    expect(ours.rows).toEqual([['b']]);
    expect(ours.received).toBe(1);
    expect(await sourceQuery(`SELECT "ünï" FROM pg.public."we""ird.name ü" WHERE "col ""x"".y z" > 1`)).toContain('FROM "public"."we""ird.name ü"');
  });

  it('x - -1, x = -1 and x - $1 with -1 never put -- in the statement', async () => {
    const cases = [
      `SELECT id FROM pg.public.nums WHERE x - -1 > 0 ORDER BY id`,
      `SELECT id FROM pg.public.nums WHERE x = -1 ORDER BY id`,
      `SELECT id FROM pg.public.nums WHERE -x = 1 ORDER BY id`,
    ];
    for (const sql of cases) {
      const ours = await run(sql);
      expect(ours.rows, sql).toEqual(await oracleRows(oracle, sql.replace('pg.public', 'public')));
      expect(ours.received, sql).toBe(ours.rows.length);
      expect(await sourceQuery(sql)).not.toContain('--');
    }
    const param = await run('SELECT id FROM pg.public.nums WHERE x - $1 > 0 ORDER BY id', ['-1']);
    expect(param.rows).toEqual(await oracleRows(oracle, 'SELECT id FROM public.nums WHERE x - $1 > 0 ORDER BY id', [-1]));
    const dialect = postgresqlDialect({ byteOrderText: true });
    const table = (await connector.getTable(session, 'public', 'nums'))!;
    const minusOne = (): ConnectorExpression => ({ kind: 'constant', text: '-1', type: T.int4 });
    const x: ConnectorExpression = { kind: 'column', column: 1, type: T.int4 };
    const filtered = connector.applyFilter(session, table, [
      { kind: 'call', name: '>', type: T.bool, args: [{ kind: 'call', name: '-', type: T.int4, args: [x, minusOne()] }, minusOne()] },
      { kind: 'call', name: '>', type: T.bool, args: [{ kind: 'call', name: '-', type: T.int4, args: [{ kind: 'call', name: '-', type: T.int4, args: [x] }] }, minusOne()] },
    ])!;
    expect(filtered.accepted).toEqual([true, true]);
    const statement = scanStatement(dialect, filtered.table, [0]);
    expect(statement.sql).not.toContain('--');
    expect(statement.params).toEqual(['-1', '-1', '-1']);
  });

  it('numbers, dates and timestamps compare at the source exactly', async () => {
    const sql = `SELECT id FROM pg.public.nums WHERE n >= 10.125 AND f < 5 AND d BETWEEN DATE '2024-01-05' AND DATE '2024-03-01' AND ts < TIMESTAMPTZ '2024-01-02 12:00:00+02' ORDER BY id`;
    const ours = await run(sql);
    expect(ours.rows).toEqual(await oracleRows(oracle, sql.replace('pg.public', 'public')));
    expect(ours.received).toBe(ours.rows.length);
  });

  it('date literals written under the client DateStyle mean what the client meant', async () => {
    const s = openTestSession(new Map([['pg', connector]]));
    await s.query(`SET DateStyle = 'SQL, DMY'`);
    const ours = await s.query(`SELECT id FROM pg.public.nums WHERE d = '05/01/2024'::date`);
    expect(ours.rows).toEqual([['4']]);
  });

  it('NULL tests and IN lists', async () => {
    const sql = `SELECT id FROM pg.public.nums WHERE x IS NULL OR x IN (-49, 0, 7) ORDER BY id`;
    const ours = await run(sql);
    expect(ours.rows).toEqual(await oracleRows(oracle, sql.replace('pg.public', 'public')));
    expect(ours.received).toBe(4);
  });
});

describe('aggregation, top-N, limit and joins', () => {
  it('GROUP BY with count, sum, min, max and avg returns only the groups', async () => {
    const sql = `SELECT k, count(*), count(s), sum(v), min(s), max(g), avg(v), sum(f), count(DISTINCT g), bool_and(v > 0) FROM pg.public.agg GROUP BY k ORDER BY k`;
    const ours = await run(sql);
    const expected = await oracleRows(oracle, `SELECT k, count(*), count(s), sum(v), min(s COLLATE "C"), max(g COLLATE "C"), avg(v), sum(f), count(DISTINCT g), bool_and(v > 0)
      FROM public.agg GROUP BY k ORDER BY k`);
    expect(ours.rows.map((r) => r.filter((_x, i) => i !== 7))).toEqual(expected.map((r) => r.filter((_x, i) => i !== 7)));
    ours.rows.forEach((r, i) => expect(Number(r[7] ?? 0)).toBeCloseTo(Number(expected[i]![7] ?? 0), 6));
    expect(ours.received).toBe(8);
    expect(await sourceQuery(sql)).toContain('GROUP BY');
  });

  it('groups text in byte order and aggregates the whole table', async () => {
    const ours = await run(`SELECT g, count(*) FROM pg.public.agg GROUP BY g ORDER BY g`);
    expect(ours.rows).toEqual(await oracleRows(oracle, `SELECT g COLLATE "C", count(*) FROM public.agg GROUP BY 1 ORDER BY 1`));
    expect(ours.received).toBe(4);
    const whole = await run(`SELECT count(*), sum(v), max(s) FROM pg.public.agg`);
    expect(whole.rows).toEqual(await oracleRows(oracle, `SELECT count(*), sum(v), max(s COLLATE "C") FROM public.agg`));
    expect(whole.received).toBe(1);
  });

  it('ORDER BY … LIMIT runs at the source', async () => {
    const sql = `SELECT id, s FROM pg.public.strs ORDER BY s DESC NULLS LAST, id LIMIT 3`;
    const ours = await run(sql);
    expect(ours.rows).toEqual(await oracleRows(oracle, `SELECT id, s FROM public.strs ORDER BY s COLLATE "C" DESC NULLS LAST, id LIMIT 3`));
    expect(ours.received).toBe(3);
    expect((await run(`SELECT k FROM pg.public.agg LIMIT 7`)).received).toBe(7);
  });

  it('joins of two tables of the catalog run at the source', async () => {
    const sql = `SELECT o.id, c.name, o.total FROM pg.public.orders o JOIN pg.public.customers c ON o.customer = c.id WHERE o.total > 1400 ORDER BY o.id`;
    const ours = await run(sql);
    expect(ours.rows).toEqual(await oracleRows(oracle, sql.replaceAll('pg.public', 'public')));
    expect(ours.received).toBe(ours.rows.length);
  });
});

describe('the pinned upstream session', () => {
  it('never calls functions or operators planted in public, even with search_path set on the database', async () => {
    const direct = await directClient(DB);
    await expect(direct.query(`SELECT 1 FROM public.strs WHERE v = 'a'::text`)).rejects.toThrow('planted operator called');
    await direct.end();
    const ours = await run(`SELECT id FROM pg.public.strs WHERE v = 'a' AND abs(id) > 0`);
    expect(ours.rows).toEqual([['1002']]);
    const native = await gateway.query(`SELECT * FROM pg.system.query('SELECT lower(v) AS l, abs(id) AS a FROM public.strs WHERE v = ''B''::text')`);
    expect(native.rows).toEqual([['b', '1001']]);
  });

  it('declines what could differ: lower/upper, ILIKE, time-zone casts', () => {
    const d = postgresqlDialect({ byteOrderText: true });
    expect(d.call('lower', ['"s"'], [T.text], T.text)).toBeUndefined();
    expect(d.call('~~*', ['"s"', '$1'], [T.text, T.text], T.bool)).toBeUndefined();
    expect(d.cast('"ts"', T.timestamptz, T.date)).toBeUndefined();
    expect(d.cast('"d"', T.date, T.timestamp)).toBe('CAST("d" AS timestamp without time zone)');
    expect(d.constant('01/02/2024', T.date, '$1')).toBeUndefined();
    expect(d.constant('2024-01-02 10:00:00', T.timestamptz, '$1')).toBeUndefined();
    expect(d.constant('2024-01-02 10:00:00+02', T.timestamptz, '$1')).toEqual({ sql: '$1::pg_catalog.timestamptz', value: '2024-01-02 08:00:00+00' });
    expect(d.constant('a\u0000b', T.text, '$1')).toBeUndefined();
    expect(d.constant('lone \uD800 surrogate', T.text, '$1')).toBeUndefined();
    expect(d.constant('pair 😀', T.text, '$1')).toEqual({ sql: '$1::pg_catalog.text', value: 'pair 😀' });
    expect(d.aggregate('min', ['"b"'], [T.bool], false, T.bool)).toBeUndefined();
    expect(d.aggregate('sum', ['"i"'], [T.int8], false, T.numeric)).toBe('pg_catalog.sum("i")');
    expect(d.aggregate('count', [], [], false, T.numeric)).toBe('CAST(pg_catalog.count(*) AS numeric)');
    const other = postgresqlDialect({ byteOrderText: false });
    expect(other.comparable(T.text)).toBe(false);
    expect(other.comparable(T.int4)).toBe(true);
  });
});

describe('EXPLAIN', () => {
  it('shows the statement PostgreSQL receives, with its parameters', async () => {
    const table: TableMetadata = (await connector.getTable(session, 'public', 'nums'))!;
    const filtered = connector.applyFilter(session, table, [{ kind: 'call', name: '=', type: T.bool, args: [{ kind: 'column', column: 0, type: T.int4 }, { kind: 'constant', text: '7', type: T.int4 }] }])!;
    expect(connector.describeTable(filtered.table)).toBe(
      'SELECT "id", "x", "n", "f", "d", "ts" FROM "public"."nums" WHERE (("id") = ($1::pg_catalog.int4)) [$1=\'7\']');
  });
});
