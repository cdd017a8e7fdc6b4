// The 22 TPC-H queries: conformance/differential/queries/tpch/qNN.sql (PostgreSQL text, the
// spec's validation parameters, unqualified table names run under search_path), and the
// per-engine adjustments, each documented here and in bench/README.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './common.mjs';

export const QUERY_DIR = join(ROOT, 'conformance/differential/queries/tpch');

export function loadQueries(numbers) {
  const want = numbers?.length ? numbers : Array.from({ length: 22 }, (_, i) => i + 1);
  return want.map((n) => {
    if (!Number.isInteger(n) || n < 1 || n > 22) throw new Error(`no TPC-H query ${n}`);
    const file = join(QUERY_DIR, `q${String(n).padStart(2, '0')}.sql`);
    const sql = readFileSync(file, 'utf8')
      .replace(/--.*$/gm, '')
      .trim()
      .replace(/;\s*$/, '');
    return { n, name: `Q${n}`, file, sql };
  });
}

/**
 * The text each engine runs. Lakegate and PostgreSQL run the file's text unchanged.
 * DuckDB and Trino also run it unchanged: every construct used (interval 'N' day|month|year,
 * extract(year from …), substring(… from … for …), derived-column lists, WITH column lists,
 * LIMIT) is valid in both dialects. Adjustments, if ever needed, go into ADJUST with a reason.
 */
export const ADJUST = {
  duckdb: {},
  trino: {},
};

export function textFor(engine, q) {
  const a = ADJUST[engine]?.[q.n];
  return a ? a.apply(q.sql) : q.sql;
}

export function adjustmentNotes() {
  const notes = [];
  for (const [engine, m] of Object.entries(ADJUST)) for (const [n, a] of Object.entries(m)) notes.push(`${engine} Q${n}: ${a.why}`);
  return notes;
}
