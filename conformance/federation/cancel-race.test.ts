// Checklist b.1 line 28 against a real upstream: 100 concurrent CancelRequests for session A,
// whose statement holds the only pooled PostgreSQL session of catalog `pg`, while session B waits
// for that same upstream session. A gets exactly one 57014, the upstream statement stops, B's
// query then runs on the freed pool slot, and both sessions keep working.
//   PG_TEST_PORT (scripts/test-all.sh federation)
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectorFactories } from '../../connectors/registry.js';
import type { Connector } from '../../connectors/spi/index.js';
import { createEngine } from '../../engine/index.js';
import { silentLogger } from '../../server/log.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { cancelPgClient } from '../../server/testing/wire-client.js';

const pgPort = Number(process.env.PG_TEST_PORT ?? 54329);
const db = `cancel_race_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const APP = `lakegate_${db}`;

let admin: pg.Client;
let connector: Connector;
let server: RunningServer;

const upstream = async () =>
  (await admin.query('SELECT state, query FROM pg_catalog.pg_stat_activity WHERE application_name = $1', [APP])).rows as { state: string; query: string }[];

beforeAll(async () => {
  admin = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const setup = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: db });
  await setup.connect();
  await setup.query(`CREATE VIEW public.slow AS SELECT pg_catalog.pg_sleep(60)::text AS s;
    CREATE TABLE public.small AS SELECT g AS id FROM pg_catalog.generate_series(1, 1000) g`);
  await setup.end();
  connector = connectorFactories.get('postgresql')!.create('pg', {
    'connection-url': `jdbc:postgresql://127.0.0.1:${pgPort}/${db}?ApplicationName=${APP}`, 'connection-user': 'postgres', 'postgresql.max-connections': '1',
  });
  server = await startServer({ engine: createEngine({ catalogs: new Map([['pg', connector]]) }), port: 0, log: silentLogger });
});

afterAll(async () => {
  await server?.close(); // closes the engine, and with it the catalog's pool
  await admin?.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin?.end();
});

it('100 concurrent cancels end A once; B, waiting for the same upstream session, then completes', async () => {
  const client = async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'pg' });
    await c.connect();
    return c;
  };
  const a = await client();
  const b = await client();
  try {
    const slow = a.query('SELECT s FROM pg.public.slow').then(() => null, (e: unknown) => e);
    await expect.poll(async () => (await upstream()).some((r) => r.state === 'active' && r.query.includes('"slow"')), { timeout: 10_000 }).toBe(true);
    const waiting = b.query('SELECT count(*) AS n FROM pg.public.small WHERE id % 7 = 0');
    await Promise.all(Array.from({ length: 100 }, () => cancelPgClient(server.port, a)));
    expect(await slow).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    expect((await waiting).rows).toEqual([{ n: '142' }]);
    await expect.poll(async () => (await upstream()).every((r) => r.state === 'idle'), { timeout: 5_000 }).toBe(true);
    expect((await a.query('SELECT count(*) AS n FROM pg.public.small')).rows).toEqual([{ n: '1000' }]);
    expect((await b.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  } finally {
    await a.end();
    await b.end();
  }
});
