/**
 * Total orders on datums, as PostgreSQL's btree comparison functions define them
 * (text compares in the "C" collation: by code point; bpchar ignores trailing spaces;
 * NaN sorts above every other float or numeric).
 */
import type { PgType } from '../types/pg-type.js';
import { Numeric } from '../types/numeric.js';
import { compareIntervals, type Interval } from '../types/interval.js';

export type Comparator = (a: unknown, b: unknown) => number;

const compareNumbers: Comparator = (a, b) => {
  const x = a as number;
  const y = b as number;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // NaN handling: NaN equals NaN and is greater than everything else.
  const xn = Number.isNaN(x);
  const yn = Number.isNaN(y);
  return xn === yn ? 0 : xn ? 1 : -1;
};

const compareBigInts: Comparator = (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);

/** Code point order, which is byte order of UTF-8 (PostgreSQL's "C" collation). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // UTF-16 order differs from code point order only between a surrogate (a code point
      // above U+FFFF) and a unit in U+E000..U+FFFF.
      if (x >= 0xd800 && x <= 0xdfff && y >= 0xe000) return 1;
      if (y >= 0xd800 && y <= 0xdfff && x >= 0xe000) return -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export const stripTrailingSpaces = (s: string): string => {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
};

/** Whether two bpchar values are equal ignoring trailing spaces, without copying either. */
export function bpcharEquals(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (!long.startsWith(short)) return false;
  for (let i = short.length; i < long.length; i++) if (long.charCodeAt(i) !== 32) return false;
  return true;
}

const compareBytes: Comparator = (a, b) => {
  const x = a as Uint8Array;
  const y = b as Uint8Array;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
};

const compareBools: Comparator = (a, b) => (a === b ? 0 : a ? 1 : -1);

export function comparatorFor(type: PgType): Comparator {
  if (type.elem) {
    const elem = comparatorFor(type.elem);
    return (a, b) => compareArrays(a as unknown[], b as unknown[], elem);
  }
  switch (type.name) {
    case 'bool':
      return compareBools;
    case 'int8':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return compareBigInts;
    case 'numeric':
      return (a, b) => (a as Numeric).cmp(b as Numeric);
    case 'bpchar':
      return (a, b) => (a === b ? 0 : compareStrings(stripTrailingSpaces(a as string), stripTrailingSpaces(b as string)));
    case 'bytea':
      return compareBytes;
    case 'interval':
      return (a, b) => compareIntervals(a as Interval, b as Interval);
    default:
      if (type.layout === 'object') return (a, b) => compareStrings(a as string, b as string);
      return compareNumbers;
  }
}

function compareArrays(a: unknown[], b: unknown[], elem: Comparator): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
      continue;
    }
    const c = elem(x, y);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** A key such that equal datums (by the type's equality) give equal keys; for hashing. */
export function hashKeyFor(type: PgType): (v: unknown) => unknown {
  switch (type.name) {
    case 'numeric':
      return (v) => numericKey(v as Numeric);
    case 'bpchar':
      return (v) => stripTrailingSpaces(v as string);
    case 'interval':
      return (v) => {
        const i = v as Interval;
        return `${BigInt(i.months) * 30n * 86_400_000_000n + BigInt(i.days) * 86_400_000_000n + i.micros}`;
      };
    case 'bytea':
      return (v) => Buffer.from(v as Uint8Array).toString('latin1');
    default:
      if (type.elem) return (v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Numeric ? numericKey(x) : x));
      if (type.layout === 'float64') return (v) => (Number.isNaN(v) ? 'NaN' : (v as number) === 0 ? 0 : v);
      return (v) => v;
  }
}

/** Equal numerics (1.50 = 1.5) give the same key. */
function numericKey(n: Numeric): string {
  if (!n.isFinite()) return n.toString();
  let u = n.unscaled;
  let s = n.scale;
  while (s > 0 && u % 10n === 0n) {
    u /= 10n;
    s--;
  }
  return `${u}e${s}`;
}
