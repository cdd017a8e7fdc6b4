/**
 * Splitting one table scan into parallel reads. A split is plain JSON naming a range of the
 * table; together the ranges cover every row exactly once, also rows added after planning (the
 * first range is open below, the last open above).
 *
 * - by an integer primary key: equal-width ranges between its current min and max
 *   (`"id" >= $1 AND "id" < $2`); the server can still use any index for the query's filters;
 * - else by physical blocks, on PostgreSQL 14 or later (TID range scans):
 *   `ctid >= '(a,0)'::tid AND ctid < '(b,0)'::tid`, for tables and materialized views.
 *
 * Anything else, and every aggregated, joined, limited or native-query handle, is one split.
 */
import type { Json, Split } from '../spi/index.js';

export type PgSplit =
  | { readonly kind: 'whole' }
  | { readonly kind: 'key'; readonly column: string; readonly typeName: string; readonly from: string | null; readonly to: string | null }
  | { readonly kind: 'blocks'; readonly from: number | null; readonly to: number | null };

export const WHOLE: PgSplit = { kind: 'whole' };

/** PostgreSQL 14 added TID range scans; before, a ctid range reads the whole table. */
export const TID_RANGE_SCAN_VERSION = 140000;

export const asSplit = (s: PgSplit): Split => ({ info: s as unknown as Json });

/** Up to `count` ranges of equal width over the keys [low, high]. */
export function keySplits(column: string, typeName: string, low: bigint, high: bigint, count: number): PgSplit[] {
  const span = high - low + 1n;
  const n = BigInt(count) < span ? BigInt(count) : span;
  const width = (span + n - 1n) / n;
  const bounds: bigint[] = [];
  for (let i = 1n; i < n; i++) bounds.push(low + i * width);
  return rangesOver(bounds.filter((b) => b <= high).map(String), (from, to) => ({ kind: 'key', column, typeName, from, to }));
}

/** Up to `count` ranges of about equal numbers of the table's `blocks`. */
export function blockSplits(blocks: number, count: number): PgSplit[] {
  const n = Math.max(1, Math.min(count, blocks));
  const bounds: number[] = [];
  for (let i = 1; i < n; i++) bounds.push(Math.floor((i * blocks) / n));
  return rangesOver(bounds, (from, to) => ({ kind: 'blocks', from, to }));
}

function rangesOver<T>(bounds: readonly T[], make: (from: T | null, to: T | null) => PgSplit): PgSplit[] {
  const edges = [null, ...bounds, null];
  return edges.slice(1).map((to, i) => make(edges[i]!, to));
}

/**
 * SQL restricting the base table to the split (`quote` quotes an identifier, `bind` binds a
 * value and returns its placeholder); undefined for the whole table.
 */
export function splitCondition(split: PgSplit, quote: (name: string) => string): ((bind: (value: unknown) => string) => string) | undefined {
  switch (split.kind) {
    case 'whole':
      return undefined;
    case 'key': {
      const column = quote(split.column);
      return (bind) => bounds(split.from, split.to, (op, v) => `${column} ${op} ${bind(v)}::pg_catalog.${split.typeName}`);
    }
    case 'blocks':
      return (bind) => bounds(split.from, split.to, (op, v) => `ctid ${op} ${bind(`(${v},0)`)}::pg_catalog.tid`);
  }
}

function bounds<T>(from: T | null, to: T | null, compare: (op: string, value: T) => string): string {
  const parts: string[] = [];
  if (from !== null) parts.push(compare('>=', from));
  if (to !== null) parts.push(compare('<', to));
  return parts.length === 0 ? 'true' : parts.join(' AND ');
}
