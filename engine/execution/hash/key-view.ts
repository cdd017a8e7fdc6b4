/**
 * Key columns prepared for hashing and equality without per-row objects. A KeyView is a
 * key vector in the form its kind compares in: fixed-width values in their typed arrays
 * (64-bit values as pairs of int32 words), strings as they are, bpchar and other object
 * types as their hashKeyFor form. Equality is the type's (as grouping and join equality
 * see it): NULL equals NULL here (grouping); joins skip NULL keys themselves.
 */
import { hashKeyFor, stripTrailingSpaces } from '../../functions/compare.js';
import type { Numeric } from '../../types/numeric.js';
import type { PgType } from '../../types/pg-type.js';
import type { Vector } from '../batch/vector.js';

/** How a key type is hashed and compared. */
export const KeyKind = { Int32: 0, Words: 1, Float: 2, String: 3, Numeric: 4, Normalized: 5 } as const;
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

export function keyKindOf(type: PgType): KeyKind {
  if (type.elem) return KeyKind.Normalized;
  switch (type.layout) {
    case 'bool':
    case 'int32':
      return KeyKind.Int32;
    case 'int64':
      return KeyKind.Words;
    case 'float64':
      return KeyKind.Float;
    case 'object':
      switch (type.name) {
        case 'numeric': return KeyKind.Numeric;
        case 'bpchar':
        case 'interval':
        case 'bytea': return KeyKind.Normalized;
        default: return KeyKind.String; // text-like types: string datums, compared as they are
      }
  }
}

/**
 * One key column as hashing and equality read it. `ints` holds int32 values (Int32) or the
 * two int32 words of each value (Words); `values` holds the rest (Float: the doubles;
 * String and Numeric: the datums; Normalized: hashKeyFor of each datum).
 */
export interface KeyView {
  readonly kind: KeyKind;
  readonly ints: Int32Array | Uint8Array | null;
  readonly values: ArrayLike<unknown> | null;
  readonly nulls: Uint8Array | null;
}

/** The view of rows [0, length) of a key vector of the given kind. */
export function keyView(kind: KeyKind, v: Vector, length: number): KeyView {
  switch (kind) {
    case KeyKind.Int32:
      return { kind, ints: v.data as Int32Array | Uint8Array, values: null, nulls: v.nulls };
    case KeyKind.Words: {
      const d = v.data as BigInt64Array;
      return { kind, ints: new Int32Array(d.buffer, d.byteOffset, 2 * length), values: null, nulls: v.nulls };
    }
    case KeyKind.Float:
    case KeyKind.String:
    case KeyKind.Numeric:
      return { kind, ints: null, values: v.data as unknown[], nulls: v.nulls };
    case KeyKind.Normalized:
      return { kind, ints: null, values: normalized(v, length), nulls: v.nulls };
  }
}

function normalized(v: Vector, length: number): unknown[] {
  const data = v.data as unknown[];
  const out = new Array<unknown>(length);
  if (v.type.name === 'bpchar') {
    for (let i = 0; i < length; i++) if (v.nulls === null || v.nulls[i] === 0) out[i] = stripTrailingSpaces(data[i] as string);
    return out;
  }
  const key = hashKeyFor(v.type);
  for (let i = 0; i < length; i++) if (v.nulls === null || v.nulls[i] === 0) out[i] = key(data[i]);
  return out;
}

const NULL_HASH = 0x5bd1e995;
const SEED = 0x811c9dc5 | 0;

const mix = (h: number, x: number): number => Math.imul((h ^ x) + 0x7f4a7c15, 0x01000193) ^ (h >>> 15);

/** Final avalanche, so that low bits (used for buckets) depend on every input bit. */
function finalHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hashString(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

const f64 = new Float64Array(1);
const f64Words = new Int32Array(f64.buffer);

/** Hash of a double such that equal values (0 = -0, NaN = NaN) hash alike. */
function hashDouble(x: number, h: number): number {
  if (x === 0) return mix(h, 0);
  if (x !== x) return mix(h, 0x7ff80000);
  f64[0] = x;
  return mix(mix(h, f64Words[0]!), f64Words[1]!);
}

const POW10_EXACT: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Hash of a numeric such that equal values (1.5 = 1.50) hash alike: the correctly rounded
 * double of its value (exact division of exact operands, or parsing its text form).
 */
function hashNumeric(n: Numeric, h: number): number {
  if (!n.isFinite()) return mix(h, n.isNaN() ? 1 : n.sign() + 2);
  const f = n.safeUnscaled();
  const scale = n.scale;
  if (f === f && scale < POW10_EXACT.length) return hashDouble(f / POW10_EXACT[scale]!, h);
  return hashDouble(Number(n.toString()), h);
}

function hashValue(x: unknown, h: number): number {
  switch (typeof x) {
    case 'string': return mix(hashString(x, h), x.length); // as KeyKind.String hashes
    case 'number': return hashDouble(x, h);
    case 'bigint': return hashString(x.toString(), h);
    default: return mix(h, 0x3c6ef372);
  }
}

/**
 * Hashes of rows [0, length) over all key columns into `out` (finalised). Equal keys (as
 * `rowsEqual` sees them, NULL equal to NULL) give equal hashes.
 */
export function hashRows(views: readonly KeyView[], length: number, out: Int32Array): void {
  out.fill(SEED, 0, length);
  for (const v of views) {
    const nulls = v.nulls;
    switch (v.kind) {
      case KeyKind.Int32: {
        const d = v.ints!;
        for (let i = 0; i < length; i++) out[i] = mix(out[i]!, nulls !== null && nulls[i] === 1 ? NULL_HASH : d[i]!);
        break;
      }
      case KeyKind.Words: {
        const w = v.ints!;
        for (let i = 0; i < length; i++) out[i] = nulls !== null && nulls[i] === 1 ? mix(out[i]!, NULL_HASH) : mix(mix(out[i]!, w[2 * i]!), w[2 * i + 1]!);
        break;
      }
      case KeyKind.Float: {
        const d = v.values as Float64Array;
        for (let i = 0; i < length; i++) out[i] = nulls !== null && nulls[i] === 1 ? mix(out[i]!, NULL_HASH) : hashDouble(d[i]!, out[i]!);
        break;
      }
      case KeyKind.String: {
        const d = v.values as string[];
        for (let i = 0; i < length; i++) out[i] = nulls !== null && nulls[i] === 1 ? mix(out[i]!, NULL_HASH) : mix(hashString(d[i]!, out[i]!), d[i]!.length);
        break;
      }
      case KeyKind.Numeric: {
        const d = v.values as Numeric[];
        for (let i = 0; i < length; i++) out[i] = nulls !== null && nulls[i] === 1 ? mix(out[i]!, NULL_HASH) : hashNumeric(d[i]!, out[i]!);
        break;
      }
      case KeyKind.Normalized: {
        const d = v.values!;
        for (let i = 0; i < length; i++) out[i] = nulls !== null && nulls[i] === 1 ? mix(out[i]!, NULL_HASH) : hashValue(d[i], out[i]!);
        break;
      }
    }
  }
  for (let i = 0; i < length; i++) out[i] = finalHash(out[i]!);
}

/** Whether row i of `a` and row j of `b` (views of the same kinds) have equal keys; NULL equals NULL. */
export function rowsEqual(a: readonly KeyView[], i: number, b: readonly KeyView[], j: number): boolean {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    const xNull = x.nulls !== null && x.nulls[i] === 1;
    const yNull = y.nulls !== null && y.nulls[j] === 1;
    if (xNull || yNull) {
      if (xNull !== yNull) return false;
      continue;
    }
    switch (x.kind) {
      case KeyKind.Int32:
        if (x.ints![i] !== y.ints![j]) return false;
        break;
      case KeyKind.Words:
        if (x.ints![2 * i] !== y.ints![2 * j] || x.ints![2 * i + 1] !== y.ints![2 * j + 1]) return false;
        break;
      case KeyKind.Float: {
        const p = (x.values as Float64Array)[i]!;
        const q = (y.values as Float64Array)[j]!;
        if (p !== q && (p === p || q === q)) return false;
        break;
      }
      case KeyKind.Numeric: {
        const p = (x.values as Numeric[])[i]!;
        const q = (y.values as Numeric[])[j]!;
        if (p !== q && p.cmp(q) !== 0) return false;
        break;
      }
      default:
        if (x.values![i] !== y.values![j]) return false;
    }
  }
  return true;
}

/**
 * How keys that fit in two int32 words sit beside a hash table's slots, so that a lookup
 * compares them there: not at all, one int32 layout key, one int64 layout key, or (where
 * allowed) two int32 layout keys.
 */
export const Inline = { None: 0, Int32: 1, Int64: 2, TwoInt32: 3 } as const;
export type Inline = (typeof Inline)[keyof typeof Inline];

export function inlineLayout(kinds: readonly KeyKind[], allowPair: boolean): Inline {
  if (kinds.length === 1) return kinds[0] === KeyKind.Int32 ? Inline.Int32 : kinds[0] === KeyKind.Words ? Inline.Int64 : Inline.None;
  return allowPair && kinds.length === 2 && kinds[0] === KeyKind.Int32 && kinds[1] === KeyKind.Int32 ? Inline.TwoInt32 : Inline.None;
}

/** Key word `half` (0 or 1) of row r, for an inline layout other than None. */
export function keyWord(inline: Inline, views: readonly KeyView[], r: number, half: 0 | 1): number {
  switch (inline) {
    case Inline.Int32: return half === 0 ? views[0]!.ints![r]! : 0;
    case Inline.Int64: return views[0]!.ints![2 * r + half]!;
    case Inline.TwoInt32: return views[half]!.ints![r]!;
    default: return 0;
  }
}

/** Whether row i has a NULL in any key column. */
export function anyNull(views: readonly KeyView[], i: number): boolean {
  for (const v of views) if (v.nulls !== null && v.nulls[i] === 1) return true;
  return false;
}
