/**
 * Whole-vector bodies for common widening casts (integer → int8 / float8 / numeric, date →
 * timestamp) that write typed arrays directly instead of going through castDatum per row.
 * 64-bit results are written as int32 word pairs, so no BigInt is made per row. Other casts
 * (and casts to a type with a typmod) return null here and use the general path.
 */
import type { EvalContext } from '../../functions/registry.js';
import { castDatum } from '../../types/cast.js';
import { Numeric } from '../../types/numeric.js';
import { T, type PgType } from '../../types/pg-type.js';
import type { Vector } from '../batch/vector.js';

export type VectorCast = (v: Vector, length: number) => Vector;

const TWO_32 = 4294967296;
const MICROS_PER_DAY = 86_400_000_000;
/** Dates this many days from 1970 or closer convert to µs exactly in a double (< 2^53). */
const EXACT_DAYS = 100_000;

/** Writes the safe integer x as the two int32 words of a little-endian int64. */
function putInt64(words: Int32Array, i: number, x: number): void {
  const hi = Math.floor(x / TWO_32);
  words[2 * i] = (x - hi * TWO_32) | 0;
  words[2 * i + 1] = hi;
}

function toInt64(from: PgType, to: PgType, format: EvalContext['format'], micros: number): (v: Vector, length: number) => Vector {
  return (v, length) => {
    const src = v.data as Int32Array;
    const data = new BigInt64Array(length);
    const words = new Int32Array(data.buffer);
    for (let i = 0; i < length; i++) {
      if (v.nulls !== null && v.nulls[i] === 1) continue;
      const x = src[i]!;
      if (micros === 1 || (x < EXACT_DAYS && x > -EXACT_DAYS)) putInt64(words, i, x * micros);
      else data[i] = castDatum(x, from, to, format) as bigint;
    }
    return { type: to, length, data, nulls: v.nulls === null ? null : v.nulls.slice(0, length) };
  };
}

export function vectorCast(from: PgType, to: PgType, format: EvalContext['format']): VectorCast | null {
  if (to.typmod !== -1 || from.elem || to.elem) return null;
  const integer = from.oid === T.int2.oid || from.oid === T.int4.oid;
  if (integer && to.oid === T.int8.oid) return toInt64(from, to, format, 1);
  if (from.oid === T.date.oid && to.oid === T.timestamp.oid) return toInt64(from, to, format, MICROS_PER_DAY);
  if (integer && to.oid === T.float8.oid) {
    return (v, length) => ({ type: to, length, data: Float64Array.from((v.data as Int32Array).subarray(0, length)), nulls: v.nulls === null ? null : v.nulls.slice(0, length) });
  }
  if (integer && to.oid === T.numeric.oid) {
    return (v, length) => {
      const src = v.data as Int32Array;
      const data = new Array<unknown>(length);
      for (let i = 0; i < length; i++) if (v.nulls === null || v.nulls[i] === 0) data[i] = Numeric.fromSafeInteger(src[i]!);
      return { type: to, length, data, nulls: v.nulls === null ? null : v.nulls.slice(0, length) };
    };
  }
  return null;
}
