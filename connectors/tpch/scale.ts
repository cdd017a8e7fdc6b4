/**
 * Scale factors and table sizes. Schemas are named like Trino's tpch connector: `tiny`
 * (SF 0.01) and `sf<N>` for any positive N (sf1, sf0.1, sf300, …).
 */

export const TINY_SCALE_FACTOR = 0.01;

/** The schemas listSchemas reports (Trino's list); any other `sf<N>` works too. */
export const LISTED_SCHEMAS: readonly string[] = [
  'tiny', 'sf1', 'sf10', 'sf100', 'sf300', 'sf1000', 'sf3000', 'sf10000', 'sf30000', 'sf100000',
];

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The scale factor a schema name denotes, or undefined when it is not a TPC-H schema. */
export function schemaScaleFactor(schema: string): number | undefined {
  if (schema === 'tiny') return TINY_SCALE_FACTOR;
  if (!schema.startsWith('sf')) return undefined;
  const text = schema.slice(2);
  if (!NUMBER.test(text)) return undefined;
  const sf = Number(text);
  return Number.isFinite(sf) && sf > 0 ? sf : undefined;
}

/** dbgen's row count for a table with `base` rows at SF 1: (long) (base × SF). */
export const scaled = (base: number, sf: number): number => Math.trunc(base * sf);

export const PART_BASE = 200_000;
export const SUPPLIER_BASE = 10_000;
export const CUSTOMER_BASE = 150_000;
export const ORDERS_BASE = 1_500_000;
export const SUPPLIERS_PER_PART = 4;

/** dbgen switches some key streams to its 64-bit generator from this scale factor. */
export const use64BitKeys = (sf: number): boolean => sf >= 30000;

/** A contiguous range of generation units (rows; orders for lineitem; parts for partsupp). */
export interface UnitRange {
  readonly start: number;
  readonly count: number;
}

/**
 * Range `index` (0-based) of `parts` ranges covering [0, total) as dbgen / io.trino.tpch
 * partition a table: ⌊total / parts⌋ units each, the last one also taking the remainder.
 */
export function splitRange(total: number, parts: number, index: number): UnitRange {
  const per = Math.floor(total / parts);
  const start = per * index;
  return { start, count: index === parts - 1 ? total - start : per };
}

/** `desired` ranges (at least 1, at most one per unit) covering [0, total). */
export function splitUnits(total: number, desired: number): UnitRange[] {
  const parts = Math.max(1, Math.min(Math.floor(desired) || 1, total));
  return Array.from({ length: parts }, (_, i) => splitRange(total, parts, i));
}
