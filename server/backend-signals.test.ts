// pg_sleep (also under statement_timeout), pg_cancel_backend and pg_terminate_backend over the wire, against the real engine:
// a session cancels another's pg_sleep (57014 there, the session goes on) and terminates an idle
// one (FATAL 57P01); an unknown pid answers false with a WARNING; with access rules configured,
// a user may signal only sessions of the same user (42501 otherwise).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryConnectorFactory } from '../connectors/memory/index.js';
import { FileAccessControl, createEngine } from '../engine/index.js';
import { silentLogger } from './log.js';
import { startServer, type RunningServer } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'lakegate-signals-'));
let open: RunningServer;
let governed: RunningServer;

beforeAll(async () => {
  const catalogs = () => new Map([['memory', memoryConnectorFactory.create('memory', {})]]);
  open = await startServer({ engine: createEngine({ catalogs: catalogs() }), port: 0, log: silentLogger });
  writeFileSync(join(dir, 'rules.json'), JSON.stringify({ catalogs: [{ allow: 'all' }] }));
  const accessControl = new FileAccessControl({ path: join(dir, 'rules.json'), refreshMs: 0, log: () => undefined });
  governed = await startServer({ engine: createEngine({ catalogs: catalogs(), accessControl }), port: 0, log: silentLogger });
});
afterAll(async () => {
  await open.close();
  await governed.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(server: RunningServer, user = 'tester'): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user, database: 'memory' });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}
const pidOf = async (c: pg.Client): Promise<number> => (await c.query('select pg_backend_pid() as pid')).rows[0].pid;

describe('backend signals', () => {
  it('pg_sleep waits, and pg_cancel_backend ends it with 57014; the cancelled session goes on', async () => {
    const a = await connect(open);
    const b = await connect(open);
    try {
      const started = Date.now();
      expect((await a.query('select pg_sleep(0.2) as s, 1 as one')).rows).toEqual([{ s: '', one: 1 }]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      const sleeping = a.query('select pg_sleep(30)').then(() => null, (e: unknown) => e);
      await expect.poll(async () => (await b.query("select count(*)::int as n from pg_stat_activity where state = 'active' and query like 'select pg_sleep(30)%'")).rows[0].n).toBe(1);
      expect((await b.query('select pg_cancel_backend($1::int4) as ok', [await pidOfActive(b)])).rows).toEqual([{ ok: true }]);
      expect(await sleeping).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      expect((await a.query('select 2 as two')).rows).toEqual([{ two: 2 }]);
      await a.query("set statement_timeout = '100ms'");
      await expect(a.query('select pg_sleep(5) from generate_series(1, 3)')).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('pg_terminate_backend ends another session with FATAL 57P01', async () => {
    const a = await connect(open);
    const b = await connect(open);
    try {
      const ended = new Promise((resolve) => a.on('error', resolve));
      expect((await b.query('select pg_terminate_backend($1::int4) as ok', [await pidOf(a)])).rows).toEqual([{ ok: true }]);
      expect(await ended).toMatchObject({ code: '57P01', message: 'terminating connection due to administrator command' });
      expect((await b.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await a.end().catch(() => undefined);
      await b.end();
    }
  });

  it('an unknown pid answers false with a WARNING', async () => {
    const b = await connect(open);
    const notices: pg.NoticeMessage[] = [];
    b.on('notice', (n) => notices.push(n));
    try {
      expect((await b.query('select pg_cancel_backend(999999) as c, pg_terminate_backend(999999) as t')).rows).toEqual([{ c: false, t: false }]);
      expect(notices.map((n) => [n.severity, n.code, n.message])).toEqual([
        ['WARNING', '01000', 'PID 999999 is not a PostgreSQL server process'], ['WARNING', '01000', 'PID 999999 is not a PostgreSQL server process'],
      ]);
    } finally {
      await b.end();
    }
  });

  it('with access rules, only sessions of the same user can be signalled', async () => {
    const ann = await connect(governed, 'ann');
    const ann2 = await connect(governed, 'ann');
    const bob = await connect(governed, 'bob');
    try {
      await expect(bob.query('select pg_terminate_backend($1::int4)', [await pidOf(ann)])).rejects.toMatchObject({ code: '42501', message: 'permission denied to terminate process' });
      await expect(bob.query('select pg_cancel_backend($1::int4)', [await pidOf(ann)])).rejects.toMatchObject({ code: '42501', message: 'permission denied to cancel query' });
      expect((await ann2.query('select pg_cancel_backend($1::int4) as ok', [await pidOf(ann)])).rows).toEqual([{ ok: true }]);
      expect((await ann.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await ann.end();
      await ann2.end();
      await bob.end();
    }
  });
});

async function pidOfActive(c: pg.Client): Promise<number> {
  return (await c.query("select pid from pg_stat_activity where state = 'active' and query like 'select pg_sleep(30)%'")).rows[0].pid;
}
