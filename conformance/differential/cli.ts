/**
 * Differential check, gateway vs PostgreSQL loaded with the same rows:
 * conformance/differential/run.sh [options] [QUERY...]   (see README.md)
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { numberFlag, parseArgs, seconds, stringFlag } from '../runner/args.js';
import { endpointFromEnv, Session, StatementError, type Endpoint, type TextResult } from '../runner/session.js';
import { compareResults } from './compare.js';
import { loadScale } from './load.js';
import { loadQueries, type DiffQuery } from './queries.js';

const USAGE = `usage: conformance/differential/run.sh [options] [QUERY...]
  QUERY                  a name under queries/ (lineitem-count, tpch/q01) or a base name (q01); default all
  --scale tiny[,sf1]     gateway schemas of catalog tpch to run at (default tiny)
  --no-load              reuse the tables already loaded into PostgreSQL
  --jobs N               parallel COPY streams / index builds while loading (default 2)
  --timeout MS           per-query timeout (default 60000 at tiny, 600000 otherwise)
  --source gateway|postgres   what runs the queries against PostgreSQL (default LAKEGATE_TARGET or
                         gateway); postgres compares PostgreSQL with itself, to check the harness
Gateway: LAKEGATE_HOST/PORT/USER (queries use database tpch); PostgreSQL: ORACLE_HOST/PORT/USER/DB.
Ends with "N passed, N failed"; exit 1 on failures.`;

const DIR = fileURLToPath(new URL('../../../conformance/differential/', import.meta.url));

async function runSide(endpoint: Endpoint, scale: string, sql: string, timeoutMs: number): Promise<{ result?: TextResult; error?: string; ms: number }> {
  const t0 = performance.now();
  const session = await Session.open(endpoint, { applicationName: 'lakegate-differential', setup: [`set search_path to ${scale}`], timeoutMs });
  try {
    return { result: await session.query(sql), ms: performance.now() - t0 };
  } catch (e) {
    const err = e as Error;
    const code = e instanceof StatementError && e.code ? `${e.code}: ` : '';
    return { error: `${code}${err.message.split('\n')[0]}`, ms: performance.now() - t0 };
  } finally {
    await session.close();
  }
}

async function runQuery(q: DiffQuery, scale: string, oracle: Endpoint, subject: Endpoint, timeoutMs: number): Promise<boolean> {
  const label = `${scale}/${q.name}`;
  const pg = await runSide(oracle, scale, q.oracleSql, timeoutMs);
  if (!pg.result) {
    console.log(`  FAIL  ${label}: PostgreSQL error ${pg.error}`);
    return false;
  }
  const gw = await runSide(subject, scale, q.sql, timeoutMs);
  const times = `PostgreSQL ${seconds(pg.ms)}, ${subject === oracle ? 'PostgreSQL again' : 'gateway'} ${seconds(gw.ms)}`;
  if (!gw.result) {
    console.log(`  FAIL  ${label}: gateway error ${gw.error} (${times})`);
    return false;
  }
  const problems = compareResults(q, pg.result, gw.result);
  const mode = q.sortKeys ? 'ordered' : 'multiset';
  if (problems.length === 0) {
    console.log(`  ok    ${label} (${mode}, ${pg.result.rows.length} rows; ${times})`);
    return true;
  }
  console.log(`  FAIL  ${label} (${mode}; ${times}): ${problems[0]}`);
  for (const p of problems.slice(1, 14)) console.log(`          ${p}`);
  return false;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['no-load', 'help']);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const scales = stringFlag(args, 'scale', 'tiny').split(',').filter(Boolean);
  const source = stringFlag(args, 'source', process.env.LAKEGATE_TARGET === 'postgres' ? 'postgres' : 'gateway');
  const jobs = numberFlag(args, 'jobs', 2);
  const queries = loadQueries(join(DIR, 'queries'), args.positional);
  const gateway = endpointFromEnv('gateway');
  const oracle = endpointFromEnv('postgres');
  const subject = source === 'postgres' ? oracle : { ...gateway, database: 'tpch' };
  console.log(
    `differential: ${queries.length} queries x ${scales.join(', ')}; ${source} ${subject.host}:${subject.port}/${subject.database} ` +
      `vs PostgreSQL ${oracle.host}:${oracle.port}/${oracle.database}`,
  );
  let passed = 0;
  let failed = 0;
  for (const scale of scales) {
    if (!/^(tiny|sf[0-9.e]+)$/.test(scale)) throw new Error(`bad scale "${scale}"`);
    const t0 = performance.now();
    if (!args.flags.has('no-load')) {
      const problems = await loadScale({ scale, gateway, oracle, jobs, dir: DIR, log: (l) => console.log(l) });
      if (problems.length) {
        for (const p of problems) console.log(`  FAIL  load: ${p}`);
        failed += problems.length;
        continue;
      }
    }
    const tq = performance.now();
    const timeoutMs = numberFlag(args, 'timeout', scale === 'tiny' ? 60_000 : 600_000);
    for (const q of queries) (await runQuery(q, scale, oracle, subject, timeoutMs)) ? passed++ : failed++;
    console.log(`  ${scale}: queries ${seconds(performance.now() - tq)}, total ${seconds(performance.now() - t0)}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`differential: ${e.message}`);
    process.exit(2);
  },
);
