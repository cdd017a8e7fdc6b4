/**
 * authentication_timeout under a hostile client (issue 8 Done-means; CHECKLIST-reliability.md
 * b.1 item 8, b.2 item 39, b.4 item 84): 1,000 connections that never finish their startup —
 * silent, half a startup packet, a TLS handshake that stops after SSLRequest, a SCRAM exchange
 * that stops after AuthenticationSASL — hold no connection slot and little memory, do not stop
 * a normal client from signing in and querying, and are all closed silently by the timeout;
 * file descriptors return to baseline. A TLS ClientHello cut off halfway (after SSLRequest, or
 * direct TLS) is closed by the timeout too, and a graceful shutdown during a storm of pending
 * startups finishes promptly.
 */
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLimiter } from '../auth/connection-limits.js';
import { T } from '../engine/types/pg-type.js';
import type { Logger } from './log.js';
import { startServer, type RunningServer } from './server.js';
import { createFakeEngine } from './testing/fake-engine.js';
import { scramSignIn } from './testing/sign-in.js';
import { encodeFrontend } from './testing/wire-client.js';

const TIMEOUT_MS = 2000;
const HOSTILE = 1000;

const signIn = scramSignIn({ alice: 's3cret' }, 'lakegate-auth-timeout-');
const logged: string[] = [];
const log: Logger = { info: () => {}, warn: (m) => logged.push(m) };
const limiter = new ConnectionLimiter({ maxConnections: 2 });
const engine = () => createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });
let server: RunningServer;

const openFds = () => readdirSync('/proc/self/fd').length;

beforeAll(async () => {
  server = await startServer({
    engine: engine(),
    port: 0,
    log,
    tls: 'self-signed',
    authenticationTimeoutMs: TIMEOUT_MS,
    connectionLimiter: limiter,
    authenticate: signIn.authenticate,
  });
});

afterAll(async () => {
  await server.close();
  signIn.remove();
});

interface Hostile {
  readonly socket: Socket;
  /** Bytes the server sent. */
  received: number;
  /** When the server closed it, in ms after it was opened; null while open. */
  closedAfter: number | null;
}

const startup = encodeFrontend({ Type: 'StartupMessage', Parameters: { user: 'alice', database: 'd' } });
const sslRequest = encodeFrontend({ Type: 'SSLRequest' });

/** What each hostile connection sends before it goes quiet. */
const behaviours: [string, Buffer][] = [
  ['nothing', Buffer.alloc(0)],
  ['half a startup packet', startup.subarray(0, Math.floor(startup.length / 2))],
  ['SSLRequest, then no TLS handshake', sslRequest],
  ['a startup packet, then no SASL response', startup],
];

/** Opens a connection that sends `bytes`, then `afterAnswer` once the server answered (e.g. 'S' to SSLRequest), then nothing. */
function openHostile(port: number, bytes: Buffer, afterAnswer?: Buffer): Promise<Hostile> {
  return new Promise((resolve, reject) => {
    const opened = performance.now();
    const socket = connect(port, '127.0.0.1');
    const h: Hostile = { socket, received: 0, closedAfter: null };
    socket.on('data', (d) => {
      if (h.received === 0 && afterAnswer) socket.write(afterAnswer);
      h.received += d.length;
    });
    socket.on('close', () => (h.closedAfter = performance.now() - opened));
    socket.on('error', () => {});
    socket.once('connect', () => {
      if (bytes.length > 0) socket.write(bytes);
      resolve(h);
    });
    socket.once('error', reject);
  });
}

describe(`${HOSTILE} connections that never finish their startup`, () => {
  it('do not stop a normal client, hold no slot, and are all closed by authentication_timeout', async () => {
    const warmup = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'alice', password: 's3cret', database: 'd' });
    await warmup.connect();
    await warmup.end();
    await expect.poll(() => server.connectionCount()).toBe(0);
    const baselineFds = openFds();
    const memoryBefore = process.memoryUsage();

    const hostile: Hostile[] = [];
    for (let i = 0; i < HOSTILE; i += 100) {
      hostile.push(...(await Promise.all(Array.from({ length: 100 }, (_, k) => openHostile(server.port, behaviours[(i + k) % behaviours.length]![1])))));
    }
    await expect.poll(() => server.connectionCount()).toBe(HOSTILE);
    const memoryAfter = process.memoryUsage();
    // Client and server sockets both live in this process (the two socket objects alone take
    // about 6 KB); a pending startup keeps no big buffer. About 9 KB per connection was measured.
    const perConnection = (memoryAfter.heapUsed + memoryAfter.arrayBuffers - memoryBefore.heapUsed - memoryBefore.arrayBuffers) / HOSTILE;
    expect(perConnection).toBeLessThan(16 * 1024);

    // A normal client signs in (SCRAM) and queries while all of them are pending.
    const started = performance.now();
    const normal = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'alice', password: 's3cret', database: 'd' });
    await normal.connect();
    expect((await normal.query('select 1')).rows).toEqual([{ '?column?': 1 }]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(limiter.counts().total).toBe(1);
    expect(hostile.every((h) => h.closedAfter === null)).toBe(true);

    await expect.poll(() => hostile.filter((h) => h.closedAfter === null).length, { timeout: TIMEOUT_MS + 5000, interval: 100 }).toBe(0);
    const closedAfter = hostile.map((h) => h.closedAfter!);
    expect(Math.min(...closedAfter)).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(Math.max(...closedAfter)).toBeLessThan(TIMEOUT_MS + 2000);
    // Closed without a message: silent clients got nothing at all; the others only the answer to
    // what they sent ('S' for SSLRequest, AuthenticationSASL for the startup packet).
    const receivedBytes = (k: number) => new Set(hostile.filter((_, i) => i % behaviours.length === k).map((h) => h.received));
    expect(receivedBytes(0)).toEqual(new Set([0]));
    expect(receivedBytes(1)).toEqual(new Set([0]));
    expect(receivedBytes(2)).toEqual(new Set([1]));
    expect(receivedBytes(3)).toEqual(new Set([24])); // AuthenticationSASL offering SCRAM-SHA-256
    expect(logged.filter((m) => m === 'closing connection: authentication timeout')).toHaveLength(HOSTILE);

    // The normal session is unaffected, and everything returns to baseline.
    expect((await normal.query('select 1')).rows).toEqual([{ '?column?': 1 }]);
    await normal.end();
    for (const h of hostile) h.socket.destroy();
    await expect.poll(() => server.connectionCount()).toBe(0);
    expect(limiter.counts()).toEqual({ total: 0, byUser: {} });
    await expect.poll(openFds, { timeout: 5000 }).toBeLessThanOrEqual(baselineFds);
  }, 30_000);
});

/** The first half of the ClientHello a TLS client (ALPN postgresql) sends: a handshake cut off mid-way. */
function halfClientHello(): Promise<Buffer> {
  return new Promise((resolve) => {
    const link = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        resolve(chunk.subarray(0, Math.floor(chunk.length / 2)));
        done();
        setImmediate(() => secure.destroy());
      },
    });
    const secure = tlsConnect({ socket: link, rejectUnauthorized: false, ALPNProtocols: ['postgresql'] });
    secure.on('error', () => {});
  });
}

interface Behaviour {
  readonly bytes: Buffer;
  readonly afterAnswer?: Buffer;
}

const openAll = (port: number, kinds: readonly Behaviour[], count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!).map((k) => openHostile(port, k.bytes, k.afterAnswer)));

describe('half-open TLS and shutdown', () => {
  const QUICK_TIMEOUT_MS = 500;
  /** A ClientHello cut off halfway: after SSLRequest and its 'S', and as direct TLS. */
  let halfOpenTls: Behaviour[];
  const serverWith = (authenticationTimeoutMs: number) =>
    startServer({ engine: engine(), port: 0, log, tls: 'self-signed', authenticationTimeoutMs, authenticate: signIn.authenticate, shutdownGraceMs: 200 });

  beforeAll(async () => {
    const half = await halfClientHello();
    halfOpenTls = [{ bytes: sslRequest, afterAnswer: half }, { bytes: half }];
  });

  it('a ClientHello cut off halfway, after SSLRequest or as direct TLS, is closed silently by authentication_timeout', async () => {
    const own = await serverWith(QUICK_TIMEOUT_MS);
    logged.length = 0;
    const hostile = await openAll(own.port, halfOpenTls, 100);
    await expect.poll(() => own.connectionCount()).toBe(hostile.length);
    const normal = new pg.Client({ host: '127.0.0.1', port: own.port, user: 'alice', password: 's3cret', database: 'd', ssl: { rejectUnauthorized: false } });
    await normal.connect();
    expect((await normal.query('select 1')).rows).toEqual([{ '?column?': 1 }]);
    await expect.poll(() => hostile.filter((h) => h.closedAfter === null).length, { timeout: QUICK_TIMEOUT_MS + 3000, interval: 50 }).toBe(0);
    expect(Math.min(...hostile.map((h) => h.closedAfter!))).toBeGreaterThanOrEqual(QUICK_TIMEOUT_MS - 50);
    // nothing but the 'S' answering SSLRequest
    expect(new Set(hostile.map((h, i) => `${i % 2}:${h.received}`))).toEqual(new Set(['0:1', '1:0']));
    expect(logged.filter((m) => m === 'closing connection: authentication timeout')).toHaveLength(hostile.length);
    expect((await normal.query('select 1')).rows).toEqual([{ '?column?': 1 }]);
    await normal.end();
    await own.close();
  });

  it('a graceful shutdown during a storm of pending startups finishes promptly and closes them all', async () => {
    const own = await serverWith(60_000);
    const hostile = await openAll(own.port, [...halfOpenTls, ...behaviours.map(([, bytes]) => ({ bytes }))], 300);
    await expect.poll(() => own.connectionCount()).toBe(hostile.length);
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(own.connectionCount()).toBe(0);
    await expect.poll(() => hostile.filter((h) => h.closedAfter === null).length, { timeout: 3000, interval: 50 }).toBe(0);
  });
});
