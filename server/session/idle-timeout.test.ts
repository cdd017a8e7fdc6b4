// PostgreSQL's idle timeouts: a session left idle inside a transaction longer than
// idle_in_transaction_session_timeout ends with FATAL 25P03, one idle outside a transaction
// longer than idle_session_timeout with FATAL 57P05; a session that keeps working is not ended.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryConnectorFactory } from '../../connectors/memory/index.js';
import { createEngine } from '../../engine/index.js';
import { silentLogger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ engine: createEngine({ catalogs: new Map([['memory', memoryConnectorFactory.create('memory', {})]]) }), port: 0, log: silentLogger });
});
afterAll(() => server.close());

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
      await new Promise((r) => setTimeout(r, 100));
      await client.query('SELECT 1');
    }
    await client.query('COMMIT');
    await new Promise((r) => setTimeout(r, 500));
    expect((await client.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    await client.end();
  });
});
