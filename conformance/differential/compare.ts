/**
 * Compares a query's result on the gateway with PostgreSQL's: same column names
 * and count, the same multiset of rows (values as text, exactly), and, for a query
 * with ORDER BY, both sides sorted by the declared sort keys. Together these say
 * the results are equal in order up to the order among rows tied on the sort keys.
 * With a LIMIT that cut the result, rows tied with the last row on the sort keys
 * may legitimately be different rows: only their number is compared.
 */
import type { TextResult } from '../runner/session.js';
import type { DiffQuery, SortKey } from './queries.js';

type Row = readonly (string | null)[];

const NUMERIC_OIDS = new Set([20, 21, 23, 26, 700, 701, 1700]);

/** Exact comparison of decimal texts ("-12.50", "3", "1e+20" falls back to Number). */
export function compareDecimal(a: string, b: string): number {
  const re = /^(-?)(\d*)(?:\.(\d*))?$/;
  const x = re.exec(a);
  const y = re.exec(b);
  if (!x || !y) return Math.sign(Number(a) - Number(b));
  const sign = x[1] ? -1 : 1;
  if (x[1] !== y[1]) {
    const zero = (m: RegExpExecArray) => /^0*$/.test(m[2]! + (m[3] ?? ''));
    return zero(x) && zero(y) ? 0 : x[1] ? -1 : 1;
  }
  const xi = x[2]!.replace(/^0+/, '');
  const yi = y[2]!.replace(/^0+/, '');
  if (xi.length !== yi.length) return sign * (xi.length - yi.length > 0 ? 1 : -1);
  const width = Math.max(x[3]?.length ?? 0, y[3]?.length ?? 0);
  const xs = xi + (x[3] ?? '').padEnd(width, '0');
  const ys = yi + (y[3] ?? '').padEnd(width, '0');
  return sign * (xs < ys ? -1 : xs > ys ? 1 : 0);
}

/** PostgreSQL's default ordering: NULLs last in ASC, first in DESC. */
function compareValues(a: string | null, b: string | null, numeric: boolean): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (numeric) return compareDecimal(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function rowComparator(keys: readonly SortKey[], typeOids: readonly number[]): (x: Row, y: Row) => number {
  return (x, y) => {
    for (const k of keys) {
      const c = compareValues(x[k.column] ?? null, y[k.column] ?? null, NUMERIC_OIDS.has(typeOids[k.column] ?? 0));
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}

const rowKey = (row: Row) => JSON.stringify(row);
export const showRow = (row: Row) => row.map((v) => (v === null ? 'NULL' : v)).join('|');

function firstUnsorted(rows: readonly Row[], cmp: (x: Row, y: Row) => number): number {
  for (let i = 1; i < rows.length; i++) if (cmp(rows[i - 1]!, rows[i]!) > 0) return i;
  return -1;
}

function multisetDiff(a: readonly Row[], b: readonly Row[]): { onlyA: Row[]; onlyB: Row[] } {
  const counts = new Map<string, { row: Row; n: number }>();
  for (const r of a) {
    const e = counts.get(rowKey(r));
    if (e) e.n++;
    else counts.set(rowKey(r), { row: r, n: 1 });
  }
  const onlyB: Row[] = [];
  for (const r of b) {
    const e = counts.get(rowKey(r));
    if (e && e.n > 0) e.n--;
    else onlyB.push(r);
  }
  const onlyA = [...counts.values()].flatMap((e) => Array.from({ length: e.n }, () => e.row));
  return { onlyA, onlyB };
}

/** Problems found (empty when the results agree). */
export function compareResults(q: DiffQuery, oracle: TextResult, gateway: TextResult, show = 5): string[] {
  const problems: string[] = [];
  const oNames = oracle.columns.map((c) => c.name);
  const gNames = gateway.columns.map((c) => c.name);
  if (oNames.length !== gNames.length) return [`columns: PostgreSQL has ${oNames.length} (${oNames}), gateway ${gNames.length} (${gNames})`];
  if (oNames.join('\0') !== gNames.join('\0')) problems.push(`column names: PostgreSQL ${oNames.join(', ')}; gateway ${gNames.join(', ')}`);

  let oRows = oracle.rows;
  let gRows = gateway.rows;
  if (q.sortKeys) {
    const cmp = rowComparator(q.sortKeys, oracle.columns.map((c) => c.typeOid));
    const badO = firstUnsorted(oRows, cmp);
    if (badO >= 0) problems.push(`PostgreSQL's result is not sorted by the declared keys at row ${badO + 1} (fix the "-- sort:" header)`);
    const badG = firstUnsorted(gRows, cmp);
    if (badG >= 0) problems.push(`gateway result not sorted at row ${badG + 1}: ${showRow(gRows[badG - 1]!)}  before  ${showRow(gRows[badG]!)}`);
    if (q.limit !== undefined && oRows.length === q.limit && oRows.length > 0) {
      const last = oRows[oRows.length - 1]!;
      const tied = (r: Row) => cmp(r, last) === 0;
      const oTied = oRows.filter(tied).length;
      const gTied = gRows.filter(tied).length;
      if (oTied !== gTied) problems.push(`rows tied with the last row at the LIMIT: PostgreSQL ${oTied}, gateway ${gTied}`);
      oRows = oRows.filter((r) => !tied(r));
      gRows = gRows.filter((r) => !tied(r));
    }
  }
  const { onlyA, onlyB } = multisetDiff(oRows, gRows);
  if (onlyA.length || onlyB.length) {
    problems.push(`rows differ: ${oracle.rows.length} on PostgreSQL, ${gateway.rows.length} on the gateway; ${onlyA.length} only on PostgreSQL, ${onlyB.length} only on the gateway`);
    for (const r of onlyA.slice(0, show)) problems.push(`  - ${showRow(r)}`);
    for (const r of onlyB.slice(0, show)) problems.push(`  + ${showRow(r)}`);
  }
  return problems;
}
