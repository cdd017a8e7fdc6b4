// The TPC-H benchmark: for each engine, each query gets one warm-up run and then `runs` timed
// runs; the report has the median and min/max of the timed runs. For Lakegate the warm-up run
// is the cold run: the first query on a freshly started gateway (restarted for every query).
import { geomean, log, median } from './common.mjs';
import { checksum, disagreement } from './check.mjs';
import { ENGINES } from './engines.mjs';
import { describeMachine } from './machine.mjs';
import { adjustmentNotes, loadQueries, textFor } from './queries.mjs';
import { NotInstallable } from './trino.mjs';

export const DEFAULT_ENGINES = ['lakegate', 'duckdb', 'postgres', 'trino'];

/**
 * opts: { sf, runs, engines: [names], queries: [numbers] }. Resolves the result object that
 * report.mjs writes out.
 */
export async function runTpch(opts) {
  const queries = loadQueries(opts.queries);
  const result = {
    kind: 'tpch',
    scale: opts.sf,
    runs: opts.runs,
    startedAt: new Date().toISOString(),
    machine: await describeMachine(),
    engines: [],
    queries: queries.map((q) => ({ n: q.n, name: q.name, results: {} })),
    notes: [...adjustmentNotes()],
  };
  for (const name of opts.engines) {
    const Engine = ENGINES[name];
    if (!Engine) throw new Error(`unknown engine ${name} (one of ${Object.keys(ENGINES).join(', ')})`);
    const engine = new Engine();
    const entry = { name, label: engine.label, status: 'ok' };
    result.engines.push(entry);
    log(`== ${name}: SF ${opts.sf}, ${queries.length} queries, 1 warm-up + ${opts.runs} runs each`);
    const tOpen = performance.now();
    try {
      await engine.open(opts.sf);
    } catch (e) {
      entry.status = e instanceof NotInstallable ? `not installable here: ${e.message}` : `failed to start: ${e.message}`;
      log(`${name}: ${entry.status}`);
      await engine.close().catch(() => {});
      continue;
    }
    entry.openMs = Math.round(performance.now() - tOpen);
    entry.label = engine.label;
    entry.version = engine.version;
    entry.notes = engine.notes;
    try {
      for (const [i, q] of queries.entries()) {
        const r = {};
        result.queries[i].results[name] = r;
        const sql = textFor(name, q);
        try {
          if (engine.restartPerQuery && i > 0) await engine.restart();
          if (engine.restartPerQuery) r.startMs = Math.round(engine.lastStartMs);
          const first = await engine.query(sql);
          r.firstMs = first.ms;
          if (engine.restartPerQuery) r.coldMs = first.ms;
          r.checksum = checksum(first.rows);
          const times = [];
          for (let k = 0; k < opts.runs; k++) times.push((await engine.query(sql)).ms);
          r.runsMs = times;
          r.medianMs = median(times);
          r.minMs = Math.min(...times);
          r.maxMs = Math.max(...times);
          log(`  ${name} ${q.name}: ${r.checksum.rows} rows, first ${first.ms.toFixed(1)} ms, median ${r.medianMs.toFixed(1)} ms [${r.minMs.toFixed(1)}–${r.maxMs.toFixed(1)}]`);
        } catch (e) {
          r.error = String(e.message ?? e).split('\n')[0].slice(0, 300);
          log(`  ${name} ${q.name}: ERROR ${r.error}`);
          if (engine.restartPerQuery) await engine.restart().catch(() => {});
        }
      }
    } finally {
      await engine.close().catch((e) => log(`${name} close: ${e.message}`));
    }
  }
  // agreement: against PostgreSQL (exact numerics) when it ran, else DuckDB, else the first engine
  const ran = result.engines.filter((e) => e.status === 'ok').map((e) => e.name);
  const ref = ['postgres', 'duckdb', ...ran].find((n) => ran.includes(n));
  result.checkReference = ref;
  result.disagreements = [];
  for (const q of result.queries) {
    const base = q.results[ref]?.checksum;
    if (!base) continue;
    for (const n of ran) {
      const c = q.results[n]?.checksum;
      if (!c || n === ref) continue;
      const d = disagreement(base, c);
      if (d) {
        q.results[n].disagrees = d;
        result.disagreements.push({ query: q.name, engine: n, reference: ref, problem: d });
      }
    }
  }
  const { buildWarning } = await import('./services.mjs');
  if (buildWarning) result.notes.push(buildWarning);
  result.summary = summarize(result);
  result.finishedAt = new Date().toISOString();
  return result;
}

export function summarize(result) {
  const summary = {};
  const names = result.engines.filter((e) => e.status === 'ok').map((e) => e.name);
  // geometric means and totals over the queries every engine that ran completed, plus each engine's own
  const common = result.queries.filter((q) => names.every((n) => Number.isFinite(q.results[n]?.medianMs)));
  for (const n of names) {
    const own = result.queries.filter((q) => Number.isFinite(q.results[n]?.medianMs));
    summary[n] = {
      completed: own.length,
      failed: result.queries.length - own.length,
      geomeanMs: geomean(own.map((q) => q.results[n].medianMs)),
      totalMs: own.reduce((a, q) => a + q.results[n].medianMs, 0),
      commonGeomeanMs: geomean(common.map((q) => q.results[n].medianMs)),
      commonTotalMs: common.reduce((a, q) => a + q.results[n].medianMs, 0),
    };
    const cold = own.filter((q) => Number.isFinite(q.results[n].coldMs));
    if (cold.length) {
      summary[n].coldGeomeanMs = geomean(cold.map((q) => q.results[n].coldMs));
      summary[n].coldTotalMs = cold.reduce((a, q) => a + q.results[n].coldMs, 0);
      summary[n].startMsMedian = median(cold.map((q) => q.results[n].startMs).filter(Number.isFinite));
    }
  }
  summary.commonQueries = common.map((q) => q.name);
  return summary;
}
