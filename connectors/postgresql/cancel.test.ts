import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryCanceled } from '../../engine/errors/index.js';
import { openTestSession } from '../../engine/testing/run-sql.js';
import type { TableMetadata } from '../spi/index.js';
import type { PostgresqlConnector } from './connector.js';
import { PG_HOST, PG_PORT, connectorFor, freshDatabase, oracleRows, session, tearDown, uniqueName } from './testing.js';

const DB = uniqueName('lakegate_pgconn_cancel');
const APP = uniqueName('lakegate_cancel_test');

let setup: pg.Client;
let connector: PostgresqlConnector;

beforeAll(async () => {
  setup = await freshDatabase(DB);
  await setup.query(`CREATE TABLE public.big AS SELECT g AS id, pg_catalog.md5(g::text) AS v FROM pg_catalog.generate_series(1, 200000) g`);
  connector = connectorFor(DB, 'pg', { 'connection-url': `jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB}?ApplicationName=${APP}` });
});

afterAll(() => tearDown(DB, connector, setup));

/** The connector's upstream sessions: [state, query]. */
const sessions = () => oracleRows(setup, 'SELECT state, query FROM pg_catalog.pg_stat_activity WHERE application_name = $1 ORDER BY 1', [APP]);

async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${JSON.stringify(await sessions())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

const noneActive = async () => (await sessions()).every(([state]) => state !== 'active' && state !== 'idle in transaction');
const none = async () => (await sessions()).length === 0;

function scanOf(table: TableMetadata, signal: AbortSignal) {
  return connector.scan(session, { table, columns: table.columns.map((_c, i) => i), split: { info: { kind: 'whole' } }, signal })[Symbol.asyncIterator]();
}

describe('cancel', () => {
  it('an abort while the statement runs cancels it at the server and closes the session', async () => {
    const sleepy = await connector.nativeQuery(session, 'SELECT pg_catalog.pg_sleep(60)::text AS s');
    const controller = new AbortController();
    const next = scanOf(sleepy, controller.signal).next();
    next.catch(() => undefined);
    await eventually(async () => (await sessions()).some(([state, query]) => state === 'active' && query!.includes('pg_sleep')));
    controller.abort(queryCanceled('user'));
    await expect(next).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    expect(await eventually(none)).toBeLessThan(3_000);
  });

  it('an abort while the consumer holds a batch ends the open portal', async () => {
    const big = (await connector.getTable(session, 'public', 'big'))!;
    const controller = new AbortController();
    const rows = scanOf(big, controller.signal);
    expect((await rows.next()).done).toBe(false);
    // The next chunk is already on its way; the server shows the scan's statement, not a FETCH.
    await eventually(async () => (await sessions()).map(([, query]) => query).join() === 'SELECT "id", "v" FROM "public"."big"');
    controller.abort(queryCanceled('user'));
    await expect(rows.next()).rejects.toMatchObject({ code: '57014' });
    await eventually(none);
  });

  it('a consumer that stops early leaves nothing running', async () => {
    const big = (await connector.getTable(session, 'public', 'big'))!;
    const rows = scanOf(big, new AbortController().signal);
    await rows.next();
    await rows.return!();
    await eventually(noneActive);
    await eventually(none);
  });

  it('a scan read to its end returns its session to the pool, outside any transaction', async () => {
    const big = (await connector.getTable(session, 'public', 'big'))!;
    const rows = scanOf(big, new AbortController().signal);
    let count = 0;
    for (let r = await rows.next(); !r.done; r = await rows.next()) count += r.value.length;
    expect(count).toBe(200000);
    expect((await sessions()).map(([state]) => state)).toEqual(['idle']);
  });

  it('statement_timeout in the gateway session cancels the upstream statement', async () => {
    const gateway = openTestSession(new Map([['pg', connector]]));
    await gateway.query(`SET statement_timeout = '500ms'`);
    const started = Date.now();
    await expect(gateway.query(`SELECT * FROM pg.system.query('SELECT pg_catalog.pg_sleep(60)::text AS s')`)).rejects.toMatchObject({
      code: '57014', message: 'canceling statement due to statement timeout',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await eventually(noneActive)).toBeLessThan(3_000);
  });

  it('an upstream session ended by the server is 58000, never class 08 or 57P01', async () => {
    const sleepy = await connector.nativeQuery(session, 'SELECT pg_catalog.pg_sleep(60)::text AS s');
    const next = scanOf(sleepy, new AbortController().signal).next();
    next.catch(() => undefined);
    await eventually(async () => (await sessions()).some(([state]) => state === 'active'));
    await setup.query(`SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE application_name = $1 AND state = 'active'`, [APP]);
    await expect(next).rejects.toMatchObject({ code: '58000', detail: 'upstream SQLSTATE 57P01' });
    await eventually(none);
    expect((await connector.listTables(session, 'public'))).toEqual(['big']);
  });

  it('a session ended by the server between fetches fails the scan cleanly', async () => {
    const big = (await connector.getTable(session, 'public', 'big'))!;
    const rows = scanOf(big, new AbortController().signal);
    await rows.next();
    await setup.query(`SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE application_name = $1`, [APP]);
    await new Promise((r) => setTimeout(r, 200));
    let error: unknown;
    try {
      for (let r = await rows.next(); !r.done; r = await rows.next());
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: expect.stringMatching(/^58/) });
    await eventually(none);
  });

  it('waiting for a pooled session stops on abort', async () => {
    const single = connectorFor(DB, 'pg', {
      'connection-url': `jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB}?ApplicationName=${APP}`, 'postgresql.max-connections': '1',
    });
    const big = (await single.getTable(session, 'public', 'big'))!;
    const holder = single.scan(session, { table: big, columns: [0], split: { info: { kind: 'whole' } }, signal: new AbortController().signal })[Symbol.asyncIterator]();
    await holder.next();
    const controller = new AbortController();
    const waiting = single.scan(session, { table: big, columns: [0], split: { info: { kind: 'whole' } }, signal: controller.signal })[Symbol.asyncIterator]().next();
    setTimeout(() => controller.abort(queryCanceled('user')), 100);
    await expect(waiting).rejects.toMatchObject({ code: '57014' });
    await holder.return!();
    await single.close();
    await eventually(noneActive);
  });
});
