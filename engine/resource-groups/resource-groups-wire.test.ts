/**
 * Resource groups over the wire with node-postgres (issue 8 Done-means; CHECKLIST-reliability.md
 * b.4 items 76, 78, 79, 80, 82): one running slot and a queue of one. The third concurrent query
 * is refused at once with 53000; a CancelRequest for the first starts the second; a queued query
 * leaves the queue on cancel, statement_timeout and disconnect; SET and SHOW never wait. While
 * the running queries of a group hold its softMemoryLimit or more, a new query waits until one
 * ends or gives memory back (item 78); a query alone may exceed the limit, and
 * lakegate.query_max_memory still fails a query with 53200 (item 79).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tpchConnectorFactory } from '../../connectors/tpch/index.js';
import { silentLogger } from '../../server/log.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { cancelPgClient, WireClient } from '../../server/testing/wire-client.js';
import { createEngine } from '../index.js';
import { parseResourceGroups } from './config.js';
import { FileResourceGroups } from './file-resource-groups.js';
import { ResourceGroupManager } from './resource-group-manager.js';

/** Runs for minutes unless cancelled. */
const LONG_QUERY = 'SELECT count(*) FROM tpch.sf1.lineitem a, tpch.sf1.lineitem b';

const dir = mkdtempSync(join(tmpdir(), 'rg-wire-'));
let server: RunningServer;
let groups: ResourceGroupManager;
const clients: pg.Client[] = [];

beforeAll(async () => {
  const path = join(dir, 'resource-groups.json');
  writeFileSync(path, JSON.stringify({
    rootGroups: [{ name: 'global', hardConcurrencyLimit: 1, maxQueued: 1 }],
    selectors: [{ group: 'global' }],
  }));
  const file = new FileResourceGroups({ path, log: silentLogger.warn });
  groups = new ResourceGroupManager(() => file.config());
  const engine = createEngine({ catalogs: new Map([['tpch', tpchConnectorFactory.create('tpch', {})]]), admission: groups });
  server = await startServer({ engine, port: 0, log: silentLogger });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  await expect.poll(() => groups.stats(), { timeout: 10_000 }).toEqual([]);
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'tpch' });
  client.on('error', () => {});
  await client.connect();
  clients.push(client);
  return client;
}

/** Sends PostgreSQL's CancelRequest for the client's session, as libpq's PQcancel does. */
const cancel = (client: pg.Client) => cancelPgClient(server.port, client);

const state = () => groups.stats().map((s) => ({ running: s.running, queued: s.queued }));

/** Starts the long query on a new connection and waits until it holds the slot. */
async function occupySlot(): Promise<{ client: pg.Client; result: Promise<unknown> }> {
  const client = await connect();
  const result = client.query(LONG_QUERY);
  result.catch(() => undefined);
  await expect.poll(state).toEqual([{ running: 1, queued: 0 }]);
  return { client, result };
}

describe('resource group with one running slot and a queue of one', () => {
  it('refuses the third concurrent query at once; cancelling the first starts the second', async () => {
    const first = await occupySlot();
    const second = await connect();
    const secondResult = expect(second.query('SELECT 42 AS answer')).resolves.toMatchObject({ rows: [{ answer: 42 }] });
    await expect.poll(state).toEqual([{ running: 1, queued: 1 }]);

    const third = await connect();
    const before = performance.now();
    await expect(third.query('SELECT 1')).rejects.toMatchObject({
      code: '53000', severity: 'ERROR', message: 'too many queued queries for resource group "global"',
    });
    expect(performance.now() - before).toBeLessThan(500);
    // The refused session goes on: statements outside the resource groups still run.
    expect((await third.query('SHOW search_path')).rows).toHaveLength(1);

    await cancel(first.client);
    await expect(first.result).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    await secondResult;
    // The first connection is usable again and the slot is free.
    await expect(first.client.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('SET, SHOW and transaction control do not wait for a slot', async () => {
    await occupySlot();
    const other = await connect();
    await other.query('BEGIN');
    await other.query("SET application_name = 'x'");
    await expect(other.query('SHOW application_name')).resolves.toMatchObject({ rows: [{ application_name: 'x' }] });
    await other.query('COMMIT');
    expect(state()).toEqual([{ running: 1, queued: 0 }]);
  });

  it('a queued query leaves the queue on CancelRequest, statement_timeout and disconnect', async () => {
    await occupySlot();
    const waiting = await connect();
    const cancelled = expect(waiting.query('SELECT 1')).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    await expect.poll(state).toEqual([{ running: 1, queued: 1 }]);
    await cancel(waiting);
    await cancelled;
    expect(state()).toEqual([{ running: 1, queued: 0 }]);

    await waiting.query("SET statement_timeout = '300ms'");
    await expect(waiting.query('SELECT 1')).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    expect(state()).toEqual([{ running: 1, queued: 0 }]);

    const leaving = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'tpch' });
    leaving.on('error', () => {});
    await leaving.connect();
    leaving.query('SELECT 1').catch(() => undefined);
    await expect.poll(state).toEqual([{ running: 1, queued: 1 }]);
    (leaving as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await expect.poll(state).toEqual([{ running: 1, queued: 0 }]);
  });

  it('a failing query gives its slot back', async () => {
    const client = await connect();
    await expect(client.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    expect(state()).toEqual([]);
    await expect(client.query('SELECT 2 AS two')).resolves.toMatchObject({ rows: [{ two: 2 }] });
  });
});

describe('softMemoryLimit: the memory share of the running queries', () => {
  /** The sort holds some 5MB until it hands its rows over. */
  const SORTED = 'SELECT l_orderkey, l_comment FROM tpch.tiny.lineitem ORDER BY l_comment';
  const shares = new ResourceGroupManager(() => parseResourceGroups(JSON.stringify({
    rootGroups: [{ name: 'small', hardConcurrencyLimit: 5, maxQueued: 5, softMemoryLimit: '1MB' }],
    selectors: [{ group: 'small' }],
  })));
  let own: RunningServer;

  beforeAll(async () => {
    own = await startServer({ engine: createEngine({ catalogs: new Map([['tpch', tpchConnectorFactory.create('tpch', {})]]), admission: shares }), port: 0, log: silentLogger });
  });

  afterEach(async () => {
    await expect.poll(() => shares.stats(), { timeout: 10_000 }).toEqual([]);
  });

  afterAll(async () => {
    await own.close();
  });

  async function connectOwn(): Promise<pg.Client> {
    const client = new pg.Client({ host: '127.0.0.1', port: own.port, user: 'u', database: 'tpch' });
    client.on('error', () => {});
    await client.connect();
    clients.push(client);
    return client;
  }

  it('a query waits while a suspended portal holds the group over its share, and starts when the portal closes', async () => {
    const holder = await WireClient.connect(own.port);
    try {
      await holder.startup({ user: 'u', database: 'tpch' });
      holder.send({ Type: 'Query', String: 'BEGIN' });
      await holder.until('ReadyForQuery');
      // The unnamed portal stops after one row and keeps the sort's memory until COMMIT closes it.
      for (const m of [{ Type: 'Parse', Query: SORTED }, { Type: 'Bind' }, { Type: 'Execute', MaxRows: 1 }, { Type: 'Sync' }]) holder.send(m);
      const suspended = await holder.until('ReadyForQuery');
      expect(suspended.map((m) => m.Type)).toEqual(['ParseComplete', 'BindComplete', 'DataRow', 'PortalSuspended', 'ReadyForQuery']);
      const [held] = shares.stats();
      expect(held).toMatchObject({ group: 'small', running: 1, queued: 0, softMemoryLimitBytes: 2 ** 20 });
      expect(held!.memoryUsageBytes).toBeGreaterThanOrEqual(2 ** 20);

      const waiting = await connectOwn();
      const answer = waiting.query('SELECT 42 AS answer');
      await expect.poll(() => shares.stats()).toMatchObject([{ running: 1, queued: 1 }]);
      expect(await Promise.race([answer.then(() => 'answered'), new Promise((r) => setTimeout(r, 200, 'waiting'))])).toBe('waiting');

      holder.send({ Type: 'Query', String: 'COMMIT' });
      await holder.until('ReadyForQuery');
      await expect(answer).resolves.toMatchObject({ rows: [{ answer: 42 }] });
    } finally {
      holder.destroy();
    }
  });

  it('a query larger than the share runs alone; lakegate.query_max_memory still fails it with 53200', async () => {
    const client = await connectOwn();
    await client.query('SET lakegate.spill_enabled = off');
    await expect(client.query(SORTED)).resolves.toMatchObject({ rowCount: 60175 });
    await client.query("SET lakegate.query_max_memory = '2MB'");
    await expect(client.query(SORTED)).rejects.toMatchObject({ code: '53200', message: 'Query exceeded per-query memory limit of 2MB' });
  });
});
