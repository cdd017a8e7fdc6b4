// Wire micro-benchmarks, Lakegate vs PostgreSQL 15 serving the same rows:
//   1. SELECT 1 round trips through node-postgres: p50 / p99 over `count` queries (after 200 warm-up)
//   2. rows/s of a 1 M-row, 4-column result delivered to node-postgres, psql (-At … > /dev/null)
//      and pgJDBC (setFetchSize 10000, autocommit off): one warm-up, then `runs` timed runs
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, RESULTS, ensureDir, fmtMs, ident, log, median, percentile, run, schemaOf, stamp } from './common.mjs';
import { ensurePostgres } from './data.mjs';
import { Lakegate } from './engines.mjs';
import { describeMachine, machineLine } from './machine.mjs';
import { connect, pgSettingsText, startPostgres } from './services.mjs';

const JDBC_DIR = join(BENCH, 'jdbc');
const FETCH_SIZE = 10_000;

async function buildJdbc() {
  const cpFile = join(JDBC_DIR, 'target/classpath.txt');
  if (!existsSync(join(JDBC_DIR, 'target/classes/dev/lakegate/bench/RowCount.class')) || !existsSync(cpFile)) {
    log('pgJDBC client: mvn compile (bench/jdbc)');
    const r = await run('mvn', ['-q', '-B', 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], { cwd: JDBC_DIR });
    if (r.code !== 0) throw new Error(`mvn failed: ${(r.stdout + r.stderr).slice(-600)}`);
  }
  return `${join(JDBC_DIR, 'target/classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
}

async function latency(target, count) {
  const c = await connect(target);
  try {
    for (let i = 0; i < 200; i++) await c.query('SELECT 1');
    const t = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await c.query('SELECT 1');
      t.push(performance.now() - t0);
    }
    return { count, p50Ms: percentile(t, 50), p99Ms: percentile(t, 99), meanMs: t.reduce((a, x) => a + x, 0) / t.length, maxMs: Math.max(...t) };
  } finally {
    await c.end();
  }
}

async function timedRuns(runs, once) {
  await once(); // warm-up
  const out = [];
  for (let i = 0; i < runs; i++) out.push(await once());
  const ms = out.map((o) => o.ms);
  const rows = out[0].rows;
  const med = median(ms);
  return { rows, runsMs: ms, medianMs: med, rowsPerSec: rows / (med / 1000) };
}

function nodeClient(target, schema, sql, runs) {
  return timedRuns(runs, async () => {
    const c = await connect(target);
    try {
      await c.query(`set search_path = ${schema}`);
      const t0 = performance.now();
      const r = await c.query({ text: sql, rowMode: 'array' });
      return { ms: performance.now() - t0, rows: r.rows.length };
    } finally {
      await c.end();
    }
  });
}

function psqlClient(target, schema, sql, runs) {
  return timedRuns(runs, async () => {
    const args = ['-X', '-At', '-h', '127.0.0.1', '-p', String(target.port), '-U', target.user, '-d', target.database, '-c', `set search_path = ${schema}`, '-c', sql];
    const t0 = performance.now();
    // psql's output goes to /dev/null; a second query counts the rows it would have printed
    // sslmode=disable: psql would otherwise negotiate TLS with the gateway (not with this PostgreSQL)
    const r = await run('bash', ['-c', `psql ${args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')} > /dev/null`], { env: { ...process.env, PGSSLMODE: 'disable' } });
    const ms = performance.now() - t0;
    if (r.code !== 0) throw new Error(`psql: ${r.stderr}`);
    return { ms, rows: NaN };
  });
}

async function jdbcClient(cp, target, schema, sql, runs) {
  // sslmode=disable: pgJDBC's default (prefer) would use TLS with the gateway only
  const url = `jdbc:postgresql://127.0.0.1:${target.port}/${target.database}?sslmode=disable`;
  const r = await run('java', ['-cp', cp, 'dev.lakegate.bench.RowCount', url, target.user, schema, String(FETCH_SIZE), String(runs + 1), sql]);
  if (r.code !== 0) throw new Error(`pgJDBC: ${(r.stderr || r.stdout).split('\n').slice(0, 3).join(' ')}`);
  const lines = [...r.stdout.matchAll(/rows=(\d+) ms=([\d.]+)/g)].map((m) => ({ rows: Number(m[1]), ms: Number(m[2]) }));
  const timed = lines.slice(1);
  const med = median(timed.map((l) => l.ms));
  return { rows: timed[0].rows, runsMs: timed.map((l) => l.ms), medianMs: med, rowsPerSec: timed[0].rows / (med / 1000) };
}

export async function runWire({ sf, runs, count, rows }) {
  const schema = ident(schemaOf(sf));
  const sql = `SELECT l_orderkey, l_partkey, l_quantity, l_shipdate FROM lineitem LIMIT ${rows}`;
  const result = { kind: 'wire', scale: sf, runs, count, sql, startedAt: new Date().toISOString(), machine: await describeMachine(), targets: {}, notes: [] };
  const pgsvc = await startPostgres();
  await ensurePostgres(sf, pgsvc);
  const lake = new Lakegate();
  await lake.open(sf);
  result.notes.push(...lake.notes, `PostgreSQL ${pgsvc.version}: ${pgSettingsText()}`);
  const targets = {
    lakegate: { label: lake.label, port: lake.gw.port, database: lake.catalog, user: 'lakegate' },
    postgres: { label: `PostgreSQL ${pgsvc.version}`, port: pgsvc.port, database: pgsvc.database, user: pgsvc.user },
  };
  let cp;
  try {
    cp = await buildJdbc();
  } catch (e) {
    result.notes.push(`pgJDBC not run: ${e.message}`);
  }
  try {
    for (const [name, t] of Object.entries(targets)) {
      const r = (result.targets[name] = { label: t.label });
      log(`${name}: SELECT 1 x ${count}`);
      r.latency = await latency(t, count);
      log(`  p50 ${r.latency.p50Ms.toFixed(3)} ms, p99 ${r.latency.p99Ms.toFixed(3)} ms`);
      r.rows = {};
      for (const [client, fn] of [
        ['node-postgres', () => nodeClient(t, schema, sql, runs)],
        ['psql', () => psqlClient(t, schema, sql, runs)],
        ['pgJDBC', () => (cp ? jdbcClient(cp, t, schema, sql, runs) : Promise.reject(new Error('not built')))],
      ]) {
        try {
          r.rows[client] = await fn();
          if (Number.isNaN(r.rows[client].rows)) {
            r.rows[client].rows = r.rows['node-postgres']?.rows ?? rows;
            r.rows[client].rowsPerSec = r.rows[client].rows / (r.rows[client].medianMs / 1000);
          }
          log(`  ${client}: ${r.rows[client].rows} rows, median ${r.rows[client].medianMs.toFixed(0)} ms, ${(r.rows[client].rowsPerSec / 1e6).toFixed(2)} M rows/s`);
        } catch (e) {
          r.rows[client] = { error: e.message.slice(0, 300) };
          log(`  ${client}: ERROR ${e.message}`);
        }
      }
    }
  } finally {
    await lake.close();
    await pgsvc.stop();
  }
  result.finishedAt = new Date().toISOString();
  ensureDir(RESULTS);
  const base = join(RESULTS, `wire-sf${sf}-${stamp()}`);
  writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + '\n');
  writeFileSync(`${base}.md`, wireMarkdown(result));
  return `${base}.md`;
}

function wireMarkdown(r) {
  const L = [`# Wire micro-benchmarks (SF ${r.scale})`, ''];
  L.push(`${r.startedAt} – ${r.finishedAt}`, '');
  L.push(`- ${machineLine(r.machine)}; Lakegate commit ${r.machine.lakegateCommit}`);
  for (const n of r.notes) L.push(`- ${n}`);
  L.push('', `## SELECT 1 round trip (node-postgres, ${r.count} queries after 200 warm-up, one connection)`, '');
  L.push('| server | p50 ms | p99 ms | mean ms | max ms |', '|---|---:|---:|---:|---:|');
  for (const t of Object.values(r.targets)) L.push(`| ${t.label} | ${t.latency.p50Ms.toFixed(3)} | ${t.latency.p99Ms.toFixed(3)} | ${t.latency.meanMs.toFixed(3)} | ${t.latency.maxMs.toFixed(2)} |`);
  L.push('', `## Rows delivered per second: \`${r.sql}\``, '');
  L.push(`Median of ${r.runs} runs after one warm-up. node-postgres: text format, rows as arrays, timed from sending the query to the last row; psql: \`psql -X -At -c "SET search_path …" -c "SELECT …" > /dev/null\`, wall-clock time of the process (includes its start and sign-in); all without TLS; pgJDBC 42.7.14: setFetchSize(${FETCH_SIZE}) with autocommit off (cursor fetching through portals), every value read with getObject, timed inside one JVM after a warm-up run.`, '');
  L.push('| client | ' + Object.values(r.targets).map((t) => `${t.label} rows/s | ms`).join(' | ') + ' |');
  L.push('|---|' + Object.values(r.targets).map(() => '---:|---:').join('|') + '|');
  for (const client of ['node-postgres', 'psql', 'pgJDBC']) {
    const cells = Object.values(r.targets).map((t) => {
      const x = t.rows[client];
      return !x || x.error ? `error: ${x?.error ?? '—'} | —` : `${(x.rowsPerSec / 1e6).toFixed(2)} M (${x.rows} rows) | ${fmtMs(x.medianMs)}`;
    });
    L.push(`| ${client} | ${cells.join(' | ')} |`);
  }
  L.push('');
  return L.join('\n');
}
