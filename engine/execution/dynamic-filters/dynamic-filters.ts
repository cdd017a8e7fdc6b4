/**
 * Dynamic filtering: once a hash join has built its table, it publishes the key values it
 * holds for the source fragment on its probe side; that fragment's scan tasks (in this thread
 * or a worker) then drop rows whose key cannot match before any filter or projection runs.
 * Filters are plain data (a Set of hash keys), so they travel to workers in the task message.
 */
import { hashKeyFor } from '../../functions/compare.js';
import type { LogicalPlan } from '../../plan/plan.js';
import type { Batch } from '../batch/batch.js';
import { takeBatchRows } from '../batch/batch.js';
import { IntegerSet } from './integer-set.js';

/** Build sides with more distinct keys than this publish no filter. */
export const MAX_FILTER_VALUES = 250_000;

/** Key values a join's build side holds, for one output column of a source fragment. */
export interface DynamicFilter {
  readonly column: number;
  /** hashKeyFor(type) of every non-NULL build key. */
  readonly values: ReadonlySet<unknown>;
}

/** Rows the scans of a fragment read and kept, for tests and EXPLAIN ANALYZE. */
export interface FilterStats {
  rowsIn: number;
  rowsOut: number;
}

/** A query's dynamic filters, by the id of the source fragment they apply to. */
export class DynamicFilters {
  private readonly byFragment = new Map<number, DynamicFilter[]>();
  readonly stats = new Map<number, FilterStats>();

  /**
   * Sets the filter on one column of a fragment's output. A later publish for the same column
   * replaces it (a join built again, as in each round of a recursive query, must not leave the
   * previous round's keys behind); dropping a filter only ever lets more rows through.
   */
  publish(fragmentId: number, filter: DynamicFilter): void {
    const list = (this.byFragment.get(fragmentId) ?? []).filter((f) => f.column !== filter.column);
    list.push(filter);
    this.byFragment.set(fragmentId, list);
  }

  forFragment(fragmentId: number): readonly DynamicFilter[] {
    return this.byFragment.get(fragmentId) ?? [];
  }

  record(fragmentId: number, rowsIn: number, rowsOut: number): void {
    const s = this.stats.get(fragmentId) ?? { rowsIn: 0, rowsOut: 0 };
    s.rowsIn += rowsIn;
    s.rowsOut += rowsOut;
    this.stats.set(fragmentId, s);
  }
}

/** A filter on a column of the scan at the bottom of a source chain. */
export interface ScanFilter {
  readonly scanColumn: number;
  readonly values: ReadonlySet<unknown>;
}

/**
 * Maps filters on a source chain's output columns to its scan's columns; filters on computed
 * columns are dropped (they cannot be checked before the projection).
 */
export function scanFilters(chain: LogicalPlan, filters: readonly DynamicFilter[]): ScanFilter[] {
  const out: ScanFilter[] = [];
  for (const f of filters) {
    const column = scanColumnOf(chain, f.column);
    if (column !== undefined) out.push({ scanColumn: column, values: f.values });
  }
  return out;
}

/** The scan column that output column `column` of a source chain is, through filters and plain projections. */
export function scanColumnOf(plan: LogicalPlan, column: number): number | undefined {
  switch (plan.kind) {
    case 'scan': return column;
    case 'filter': return scanColumnOf(plan.input, column);
    case 'project': {
      const e = plan.exprs[column];
      return e?.kind === 'column' ? scanColumnOf(plan.input, e.index) : undefined;
    }
    default: return undefined;
  }
}

/** The rows of `b` whose filtered columns hold a published value (NULLs never match). */
export function applyScanFilters(b: Batch, filters: readonly ScanFilter[]): Batch {
  if (filters.length === 0 || b.length === 0) return b;
  // Rows still in the running, narrowed filter by filter.
  let keep = new Int32Array(b.length);
  let n = b.length;
  for (let i = 0; i < n; i++) keep[i] = i;
  for (const f of filters) {
    const v = b.columns[f.scanColumn]!;
    const next = new Int32Array(n);
    let m = 0;
    if (v.type.layout === 'int64') {
      // Compared as int32 word pairs: no BigInt per row.
      const set = IntegerSet.of(f.values);
      const d = v.data as BigInt64Array;
      const w = new Int32Array(d.buffer, d.byteOffset, 2 * b.length);
      for (let k = 0; k < n; k++) {
        const i = keep[k]!;
        if ((v.nulls === null || v.nulls[i] === 0) && set.has(w[2 * i]!, w[2 * i + 1]!)) next[m++] = i;
      }
    } else if (v.type.layout === 'int32') {
      const set = IntegerSet.of(f.values);
      const d = v.data as Int32Array;
      for (let k = 0; k < n; k++) {
        const i = keep[k]!;
        if ((v.nulls === null || v.nulls[i] === 0) && set.has(d[i]!, 0)) next[m++] = i;
      }
    } else {
      const keyOf = hashKeyFor(v.type);
      const data = v.data as unknown[];
      for (let k = 0; k < n; k++) {
        const i = keep[k]!;
        if ((v.nulls === null || v.nulls[i] === 0) && f.values.has(keyOf(data[i]))) next[m++] = i;
      }
    }
    keep = next;
    n = m;
  }
  return n === b.length ? b : takeBatchRows(b, keep, n);
}
