/** Splits, streaming, cancel, the connection pool and error codes against the real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../engine/execution/batch/batch.js';
import type { SqlError } from '../../engine/errors/index.js';
import { openTestSession, type TestSession } from '../../engine/testing/run-sql.js';
import type { Split, TableMetadata } from '../spi/index.js';
import { mysqlError } from './errors.js';
import { mysqlConnectorFactory, type MySqlConnector } from './index.js';
import { AdminConnection, TEST_PORT, testProperties } from './testing.js';

const DB = 'lgt_scan';
const ROWS = 20_000;
const admin = new AdminConnection();
const session = { user: 'tester', queryId: 'q' };
const connectors: MySqlConnector[] = [];
let my: MySqlConnector;
let s: TestSession;

const connector = (extra: Record<string, string> = {}) => {
  const c = mysqlConnectorFactory.create('my', testProperties(extra)) as MySqlConnector;
  connectors.push(c);
  return c;
};

beforeAll(async () => {
  await admin.run(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.run(`CREATE DATABASE ${DB}`);
  await admin.run(`CREATE TABLE ${DB}.digits (d INT)`);
  await admin.run(`INSERT INTO ${DB}.digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)`);
  await admin.run(`CREATE TABLE ${DB}.big (id BIGINT PRIMARY KEY, v INT, s VARCHAR(20))`);
  await admin.run(`INSERT INTO ${DB}.big SELECT n * 3 - 40000, n % 97, CONCAT('s', n) FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n
    FROM ${DB}.digits a, ${DB}.digits b, ${DB}.digits c, ${DB}.digits e, ${DB}.digits f) x WHERE n < ${ROWS}`);
  await admin.run(`CREATE TABLE ${DB}.ubig (id BIGINT UNSIGNED PRIMARY KEY, v INT)`);
  await admin.run(`INSERT INTO ${DB}.ubig SELECT 18446744073709551615 - n * 1000000000000000, n FROM (SELECT a.d + 10 * b.d + 100 * c.d AS n
    FROM ${DB}.digits a, ${DB}.digits b, ${DB}.digits c) x WHERE n < 1000`);
  await admin.run(`ANALYZE TABLE ${DB}.big, ${DB}.ubig`);
  my = connector({ 'mysql.min-rows-per-split': '100' });
  s = openTestSession(new Map([['my', my]]));
});

afterAll(async () => {
  await admin.run(`DROP DATABASE IF EXISTS ${DB}`);
  for (const c of connectors) await c.close();
  admin.close();
});

async function readSplits(c: MySqlConnector, table: TableMetadata, splits: readonly Split[], columns: number[]): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for (const split of splits) {
    for await (const b of c.scan(session, { table, columns, split, signal: new AbortController().signal })) {
      for (let i = 0; i < b.length; i++) rows.push(b.columns.map((v) => (v.nulls?.[i] ? null : (v.data as ArrayLike<unknown>)[i])));
    }
  }
  return rows;
}

const waitFor = async (what: () => Promise<boolean>, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return what();
};
const running = (fragment: string) => async () => (await admin.runningStatements()).some((q) => q.includes(fragment));

describe('mysql splits', () => {
  it('splits a big table by primary-key ranges; the splits together hold every row once', async () => {
    const table = (await my.getTable(session, DB, 'big'))!;
    const splits = await my.getSplits(session, table, { desiredSplits: 4 });
    expect(splits).toHaveLength(4);
    expect(JSON.parse(JSON.stringify(splits))).toEqual(splits);
    const rows = await readSplits(my, table, splits, [0, 1]);
    const ids = rows.map((r) => r[0] as bigint);
    expect(ids).toHaveLength(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
    expect(ids.reduce((a, b) => a + b, 0n)).toBe(BigInt((await admin.run(`SELECT SUM(id) FROM ${DB}.big`))[0]![0] as string));
  });

  it('keeps splitting a filtered table, and reads an aggregated, limited or native one as one split', async () => {
    const table = (await my.getTable(session, DB, 'big'))!;
    const v = { kind: 'column' as const, column: 1, type: table.columns[1]!.type };
    const filtered = my.applyFilter(session, table, [{ kind: 'call', name: '<', args: [v, { kind: 'constant', text: '10', type: v.type }], type: v.type }])!.table;
    const splits = await my.getSplits(session, filtered, { desiredSplits: 3 });
    expect(splits).toHaveLength(3);
    const expected = Number((await admin.run(`SELECT COUNT(*) FROM ${DB}.big WHERE v < 10`))[0]![0]);
    expect(await readSplits(my, filtered, splits, [0])).toHaveLength(expected);
    const aggregated = my.applyAggregation(session, table, [1], [{ name: 'count', args: [], distinct: false, type: table.columns[0]!.type }])!;
    expect(await my.getSplits(session, aggregated, { desiredSplits: 4 })).toHaveLength(1);
    expect(await readSplits(my, aggregated, [{ info: {} }], [0, 1])).toHaveLength(97);
    expect(await my.getSplits(session, my.applyLimit(session, table, 10)!, { desiredSplits: 4 })).toHaveLength(1);
    expect(await my.getSplits(session, await my.nativeQuery(session, `select * from ${DB}.big`), { desiredSplits: 4 })).toHaveLength(1);
  });

  it('splits an unsigned bigint key beyond the signed range', async () => {
    const table = (await my.getTable(session, DB, 'ubig'))!;
    const splits = await my.getSplits(session, table, { desiredSplits: 5 });
    expect(splits).toHaveLength(5);
    const rows = await readSplits(my, table, splits, [1]);
    expect(rows.map((r) => r[0]).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 1000 }, (_x, i) => i));
  });

  it('a small table, or a small split budget, is one split', async () => {
    const table = (await my.getTable(session, DB, 'big'))!;
    expect(await my.getSplits(session, table, { desiredSplits: 1 })).toHaveLength(1);
    expect(await connector().getSplits(session, table, { desiredSplits: 8 })).toHaveLength(1);
  });

  it('gives the same answers through the engine as the server itself', async () => {
    const [count, sum, distinct] = (await admin.run(`SELECT COUNT(*), SUM(id), COUNT(DISTINCT s) FROM ${DB}.big WHERE v > 3`))[0]!;
    const r = await s.query(`select count(*), sum(id), count(distinct s) from (select id, s from my.${DB}.big where v > 3 and id is not null) x`);
    expect(r.rows).toEqual([[String(count), String(sum), String(distinct)]]);
  });
});

describe('mysql cancel', () => {
  it('an aborted scan leaves no statement in the process list', async () => {
    const c = connector();
    const table = await c.nativeQuery(session, 'select sleep(30) as z');
    const abort = new AbortController();
    const reading = (async () => {
      const got: Batch[] = [];
      for await (const b of c.scan(session, { table, columns: [0], split: { info: {} }, signal: abort.signal })) got.push(b);
      return got;
    })();
    expect(await waitFor(running('sleep(30)'), 5000)).toBe(true);
    const t0 = Date.now();
    abort.abort();
    expect(await reading).toEqual([]);
    expect(await waitFor(async () => !(await running('sleep(30)')()), 3000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a consumer that stops reading early stops the statement', async () => {
    const c = connector();
    const table = await c.nativeQuery(session, `select a.id from ${DB}.big a, ${DB}.big b`);
    for await (const b of c.scan(session, { table, columns: [0], split: { info: {} }, signal: new AbortController().signal })) {
      expect(b.length).toBeGreaterThan(0);
      break;
    }
    expect(await waitFor(async () => !(await running(`${DB}.big b`)()), 3000)).toBe(true);
  });

  it('cancelling a federated query through the engine stops it in MySQL within seconds', async () => {
    const engine = openTestSession(new Map([['my', connector()]]));
    const abort = new AbortController();
    const [statement] = engine.session.parse(`select count(*) from my.system.query('select a.id from ${DB}.big a, ${DB}.big b, ${DB}.big c where a.v >= 0')`);
    const prepared = await engine.session.prepare(statement!, []);
    const execution = engine.session.execute(prepared, [], { signal: abort.signal });
    const result = execution.next().then(() => 'finished', (e: SqlError) => e.code);
    expect(await waitFor(running(`${DB}.big c`), 10_000)).toBe(true);
    const t0 = Date.now();
    abort.abort();
    expect(await result).toBe('57014');
    expect(await waitFor(async () => !(await running(`${DB}.big c`)()), 5000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('mysql connection pool', () => {
  it('queues scans beyond mysql.max-connections and runs them all', async () => {
    const c = connector({ 'mysql.max-connections': '2' });
    const table = await c.nativeQuery(session, 'select sleep(0.3) as z, connection_id() as id');
    const started = Date.now();
    const ids = await Promise.all(Array.from({ length: 6 }, () => readSplits(c, table, [{ info: {} }], [1])));
    expect(new Set(ids.map((r) => r[0]![0])).size).toBeLessThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
  });

  it('gives connections back in a usable state after early stops, errors and cancels', async () => {
    const c = connector({ 'mysql.max-connections': '1' });
    const small = (await c.getTable(session, DB, 'digits'))!;
    const big = (await c.getTable(session, DB, 'big'))!;
    for (const table of [small, big]) {
      for await (const b of c.scan(session, { table, columns: [0], split: { info: {} }, signal: new AbortController().signal })) {
        expect(b.length).toBeGreaterThan(0);
        break;
      }
    }
    await admin.run(`CREATE TABLE ${DB}.brief (x INT)`);
    const brief = (await c.getTable(session, DB, 'brief'))!;
    await admin.run(`DROP TABLE ${DB}.brief`);
    await expect(readSplits(c, brief, [{ info: {} }], [0])).rejects.toMatchObject({ code: '42P01' });
    // one scan holds the only connection; a second one waits for it and is cancelled while waiting
    const slow = await c.nativeQuery(session, 'select sleep(0.5) as z');
    const holding = readSplits(c, slow, [{ info: {} }], [0]);
    const abort = new AbortController();
    const waiting = (async () => {
      let n = 0;
      for await (const b of c.scan(session, { table: small, columns: [0], split: { info: {} }, signal: abort.signal })) n += b.length;
      return n;
    })();
    abort.abort();
    expect(await waiting).toBe(0);
    expect(await holding).toEqual([[0]]);
    expect(await readSplits(c, small, [{ info: {} }], [0])).toHaveLength(10);
  });
});

describe('mysql errors', () => {
  it('maps server errors onto PostgreSQL SQLSTATEs with MySQL message', async () => {
    await admin.run(`CREATE TABLE ${DB}.strict (k INT PRIMARY KEY, c VARCHAR(3), t TINYINT)`);
    await admin.run("SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO'");
    const cases: [string, string][] = [
      [`INSERT INTO ${DB}.strict VALUES (1, 'a', 1), (1, 'b', 2)`, '23505'],
      [`SELECT * FROM ${DB}.nope`, '42P01'],
      [`SELECT nope FROM ${DB}.strict`, '42703'],
      ['SELEC 1', '42601'],
      [`INSERT INTO ${DB}.strict VALUES (2, 'a', 1 / 0)`, '22012'],
      [`INSERT INTO ${DB}.strict VALUES (3, 'abcd', 1)`, '22001'],
      [`INSERT INTO ${DB}.strict VALUES (4, 'a', 300)`, '22003'],
      [`INSERT INTO ${DB}.strict VALUES (NULL, 'a', 1)`, '23502'],
      [`CREATE TABLE ${DB}.strict (x INT)`, '42P07'],
      [`CREATE DATABASE ${DB}`, '42P06'],
      [`SELECT 1 FROM DUAL WHERE 1 = (SELECT d FROM ${DB}.digits)`, 'HV000'],
    ];
    for (const [sql, code] of cases) {
      const e = await admin.run(sql).then(() => null, (x: unknown) => mysqlError(x));
      expect(e?.code, sql).toBe(code);
      expect(e?.message, sql).not.toBe('');
    }
    await admin.run('SET SESSION sql_mode = DEFAULT');
  });

  it('reports a table dropped after planning as 42P01 from the scan', async () => {
    await admin.run(`CREATE TABLE ${DB}.gone (x INT)`);
    const table = (await my.getTable(session, DB, 'gone'))!;
    await admin.run(`DROP TABLE ${DB}.gone`);
    await expect(readSplits(my, table, [{ info: {} }], [0])).rejects.toMatchObject({ code: '42P01' });
    // the connection that saw the error is still good
    expect(await my.listTables(session, DB)).toContain('big');
  });

  it('a server it cannot reach or log in to is 58000, never class 08', async () => {
    const closed = mysqlConnectorFactory.create('down', { 'connection-url': 'jdbc:mysql://127.0.0.1:1', 'mysql.connect-timeout': '2s' }) as MySqlConnector;
    const denied = mysqlConnectorFactory.create('denied', testProperties({ 'connection-password': 'wrong' })) as MySqlConnector;
    connectors.push(closed, denied);
    for (const c of [closed, denied]) {
      const e = await c.listSchemas().then(() => null, (x: SqlError) => x);
      expect(e?.code).toBe('58000');
    }
    expect(mysqlError(Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true })).code).toBe('58000');
  });

  it('rejects catalog properties it does not know or cannot read', () => {
    const bad = (p: Record<string, string>) => () => mysqlConnectorFactory.create('x', p);
    expect(bad({})).toThrow(/connection-url/);
    expect(bad({ 'connection-url': 'jdbc:postgresql://h:5432' })).toThrow(/jdbc:mysql/);
    expect(bad({ 'connection-url': `jdbc:mysql://127.0.0.1:${TEST_PORT}`, 'mysql.max-connections': '0' })).toThrow(/positive integer/);
    expect(bad({ 'connection-url': `jdbc:mysql://127.0.0.1:${TEST_PORT}`, 'mysql.pool': '3' })).toThrow(/unknown property/);
    expect(() => mysqlConnectorFactory.create('x', { 'connection-url': 'mysql://[::1]:3307/db?ssl=true' })).not.toThrow();
  });
});
