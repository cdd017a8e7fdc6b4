/**
 * Skipping data the query's constraint rules out: a file, partition or row group is read only
 * if each constrained column may hold an allowed value there, judged from min/max/NULL-count
 * statistics or from the partition's value. Unknown statistics never skip anything.
 */
import type { ColumnDomain, Constraint, ValueRange } from '../spi/index.js';

export interface ChunkStatistics {
  readonly min?: unknown;
  readonly max?: unknown;
  readonly nullCount?: number;
  readonly rowCount?: number;
}

/** Whether rows described by `stats` may satisfy `domain`. */
export function mayMatch(domain: ColumnDomain, stats: ChunkStatistics): boolean {
  const { nullCount, rowCount } = stats;
  const allNull = nullCount !== undefined && rowCount !== undefined && nullCount >= rowCount;
  if (allNull) return domain.nullAllowed;
  if (domain.nullAllowed && (nullCount === undefined || nullCount > 0)) return true;
  if (domain.ranges === undefined) return true;
  if (domain.ranges.length === 0) return false;
  if (stats.min === undefined || stats.max === undefined || stats.min === null || stats.max === null) return true;
  let min: unknown;
  let max: unknown;
  try {
    min = domain.widen(stats.min);
    max = domain.widen(stats.max);
  } catch {
    return true;
  }
  return domain.ranges.some((r) => overlaps(r, min, max, domain.compare));
}

/** Whether a partition whose column holds `value` (null: NULL) may satisfy `domain`. */
export function valueMayMatch(domain: ColumnDomain, value: unknown): boolean {
  if (value === null) return domain.nullAllowed;
  return mayMatch({ ...domain, nullAllowed: false }, { min: value, max: value, nullCount: 0 });
}

function overlaps(r: ValueRange, min: unknown, max: unknown, compare: (a: unknown, b: unknown) => number): boolean {
  if (r.low) {
    const c = compare(max, r.low.value);
    if (c < 0 || (c === 0 && !r.low.inclusive)) return false;
  }
  if (r.high) {
    const c = compare(min, r.high.value);
    if (c > 0 || (c === 0 && !r.high.inclusive)) return false;
  }
  return true;
}

/** The domains of `constraint` by table column (a column may have several, compared as different types). */
export function domainsByColumn(constraint: Constraint | undefined): ReadonlyMap<number, readonly ColumnDomain[]> {
  const out = new Map<number, ColumnDomain[]>();
  for (const d of constraint?.domains ?? []) out.set(d.column, [...(out.get(d.column) ?? []), d]);
  return out;
}
