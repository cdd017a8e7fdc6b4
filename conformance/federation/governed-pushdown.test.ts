// Access control in front of a real PostgreSQL: an analyst's row filter (region = 'EU') and
// e-mail mask hold for SELECT *, joins, GROUP BY and EXPLAIN, and the filter is part of the
// SQL PostgreSQL receives: pg_stat_activity shows it while the scan runs and after, and the
// test database logs every statement (log_statement = 'all'), which the test reads from the
// server's log (scripts/services/postgres.sh keeps it beside the data directory).
//   PG_TEST_PORT (scripts/test-all.sh federation)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorFactories } from '../../connectors/registry.js';
import type { Connector } from '../../connectors/spi/index.js';
import { FileAccessControl, createEngine } from '../../engine/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';

const pgPort = Number(process.env.PG_TEST_PORT ?? 54329);
const db = `governed_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const RULES = {
  catalogs: [{ group: 'analyst', catalog: 'pg|memory', allow: 'read-only' }, { group: 'etl|writer|reader', catalog: 'pg', allow: 'all' }],
  tables: [
    {
      group: 'analyst', catalog: 'pg', schema: 'public', table: 'customers', privileges: ['SELECT'], filter: "region = 'EU'",
      columns: [{ name: 'email', mask: "regexp_replace(email, '^[^@]+', '***')" }],
    },
    { group: 'analyst', catalog: 'pg', schema: 'public', table: 'orders', privileges: ['SELECT', 'INSERT'] },
    { group: 'analyst', catalog: 'pg', schema: 'public', table: 'loud', privileges: ['SELECT'], filter: "region = 'EU'" },
    { group: 'writer', catalog: 'pg', schema: 'public', table: 'customers', privileges: ['SELECT', 'INSERT'], filter: "region = 'EU'" },
    { group: 'writer', catalog: 'pg', schema: 'public', table: 'orders', privileges: ['SELECT', 'INSERT'] },
    { group: 'etl|reader', catalog: 'pg', privileges: ['SELECT'] },
  ],
  functions: [{ group: 'etl|analyst', catalog: 'pg', schema: 'system', function: 'query', privileges: ['EXECUTE'] }],
};

let dir: string;
let admin: pg.Client;
let source: pg.Client;
let catalogs: Map<string, Connector>;
let analyst: TestSession;
let control: FileAccessControl;
const sessionOf = (user: string, group: string) => openTestSession(catalogs, user, 'pg', { groups: [group], accessControl: control });

beforeAll(async () => {
  admin = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  source = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: db });
  await source.connect();
  await source.query(`CREATE TABLE public.customers (id int PRIMARY KEY, region text NOT NULL, email text NOT NULL);
    INSERT INTO public.customers SELECT g, CASE WHEN g % 3 = 0 THEN 'EU' ELSE 'US' END, 'user' || g || '@example.com' FROM generate_series(1, 50000) g;
    CREATE TABLE public.orders (order_id int, customer_id int, amount int);
    INSERT INTO public.orders SELECT g, g % 50 + 1, g FROM generate_series(1, 200) g;
    CREATE FUNCTION public.shout(r text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE WARNING 'upstream saw region %', r; RETURN r; END $$;
    CREATE VIEW public.loud AS SELECT id, public.shout(region) AS region FROM public.customers WHERE id <= 6;
    ANALYZE`);
  await admin.query(`ALTER DATABASE ${db} SET log_statement = 'all'`);
  dir = mkdtempSync(join(tmpdir(), 'lakegate-governed-'));
  writeFileSync(join(dir, 'rules.json'), JSON.stringify(RULES));
  control = new FileAccessControl({ path: join(dir, 'rules.json'), refreshMs: 0, log: () => undefined });
  catalogs = new Map([['pg', connectorFactories.get('postgresql')!.create('pg', { 'connection-url': `jdbc:postgresql://127.0.0.1:${pgPort}/${db}`, 'connection-user': 'postgres' })]]);
  analyst = sessionOf('ann', 'analyst');
});

afterAll(async () => {
  await (catalogs?.get('pg') as unknown as { close(): Promise<void> } | undefined)?.close();
  await source?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin?.end();
  rmSync(dir, { recursive: true, force: true });
});

/** The statements on `customers` PostgreSQL logged while `work` ran, each with its parameters line. */
async function sentToPostgres(work: () => Promise<void>): Promise<string[]> {
  const log = join(dirname((await admin.query("SELECT current_setting('data_directory') AS d")).rows[0].d as string), 'postgres.log');
  const before = readFileSync(log, 'utf8').length;
  await work();
  const lines = readFileSync(log, 'utf8').slice(before).split('\n');
  return lines.flatMap((l, i) => (l.includes('"customers"') ? [lines[i + 1]?.includes('DETAIL:') ? `${l}\n${lines[i + 1]}` : l] : []));
}

describe('row filter and mask on a PostgreSQL table', () => {
  it('shows the analyst only EU rows with masked e-mails', async () => {
    const got = await analyst.query('SELECT * FROM pg.public.customers WHERE id <= 9 ORDER BY id');
    expect(got.rows).toEqual([['3', 'EU', '***@example.com'], ['6', 'EU', '***@example.com'], ['9', 'EU', '***@example.com']]);
    expect((await analyst.query('SELECT region, count(*) FROM pg.public.customers GROUP BY region')).rows).toEqual([['EU', '16666']]);
    expect((await analyst.query('SELECT count(*) FROM pg.public.orders o JOIN pg.public.customers c ON c.id = o.customer_id')).rows)
      .toEqual([[String((await source.query("SELECT count(*) FROM public.orders o JOIN public.customers c ON c.id = o.customer_id WHERE c.region = 'EU'")).rows[0].count)]]);
    const plan = (await analyst.query('EXPLAIN SELECT * FROM pg.public.customers')).rows.map((r) => r[0]).join('\n');
    expect(plan).not.toContain("'EU'");
    expect(plan).not.toContain('regexp_replace');
  });

  it('shows the remote SQL with the row filter in pg_stat_activity, during the scan and after', async () => {
    const remoteQueries = async () => (await admin.query(
      "SELECT state, query FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND application_name = 'lakegate'", [db])).rows as { state: string; query: string }[];
    // The rule's constant is written into the statement (an administrator's, not the client's): the filter reads as such.
    const filter = /WHERE \(\(\("region"\) COLLATE "C"\) = \(\('EU'::pg_catalog\.text\) COLLATE "C"\)\)/;
    // A cursor of the gateway session holds the scan open between fetches: the upstream statement is live.
    await analyst.query('BEGIN');
    await analyst.query('DECLARE c CURSOR FOR SELECT id, email FROM pg.public.customers');
    expect((await analyst.query('FETCH 2 FROM c')).rows).toEqual([['3', '***@example.com'], ['6', '***@example.com']]);
    const during = (await remoteQueries()).filter((r) => r.query.includes('"customers"'));
    expect(during.length).toBeGreaterThan(0);
    for (const r of during) expect(r.query).toMatch(filter);
    await analyst.query('CLOSE c');
    await analyst.query('COMMIT');
    expect((await analyst.query('SELECT max(id) FROM pg.public.customers WHERE id < 1000')).rows).toEqual([['999']]);
    const after = (await remoteQueries()).filter((r) => r.query.includes('"customers"'));
    expect(after.some((r) => r.state === 'idle' && filter.test(r.query))).toBe(true);
  });

  it('sends the row filter to PostgreSQL as part of the remote SQL', async () => {
    const sent = await sentToPostgres(async () => {
      expect((await analyst.query('SELECT count(*) FROM pg.public.customers WHERE id > 100')).rows).toEqual([['16633']]);
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/WHERE \(\(\("region"\) COLLATE "C"\) = \(\('EU'::pg_catalog\.text\) COLLATE "C"\)\) AND/);
    // the query's own constant stays a bound parameter
    expect(sent[0]).toMatch(/DETAIL: {2}parameters: \$1 = '100'/);
  });
});

describe('predicates, native queries and writes under the rules, against PostgreSQL', () => {
  it('a predicate on a masked column compares the masked value; the raw value never reaches PostgreSQL', async () => {
    const sent = await sentToPostgres(async () => {
      expect((await analyst.query("SELECT count(*) FROM pg.public.customers WHERE email = 'user3@example.com'")).rows).toEqual([['0']]);
      expect((await analyst.query("SELECT count(*) FROM pg.public.customers WHERE email = '***@example.com'")).rows).toEqual([['16666']]);
    });
    expect(sent.length).toBeGreaterThan(0);
    for (const statement of sent) {
      expect(statement).not.toContain('user3@example.com');
      expect(statement.slice(statement.indexOf(' WHERE '))).not.toContain('"email"');
    }
  });

  it('a predicate that can fail runs after the row filter, also when the filter runs in PostgreSQL', async () => {
    // id 4 is a US row, hidden from the analyst: 10 / (id - 4) must never be evaluated for it.
    const sent = await sentToPostgres(async () => {
      expect((await analyst.query('SELECT count(*) FROM pg.public.customers WHERE 10 / (id - 4) >= 0 AND id < 100')).rows).toEqual([['32']]);
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toContain('/');
    expect(sent[0]).toMatch(/"region"/);
    await expect(sessionOf('rita', 'reader').query('SELECT count(*) FROM pg.public.customers WHERE 10 / (id - 4) >= 0')).rejects.toMatchObject({ code: '22012' });
  });

  it('a native query needs EXECUTE, and is refused to a user whose row filters and masks it would skip', async () => {
    const native = "SELECT * FROM pg.system.query('SELECT count(*) AS n FROM public.customers')";
    expect((await sessionOf('eve', 'etl').query(native)).rows).toEqual([['50000']]);
    await expect(sessionOf('rita', 'reader').query(native)).rejects.toMatchObject({ code: '42501', message: 'permission denied for function pg.system.query' });
    // The analyst holds an EXECUTE rule, but a filter and a mask govern them in catalog pg.
    await expect(analyst.query(native)).rejects.toMatchObject({ code: '42501', message: 'permission denied for function pg.system.query' });
  });

  it('INSERT needs the privilege; a row-filtered table refuses INSERT; UPDATE and DELETE are refused', async () => {
    await expect(sessionOf('rita', 'reader').query('INSERT INTO pg.public.orders VALUES (1001, 3, 5)')).rejects.toMatchObject({ code: '42501' });
    // The analyst may INSERT into orders, but the catalog is read-only for their group.
    await expect(analyst.query('INSERT INTO pg.public.orders VALUES (1001, 3, 5)')).rejects.toMatchObject({ code: '42501' });
    const writer = sessionOf('walt', 'writer');
    await writer.query('INSERT INTO pg.public.orders VALUES (1001, 3, 5)');
    expect((await source.query('SELECT amount FROM public.orders WHERE order_id = 1001')).rows).toEqual([{ amount: 5 }]);
    await expect(writer.query("INSERT INTO pg.public.customers VALUES (50001, 'US', 'x@example.com')")).rejects.toMatchObject({ code: '42501' });
    expect((await source.query('SELECT count(*)::int AS n FROM public.customers WHERE id = 50001')).rows).toEqual([{ n: 0 }]);
    await expect(writer.query('DELETE FROM pg.public.orders WHERE order_id = 1001')).rejects.toMatchObject({ code: '42501' });
    await expect(writer.query('UPDATE pg.public.orders SET amount = 6 WHERE order_id = 1001')).rejects.toMatchObject({ code: expect.stringMatching(/^(42501|0A000)$/) });
    expect((await source.query('SELECT amount FROM public.orders WHERE order_id = 1001')).rows).toEqual([{ amount: 5 }]);
  });

  it("no policy text reaches the gateway's pg_stat_activity or the client as an upstream warning", async () => {
    // Two sessions of one engine: the second reads the first's row while its governed cursor is open.
    const engine = createEngine({ catalogs, accessControl: control });
    const [holder, watcher] = ['ann', 'ann'].map((u) => openTestSession(catalogs, u, 'pg', { groups: ['analyst'], engine }));
    await holder!.query('BEGIN');
    await holder!.query('DECLARE c CURSOR FOR SELECT id, email FROM pg.public.customers');
    expect((await holder!.query('FETCH 1 FROM c')).rows).toEqual([['3', '***@example.com']]);
    const activity = (await watcher!.query("SELECT query FROM pg_catalog.pg_stat_activity WHERE usename = 'ann'")).rows.map((r) => r[0]);
    expect(activity).toContain('FETCH 1 FROM c');
    for (const text of activity) expect(text).not.toMatch(/EU|regexp_replace|\*\*\*/);
    await holder!.query('COMMIT');
    // PostgreSQL raises a WARNING per row it reads for the view; none is passed on to the client.
    const before = analyst.notices.length;
    expect((await analyst.query('SELECT id, region FROM pg.public.loud ORDER BY id')).rows).toEqual([['3', 'EU'], ['6', 'EU']]);
    expect(analyst.notices.slice(before)).toEqual([]);
  });
});
