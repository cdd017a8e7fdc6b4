// Trino as a peer: io.trino:trino-server (a tarball on Maven Central, fetched with mvn), run on
// Java 25 with one node that is coordinator and worker, the hive connector with a file
// metastore over the local Parquet files. Talks to it over its HTTP protocol (/v1/statement).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DATA, ensureDir, freePort, log, run, sleep } from './common.mjs';
import { supervise } from './services.mjs';

export const TRINO_VERSION = process.env.BENCH_TRINO_VERSION ?? '476';
export const JAVA_HOME = process.env.BENCH_TRINO_JAVA_HOME ?? '/usr/lib/jvm/temurin-25-jdk-amd64';
const HEAP = process.env.BENCH_TRINO_HEAP ?? '10G';
const TRINO_DIR = join(DATA, 'trino');
const SERVER = join(TRINO_DIR, `trino-server-${TRINO_VERSION}`);

export class NotInstallable extends Error {}

/** Downloads (mvn dependency:get) and unpacks the server once into bench/data/trino. */
export async function installTrino() {
  if (existsSync(join(SERVER, 'bin/launcher'))) return SERVER;
  if (!existsSync(join(JAVA_HOME, 'bin/java'))) throw new NotInstallable(`Trino ${TRINO_VERSION} needs Java 24+; ${JAVA_HOME} is missing`);
  ensureDir(TRINO_DIR);
  const tgz = join(homedir(), `.m2/repository/io/trino/trino-server/${TRINO_VERSION}/trino-server-${TRINO_VERSION}.tar.gz`);
  if (!existsSync(tgz)) {
    log(`Trino: mvn dependency:get io.trino:trino-server:${TRINO_VERSION}:tar.gz (about 800 MB)`);
    const r = await run('mvn', ['-B', '-q', 'dependency:get', `-Dartifact=io.trino:trino-server:${TRINO_VERSION}:tar.gz`, '-Dtransitive=false']);
    if (r.code !== 0 || !existsSync(tgz)) throw new NotInstallable(`mvn could not fetch io.trino:trino-server:${TRINO_VERSION}:tar.gz: ${(r.stdout + r.stderr).slice(-400)}`);
  }
  log(`Trino: unpacking ${tgz}`);
  const r = await run('tar', ['xzf', tgz, '-C', TRINO_DIR]);
  if (r.code !== 0) throw new NotInstallable(`tar: ${r.stderr}`);
  return SERVER;
}

function writeConfig(etc, port) {
  rmSync(etc, { recursive: true, force: true });
  mkdirSync(join(etc, 'catalog'), { recursive: true });
  writeFileSync(join(etc, 'node.properties'), `node.environment=bench\nnode.id=bench-1\nnode.data-dir=${join(TRINO_DIR, 'var')}\n`);
  writeFileSync(
    join(etc, 'jvm.config'),
    [
      '-server',
      `-Xmx${HEAP}`,
      '-XX:InitialRAMPercentage=10',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-XX:+ExitOnOutOfMemoryError',
      '-XX:+HeapDumpOnOutOfMemoryError',
      '-XX:-OmitStackTraceInFastThrow',
      '-XX:ReservedCodeCacheSize=256M',
      '-XX:PerMethodRecompilationCutoff=10000',
      '-XX:PerBytecodeRecompilationCutoff=10000',
      '-Djdk.attach.allowAttachSelf=true',
      '-Djdk.nio.maxCachedBufferSize=2000000',
      '-Dfile.encoding=UTF-8',
      '-XX:+EnableDynamicAgentLoading',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(etc, 'config.properties'),
    [
      'coordinator=true',
      'node-scheduler.include-coordinator=true',
      `http-server.http.port=${port}`,
      `discovery.uri=http://127.0.0.1:${port}`,
      'query.max-memory=6GB',
      'query.max-memory-per-node=6GB',
      'catalog.management=static',
      '',
    ].join('\n'),
  );
  writeFileSync(join(etc, 'log.properties'), 'io.trino=WARN\n');
  writeFileSync(
    join(etc, 'catalog/hive.properties'),
    [
      'connector.name=hive',
      'hive.metastore=file',
      `hive.metastore.catalog.dir=local:///${join(TRINO_DIR, 'metastore').slice(1)}`,
      'fs.native-local.enabled=true',
      'local.location=/',
      'hive.non-managed-table-writes-enabled=false',
      '',
    ].join('\n'),
  );
}

/** Starts Trino; resolves { port, stop(), settings }. Throws NotInstallable with the reason. */
export async function startTrino() {
  await installTrino();
  const port = await freePort();
  const etc = join(TRINO_DIR, 'etc');
  writeConfig(etc, port);
  ensureDir(join(TRINO_DIR, 'metastore'));
  const logFile = join(TRINO_DIR, 'server.log');
  const fd = openSync(logFile, 'w');
  log(`Trino: starting on 127.0.0.1:${port} (log ${logFile})`);
  const child = spawn(join(SERVER, 'bin/launcher'), ['run', `--etc-dir=${etc}`, `--data-dir=${join(TRINO_DIR, 'var')}`], {
    env: { ...process.env, JAVA_HOME, PATH: `${JAVA_HOME}/bin:${process.env.PATH}` },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  const { alive, stop } = supervise(child, 10_000);
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (!alive()) {
      await stop();
      const { readFileSync } = await import('node:fs');
      throw new NotInstallable(`the Trino server exited at start: ${readFileSync(logFile, 'utf8').split('\n').filter((l) => /ERROR|Exception|Error/.test(l)).slice(0, 3).join(' | ').slice(0, 600)}`);
    }
    try {
      const info = await (await fetch(`http://127.0.0.1:${port}/v1/info`)).json();
      if (info.starting === false) {
        // the node must also be registered as a worker
        await trinoQuery(port, 'SELECT 1', {});
        break;
      }
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new NotInstallable(`Trino did not become ready in 180 s (log ${logFile})`);
    }
    await sleep(500);
  }
  return { port, stop, settings: `-Xmx${HEAP}, query.max-memory-per-node=6GB` };
}

/** Runs one statement over Trino's client protocol; resolves the rows (arrays of JSON values). */
export async function trinoQuery(port, sql, { catalog, schema, timeoutMs = 600_000 } = {}) {
  const headers = { 'X-Trino-User': 'bench', 'X-Trino-Source': 'lakegate-bench' };
  if (catalog) headers['X-Trino-Catalog'] = catalog;
  if (schema) headers['X-Trino-Schema'] = schema;
  const deadline = Date.now() + timeoutMs;
  let res = await (await fetch(`http://127.0.0.1:${port}/v1/statement`, { method: 'POST', headers, body: sql })).json();
  const rows = [];
  for (;;) {
    if (res.error) throw new Error(`${res.error.errorName}: ${res.error.message}`);
    if (res.data) for (const r of res.data) rows.push(r);
    if (!res.nextUri) return rows;
    if (Date.now() > deadline) {
      await fetch(res.nextUri, { method: 'DELETE' }).catch(() => {});
      throw new Error(`canceled after ${timeoutMs} ms`);
    }
    res = await (await fetch(res.nextUri, { headers })).json();
  }
}
