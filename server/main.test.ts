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
let gateway: Gateway;

/** A running `node server/main.js` and everything it printed. */
class Gateway {
  output = '';
  readonly process: ChildProcess;
  port = 0;

  constructor(args: readonly string[]) {
    this.process = spawn(process.execPath, [join(dir, 'server/main.js'), '--port', '0', '--http-port', '0', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.process.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  static async start(args: readonly string[]): Promise<Gateway> {
    const g = new Gateway(args);
    g.port = Number((await g.outputMatching(/listening on .*:(\d+) /))[1]);
    return g;
  }

  /** Resolves with the match once the output matches `pattern`; rejects if the process exits first. */
  outputMatching(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(this.output);
        if (!m) return;
        this.process.stdout!.off('data', check);
        this.process.stderr!.off('data', check);
        resolve(m);
      };
      this.process.stdout!.on('data', check);
      this.process.stderr!.on('data', check);
      this.process.once('exit', () => reject(new Error(`gateway exited: ${this.output}`)));
      check();
    });
  }

  stop(): void {
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegate-main-'));
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.json'), '--noCheck', '--sourceMap', 'false', '--outDir', dir]);
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  gateway = await Gateway.start(['--no-tls']);
}, 30_000);
afterAll(async () => {
  gateway.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('SIGTERM', () => {
  it('refuses new sessions with 57P03, lets a running query finish, and exits 0 within the grace period', async () => {
    const { port } = gateway;
    const running = await WireClient.connect(port);
    await running.startup({ user: 'tester', database: 'memory' });
    running.pause();
    running.send({ Type: 'Query', String: BIG });
    await new Promise((r) => setTimeout(r, 300));

    const exited = once(gateway.process, 'exit');
    const signalled = performance.now();
    gateway.process.kill('SIGTERM');
    await gateway.outputMatching(/SIGTERM received, shutting down/);

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

describe('SIGHUP', () => {
  it('reloads the sign-in rules: new connections follow them, open sessions stay; a broken file keeps the old rules', async () => {
    const hba = join(dir, 'hba.conf');
    await writeFile(hba, 'host all all 127.0.0.1/32 trust\n');
    const reloading = await Gateway.start(['--no-tls', '--hba', hba]);
    try {
      const signIn = async () => {
        const c = await WireClient.connect(reloading.port);
        c.send({ Type: 'StartupMessage', Parameters: { user: 'tester', database: 'memory' } });
        const first = await c.receive();
        c.destroy();
        return first;
      };
      const open = await WireClient.connect(reloading.port);
      await open.startup({ user: 'tester', database: 'memory' });
      expect(await signIn()).toEqual({ Type: 'AuthenticationOk' });

      await writeFile(hba, 'host all all 127.0.0.1/32 reject\n');
      reloading.process.kill('SIGHUP');
      await reloading.outputMatching(/SIGHUP received, sign-in configuration reloaded/);
      expect(await signIn()).toMatchObject({ Type: 'ErrorResponse', Severity: 'FATAL', Code: '28000' });
      open.send({ Type: 'Query', String: 'select 1' });
      expect((await open.until('ReadyForQuery')).map((m) => m.Type)).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);

      await writeFile(hba, 'host all all 127.0.0.1/32 no-such-method\n');
      reloading.process.kill('SIGHUP');
      await reloading.outputMatching(/sign-in configuration not reloaded: .*hba\.conf:1/);
      expect(await signIn()).toMatchObject({ Type: 'ErrorResponse', Code: '28000' });
      open.destroy();
    } finally {
      reloading.stop();
    }
  });
});

