/**
 * Hostile and malformed connections (CHECKLIST-reliability.md b.1): each probe closes only
 * its own connection, with the FATAL PostgreSQL sends (or silently where PostgreSQL only
 * logs), while a concurrent session keeps working and file descriptors return to baseline.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import type { Logger } from './log.js';
import { startServer, type RunningServer } from './server.js';
import { createFakeEngine } from './testing/fake-engine.js';
import { encodeFrontend, WireClient, type WireJson } from './testing/wire-client.js';

const engine = createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });
const logged: string[] = [];
const log: Logger = { info: () => {}, warn: (m) => logged.push(m) };
const user = { user: 'u', database: 'd' };
let server: RunningServer;
let bystander: WireClient;
let baselineFds: number;

const openFds = () => readdirSync('/proc/self/fd').length;
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
/** A startup packet with the given length word and body. */
const startupBytes = (length: number, body: Buffer = Buffer.alloc(0)) => Buffer.concat([u32(length), body]);
const startupBody = (params: Record<string, string>) =>
  Buffer.concat([u32(196608), ...Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`)), Buffer.of(0)]);

async function probe(...messages: (WireJson | Buffer)[]): Promise<WireJson[]> {
  const c = await WireClient.connect(server.port);
  c.send(...messages);
  const got = await c.untilClosed();
  c.destroy();
  return got;
}

async function bystanderStillWorks(): Promise<void> {
  bystander.send({ Type: 'Query', String: 'select 1' });
  expect((await bystander.until('ReadyForQuery')).map((m) => m.Type)).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
}

beforeAll(async () => {
  server = await startServer({ engine, port: 0, log, maxMessageBytes: 1 << 20, authenticationTimeoutMs: 500 });
  bystander = await WireClient.connect(server.port);
  await bystander.startup(user);
  baselineFds = openFds();
});

afterAll(async () => {
  bystander.destroy();
  await server.close();
});

const fatal = (code: string, message: string) => [{ Type: 'ErrorResponse', Severity: 'FATAL', Code: code, Message: message }];

describe('malformed startup', () => {
  it.each([
    ['length 0x7FFFFFFF', 0x7fffffff],
    ['length 0xFFFFFFFF', 0xffffffff],
    ['length 4', 4],
    ['length 7', 7],
    ['a 10 001-byte body', 10_005],
  ])('closes on %s without a reply and logs 08P01', async (_, length) => {
    logged.length = 0;
    expect(await probe(startupBytes(length, Buffer.alloc(16)))).toEqual([]);
    expect(logged).toContain('closing connection: 08P01 invalid length of startup packet');
    await bystanderStillWorks();
  });

  it('accepts a 10 000-byte body with a valid layout', async () => {
    const base = startupBody({ user: 'u', application_name: '' });
    const body = startupBody({ user: 'u', application_name: 'x'.repeat(10_000 - base.length) });
    expect(body.length).toBe(10_000);
    const c = await WireClient.connect(server.port);
    c.send(startupBytes(10_004, body));
    expect((await c.until('ReadyForQuery')).at(-1)).toEqual({ Type: 'ReadyForQuery', TxStatus: 'I' });
    c.destroy();
  });

  it.each([1, 2, 3])('closes after %d bytes of a length word and FIN, logging an incomplete packet', async (n) => {
    logged.length = 0;
    const c = await WireClient.connect(server.port);
    c.send(Buffer.alloc(n, 0));
    c.end();
    expect(await c.untilClosed()).toEqual([]);
    c.destroy();
    expect(logged).toContain('incomplete startup packet');
  });

  it('closes a connection that sends nothing, without logging an incomplete packet', async () => {
    logged.length = 0;
    const c = await WireClient.connect(server.port);
    c.end();
    expect(await c.untilClosed()).toEqual([]);
    c.destroy();
    expect(logged).toEqual([]);
  });

  it('rejects a startup packet without the final terminator', async () => {
    const body = startupBody(user).subarray(0, -1);
    expect(await probe(startupBytes(body.length + 4, body))).toMatchObject(
      fatal('08P01', 'invalid startup packet layout: expected terminator as last byte'),
    );
  });

  it.each([
    [2, 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0'],
    [4, 'unsupported frontend protocol 4.0: server supports 3.0 to 3.0'],
  ])('rejects protocol %d.0 with FATAL 0A000', async (major, message) => {
    const body = Buffer.concat([u32(major << 16), Buffer.from('user\0u\0\0')]);
    expect(await probe(startupBytes(body.length + 4, body))).toMatchObject(fatal('0A000', message));
  });

  it('closes a CancelRequest of the wrong length silently', async () => {
    const body = Buffer.concat([u32(80877102), u32(1)]);
    expect(await probe(startupBytes(body.length + 4, body))).toEqual([]);
    await bystanderStillWorks();
  });

  it('ignores a CancelRequest with an unknown key and closes', async () => {
    expect(await probe({ Type: 'CancelRequest', ProcessID: 1, SecretKey: 2 })).toEqual([]);
  });

  it('refuses SSLRequest without TLS and rejects plaintext sent along with it', async () => {
    expect(await probe({ Type: 'SSLRequest' }, { Type: 'StartupMessage', Parameters: user })).toMatchObject([
      { Type: 'EncryptionResponse', Response: 'N' },
      ...fatal('08P01', 'received unencrypted data after SSL request'),
    ]);
  });

  it('answers GSSENCRequest with N and then accepts a normal startup', async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'GSSEncRequest' });
    expect(await c.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'N' });
    expect((await c.startup(user)).at(-1)).toEqual({ Type: 'ReadyForQuery', TxStatus: 'I' });
    c.destroy();
  });

  it('rejects a second SSLRequest with FATAL 0A000', async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'SSLRequest' });
    expect(await c.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'N' });
    c.send(startupBytes(8, u32(80877103)));
    expect(await c.untilClosed()).toMatchObject(fatal('0A000', 'unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0'));
    c.destroy();
  });

  it('closes a connection that does not finish startup within authentication_timeout', async () => {
    logged.length = 0;
    const c = await WireClient.connect(server.port);
    c.send(Buffer.of(0, 0));
    expect(await c.untilClosed()).toEqual([]);
    c.destroy();
    expect(logged).toContain('closing connection: authentication timeout');
  });
});

describe('malformed messages after startup', () => {
  async function ready(): Promise<WireClient> {
    const c = await WireClient.connect(server.port);
    await c.startup(user);
    return c;
  }

  it.each([
    ['an unknown message type', Buffer.from('z'), fatal('08P01', 'invalid frontend message type 122')],
    ['a length below 4', Buffer.concat([Buffer.from('Q'), u32(3)]), []],
    ['a Sync longer than 10 000 bytes', Buffer.concat([Buffer.from('S'), u32(10_001)]), []],
    ['an Execute of 2 GiB', Buffer.concat([Buffer.from('E'), u32(0x80000000)]), []],
    [
      'a Query over --max-message-bytes',
      Buffer.concat([Buffer.from('Q'), u32(0x40000000), Buffer.from('select')]),
      fatal('08P01', 'message of 1073741824 bytes exceeds the maximum of 1048576 bytes'),
    ],
  ] as [string, Buffer, WireJson[]][])('closes on %s', async (_, bytes, expected) => {
    const c = await ready();
    c.send(bytes);
    expect(await c.untilClosed()).toMatchObject(expected);
    c.destroy();
    await bystanderStillWorks();
  });

  it('does not allocate a declared 1 GiB Query up front', async () => {
    const c = await WireClient.connect(server.port);
    await c.startup(user);
    const before = process.memoryUsage().arrayBuffers;
    const big = await startServer({ engine, port: 0, log, maxMessageBytes: 1 << 30 });
    const d = await WireClient.connect(big.port);
    await d.startup(user);
    d.send(Buffer.concat([Buffer.from('Q'), u32(1 << 30), Buffer.alloc(100)]));
    await new Promise((r) => setTimeout(r, 100));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
    d.destroy();
    c.destroy();
    await big.close();
  });
});

describe('a pipelining client that never reads', () => {
  it('keeps the server from buffering without bound', async () => {
    const c = await WireClient.connect(server.port);
    await c.startup(user);
    c.pause();
    const batch = Buffer.concat(
      Array.from({ length: 1000 }, () => [
        { Type: 'Parse', Query: 'select 1' },
        { Type: 'Bind' },
        { Type: 'Execute' },
      ]).flat().map((m) => encodeFrontend(m as WireJson)),
    );
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 200; i++) c.send(batch);
    await new Promise((r) => setTimeout(r, 1000));
    expect(process.memoryUsage().rss - before).toBeLessThan(200 << 20);
    c.destroy();
    await bystanderStillWorks();
  });
});

describe('after all probes', () => {
  it('file descriptors return to baseline', async () => {
    await expect.poll(() => server.connectionCount(), { timeout: 5000 }).toBe(1);
    await expect.poll(openFds, { timeout: 5000 }).toBeLessThanOrEqual(baselineFds);
    await bystanderStillWorks();
  });
});
