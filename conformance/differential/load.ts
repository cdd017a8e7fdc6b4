/**
 * Loads the eight TPC-H tables of one gateway schema (tpch.tiny, tpch.sf1, …) into
 * a PostgreSQL schema of the same name: DDL, parallel COPY streams gateway →
 * PostgreSQL (largest tables first), row counts checked against the gateway,
 * keys and indexes, ANALYZE.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seconds } from '../runner/args.js';
import { mapPool } from '../runner/pool.js';
import { copyBetween } from '../runner/psql.js';
import { Session, type Endpoint } from '../runner/session.js';

/** Largest first, so the parallel streams finish close together. */
export const TPCH_TABLES = ['lineitem', 'orders', 'partsupp', 'part', 'customer', 'supplier', 'nation', 'region'] as const;

export interface LoadOptions {
  readonly scale: string;
  readonly gateway: Endpoint;
  readonly oracle: Endpoint;
  /** Parallel COPY streams (and parallel index builds). */
  readonly jobs: number;
  readonly dir: string;
  readonly log: (line: string) => void;
}

/** Statements of a file: `;`-terminated (ddl) or one per line (keys); comments dropped. */
function statements(path: string, perLine: boolean): string[] {
  const text = readFileSync(path, 'utf8').replace(/--.*$/gm, '');
  return (perLine ? text.split('\n') : text.split(';')).map((s) => s.trim()).filter(Boolean);
}

async function withOracle<T>(opts: LoadOptions, work: (s: Session) => Promise<T>): Promise<T> {
  const session = await Session.open(opts.oracle, { applicationName: 'lakegate-differential-load', timeoutMs: 600_000 });
  try {
    await session.addSetup(`set search_path to ${opts.scale}`);
    return await work(session);
  } finally {
    await session.close();
  }
}

/** Returns the problems found (empty when the schema is loaded and checked). */
export async function loadScale(opts: LoadOptions): Promise<string[]> {
  const { scale, log } = opts;
  const problems: string[] = [];
  const t0 = performance.now();
  const admin = await Session.open(opts.oracle, { applicationName: 'lakegate-differential-load' });
  try {
    await admin.query(`drop schema if exists ${scale} cascade`);
    await admin.query(`create schema ${scale}`);
  } finally {
    await admin.close();
  }
  await withOracle(opts, async (s) => {
    for (const ddl of statements(join(opts.dir, 'tpch-ddl.sql'), false)) await s.query(ddl);
  });

  const copies = await mapPool(TPCH_TABLES, opts.jobs, async (table) => {
    const r = await copyBetween(opts.gateway, `select * from tpch.${scale}.${table}`, opts.oracle, `${scale}.${table}`);
    log(`  copy ${scale}.${table}: ${r.ok ? `${r.rows} rows` : 'FAILED'} in ${seconds(r.ms)}${r.ok ? '' : `: ${r.error.slice(0, 600)}`}`);
    if (!r.ok) problems.push(`copy ${scale}.${table}: ${r.error.slice(0, 600)}`);
    return r;
  });
  const tCopy = performance.now();

  const gw = await Session.open(opts.gateway, { applicationName: 'lakegate-differential-load', timeoutMs: 600_000 });
  try {
    for (const [i, table] of TPCH_TABLES.entries()) {
      if (!copies[i]!.ok) continue;
      const count = (await gw.query(`select count(*) from tpch.${scale}.${table}`)).rows[0]![0];
      if (count !== String(copies[i]!.rows)) problems.push(`${scale}.${table}: gateway count(*) ${count}, loaded ${copies[i]!.rows} rows`);
    }
  } finally {
    await gw.close();
  }
  const tCount = performance.now();

  await mapPool(statements(join(opts.dir, 'tpch-keys.sql'), true), opts.jobs, (sql) =>
    withOracle(opts, async (s) => {
      await s.query(sql);
    }),
  );
  const tKeys = performance.now();
  await mapPool(TPCH_TABLES, opts.jobs, (table) =>
    withOracle(opts, async (s) => {
      await s.query(`analyze ${table}`);
    }),
  );
  const tEnd = performance.now();
  log(
    `  loaded ${scale} in ${seconds(tEnd - t0)}: copy ${seconds(tCopy - t0)} (${opts.jobs} streams), ` +
      `gateway counts ${seconds(tCount - tCopy)}, keys ${seconds(tKeys - tCount)}, analyze ${seconds(tEnd - tKeys)}`,
  );
  return problems;
}
