// Soak benchmark (checklist item 85): many concurrent node-postgres clients for a long time
// against one gateway with a `pg` catalog over the benchmark's PostgreSQL, a mix of queries
// (bench/lib/soak-client.mjs), sampled every few seconds: gateway RSS / anonymous memory / fds /
// CPU (/proc/<pid>), upstream sessions (pg_stat_activity by application_name), throughput,
// p50/p95/p99 per query kind and errors by SQLSTATE. At the end the clients leave and fd and
// upstream counts must return to the baseline measured before they came.
// Writes bench/results/soak-<time>.{md,json}.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULTS, ensureDir, fmtMs, ident, log, percentile, schemaOf, sleep, stamp } from './common.mjs';
import { ensurePostgres } from './data.mjs';
import { describeMachine, machineLine } from './machine.mjs';
import { buildWarning, connect, startGateway, startPostgres } from './services.mjs';

const PG_SF = '0.01'; // the PostgreSQL catalog's tables: schema "sf0.01" of database bench
const IDLE_TIMEOUT_S = 5; // postgresql.idle-timeout of the pg catalog: idle upstream sessions close after it
/** p99 budgets per kind, ms (cancel/timeout: until the 57014 arrives, sent 20–120 ms / 100 ms in). */
export const P99_BUDGET_MS = { select1: 100, prepared: 250, pg: 250, agg: 500, join: 500, cancel: 1000, timeout: 1000, connect: 500 };
const KINDS = Object.keys(P99_BUDGET_MS);
const RSS_GROWTH_BUDGET = 0.1; // mean RSS of the last 10% of samples vs the first 10%: at most +10%
const RSS_MAX_MIB = 1024;
const EXPECTED = (key) => /^(cancel|timeout) 57014$/.test(key); // never recorded as an error anyway

// ---- /proc and pg_stat_activity ----------------------------------------------------------------

function procStatus(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return {
    rssMiB: kb('VmRSS') / 1024,
    anonMiB: kb('RssAnon') / 1024, // the JS heap, malloc arenas and buffers
    hwmMiB: kb('VmHWM') / 1024,
    threads: kb('Threads'),
    fds: readdirSync(`/proc/${pid}/fd`).length,
    cpuTicks: Number(stat[11]) + Number(stat[12]), // utime + stime, 1/100 s
  };
}
const upstreamSessions = async (mon, app) => Number((await mon.query('select count(*) as n from pg_stat_activity where application_name = $1', [app])).rows[0].n);

/** Count and percentiles (max without spreading: a long run has too many values for the stack). */
function stats(xs) {
  return xs.length ? { n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99), max: xs.reduce((a, x) => (x > a ? x : a), -Infinity) } : { n: 0 };
}

// ---- the run -------------------------------------------------------------------------------------

export async function runSoak({ clients, minutes, thinkMs, sampleSeconds, workers, rampSeconds, reconnectEvery, settleSeconds }) {
  const result = {
    kind: 'soak',
    config: { clients, minutes, thinkMs, sampleSeconds, workers, rampSeconds, reconnectEvery, settleSeconds, idleTimeoutS: IDLE_TIMEOUT_S },
    budgets: { p99Ms: P99_BUDGET_MS, rssGrowth: RSS_GROWTH_BUDGET, rssMaxMiB: RSS_MAX_MIB },
    startedAt: new Date().toISOString(),
    machine: await describeMachine(),
    timeline: [],
    notes: [],
  };
  const pgsvc = await startPostgres();
  await ensurePostgres(PG_SF, pgsvc);
  const app = `lakegate-soak-${process.pid}`;
  const catalogDir = mkdtempSync(join(tmpdir(), 'lakegate-soak-'));
  writeFileSync(
    join(catalogDir, 'pg.properties'),
    [
      'connector.name=postgresql',
      `connection-url=jdbc:postgresql://127.0.0.1:${pgsvc.port}/${pgsvc.database}?ApplicationName=${app}`,
      `connection-user=${pgsvc.user}`,
      `postgresql.idle-timeout=${IDLE_TIMEOUT_S}s`,
      '',
    ].join('\n'),
  );
  const gw = await startGateway({ env: { LAKEGATE_CATALOG_DIR: catalogDir, LAKEGATE_MAX_CONNECTIONS: String(clients + 10) } });
  if (buildWarning) result.notes.push(buildWarning);
  const mon = await connect({ port: pgsvc.port, database: 'postgres', user: pgsvc.user });
  const procs = [];
  try {
    log(`soak: gateway pid ${gw.pid} on port ${gw.port}, catalog pg -> 127.0.0.1:${pgsvc.port}/${pgsvc.database} (application_name ${app})`);
    // warm-up: every kind once on one connection (lazy state: worker threads, metadata), then
    // wait for the idle upstream sessions to close, and measure the baseline
    const pgSchema = ident(schemaOf(PG_SF));
    const w = await connect({ port: gw.port, database: 'tpch' });
    for (const q of [
      'select 1',
      `select count(*) from pg.${pgSchema}.orders where o_orderkey = 1`,
      'select l_returnflag, count(*) from tpch.tiny.lineitem group by 1',
      'select n_name, count(*) from tpch.tiny.customer join tpch.tiny.nation on c_nationkey = n_nationkey group by 1',
    ])
      await w.query(q);
    await w.query('set statement_timeout = 100');
    await w.query("select count(*) from tpch.sf1.lineitem where l_comment like '%zzz%'").catch(() => {});
    await w.end();
    await sleep((IDLE_TIMEOUT_S + settleSeconds) * 1000);
    const base = { ...procStatus(gw.pid), upstream: await upstreamSessions(mon, app) };
    result.baseline = base;
    log(`soak: baseline RSS ${base.rssMiB.toFixed(0)} MiB, fds ${base.fds}, upstream sessions ${base.upstream}`);

    // the clients, spread over `workers` processes
    for (let i = 0; i < workers; i++) {
      const n = Math.floor(clients / workers) + (i < clients % workers ? 1 : 0);
      const cfg = { port: gw.port, clients: n, thinkMs, rampMs: rampSeconds * 1000, reconnectEvery, pgSchema };
      const p = fork(new URL('./soak-client.mjs', import.meta.url), [JSON.stringify(cfg)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      p.on('error', (e) => log(`soak client process: ${e.message}`));
      procs.push(p);
    }
    // one message to every client process, and their answers (a process that died fails the run)
    const ask = (cmd, type) =>
      Promise.all(
        procs.map(
          (p) =>
            new Promise((resolve, reject) => {
              if (p.exitCode !== null || !p.connected) return reject(new Error(`soak client process ${p.pid} exited (${p.exitCode})`));
              const exit = (code) => reject(new Error(`soak client process ${p.pid} exited (${code})`));
              const on = (m) => m.type === type && (p.off('message', on), p.off('exit', exit), resolve(m));
              p.on('message', on);
              p.once('exit', exit);
              p.send({ cmd });
            }),
        ),
      );
    const all = Object.fromEntries(KINDS.map((k) => [k, []]));
    const errorsTotal = {};
    const t0 = Date.now();
    let prev = { t: t0, cpu: procStatus(gw.pid).cpuTicks };
    log(`soak: ${clients} clients in ${workers} processes, think ${thinkMs} ms, ${minutes} min, a sample every ${sampleSeconds} s`);
    while (Date.now() - t0 < minutes * 60_000) {
      await sleep(Math.min(sampleSeconds * 1000, t0 + minutes * 60_000 - Date.now()));
      const windows = await ask('flush', 'window');
      const now = Date.now();
      const p = procStatus(gw.pid);
      const row = { t: Math.round((now - t0) / 1000), connected: 0, queries: 0, kinds: {}, errors: {}, ...p, cpuPct: (100 * (p.cpuTicks - prev.cpu)) / ((now - prev.t) / 10) };
      row.upstream = await upstreamSessions(mon, app);
      row.load1 = loadavg()[0]; // the whole machine (clients, PostgreSQL, anything else running)
      for (const wdw of windows) {
        row.connected += wdw.connected;
        for (const [k, xs] of Object.entries(wdw.lat)) {
          (row.kinds[k] ??= []).push(...xs);
          all[k].push(...xs);
          if (k !== 'connect') row.queries += xs.length;
        }
        for (const [k, n] of Object.entries(wdw.errors)) {
          row.errors[k] = (row.errors[k] ?? 0) + n;
          errorsTotal[k] = (errorsTotal[k] ?? 0) + n;
        }
      }
      row.qps = row.queries / ((now - prev.t) / 1000);
      row.kinds = Object.fromEntries(Object.entries(row.kinds).map(([k, xs]) => [k, stats(xs)]));
      delete row.cpuTicks;
      prev = { t: now, cpu: p.cpuTicks };
      result.timeline.push(row);
      const errs = Object.values(row.errors).reduce((a, x) => a + x, 0);
      log(`t=${row.t}s conn ${row.connected} ${row.qps.toFixed(0)} q/s cpu ${row.cpuPct.toFixed(0)}% RSS ${row.rssMiB.toFixed(0)} MiB fds ${row.fds} upstream ${row.upstream} errors ${errs} p99 ${KINDS.map((k) => `${k} ${fmtMs(row.kinds[k]?.p99)}`).join(', ')}`);
    }

    // the end: every client closes, then fds and upstream sessions must come back
    log('soak: stopping the clients');
    const finals = await ask('stop', 'stopped');
    for (const f of finals) for (const [k, n] of Object.entries(f.errors)) errorsTotal[k] = (errorsTotal[k] ?? 0) + n; // errors while draining count too
    const atClose = { ...procStatus(gw.pid), upstream: await upstreamSessions(mon, app) };
    await sleep((IDLE_TIMEOUT_S + settleSeconds) * 1000);
    const end = { ...procStatus(gw.pid), upstream: await upstreamSessions(mon, app) };
    result.atClose = atClose;
    result.end = end;
    log(`soak: after close fds ${atClose.fds}, upstream ${atClose.upstream}; ${IDLE_TIMEOUT_S + settleSeconds} s later fds ${end.fds}, upstream ${end.upstream}, RSS ${end.rssMiB.toFixed(0)} MiB`);

    result.kinds = Object.fromEntries(KINDS.map((k) => [k, stats(all[k])]));
    result.errors = errorsTotal;
    result.verdicts = verdicts(result);
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await mon.end().catch(() => {});
    await gw.stop();
    await pgsvc.stop();
    rmSync(catalogDir, { recursive: true, force: true });
  }
  result.finishedAt = new Date().toISOString();
  ensureDir(RESULTS);
  const base = join(RESULTS, `soak-${stamp()}`);
  writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + '\n');
  writeFileSync(`${base}.md`, soakMarkdown(result));
  for (const v of result.verdicts) console.log(`${v.pass ? 'PASS' : 'FAIL'}  ${v.what}: ${v.detail}`);
  return `${base}.md`;
}

/** Writes the .md of a soak result again from its .json, verdicts recomputed (`npm run bench -- render`). */
export function renderSoak(file) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  r.verdicts = verdicts(r);
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(file.replace(/\.json$/, '.md'), soakMarkdown(r));
  return file.replace(/\.json$/, '.md');
}

function verdicts(r) {
  const out = [];
  const tl = r.timeline;
  // RSS growth over the samples after the ramp (while clients still connect, memory grows with them)
  const steady = tl.filter((x) => x.t > r.config.rampSeconds).length ? tl.filter((x) => x.t > r.config.rampSeconds) : tl;
  const tenth = Math.max(1, Math.round(steady.length / 10));
  const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const first = mean(steady.slice(0, tenth).map((x) => x.rssMiB));
  const last = mean(steady.slice(-tenth).map((x) => x.rssMiB));
  const all = mean(tl.slice(-tenth).map((x) => x.rssMiB)) / mean(tl.slice(0, tenth).map((x) => x.rssMiB)) - 1;
  r.rss = { firstMiB: first, lastMiB: last, growth: last / first - 1, growthWithRamp: all, peakMiB: Math.max(...tl.map((x) => x.rssMiB)) };
  out.push({
    what: `RSS growth, first vs last 10% of the samples after the ${r.config.rampSeconds} s ramp ≤ ${RSS_GROWTH_BUDGET * 100}%`,
    pass: r.rss.growth <= RSS_GROWTH_BUDGET,
    detail: `${first.toFixed(0)} → ${last.toFixed(0)} MiB (${(r.rss.growth * 100).toFixed(1)}%; ${(all * 100).toFixed(1)}% with the ramp's samples)`,
  });
  out.push({ what: `peak RSS ≤ ${RSS_MAX_MIB} MiB`, pass: r.rss.peakMiB <= RSS_MAX_MIB, detail: `${r.rss.peakMiB.toFixed(0)} MiB` });
  for (const k of KINDS) {
    const s = r.kinds[k];
    out.push({ what: `p99 ${k} ≤ ${P99_BUDGET_MS[k]} ms`, pass: s.n > 0 && s.p99 <= P99_BUDGET_MS[k], detail: s.n ? `${fmtMs(s.p99)} ms over ${s.n}` : 'no samples' });
  }
  out.push({ what: 'open fds back to baseline', pass: r.end.fds <= r.baseline.fds, detail: `baseline ${r.baseline.fds}, peak ${Math.max(...tl.map((x) => x.fds))}, at close ${r.atClose.fds}, end ${r.end.fds}` });
  out.push({ what: 'upstream sessions back to baseline', pass: r.end.upstream <= r.baseline.upstream, detail: `baseline ${r.baseline.upstream}, peak ${Math.max(...tl.map((x) => x.upstream))}, at close ${r.atClose.upstream}, end ${r.end.upstream}` });
  const unexpected = Object.entries(r.errors).filter(([k]) => !EXPECTED(k));
  out.push({ what: 'unexpected errors = 0', pass: unexpected.length === 0, detail: unexpected.length ? unexpected.map(([k, n]) => `${k}: ${n}`).join('; ') : 'none' });
  return out;
}

function soakMarkdown(r) {
  const c = r.config;
  const L = [`# Soak: ${c.clients} clients, ${c.minutes} min`, '', `${r.startedAt} – ${r.finishedAt}`, ''];
  L.push(`- ${machineLine(r.machine)}; Lakegate commit ${r.machine.lakegateCommit}`);
  L.push(`- ${c.clients} node-postgres clients in ${c.workers} processes, started over ${c.rampSeconds} s; think time uniform ${c.thinkMs / 2}–${c.thinkMs * 1.5} ms; reconnect every ${c.reconnectEvery} queries; a sample every ${c.sampleSeconds} s`);
  L.push(`- gateway \`--max-connections ${c.clients + 10}\`, catalog \`pg\` (postgresql connector, idle-timeout ${c.idleTimeoutS}s) over the benchmark PostgreSQL, schema sf${PG_SF}; mix: see bench/README.md (soak)`);
  for (const n of r.notes) L.push(`- ${n}`);
  L.push('', '## Verdicts', '', '| budget | result | |', '|---|---|---|');
  for (const v of r.verdicts) L.push(`| ${v.what} | ${v.detail} | ${v.pass ? 'PASS' : '**FAIL**'} |`);
  L.push('', '## Latency over the whole run (ms)', '', '| kind | queries | p50 | p95 | p99 | max | p99 budget |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const [k, s] of Object.entries(r.kinds)) L.push(`| ${k} | ${s.n} | ${fmtMs(s.p50)} | ${fmtMs(s.p95)} | ${fmtMs(s.p99)} | ${fmtMs(s.max)} | ${P99_BUDGET_MS[k]} |`);
  L.push('', `Errors by kind and SQLSTATE: ${Object.keys(r.errors).length ? Object.entries(r.errors).map(([k, n]) => `${k}: ${n}`).join('; ') : 'none'} (cancel/timeout 57014 is the expected outcome and not counted)`);
  L.push('', `Baseline before the clients (after the warm-up, whose tpch.sf1 scan leaves garbage until the next GC): RSS ${r.baseline.rssMiB.toFixed(0)} MiB, fds ${r.baseline.fds}, upstream sessions ${r.baseline.upstream}, threads ${r.baseline.threads}. Right after the clients closed: fds ${r.atClose.fds}, upstream ${r.atClose.upstream}; ${c.idleTimeoutS + c.settleSeconds} s later: fds ${r.end.fds}, upstream ${r.end.upstream}, RSS ${r.end.rssMiB.toFixed(0)} MiB.`);
  L.push('', '## Timeline', '', 'Per window: connected clients, queries/s (connects not counted), gateway CPU (100% = one core), the 1-minute load average of the machine, gateway RSS / anonymous memory (heaps) in MiB, open fds, upstream sessions, errors, and p50/p95/p99 ms per kind.', '');
  L.push(`| t s | conn | q/s | cpu % | load | RSS | anon | fds | upstream | errors | ${KINDS.join(' | ')} |`);
  L.push(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|${KINDS.map(() => '---:').join('|')}|`);
  for (const x of r.timeline) {
    const errs = Object.entries(x.errors).map(([k, n]) => `${k}: ${n}`).join('; ') || '0';
    const cells = KINDS.map((k) => (x.kinds[k]?.n ? `${fmtMs(x.kinds[k].p50)}/${fmtMs(x.kinds[k].p95)}/${fmtMs(x.kinds[k].p99)}` : '—'));
    L.push(`| ${x.t} | ${x.connected} | ${x.qps.toFixed(0)} | ${x.cpuPct.toFixed(0)} | ${x.load1.toFixed(1)} | ${x.rssMiB.toFixed(0)} | ${x.anonMiB.toFixed(0)} | ${x.fds} | ${x.upstream} | ${errs} | ${cells.join(' | ')} |`);
  }
  L.push('');
  return L.join('\n');
}
