// PostgreSQL's session timeouts over the wire, against the real engine:
// - idle_in_transaction_session_timeout (FATAL 25P03) and idle_session_timeout (FATAL 57P05) while
//   the session waits on the client: between commands, inside an unsynced pipeline, while the next
//   message is only partly received, and while the client does not read;
// - statement_timeout (57014) in the extended protocol: from the first Parse/Bind/Describe/Execute
//   until an Execute completes or Sync, also across the gaps of a pipeline; in both protocols it
//   ends a statement that waits for a client that does not read;
// - transaction_timeout (PostgreSQL 17, FATAL 25P04): explicit blocks and implicit transactions.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryConnectorFactory } from '../../connectors/memory/index.js';
import { createEngine } from '../../engine/index.js';
import { silentLogger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import { WireClient, type WireJson } from '../testing/wire-client.js';

let server: RunningServer;
let bystander: pg.Client;

beforeAll(async () => {
  const engine = createEngine({ catalogs: new Map([['memory', memoryConnectorFactory.create('memory', {})]]) });
  server = await startServer({ engine, port: 0, log: silentLogger, maxMessageBytes: 1 << 30 });
  // the same user as the sessions under test: pg_stat_activity shows the state of one's own sessions only
  bystander = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'memory' });
  await bystander.connect();
});
afterAll(async () => {
  await bystander.end();
  await server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fatal = (code: string, message: string) => ({ Type: 'ErrorResponse', Severity: 'FATAL', Code: code, Message: message });
const STATEMENT_TIMEOUT = { Type: 'ErrorResponse', Severity: 'ERROR', Code: '57014', Message: 'canceling statement due to statement timeout' };
const IDLE_SESSION = fatal('57P05', 'terminating connection due to idle-session timeout');
const IDLE_IN_TRANSACTION = fatal('25P03', 'terminating connection due to idle-in-transaction timeout');
const TRANSACTION_TIMEOUT = fatal('25P04', 'terminating connection due to transaction timeout');
/** About 16 MB of rows: more than the socket buffers hold while the client does not read. */
const BIG = "select repeat('x', 4000) from generate_series(1, 4000)";
const pipeline = (sql: string): WireJson[] => [{ Type: 'Parse', Query: sql }, { Type: 'Bind' }, { Type: 'Execute' }];
const types = (messages: WireJson[]) => messages.map((m) => m.Type);

/** A raw session that has run `setup` (simple queries). */
async function session(...setup: string[]): Promise<WireClient> {
  const c = await WireClient.connect(server.port);
  await c.startup({ user: 'tester', database: 'memory' });
  for (const sql of setup) {
    c.send({ Type: 'Query', String: sql });
    expect((await c.until('ReadyForQuery')).filter((m) => m.Type === 'ErrorResponse')).toEqual([]);
  }
  return c;
}

/** The bystander works, and no statement of the sessions under test is still running (the server ended it). */
async function bystanderSeesNoActiveStatement(): Promise<void> {
  const active = await bystander.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()");
  expect(active.rows).toEqual([{ n: 0 }]);
}

/** Connects, runs `setup`, then waits for the server to end the session; resolves with the error's SQLSTATE. */
async function endedBy(setup: (c: pg.Client) => Promise<void>): Promise<string | undefined> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'memory' });
  const ended = new Promise<string | undefined>((resolve) => client.on('error', (e: Error & { code?: string }) => resolve(e.code)));
  await client.connect();
  await setup(client);
  const code = await ended;
  await client.end().catch(() => undefined);
  return code;
}

describe('idle timeouts', () => {
  it('ends a session idle in a transaction with 25P03', async () => {
    expect(await endedBy(async (c) => {
      await c.query("SET idle_in_transaction_session_timeout = '200ms'");
      await c.query('BEGIN');
      await c.query('SELECT 1');
    })).toBe('25P03');
  });

  it('ends a session idle outside a transaction with 57P05', async () => {
    expect(await endedBy(async (c) => {
      await c.query("SET idle_session_timeout = '200ms'");
    })).toBe('57P05');
  });

  it('does not end a session that keeps sending commands, nor one idle outside a transaction under the transaction timeout', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'memory' });
    await client.connect();
    await client.query("SET idle_in_transaction_session_timeout = '300ms'");
    await client.query('BEGIN');
    for (let i = 0; i < 5; i++) {
      await sleep(100);
      await client.query('SELECT 1');
    }
    await client.query('COMMIT');
    await sleep(500);
    expect((await client.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    await client.end();
  });

  it('ends a session whose next message is only partly received with 57P05, though bytes keep arriving', async () => {
    const c = await session("SET idle_session_timeout = '300ms'");
    const header = Buffer.alloc(5);
    header.write('Q');
    header.writeUInt32BE(1 << 30, 1);
    c.send(header, Buffer.from('select '));
    const started = Date.now();
    const trickle = setInterval(() => c.send(Buffer.from('1')), 50);
    const got = await c.untilClosed();
    clearInterval(trickle);
    c.destroy();
    expect(got).toEqual([expect.objectContaining(IDLE_SESSION)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('a pipeline left without Sync', () => {
  it.each([
    ['idle_session_timeout', [], IDLE_SESSION],
    ['idle_in_transaction_session_timeout', ['BEGIN'], IDLE_IN_TRANSACTION],
    ['transaction_timeout', [], TRANSACTION_TIMEOUT],
  ])('is ended by %s when the client sends nothing more', async (setting, before, error) => {
    const c = await session(`SET ${setting} = '200ms'`, ...before);
    c.send(...pipeline('select 1'));
    const got = await c.untilClosed();
    c.destroy();
    expect(types(got)).toEqual(['ParseComplete', 'BindComplete', 'DataRow', 'CommandComplete', 'ErrorResponse']);
    expect(got.at(-1)).toMatchObject(error);
  });

  it('gets statement_timeout from its first message until an Execute completes, across the gaps between messages', async () => {
    const c = await session("SET statement_timeout = '300ms'");
    // an Execute that completed stops the timer: waiting longer than the timeout before Sync is fine
    c.send(...pipeline('select 1'));
    await sleep(400);
    c.send({ Type: 'Sync' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['ParseComplete', 'BindComplete', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    // no gap reaches the timeout, but Parse → Execute does: 57014 while waiting, the rest is skipped until Sync
    c.send({ Type: 'Parse', Query: 'select 1' });
    await sleep(200);
    c.send({ Type: 'Bind' });
    await sleep(200);
    c.send({ Type: 'Execute' }, { Type: 'Sync' });
    const got = await c.until('ReadyForQuery');
    expect(types(got)).toEqual(['ParseComplete', 'BindComplete', 'ErrorResponse', 'ReadyForQuery']);
    expect(got[2]).toMatchObject(STATEMENT_TIMEOUT);
    c.send({ Type: 'Query', String: 'select 2' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    c.destroy();
  });
});

describe('a client that does not read', () => {
  /** Sends `messages` from a paused client; while it still does not read, the server must have ended the statement. */
  async function whilePaused(c: WireClient, ...messages: WireJson[]): Promise<void> {
    c.pause();
    c.send(...messages);
    await sleep(600);
    await bystanderSeesNoActiveStatement();
    c.resume();
  }

  it('sending a pipeline without Sync gets statement_timeout: the statement is canceled and the session goes on after Sync', async () => {
    const c = await session("SET statement_timeout = '300ms'");
    await whilePaused(c, ...pipeline(BIG));
    const got = await c.until('ErrorResponse');
    expect(got.at(-1)).toMatchObject(STATEMENT_TIMEOUT);
    expect(types(got)).not.toContain('CommandComplete');
    c.send({ Type: 'Sync' });
    expect(await c.until('ReadyForQuery')).toEqual([{ Type: 'ReadyForQuery', TxStatus: 'I' }]);
    c.send({ Type: 'Query', String: 'select 2' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    c.destroy();
  });

  it('sending a simple Query gets statement_timeout: the statement is canceled and the session goes on', async () => {
    const c = await session("SET statement_timeout = '300ms'");
    await whilePaused(c, { Type: 'Query', String: BIG });
    const got = await c.until('ReadyForQuery');
    expect(got.slice(-2)).toMatchObject([STATEMENT_TIMEOUT, { Type: 'ReadyForQuery', TxStatus: 'I' }]);
    expect(types(got)).not.toContain('CommandComplete');
    c.destroy();
  });

  it.each([
    ['idle_session_timeout', IDLE_SESSION],
    ['transaction_timeout', TRANSACTION_TIMEOUT],
  ])('sending a pipeline without Sync is closed by %s', async (setting, error) => {
    const c = await session(`SET ${setting} = '300ms'`);
    await whilePaused(c, ...pipeline(BIG));
    const got = await c.untilClosed();
    c.destroy();
    expect(got.filter((m) => m.Type === 'ErrorResponse')).toEqual([expect.objectContaining(error)]);
    expect(got.at(-1)).toMatchObject(error);
  });
});

describe('transaction_timeout', () => {
  it('is a setting in milliseconds with units, 0 by default', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'memory' });
    await c.connect();
    const show = async () => (await c.query('SHOW transaction_timeout')).rows[0].transaction_timeout as string;
    expect(await show()).toBe('0');
    await c.query('SET transaction_timeout = 1500');
    expect(await show()).toBe('1500ms');
    await c.query("SET transaction_timeout = '2min'");
    expect(await show()).toBe('2min');
    await expect(c.query("SET transaction_timeout = 'soon'")).rejects.toMatchObject({ code: '22023' });
    await c.end();
  });

  it('ends a transaction block that lasts longer with FATAL 25P04, although it keeps sending commands', async () => {
    const c = await session("SET transaction_timeout = '300ms'", 'BEGIN');
    const started = Date.now();
    const replies: WireJson[] = [];
    while (!replies.some((m) => m.Type === 'ErrorResponse')) {
      await sleep(50);
      c.send({ Type: 'Query', String: 'select 1' });
      for (let m = await c.receive(); m !== null; m = m.Type === 'ReadyForQuery' ? null : await c.receive()) replies.push(m);
    }
    expect(await c.receive()).toBeNull();
    c.destroy();
    expect(replies.filter((m) => m.Type === 'CommandComplete').length).toBeGreaterThanOrEqual(3);
    expect(replies.at(-1)).toMatchObject(TRANSACTION_TIMEOUT);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not end transactions that finish in time, whatever the time between them', async () => {
    const c = await session("SET transaction_timeout = '300ms'");
    for (let i = 0; i < 3; i++) {
      c.send({ Type: 'Query', String: 'BEGIN' }, { Type: 'Query', String: 'select 1' }, { Type: 'Query', String: 'COMMIT' });
      for (let q = 0; q < 3; q++) await c.until('ReadyForQuery');
      await sleep(200);
    }
    c.send({ Type: 'Query', String: 'select 2' });
    expect(types(await c.until('ReadyForQuery'))).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    c.destroy();
  });
});
