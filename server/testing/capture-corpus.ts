/**
 * Re-captures the fuzz tests' seed sessions from real clients (fuzz-corpus/README.md):
 *
 *   npm run build && node dist/server/testing/capture-corpus.js
 *
 * Starts the gateway (dist/server/main.js, real engine, no TLS) on a free port with a password
 * file for SCRAM-SHA-256, puts a recording TCP proxy in front of it, and runs sessions of psql,
 * node-postgres, psycopg and asyncpg (with `.tmp/venv/bin/python`, or CAPTURE_PYTHON; asyncpg
 * may come from PYTHONPATH) and pgJDBC (the driver jar in ~/.m2, run as a single-file Java
 * program): sign-in, simple and extended queries, prepared statements, an error, COPY TO and a
 * cancel. Each connection's client→server bytes are written to
 * fuzz-corpus/captured/<client>-<session>.bin (`-cancel-request` for a CancelRequest connection),
 * replacing the files there. A client that is not installed is skipped with a message.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { StartupCode } from '../protocol/codes.js';
import { formatVerifier, makeVerifier } from '../../auth/scram/verifier.js';

/** Run from dist/server/testing/: the repository is three folders up. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = join(ROOT, 'server/testing/fuzz-corpus/captured');
const USER = 'alice';
const PASSWORD = 's3cret pw';
const JDBC_JAR = join(homedir(), '.m2/repository/org/postgresql/postgresql/42.7.14/postgresql-42.7.14.jar');
const PYTHON = process.env.CAPTURE_PYTHON ?? join(ROOT, '.tmp/venv/bin/python');

/** Starts the gateway and resolves to its port once it listens. */
async function startGateway(work: string): Promise<{ port: number; stop(): void }> {
  writeFileSync(join(work, 'passwords'), `${USER}:${formatVerifier(makeVerifier(PASSWORD))}\n`);
  const child = spawn('node', [join(ROOT, 'dist/server/main.js'), '--port', '0', '--http-port', '0', '--no-tls', '--passwords', join(work, 'passwords')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Lakegate listening on .*:(\d+) /.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited (${code}) before listening:\n${out}`)));
  });
  return { port, stop: () => child.kill() };
}

/** A TCP proxy that records what each client sends, under the label of the session running now. */
class RecordingProxy {
  label = '';
  private open = 0;
  private readonly names = new Set<string>();
  private readonly server = createServer((client) => this.relay(client));

  constructor(private readonly upstreamPort: number) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves when every proxied connection has closed. */
  async idle(): Promise<void> {
    while (this.open > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  close(): void {
    this.server.close();
  }

  private relay(client: Socket): void {
    const label = this.label;
    const upstream = connect({ port: this.upstreamPort, host: '127.0.0.1' });
    const sent: Buffer[] = [];
    this.open++;
    client.on('data', (chunk: Buffer) => {
      sent.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    let closed = 0;
    const onClose = () => {
      if (++closed < 2) return;
      this.save(label, Buffer.concat(sent));
      this.open--;
    };
    client.on('close', onClose);
    upstream.on('close', onClose);
  }

  private save(label: string, bytes: Buffer): void {
    if (bytes.length === 0) return;
    const cancel = bytes.length === 16 && bytes.readUInt32BE(4) === StartupCode.CancelRequest;
    const base = cancel ? `${label}-cancel-request` : label;
    let name = base;
    for (let n = 2; this.names.has(name); n++) name = `${base}-${n}`;
    this.names.add(name);
    writeFileSync(join(OUT, `${name}.bin`), bytes);
    console.log(`  ${name}.bin: ${bytes.length} bytes`);
  }
}

/** Runs a client program; its failure is reported, not thrown (other clients still run). */
function run(label: string, command: string, args: readonly string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) => {
      console.log(`  ${label}: not run (${e.message})`);
      resolve();
    });
    child.on('exit', (code) => {
      if (code !== 0) console.log(`  ${label}: exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`);
      resolve();
    });
  });
}

const available = (command: string, args: readonly string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

async function psqlSessions(proxy: RecordingProxy, port: number): Promise<void> {
  if (!available('psql', ['--version'])) return console.log('  psql: not installed, skipped');
  // sslmode=prefer: the session starts with SSLRequest, which the gateway (--no-tls) refuses.
  const conninfo = `host=127.0.0.1 port=${port} dbname=lakegate user=${USER} sslmode=prefer`;
  const env = { PGPASSWORD: PASSWORD, PGGSSENCMODE: 'disable' };
  proxy.label = 'psql-queries';
  await run('psql', 'psql', ['-X', '-A', conninfo, '-c', "select 1 as one, 'lake' || 'gate' as word", '-c', 'select 1; select 2', '-c', 'select * from no_such_table', '-c', 'copy (select n from (values (1), (2)) as t(n)) to stdout'], env);
  await proxy.idle();
  proxy.label = 'psql-cancel';
  const sleeping = spawn('psql', ['-X', conninfo, '-c', 'select pg_sleep(5)'], { stdio: 'ignore', env: { ...process.env, ...env } });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  sleeping.kill('SIGINT');
  await new Promise((resolve) => sleeping.once('exit', resolve));
  await proxy.idle();
}

async function nodePostgresSession(proxy: RecordingProxy, port: number): Promise<void> {
  proxy.label = 'node-postgres';
  const client = new pg.Client({ host: '127.0.0.1', port, database: 'lakegate', user: USER, password: PASSWORD });
  await client.connect();
  await client.query('select 1 as one; select 2 as two');
  await client.query({ text: 'select $1::int + 1 as n', values: [41] });
  for (const v of [1, 2]) await client.query({ name: 'doubled', text: 'select $1::int * 2 as n', values: [v] });
  await client.query('select * from no_such_table').catch(() => undefined);
  await client.query({ text: 'select $1::text as t', values: ['é€😀'], rowMode: 'array' });
  await client.end();
  await proxy.idle();
}

const PSYCOPG = `
import sys, threading, psycopg
conn = psycopg.connect(host="127.0.0.1", port=int(sys.argv[1]), dbname="lakegate", user="${USER}", password="${PASSWORD}", sslmode="disable")
conn.autocommit = True
conn.execute("select 1")
for v in (1, 2, 3):
    conn.execute("select %s::int * 2", [v], prepare=True).fetchall()
with conn.cursor() as cur:
    with cur.copy("copy (select n from (values (1), (2)) as t(n)) to stdout") as copy:
        for row in copy.rows():
            pass
timer = threading.Timer(1.0, conn.cancel)
timer.start()
try:
    conn.execute("select pg_sleep(5)")
except psycopg.errors.QueryCanceled:
    pass
conn.close()
`;

const ASYNCPG = `
import asyncio, io, sys, asyncpg
async def main():
    conn = await asyncpg.connect(host="127.0.0.1", port=int(sys.argv[1]), database="lakegate", user="${USER}", password="${PASSWORD}", ssl=False)
    await conn.fetch("select 1")
    statement = await conn.prepare("select $1::int * 2")
    for v in (1, 2):
        await statement.fetchval(v)
    await conn.copy_from_query("select n from (values (1), (2)) as t(n)", output=io.BytesIO())
    sleeping = asyncio.ensure_future(conn.fetch("select pg_sleep(5)"))
    await asyncio.sleep(1)
    sleeping.cancel()
    try:
        await sleeping
    except asyncio.CancelledError:
        pass
    await conn.close()
asyncio.run(main())
`;

const JDBC = `
import java.sql.*;
import org.postgresql.PGConnection;
public class Capture {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + a[0] + "/lakegate?sslmode=disable&prepareThreshold=1", "${USER}", "${PASSWORD}")) {
      try (Statement s = c.createStatement()) { s.executeQuery("select 1 as one").close(); }
      try (PreparedStatement p = c.prepareStatement("select ?::int * 2 as n")) {
        for (int i = 1; i <= 2; i++) { p.setInt(1, i); p.executeQuery().close(); }
      }
      c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy (select n from (values (1), (2)) as t(n)) to stdout", new java.io.ByteArrayOutputStream());
      try (Statement s = c.createStatement()) {
        Thread t = new Thread(() -> { try { Thread.sleep(1000); s.cancel(); } catch (Exception e) { throw new RuntimeException(e); } });
        t.start();
        try { s.executeQuery("select pg_sleep(5)"); } catch (SQLException e) { if (!"57014".equals(e.getSQLState())) throw e; }
        t.join();
      }
    }
  }
}
`;

/** Runs a Python client script when `module` can be imported. */
async function pythonSession(proxy: RecordingProxy, port: number, work: string, module: string, script: string): Promise<void> {
  if (!available(PYTHON, ['-c', `import ${module}`])) return console.log(`  ${module}: not importable by ${PYTHON}, skipped`);
  proxy.label = module;
  writeFileSync(join(work, `capture_${module}.py`), script);
  await run(module, PYTHON, [join(work, `capture_${module}.py`), String(port)]);
  await proxy.idle();
}

async function jdbcSession(proxy: RecordingProxy, port: number, work: string): Promise<void> {
  if (!existsSync(JDBC_JAR) || !available('java', ['-version'])) return console.log(`  pgJDBC: java or ${JDBC_JAR} not found, skipped`);
  proxy.label = 'pgjdbc';
  writeFileSync(join(work, 'Capture.java'), JDBC);
  await run('pgJDBC', 'java', ['-cp', JDBC_JAR, join(work, 'Capture.java'), String(port)]);
  await proxy.idle();
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'lakegate-capture-'));
  mkdirSync(OUT, { recursive: true });
  for (const name of readdirSync(OUT)) rmSync(join(OUT, name));
  const gateway = await startGateway(work);
  const proxy = new RecordingProxy(gateway.port);
  try {
    const port = await proxy.listen();
    console.log(`capturing into ${OUT} (gateway :${gateway.port}, proxy :${port})`);
    await psqlSessions(proxy, port);
    await nodePostgresSession(proxy, port);
    await pythonSession(proxy, port, work, 'psycopg', PSYCOPG);
    await pythonSession(proxy, port, work, 'asyncpg', ASYNCPG);
    await jdbcSession(proxy, port, work);
  } finally {
    proxy.close();
    gateway.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
