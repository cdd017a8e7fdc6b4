/**
 * Connection limits (CHECKLIST-reliability.md b.4 items 74, 75, 81 in part): max_connections,
 * a reserved admin slot, per-user limits, and counters that return to 0 after disconnects and
 * failed sign-ins.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import { silentLogger } from '../server/log.js';
import { startServer, type RunningServer } from '../server/server.js';
import { createFakeEngine } from '../server/testing/fake-engine.js';
import { WireClient } from '../server/testing/wire-client.js';
import { ConnectionLimiter, parseConnectionLimits } from './connection-limits.js';

const limiter = new ConnectionLimiter({ maxConnections: 3, reservedConnections: 1, reservedUsers: ['admin'], perUser: { carol: 1 } });
let server: RunningServer;

beforeAll(async () => {
  const engine = createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });
  server = await startServer({ engine, port: 0, log: silentLogger, connectionLimiter: limiter, authenticationTimeoutMs: 300 });
});

afterAll(async () => {
  await server.close();
});

async function connect(user: string): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user, database: 'd' });
  await client.connect();
  await client.query('select 1');
  return client;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('connection limits', () => {
  it('max_connections: the next client gets FATAL 53300; the reserved slot still admits an admin', async () => {
    const a = await connect('u1');
    const b = await connect('u2');
    await expect(connect('u3')).rejects.toMatchObject({ code: '53300', severity: 'FATAL', message: 'remaining connection slots are reserved for administrators' });
    const admin = await connect('admin');
    await expect(connect('admin')).rejects.toMatchObject({ code: '53300', message: 'sorry, too many clients already' });
    expect(limiter.counts()).toEqual({ total: 3, byUser: { u1: 1, u2: 1, admin: 1 } });
    await Promise.all([a.end(), b.end(), admin.end()]);
    await until(() => limiter.counts().total === 0);
    expect(limiter.counts()).toEqual({ total: 0, byUser: {} });
  });

  it('a per-user limit refuses only that user', async () => {
    const c1 = await connect('carol');
    await expect(connect('carol')).rejects.toMatchObject({ code: '53300', message: 'too many connections for role "carol"' });
    const other = await connect('dave');
    await Promise.all([c1.end(), other.end()]);
    await until(() => limiter.counts().total === 0);
  });

  it('connections that never finish startup hold no slot, and counters return to 0 after churn', async () => {
    const idle = await Promise.all(Array.from({ length: 10 }, () => WireClient.connect(server.port)));
    const ok = await connect('u1');
    expect(limiter.counts().total).toBe(1);
    for (let i = 0; i < 30; i++) {
      const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: i % 2 ? 'carol' : 'erin', database: 'd' });
      await c.connect().then(() => c.end()).catch(() => {});
    }
    await ok.end();
    for (const c of idle) c.destroy();
    await until(() => limiter.counts().total === 0 && server.connectionCount() === 0);
    expect(limiter.counts()).toEqual({ total: 0, byUser: {} });
  });

  it('a slot is given back only once', () => {
    const l = new ConnectionLimiter({ maxConnections: 1 });
    const release = l.acquire('x');
    release();
    release();
    expect(l.counts().total).toBe(0);
    l.acquire('y');
    expect(() => l.acquire('z')).toThrow(/too many clients/);
  });

  it('parses limits from configuration', () => {
    expect(parseConnectionLimits({})).toBeNull();
    expect(parseConnectionLimits({ maxConnections: 10, userConnectionLimits: { a: 2 } })).toMatchObject({ maxConnections: 10, perUser: { a: 2 } });
    expect(() => parseConnectionLimits({ maxConnections: -1 })).toThrow(/non-negative/);
  });
});
