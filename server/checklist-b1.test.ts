/**
 * CHECKLIST-reliability.md b.1 lines not covered elsewhere (docs/reliability-checklist.md maps
 * every line to its test): a startup that trickles in (8), lengths below 4 and oversized small
 * messages of every type (14, 15), Bind format counts (19), an extended-protocol error inside a
 * transaction (20), invalid UTF-8 in a text parameter (24), a wrong cancel key (27), a cancel
 * storm next to another session (28), and seeded random inputs against the decoders and a live
 * server (29).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLimiter } from '../auth/connection-limits.js';
import { SqlError } from '../engine/errors/index.js';
import { T } from '../engine/types/pg-type.js';
import type { Logger } from './log.js';
import { FrameReader } from './protocol/frame-reader.js';
import { decodeMessage, decodeStartupPacket } from './protocol/frontend.js';
import { startServer, type RunningServer } from './server.js';
import { createFakeEngine } from './testing/fake-engine.js';
import { encodeFrontend, WireClient, type WireJson } from './testing/wire-client.js';

const engine = createFakeEngine({
  'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] },
  'select $1, $2': {
    columns: [
      { name: 'a', type: T.int4 },
      { name: 'b', type: T.text },
    ],
    paramTypes: [T.int4, T.text],
    rows: (p) => [[p[0], p[1]]],
  },
  'select sleep': { columns: [{ name: 's', type: T.int4 }], blockUntilAborted: true },
});
const logged: string[] = [];
const log: Logger = { info: () => {}, warn: (m) => logged.push(m) };
const user = { user: 'u', database: 'd' };
const AUTH_TIMEOUT_MS = 600;
const limiter = new ConnectionLimiter({ maxConnections: 100 });
let server: RunningServer;
let bystander: WireClient;

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const types = (ms: WireJson[]) => ms.map((m) => m.Type);

async function session(): Promise<WireClient> {
  const c = await WireClient.connect(server.port);
  await c.startup(user);
  return c;
}

async function bystanderStillWorks(): Promise<void> {
  bystander.send({ Type: 'Query', String: 'select 1' });
  expect(types(await bystander.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
}

beforeAll(async () => {
  server = await startServer({ engine, port: 0, log, maxMessageBytes: 1 << 20, authenticationTimeoutMs: AUTH_TIMEOUT_MS, connectionLimiter: limiter });
  bystander = await session();
});

afterAll(async () => {
  bystander.destroy();
  await server.close();
});

describe('b.1 line 8: a startup that trickles in', () => {
  it('is closed at authentication_timeout although bytes keep arriving, and holds no connection slot', async () => {
    const c = await WireClient.connect(server.port);
    const startup = encodeFrontend({ Type: 'StartupMessage', Parameters: user });
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < startup.length - 1) c.send(startup.subarray(sent, ++sent));
    }, 50);
    const opened = performance.now();
    const slotsBefore = limiter.counts().total;
    try {
      await new Promise((r) => setTimeout(r, AUTH_TIMEOUT_MS / 2));
      expect(limiter.counts().total).toBe(slotsBefore);
      expect(await c.untilClosed(AUTH_TIMEOUT_MS + 5000)).toEqual([]);
      const after = performance.now() - opened;
      expect(after).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 50);
      expect(after).toBeLessThan(AUTH_TIMEOUT_MS + 1000);
      expect(sent).toBeGreaterThan(5);
    } finally {
      clearInterval(trickle);
      c.destroy();
    }
    expect(limiter.counts().total).toBe(slotsBefore);
    await bystanderStillWorks();
  });

  it('does not block a graceful shutdown', async () => {
    const own = await startServer({ engine, port: 0, log, authenticationTimeoutMs: 60_000, shutdownGraceMs: 200 });
    const c = await WireClient.connect(own.port);
    c.send(Buffer.of(0, 0));
    await expect.poll(() => own.connectionCount()).toBe(1);
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(3000);
    await c.untilClosed();
    c.destroy();
  });
});

describe('b.1 lines 14 and 15: lengths below 4 and oversized small messages', () => {
  it('closes on a length word below 4 without a reply and logs 08P01', async () => {
    logged.length = 0;
    const c = await session();
    c.send(Buffer.concat([Buffer.from('P'), u32(2)]));
    expect(await c.untilClosed()).toEqual([]);
    c.destroy();
    expect(logged).toContain('closing connection: 08P01 invalid message length');
    await bystanderStillWorks();
  });

  it.each(['S', 'H', 'E', 'D', 'C', 'X'])('closes on %s declaring 10 001 bytes without reading the body, and logs 08P01', async (code) => {
    logged.length = 0;
    const c = await session();
    c.send(Buffer.concat([Buffer.from(code), u32(10_001), Buffer.alloc(64)]));
    expect(await c.untilClosed()).toEqual([]);
    c.destroy();
    expect(logged.some((m) => m.startsWith('closing connection: 08P01'))).toBe(true);
    await bystanderStillWorks();
  });
});

describe('b.1 lines 19, 20 and 24: malformed Bind, errors inside a transaction, invalid UTF-8 parameters', () => {
  it('rejects a parameter-format count that is neither 0, 1 nor the parameter count with 08P01, and goes on', async () => {
    const c = await session();
    c.send(
      { Type: 'Parse', Query: 'select $1, $2' },
      { Type: 'Bind', ParameterFormatCodes: [0, 0, 0], Parameters: ['1', 'x'] },
      { Type: 'Execute' },
      { Type: 'Sync' },
    );
    expect(await c.until('ReadyForQuery')).toMatchObject([
      { Type: 'ParseComplete' },
      { Type: 'ErrorResponse', Severity: 'ERROR', Code: '08P01', Message: 'bind message has 3 parameter formats but 2 parameters' },
      { Type: 'ReadyForQuery', TxStatus: 'I' },
    ]);
    c.send({ Type: 'Parse', Query: 'select $1, $2' }, { Type: 'Bind', ParameterFormatCodes: [0], Parameters: ['1', 'x'] }, { Type: 'Execute' }, { Type: 'Sync' });
    expect((await c.until('ReadyForQuery')).find((m) => m.Type === 'DataRow')).toEqual({ Type: 'DataRow', Values: [{ text: '1' }, { text: 'x' }] });
    c.destroy();
  });

  it('skips the rest of a pipeline after an error inside a transaction and answers one ReadyForQuery E', async () => {
    const c = await session();
    c.send({ Type: 'Query', String: 'begin' });
    expect((await c.until('ReadyForQuery')).at(-1)).toEqual({ Type: 'ReadyForQuery', TxStatus: 'T' });
    c.send(
      { Type: 'Parse', Query: 'select 1' },
      { Type: 'Bind', PreparedStatement: 'missing' },
      { Type: 'Execute' },
      { Type: 'Parse', Query: 'select 1' },
      { Type: 'Bind' },
      { Type: 'Execute' },
      { Type: 'Sync' },
    );
    expect(await c.until('ReadyForQuery')).toMatchObject([
      { Type: 'ParseComplete' },
      { Type: 'ErrorResponse', Code: '26000' },
      { Type: 'ReadyForQuery', TxStatus: 'E' },
    ]);
    // Nothing else was answered: the next messages belong to ROLLBACK.
    c.send({ Type: 'Query', String: 'rollback' });
    expect(await c.until('ReadyForQuery')).toEqual([
      { Type: 'CommandComplete', CommandTag: 'ROLLBACK' },
      { Type: 'ReadyForQuery', TxStatus: 'I' },
    ]);
    c.destroy();
  });

  it('rejects invalid UTF-8 in a text parameter with 22021, and goes on', async () => {
    const c = await session();
    c.send({ Type: 'Parse', Query: 'select $1, $2' }, { Type: 'Bind', Parameters: ['1', { binary: 'c328' }] }, { Type: 'Execute' }, { Type: 'Sync' });
    const msgs = await c.until('ReadyForQuery');
    expect(msgs.find((m) => m.Type === 'ErrorResponse')).toMatchObject({ Severity: 'ERROR', Code: '22021', Message: 'invalid byte sequence for encoding "UTF8": 0xc3 0x28' });
    expect(msgs.at(-1)).toEqual({ Type: 'ReadyForQuery', TxStatus: 'I' });
    c.send({ Type: 'Query', String: 'select 1' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    c.destroy();
  });
});

describe('b.1 lines 27 and 28: cancel keys and a cancel storm', () => {
  const cancelWith = async (processId: unknown, secretKey: unknown) => {
    const k = await WireClient.connect(server.port);
    k.send({ Type: 'CancelRequest', ProcessID: processId, SecretKey: secretKey } as WireJson);
    const got = await k.untilClosed();
    k.destroy();
    return got;
  };

  it('a valid process id with a wrong key cancels nothing and gets no reply', async () => {
    const c = await WireClient.connect(server.port);
    const key = (await c.startup(user)).find((m) => m.Type === 'BackendKeyData')!;
    c.send({ Type: 'Query', String: 'select sleep' });
    await expect.poll(() => engine.sessions.at(-1)!.executions.includes('select sleep')).toBe(true);
    for (const wrong of [(key.SecretKey as number) ^ 1, 0, -1]) expect(await cancelWith(key.ProcessID, wrong)).toEqual([]);
    // The statement is still running: nothing arrives on its connection.
    await expect(c.receive(300)).rejects.toThrow('timed out waiting for a backend message');
    expect(await cancelWith(key.ProcessID, key.SecretKey)).toEqual([]);
    expect(await c.until('ReadyForQuery')).toMatchObject([
      { Type: 'RowDescription' },
      { Type: 'ErrorResponse', Code: '57014' },
      { Type: 'ReadyForQuery', TxStatus: 'I' },
    ]);
    c.destroy();
  });

  it('100 concurrent cancels for one session end its statement once; another session keeps working', async () => {
    const a = await WireClient.connect(server.port);
    const key = (await a.startup(user)).find((m) => m.Type === 'BackendKeyData')!;
    a.send({ Type: 'Query', String: 'select sleep' });
    await expect.poll(() => engine.sessions.at(-1)!.executions.includes('select sleep')).toBe(true);
    const b = await session();
    const storm = Promise.all(Array.from({ length: 100 }, () => cancelWith(key.ProcessID, key.SecretKey)));
    for (let i = 0; i < 5; i++) {
      b.send({ Type: 'Query', String: 'select 1' });
      expect(types(await b.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    }
    expect((await storm).flat()).toEqual([]);
    const msgs = await a.until('ReadyForQuery');
    expect(msgs.filter((m) => m.Type === 'ErrorResponse')).toMatchObject([{ Code: '57014', Message: 'canceling statement due to user request' }]);
    a.send({ Type: 'Query', String: 'select 1' });
    expect(types(await a.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    a.destroy();
    b.destroy();
  });
});

describe('b.1 line 29: seeded random inputs', () => {
  /** A small deterministic PRNG (mulberry32), so a failure names its seed and reproduces. */
  function prng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const seeds: Buffer[] = [
    encodeFrontend({ Type: 'StartupMessage', Parameters: { ...user, application_name: 'psql', _pq_x: 'y' } }),
    encodeFrontend({ Type: 'Query', String: "select 1; select 'x'" }),
    Buffer.concat(
      [
        { Type: 'Parse', Name: 's', Query: 'select $1, $2', ParameterOIDs: [23, 25] },
        { Type: 'Bind', PreparedStatement: 's', ParameterFormatCodes: [1, 0], Parameters: [{ binary: '0000002a' }, 'hi'], ResultFormatCodes: [0, 1] },
        { Type: 'Describe', ObjectType: 'P', Name: '' },
        { Type: 'Execute', MaxRows: 1 },
        { Type: 'Close', ObjectType: 'S', Name: 's' },
        { Type: 'Sync' },
      ].map((m) => encodeFrontend(m as WireJson)),
    ),
  ];

  /** Flips, inserts, deletes or overwrites a few bytes (length words included). */
  function mutate(seed: Buffer, random: () => number): Buffer {
    const bytes = [...seed];
    const edits = 1 + Math.floor(random() * 4);
    for (let i = 0; i < edits; i++) {
      const at = Math.floor(random() * (bytes.length + 1));
      const r = random();
      if (r < 0.3) bytes[at % bytes.length] = Math.floor(random() * 256);
      else if (r < 0.5) bytes.splice(at, 0, ...[0x00, 0xff, 0x7f, 0x80].slice(0, 1 + Math.floor(random() * 4)));
      else if (r < 0.7) bytes.splice(at, 1 + Math.floor(random() * 4));
      else bytes.splice(at, 4, ...u32([0, 3, 4, 0x7fffffff, 0xffffffff, 10_001][Math.floor(random() * 6)]!));
    }
    return Buffer.from(bytes);
  }

  /** Runs bytes through the frame reader and decoders; only SqlErrors may come out. */
  function decodeAll(bytes: Buffer, startup: boolean): void {
    const reader = new FrameReader({ maxMessageBytes: 1 << 16 });
    reader.push(bytes);
    try {
      if (startup) {
        const body = reader.nextStartupPacket();
        if (body) decodeStartupPacket(body);
        return;
      }
      for (let frame = reader.nextMessage(); frame; frame = reader.nextMessage()) {
        try {
          decodeMessage(frame);
        } catch (e) {
          if (!(e instanceof SqlError)) throw e;
        }
      }
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
    }
  }

  it('the frame reader and decoders answer 20 000 mutated inputs with a value or a SqlError', () => {
    const random = prng(20261126);
    for (let i = 0; i < 20_000; i++) {
      const k = i % seeds.length;
      const input = mutate(seeds[k]!, random);
      expect(() => decodeAll(input, k === 0), `input ${input.toString('hex')}`).not.toThrow();
    }
  });

  it('a live server answers 300 mutated sessions with a response or a clean close, and keeps serving', async () => {
    const random = prng(8);
    logged.length = 0;
    for (let i = 0; i < 300; i += 30) {
      await Promise.all(
        Array.from({ length: 30 }, async (_, j) => {
          const k = (i + j) % seeds.length;
          const c = await WireClient.connect(server.port);
          if (k === 0) c.send(mutate(seeds[0]!, random));
          else {
            await c.startup(user);
            c.send(mutate(seeds[k]!, random));
          }
          c.end();
          await c.untilClosed(AUTH_TIMEOUT_MS + 5000);
          c.destroy();
        }),
      );
    }
    expect(logged.filter((m) => m.startsWith('connection failed') || m.startsWith('internal error'))).toEqual([]);
    await bystanderStillWorks();
    await expect.poll(() => server.connectionCount(), { timeout: 5000 }).toBe(1);
  }, 30_000);
});
