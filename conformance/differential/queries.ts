/**
 * The differential queries: queries/*.sql and queries/tpch/*.sql, written with
 * unqualified table names (run with search_path set to the scale's schema on both
 * sides). Header comments:
 *   -- sort: 2 desc, 1     the ORDER BY as 1-based output columns (required when the
 *                          query has ORDER BY): results are compared as multisets and
 *                          both sides must be sorted by these keys
 * NAME.oracle.sql, if present, is the text PostgreSQL runs instead.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SortKey {
  /** 0-based output column. */
  readonly column: number;
  readonly desc: boolean;
}

export interface DiffQuery {
  readonly name: string;
  readonly sql: string;
  readonly oracleSql: string;
  /** undefined: no ORDER BY, compared as a multiset only. */
  readonly sortKeys?: readonly SortKey[];
  /** The final LIMIT, if any: rows tied with the last row on the sort keys may differ. */
  readonly limit?: number;
}

const stripComments = (sql: string) => sql.replace(/--.*$/gm, '');
const clean = (sql: string) => sql.trim().replace(/;\s*$/, '');

/** The text with every parenthesised part (subqueries, function arguments) removed. */
function topLevel(sql: string): string {
  let prev = '';
  let text = sql;
  while (text !== prev) [prev, text] = [text, text.replace(/\([^()]*\)/g, '')];
  return text;
}

export function parseSortKeys(spec: string, where: string): SortKey[] {
  return spec.split(',').map((part) => {
    const m = /^\s*(\d+)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!m || Number(m[1]) < 1) throw new Error(`${where}: bad sort key "${part.trim()}" (want "N [asc|desc]")`);
    return { column: Number(m[1]) - 1, desc: m[2]?.toLowerCase() === 'desc' };
  });
}

export function parseQuery(name: string, text: string, oracleText?: string): DiffQuery {
  const header = /^--\s*sort:\s*(.+)$/m.exec(text);
  const body = stripComments(text);
  const ordered = /\border\s+by\b/i.test(topLevel(body));
  if (ordered && !header) throw new Error(`${name}: has ORDER BY but no "-- sort:" header`);
  const limit = /\blimit\s+(\d+)\s*;?\s*$/i.exec(body);
  return {
    name,
    sql: clean(text),
    oracleSql: clean(oracleText ?? text),
    sortKeys: header ? parseSortKeys(header[1]!, name) : undefined,
    limit: limit ? Number(limit[1]) : undefined,
  };
}

function filesIn(dir: string, prefix: string): [string, string][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && !f.endsWith('.oracle.sql'))
    .sort()
    .map((f) => [prefix + f.slice(0, -4), join(dir, f)]);
}

/** All queries, or those whose name (e.g. tpch/q01) or base name (q01) is in `names`. */
export function loadQueries(queriesDir: string, names: readonly string[]): DiffQuery[] {
  const all = [...filesIn(queriesDir, ''), ...filesIn(join(queriesDir, 'tpch'), 'tpch/')];
  const wanted = names.length === 0 ? all : all.filter(([n]) => names.includes(n) || names.includes(n.split('/').pop()!));
  const missing = names.filter((n) => !all.some(([a]) => a === n || a.split('/').pop() === n));
  if (missing.length) throw new Error(`no such query: ${missing.join(', ')}`);
  return wanted.map(([name, path]) => {
    const oracle = path.replace(/\.sql$/, '.oracle.sql');
    return parseQuery(name, readFileSync(path, 'utf8'), existsSync(oracle) ? readFileSync(oracle, 'utf8') : undefined);
  });
}
