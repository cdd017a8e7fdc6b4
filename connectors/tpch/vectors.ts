/** Raw generator columns → engine vectors of the columns' PostgreSQL types. */
import type { Vector } from '../../engine/execution/batch/vector.js';
import { Numeric } from '../../engine/types/numeric.js';
import { T, numericTypmod, typeByName, type PgType } from '../../engine/types/pg-type.js';
import type { ColumnSpec, RawColumn } from './table.js';

const INT4_MAX = 2147483647;

/** The PostgreSQL type of a column at a scale factor (keys widen to int8 past int4). */
export function columnType(col: ColumnSpec, sf: number): PgType {
  switch (col.kind) {
    case 'int': return T.int4;
    case 'key': return col.wide || (col.maxKey !== undefined && col.maxKey(sf) > INT4_MAX) ? T.int8 : T.int4;
    case 'money': return typeByName('numeric', numericTypmod(15, 2));
    case 'date': return T.date;
    case 'text': return typeByName(col.fixed ? 'bpchar' : 'varchar', col.width! + 4);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

/** Exact integers (|x| < 2^53) as int64 without allocating a bigint per value. */
function toInt64(src: Float64Array): BigInt64Array {
  const out = new BigInt64Array(src.length);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < src.length; i++) out[i] = BigInt(src[i]!);
    return out;
  }
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const x = src[i]!;
    if (x >= 0) {
      const hi = Math.floor(x / TWO_32);
      words[2 * i] = x - hi * TWO_32;
      words[2 * i + 1] = hi;
    } else {
      out[i] = BigInt(x);
    }
  }
  return out;
}

/** Small amounts (quantities, discounts, taxes, …) are shared Numeric instances. */
const SMALL_CENTS = 10_000;
const smallNumerics: (Numeric | undefined)[] = new Array(SMALL_CENTS);

function toNumerics(cents: Int32Array): Numeric[] {
  const out = new Array<Numeric>(cents.length);
  for (let i = 0; i < cents.length; i++) {
    const c = cents[i]!;
    if (c >= 0 && c < SMALL_CENTS) out[i] = smallNumerics[c] ??= Numeric.fromSafeInteger(c, 2);
    else out[i] = Numeric.fromSafeInteger(c, 2);
  }
  return out;
}

export function toVector(type: PgType, col: ColumnSpec, raw: RawColumn, length: number): Vector {
  let data: Vector['data'];
  switch (col.kind) {
    case 'key':
      data = type.layout === 'int64' ? toInt64(raw as Float64Array) : Int32Array.from(raw as Float64Array);
      break;
    case 'money':
      data = toNumerics(raw as Int32Array);
      break;
    default:
      data = raw;
  }
  return { type, length, data, nulls: null };
}
