// The servers the benchmarks talk to: the Lakegate gateway (built from this checkout) and the
// benchmark's own PostgreSQL 15. Every server started here is stopped by stopAll(), also on
// Ctrl-C and on errors.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { DATA, ROOT, ensureDir, freePort, log, portInUse, run, waitForPort, sleep } from './common.mjs';

const started = new Set();
export function registerStop(fn) {
  started.add(fn);
  return () => started.delete(fn);
}
/**
 * Stops a detached child's whole process group (SIGTERM, then SIGKILL after `graceMs`) and
 * registers that stop to run on exit. Returns `alive()` and `stop()`.
 */
export function supervise(child, graceMs) {
  let alive = true;
  child.on('exit', () => (alive = false));
  const signal = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      /* gone */
    }
  };
  const stop = async () => {
    if (alive) {
      signal('SIGTERM');
      for (let waited = 0; waited < graceMs && alive; waited += 100) await sleep(100);
      if (alive) signal('SIGKILL');
    }
    unregister();
  };
  const unregister = registerStop(stop);
  return { alive: () => alive, stop };
}

export async function stopAll() {
  for (const fn of [...started].reverse()) {
    try {
      await fn();
    } catch (e) {
      log(`stopping: ${e.message}`);
    }
  }
  started.clear();
}
let hooked = false;
export function hookSignals() {
  if (hooked) return;
  hooked = true;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
      log(`${sig}: stopping the servers the benchmark started`);
      await stopAll();
      process.exit(130);
    });
  }
}

/** Text of every value, as the server sent it (dates, numerics and int8 stay strings). */
export const RAW_TYPES = { getTypeParser: () => (v) => v };

export async function connect({ port, database, user = 'lakegate', host = '127.0.0.1', statementTimeoutMs }) {
  const client = new pg.Client({ host, port, user, database, types: RAW_TYPES, application_name: 'lakegate-bench' });
  client.on('error', () => {});
  await client.connect();
  if (statementTimeoutMs) await client.query(`set statement_timeout = ${Math.floor(statementTimeoutMs)}`);
  return client;
}

// ---- the gateway ---------------------------------------------------------------------------

/** The checkout whose gateway is benchmarked (default: this one). */
export const GATEWAY_DIR = process.env.BENCH_GATEWAY_DIR ?? ROOT;

let built = false;
/** Set when the build had errors; the report shows it. */
export let buildWarning;
/** npm run build once per harness run (the gateway is compiled TypeScript). */
export async function buildGateway() {
  if (built || process.env.BENCH_SKIP_BUILD === '1') return;
  log(`npm run build (the gateway in ${GATEWAY_DIR})`);
  const r = await run('npm', ['run', '--silent', 'build'], { cwd: GATEWAY_DIR });
  if (!existsSync(join(GATEWAY_DIR, 'dist/server/main.js'))) throw new Error(`dist/server/main.js missing after npm run build:\n${r.stdout}${r.stderr}`);
  if (r.code !== 0) {
    // tsc still emits JavaScript for files with type errors
    buildWarning = `npm run build reported type errors (the gateway ran from what tsc emitted): ${(r.stdout + r.stderr).trim().split('\n').slice(0, 3).join(' | ')}`;
    log(`WARNING: ${buildWarning}`);
  }
  built = true;
}

/**
 * Starts `node dist/server/main.js --port P --http-port 0` in its own process group.
 * Resolves { port, pid, startMs, stop() } once it accepts PostgreSQL connections.
 */
export async function startGateway({ env = {}, port } = {}) {
  await buildGateway();
  port ??= await freePort();
  const logFile = join(ensureDir(join(ROOT, '.tmp/bench')), 'gateway.log');
  const fd = openSync(logFile, 'a');
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/server/main.js', '--port', String(port), '--http-port', '0'], {
    cwd: GATEWAY_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  const { alive: isAlive, stop } = supervise(child, 5000);
  try {
    await waitForPort(port, 60_000, isAlive);
    // the first successful sign-in marks "ready"
    for (;;) {
      try {
        const c = await connect({ port, database: 'lakegate' });
        await c.query('select 1');
        await c.end();
        break;
      } catch (e) {
        if (!isAlive()) throw e;
        await sleep(100);
      }
    }
  } catch (e) {
    await stop();
    throw new Error(`the gateway did not start (log ${logFile}): ${e.message}`);
  }
  return { port, pid: child.pid, startMs: performance.now() - t0, stop };
}

// ---- PostgreSQL 15 ---------------------------------------------------------------------------

export const PG_PORT = Number(process.env.BENCH_PG_PORT ?? 54339);
export const PG_DIR = resolve(process.env.BENCH_PG_DIR ?? join(DATA, 'postgres'));
const TEST_PG_DIR = resolve(ROOT, '.tmp/services/postgres');
const PGBIN = '/usr/lib/postgresql/15/bin';

/**
 * Settings for a 2-core, 24 GB machine running one query at a time (passed on the command
 * line, so they override the test script's shared_buffers=128MB). Reported with the results.
 */
export const PG_SETTINGS = {
  shared_buffers: '4GB',
  effective_cache_size: '16GB',
  work_mem: '512MB',
  maintenance_work_mem: '2GB',
  max_parallel_workers_per_gather: '2',
  max_parallel_maintenance_workers: '2',
  max_wal_size: '8GB',
  random_page_cost: '1.1',
  jit: 'off',
};

const pgEnv = () => ({ ...process.env, PG_TEST_PORT: String(PG_PORT), PG_TEST_DIR: PG_DIR });
const asOwner = (args) => (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0], args.slice(1)]);

/**
 * The benchmark's own PostgreSQL: scripts/services/postgres.sh start with PG_TEST_PORT=54339 and
 * PG_TEST_DIR=bench/data/postgres (installs postgresql-15 if missing, initdb, roles), then
 * restarted with PG_SETTINGS. Never the test suite's instance (port 54329, .tmp/services/postgres).
 */
export async function startPostgres() {
  if (PG_DIR === TEST_PG_DIR || PG_PORT === 54329) throw new Error('the benchmark must not use the test suite PostgreSQL (port 54329, .tmp/services/postgres)');
  const status = await run('bash', ['scripts/services/postgres.sh', 'status'], { cwd: ROOT, env: pgEnv() });
  const wasRunning = status.code === 0;
  if (!wasRunning && (await portInUse(PG_PORT))) throw new Error(`127.0.0.1:${PG_PORT} is in use by another process; set BENCH_PG_PORT`);
  log(`PostgreSQL: scripts/services/postgres.sh start (port ${PG_PORT}, data ${PG_DIR})`);
  const r = await run('bash', ['scripts/services/postgres.sh', 'start'], { cwd: ROOT, env: pgEnv() });
  if (r.code !== 0) throw new Error(`postgres.sh start failed:\n${r.stderr}`);
  const stop = async () => {
    await run('bash', ['scripts/services/postgres.sh', 'stop'], { cwd: ROOT, env: pgEnv() });
    unregister();
  };
  const unregister = wasRunning ? () => {} : registerStop(stop);
  // restart with the benchmark's settings (the script's command line fixes shared_buffers=128MB)
  const data = join(PG_DIR, 'data');
  const c0 = await connect({ port: PG_PORT, database: 'postgres', user: 'postgres' });
  const sb = (await c0.query('show shared_buffers')).rows[0].shared_buffers;
  await c0.end();
  if (sb !== PG_SETTINGS.shared_buffers) {
    log(`PostgreSQL: restarting with ${Object.entries(PG_SETTINGS).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    let [cmd, args] = asOwner([`${PGBIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    let s = await run(cmd, args);
    if (s.code !== 0) throw new Error(`pg_ctl stop: ${s.stderr}`);
    const opts = [
      '-c listen_addresses=127.0.0.1',
      `-p ${PG_PORT}`,
      "-c unix_socket_directories=''",
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c logging_collector=off',
      ...Object.entries(PG_SETTINGS).map(([k, v]) => `-c ${k}=${v}`),
    ].join(' ');
    [cmd, args] = asOwner([`${PGBIN}/pg_ctl`, '-D', data, '-l', join(PG_DIR, 'postgres.log'), '-w', '-t', '120', 'start', '-o', opts]);
    s = await run(cmd, args);
    if (s.code !== 0) throw new Error(`pg_ctl start: ${s.stderr}\n${readFileSync(join(PG_DIR, 'postgres.log'), 'utf8').slice(-2000)}`);
    // keep the script's pid file right, so postgres.sh stop stops this postmaster
    writeFileSync(join(PG_DIR, 'postgres.pid'), readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0] + '\n');
  }
  const c = await connect({ port: PG_PORT, database: 'postgres', user: 'postgres' });
  const version = (await c.query('show server_version')).rows[0].server_version;
  await c.query(`select 1 from pg_database where datname = 'bench'`).then(async (res) => {
    if (!res.rows.length) await c.query('create database bench');
  });
  await c.end();
  return { port: PG_PORT, database: 'bench', user: 'postgres', version, stop };
}

// ---- helpers for the report ------------------------------------------------------------------

export function pgSettingsText() {
  return Object.entries(PG_SETTINGS)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
