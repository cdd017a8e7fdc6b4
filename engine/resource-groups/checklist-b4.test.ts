/**
 * CHECKLIST-reliability.md b.4 line 81 (docs/reliability-checklist.md maps every line to its
 * test): after many cycles of sign-in failure, cancel, statement_timeout, abrupt disconnect and
 * authentication timeout, the connection-slot and resource-group counters return exactly to 0.
 * The group's softMemoryLimit is far below what the long query holds (some 300MB), so the churn
 * also runs through memory reports and memory-share admission.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLimiter } from '../../auth/connection-limits.js';
import { tpchConnectorFactory } from '../../connectors/tpch/index.js';
import { silentLogger } from '../../server/log.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { scramSignIn } from '../../server/testing/sign-in.js';
import { cancelPgClient, WireClient } from '../../server/testing/wire-client.js';
import { createEngine } from '../index.js';
import { parseResourceGroups } from './config.js';
import { ResourceGroupManager } from './resource-group-manager.js';

/** Runs for minutes unless cancelled. */
const LONG_QUERY = 'SELECT count(*) FROM tpch.sf1.lineitem a, tpch.sf1.lineitem b';
const CYCLES = 60;

const signIn = scramSignIn({ alice: 's3cret' }, 'lakegate-b4-');
const limiter = new ConnectionLimiter({ maxConnections: 20, perUser: { alice: 10 } });
const groups = new ResourceGroupManager(() =>
  parseResourceGroups(JSON.stringify({ rootGroups: [{ name: 'global', hardConcurrencyLimit: 2, maxQueued: 4, softMemoryLimit: '1MB' }], selectors: [{ group: 'global' }] })),
);
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    engine: createEngine({ catalogs: new Map([['tpch', tpchConnectorFactory.create('tpch', {})]]), admission: groups }),
    port: 0,
    log: silentLogger,
    authenticationTimeoutMs: 300,
    connectionLimiter: limiter,
    authenticate: signIn.authenticate,
  });
});

afterAll(async () => {
  await server.close();
  signIn.remove();
});

async function connect(password = 's3cret'): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'alice', password, database: 'tpch' });
  client.on('error', () => {});
  await client.connect();
  return client;
}

const cancel = (client: pg.Client) => cancelPgClient(server.port, client);

const running = () => groups.stats().reduce((n, s) => n + s.running, 0);

/** One cycle of each way a connection or a statement can end badly. */
const cycle: (() => Promise<void>)[] = [
  async () => {
    await expect(connect('wrong')).rejects.toMatchObject({ code: '28P01' });
  },
  async () => {
    const c = await connect();
    const q = c.query(LONG_QUERY);
    q.catch(() => undefined);
    await expect.poll(running).toBeGreaterThan(0);
    await cancel(c);
    await expect(q).rejects.toMatchObject({ code: '57014' });
    await c.end();
  },
  async () => {
    const c = await connect();
    await c.query("SET statement_timeout = '50ms'");
    await expect(c.query(LONG_QUERY)).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    await c.end();
  },
  async () => {
    const c = await connect();
    c.query(LONG_QUERY).catch(() => undefined);
    await expect.poll(running).toBeGreaterThan(0);
    (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  },
  async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'StartupMessage', Parameters: { user: 'alice', database: 'tpch' } });
    expect(await c.untilClosed()).toMatchObject([{ Type: 'Authentication', Code: 10 }]);
    c.destroy();
  },
];

describe('b.4 line 81: counters after churn', () => {
  it(`return to 0 after ${CYCLES} rounds of auth failure, cancel, timeout, disconnect and authentication timeout`, async () => {
    for (let i = 0; i < CYCLES; i++) await cycle[i % cycle.length]!();
    await expect.poll(() => server.connectionCount(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => groups.stats(), { timeout: 10_000 }).toEqual([]);
    expect(limiter.counts()).toEqual({ total: 0, byUser: {} });
    const c = await connect();
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await c.end();
  }, 60_000);
});
