/**
 * From the query's constraint to offset ranges: which partitions to read (`_partition_id`),
 * which offsets (`_partition_offset`), and from/to which message time (`_timestamp`, turned
 * into offsets by the broker's time index). Everything here narrows; the engine still applies
 * every filter to the rows read.
 *
 * Bounds are datums of the domain's `compareAs` type (int8, numeric, timestamptz, …); instead
 * of converting them back, the first offset (or millisecond) whose widened value satisfies a
 * bound is found by binary search, which is exact for any monotonic widening.
 */
import type { ColumnDomain, ValueRange } from '../spi/index.js';
import { valueMayMatch } from '../lib/pruning.js';

/** Offsets [start, end). */
export type Interval = readonly [number, number];

/** Whether partition `p` may hold wanted rows under every domain on `_partition_id`. */
export const partitionWanted = (domains: readonly ColumnDomain[], p: number): boolean => domains.every((d) => guarded(() => valueMayMatch(d, BigInt(p)), true));

/** The offsets of [lo, hi) every domain on `_partition_offset` allows, as sorted disjoint intervals. */
export function offsetIntervals(domains: readonly ColumnDomain[], lo: number, hi: number): Interval[] {
  let out: Interval[] = hi > lo ? [[lo, hi]] : [];
  for (const d of domains) {
    if (d.ranges === undefined) continue;
    const allowed = d.ranges.map((r) => rangeInterval(d, r, lo, hi, (n) => BigInt(n)));
    if (allowed.some((a) => a === undefined)) continue;
    out = intersect(out, union(allowed as Interval[]));
  }
  return out;
}

/**
 * The milliseconds [from, to) the domains on `_timestamp` allow, either end undefined when
 * unbounded (or when NULL timestamps are wanted: messages without a time sort nowhere).
 */
export function timestampBounds(domains: readonly ColumnDomain[]): { from?: number; to?: number } {
  let from: number | undefined;
  let to: number | undefined;
  for (const d of domains) {
    if (d.ranges === undefined || d.nullAllowed || d.ranges.length === 0) continue;
    const spans = d.ranges.map((r) => rangeInterval(d, r, 0, MAX_MS, (ms) => BigInt(ms) * 1000n));
    if (spans.some((s) => s === undefined)) continue;
    const lows = d.ranges.every((r) => r.low) ? Math.min(...spans.map((s) => s![0])) : undefined;
    const highs = d.ranges.every((r) => r.high) ? Math.max(...spans.map((s) => s![1])) : undefined;
    if (lows !== undefined) from = Math.max(from ?? lows, lows);
    if (highs !== undefined) to = Math.min(to ?? highs, highs);
  }
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** Milliseconds searched for timestamp bounds: up to the year 6429. */
const MAX_MS = 2 ** 47;

/** The integers of [lo, hi) inside one range (values `toDatum(n)` widened), or undefined when the types do not compare. */
function rangeInterval(d: ColumnDomain, r: ValueRange, lo: number, hi: number, toDatum: (n: number) => unknown): Interval | undefined {
  return guarded(() => {
    const cmp = (n: number, bound: unknown) => d.compare(d.widen(toDatum(n)), bound);
    const start = r.low ? firstTrue(lo, hi, (n) => {
      const c = cmp(n, r.low!.value);
      return c > 0 || (c === 0 && r.low!.inclusive);
    }) : lo;
    const end = r.high ? firstTrue(start, hi, (n) => {
      const c = cmp(n, r.high!.value);
      return c > 0 || (c === 0 && !r.high!.inclusive);
    }) : hi;
    return [start, Math.max(start, end)] as Interval;
  }, undefined);
}

/** The smallest n in [lo, hi) for which `pred` holds (false … false true … true), or hi. */
function firstTrue(lo: number, hi: number, pred: (n: number) => boolean): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = a + Math.floor((b - a) / 2);
    if (pred(mid)) b = mid;
    else a = mid + 1;
  }
  return a;
}

function union(list: readonly Interval[]): Interval[] {
  const sorted = list.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function intersect(x: readonly Interval[], y: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [a, b] of x) {
    for (const [c, d] of y) {
      const s = Math.max(a, c);
      const e = Math.min(b, d);
      if (e > s) out.push([s, e]);
    }
  }
  return union(out);
}

/** `fn()`, or `fallback` when comparing the domain's datums fails (a connector must never fail a query by pruning). */
function guarded<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** [start, end) cut into pieces of at most `size` offsets. */
export function chunks([start, end]: Interval, size: number): Interval[] {
  const out: Interval[] = [];
  for (let s = start; s < end; s += size) out.push([s, Math.min(end, s + size)]);
  return out;
}
