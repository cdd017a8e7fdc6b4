#!/usr/bin/env node
// npm run bench -- <tpch|wire|scale|soak|data> [options]   (see bench/README.md)
import { log, normScale, parseArgs } from './lib/common.mjs';
import { hookSignals, startPostgres, stopAll } from './lib/services.mjs';

const HELP = `Lakegate benchmarks (bench/README.md)

  npm run bench -- tpch  [--sf 1] [--runs 5] [--engines lakegate,duckdb,postgres,trino] [--queries 1,3,…]
      The 22 TPC-H queries on every engine; writes bench/results/tpch-sf<N>-<time>.{md,json,svg}.
  npm run bench -- wire  [--sf 1] [--runs 3] [--count 2000] [--rows 1000000]
      SELECT 1 round-trip latency (node-postgres) and rows/s of a 1 M-row, 4-column result
      delivered to node-postgres, psql and pgJDBC, on Lakegate and PostgreSQL.
  npm run bench -- scale [--sf 0.1,1,10] [--runs 3] [--engines …] [--queries …]
      The TPC-H set at each scale factor, and how the time grows.
  npm run bench -- soak  [--clients 1000] [--minutes 60] [--think-ms 10000] [--sample-seconds 10]
                         [--workers N] [--ramp-seconds 30] [--reconnect-every 20] [--settle-seconds 10]
      Many concurrent node-postgres clients running a mix of queries (select 1, tpch.tiny
      aggregates and joins, a PostgreSQL catalog, prepared statements, cancels, statement
      timeouts, reconnects) against one gateway; samples its RSS, fds, CPU and upstream sessions,
      p50/p95/p99 per kind and errors by SQLSTATE; checks the budgets and that fds and upstream
      sessions return to the baseline. Writes bench/results/soak-<time>.{md,json}.
  npm run bench -- data  [--sf 1]
      Only make the data: Parquet files and the PostgreSQL tables.
  npm run bench -- render bench/results/tpch-….json
      Writes the .md and .svg of a TPC-H result again from its .json (of a soak result: the
      .md, with the verdicts recomputed).

Data is generated once per scale factor into bench/data/sf<N>/ (gateway COPY -> Parquet with
DuckDB, and loaded into the benchmark's own PostgreSQL 15 on 127.0.0.1:54339 with its data in
bench/data/postgres) and reused. Times on 2 cores: SF 0.1 about 15 s, SF 1 about
2.5 minutes; SF 10 takes half an hour or more to generate and load (60 M lineitem rows,
~15 GB of disk while loading), and the TPC-H set at SF 10 takes hours on the slower engines.

Environment: BENCH_TIMEOUT_MS (per query, default 600000), BENCH_PG_PORT (54339),
BENCH_PG_DIR (bench/data/postgres), BENCH_TRINO_VERSION (476), BENCH_TRINO_HEAP (10G),
BENCH_TRINO_JAVA_HOME (/usr/lib/jvm/temurin-25-jdk-amd64), BENCH_KEEP_CSV=1 (keep the
CSV files), BENCH_SKIP_BUILD=1 (use dist/ as it is), BENCH_GATEWAY_DIR (benchmark the gateway
of another checkout, built there), BENCH_DATA_DIR / BENCH_RESULTS_DIR.
`;

const list = (s, f = (x) => x) => (typeof s === 'string' ? s.split(',').map((x) => f(x.trim())).filter((x) => x !== '') : undefined);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const cmd = args._[0];
  if (!cmd || args.help || cmd === 'help') {
    process.stdout.write(HELP);
    return;
  }
  hookSignals();
  const runs = args.runs !== undefined ? Number(args.runs) : cmd === 'tpch' ? 5 : 3;
  const engines = list(args.engines) ?? (await import('./lib/tpch.mjs')).DEFAULT_ENGINES;
  const queries = list(args.queries, Number);
  try {
    if (cmd === 'tpch') {
      const { runTpch } = await import('./lib/tpch.mjs');
      const { writeTpchReport } = await import('./lib/report.mjs');
      const sf = normScale(String(args.sf ?? '1'));
      const result = await runTpch({ sf, runs, engines, queries });
      const files = writeTpchReport(result);
      printSummary(result);
      console.log(`\nwrote ${files.md}\n      ${files.json}\n      ${files.svg}`);
    } else if (cmd === 'scale') {
      const { runTpch } = await import('./lib/tpch.mjs');
      const { writeTpchReport, writeScaleReport } = await import('./lib/report.mjs');
      const scales = list(String(args.sf ?? '0.1,1,10'), normScale);
      const results = [];
      for (const sf of scales) {
        const result = await runTpch({ sf, runs, engines, queries });
        result.file = writeTpchReport(result).md.replace(/^.*\//, '');
        printSummary(result);
        results.push(result);
      }
      console.log(`\nwrote ${writeScaleReport(results)}`);
    } else if (cmd === 'wire') {
      const { runWire } = await import('./lib/wire.mjs');
      const file = await runWire({ sf: normScale(String(args.sf ?? '1')), runs, count: Number(args.count ?? 2000), rows: Number(args.rows ?? 1_000_000) });
      console.log(`\nwrote ${file}`);
    } else if (cmd === 'soak') {
      const { runSoak } = await import('./lib/soak.mjs');
      const clients = Number(args.clients ?? 1000);
      const file = await runSoak({
        clients,
        minutes: Number(args.minutes ?? 60),
        thinkMs: Number(args['think-ms'] ?? 10000),
        sampleSeconds: Number(args['sample-seconds'] ?? 10),
        workers: Number(args.workers ?? Math.min(4, Math.ceil(clients / 250))),
        rampSeconds: Number(args['ramp-seconds'] ?? 30),
        reconnectEvery: Number(args['reconnect-every'] ?? 20),
        settleSeconds: Number(args['settle-seconds'] ?? 10),
      });
      console.log(`\nwrote ${file}`);
    } else if (cmd === 'render') {
      // rewrites the .md and .svg of a TPC-H result from its .json (after a change to the report)
      const { readFileSync } = await import('node:fs');
      const { writeTpchReport } = await import('./lib/report.mjs');
      for (const f of args._.slice(1)) {
        if (JSON.parse(readFileSync(f, 'utf8')).kind === 'soak') {
          console.log(`wrote ${(await import('./lib/soak.mjs')).renderSoak(f)}`);
          continue;
        }
        const files = writeTpchReport(JSON.parse(readFileSync(f, 'utf8')), f.replace(/^.*\//, '').replace(/\.json$/, ''));
        console.log(`wrote ${files.md}`);
      }
    } else if (cmd === 'data') {
      const { ensureParquet, ensurePostgres } = await import('./lib/data.mjs');
      for (const sf of list(String(args.sf ?? '1'), normScale)) {
        const marker = await ensureParquet(sf);
        const pg = await startPostgres();
        await ensurePostgres(sf, pg);
        console.log(`SF ${sf}: ${JSON.stringify(marker.rows)}`);
      }
    } else {
      process.stderr.write(`unknown command ${cmd}\n\n${HELP}`);
      process.exitCode = 2;
    }
  } finally {
    await stopAll();
  }
}

function printSummary(r) {
  console.log(`\nTPC-H SF ${r.scale}`);
  for (const e of r.engines) {
    const s = r.summary[e.name];
    if (e.status !== 'ok') console.log(`  ${e.name}: ${e.status}`);
    else console.log(`  ${e.label}: ${s.completed}/${r.queries.length} queries, geometric mean ${s.geomeanMs.toFixed(1)} ms, total ${s.totalMs.toFixed(0)} ms${s.coldGeomeanMs ? `; cold geometric mean ${s.coldGeomeanMs.toFixed(1)} ms` : ''}`);
  }
  if (r.disagreements.length) for (const d of r.disagreements) console.log(`  DISAGREES ${d.query} ${d.engine} vs ${d.reference}: ${d.problem}`);
  else console.log('  results agree across engines');
}

main().catch(async (e) => {
  log(e.stack ?? e.message);
  await stopAll();
  process.exit(1);
});
