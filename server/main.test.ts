/**
 * The real entry point (server/main.ts) under SIGTERM (CHECKLIST-reliability.md b.4 item 86).
 * It is compiled with the project's tsc (no type check, into a temp dir beside a link to
 * node_modules) and run as `node server/main.js`, as `npm start` runs dist/server/main.js. After
 * SIGTERM a new connection gets FATAL 57P03, a query that was running returns all its rows, and
 * once that session ends the process exits with status 0, within the 3 s grace period.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireClient } from './testing/wire-client.js';

const ROOT = resolve(import.meta.dirname, '..');
const GRACE_MS = 3000;
/** 20 MB of rows: more than the socket buffers hold, so the query is still running while the client does not read. */
const ROWS = 200;
const BIG = `select repeat('x', 100000) from generate_series(1, ${ROWS})`;

let dir: string;
let gateway: ChildProcess;
let output = '';
let port: number;

/** Resolves with the match once the gateway's output matches `pattern`; rejects if it exits first. */
function outputMatching(pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(output);
      if (!m) return;
      gateway.stdout!.off('data', check);
      resolve(m);
    };
    gateway.stdout!.on('data', check);
    gateway.once('exit', () => reject(new Error(`gateway exited: ${output}`)));
    check();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegate-main-'));
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.json'), '--noCheck', '--sourceMap', 'false', '--outDir', dir]);
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  gateway = spawn(process.execPath, [join(dir, 'server/main.js'), '--port', '0', '--http-port', '0', '--no-tls'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  gateway.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  gateway.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  port = Number((await outputMatching(/listening on .*:(\d+) /))[1]);
}, 30_000);
afterAll(async () => {
  if (gateway.exitCode === null) gateway.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('SIGTERM', () => {
  it('refuses new sessions with 57P03, lets a running query finish, and exits 0 within the grace period', async () => {
    const running = await WireClient.connect(port);
    await running.startup({ user: 'tester', database: 'memory' });
    running.pause();
    running.send({ Type: 'Query', String: BIG });
    await new Promise((r) => setTimeout(r, 300));

    const exited = once(gateway, 'exit');
    const signalled = performance.now();
    gateway.kill('SIGTERM');
    await outputMatching(/SIGTERM received, shutting down/);

    const late = await WireClient.connect(port);
    late.send({ Type: 'StartupMessage', Parameters: { user: 'tester', database: 'memory' } });
    expect(await late.untilClosed()).toMatchObject([
      { Type: 'ErrorResponse', Severity: 'FATAL', Code: '57P03', Message: 'the database system is shutting down' },
    ]);
    late.destroy();

    running.resume();
    const result = await running.until('ReadyForQuery');
    expect(result.filter((m) => m.Type === 'DataRow')).toHaveLength(ROWS);
    expect(result.slice(-2)).toEqual([{ Type: 'CommandComplete', CommandTag: `SELECT ${ROWS}` }, { Type: 'ReadyForQuery', TxStatus: 'I' }]);
    running.send({ Type: 'Terminate' });

    expect(await exited).toEqual([0, null]);
    expect(performance.now() - signalled).toBeLessThan(GRACE_MS);
  });
});
