/**
 * Single Parquet values → engine datums: the conversions the page decoder applies per value
 * for the less common types, and the statistics (min/max) conversion.
 */
import { Numeric } from '../../../engine/types/numeric.js';
import { PhysicalType } from './format.js';
import type { ColumnTyping } from './parquet-types.js';

const TWO32 = 4294967296;

/** A big-endian two's-complement integer of `len` bytes at b[start] (DECIMAL in byte arrays). */
export function beSigned(b: Uint8Array, start: number, len: number): bigint {
  if (len === 0) return 0n;
  // drop sign-extension bytes so that common small values take the double path
  let s = start;
  const end = start + len;
  while (end - s > 6) {
    const x = b[s]!;
    const next = b[s + 1]!;
    if ((x === 0 && next < 0x80) || (x === 0xff && next >= 0x80)) s++;
    else break;
  }
  const n = end - s;
  if (n <= 6) {
    let v = 0;
    for (let i = s; i < end; i++) v = v * 256 + b[i]!;
    if (b[s]! >= 0x80) v -= 2 ** (8 * n);
    return BigInt(v);
  }
  let acc = 0n;
  let i = s;
  const head = n % 4;
  if (head > 0) {
    let v = 0;
    for (; i < s + head; i++) v = v * 256 + b[i]!;
    acc = BigInt(v);
  }
  for (; i < end; i += 4) acc = (acc << 32n) | BigInt(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
  return BigInt.asIntN(8 * n, acc);
}

/** Small-value fast path of beSigned, as a double when |value| < 2^47; NaN otherwise. */
export function beSignedSmall(b: Uint8Array, start: number, len: number): number {
  let s = start;
  const end = start + len;
  while (end - s > 6) {
    const x = b[s]!;
    const next = b[s + 1]!;
    if ((x === 0 && next < 0x80) || (x === 0xff && next >= 0x80)) s++;
    else return NaN;
  }
  if (s === end) return 0;
  let v = 0;
  for (let i = s; i < end; i++) v = v * 256 + b[i]!;
  return b[s]! >= 0x80 ? v - 2 ** (8 * (end - s)) : v;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 16 raw bytes → the UUID's text form. */
export function uuidText(b: Uint8Array, p: number): string {
  return (
    HEX[b[p]!]! + HEX[b[p + 1]!]! + HEX[b[p + 2]!]! + HEX[b[p + 3]!]! + '-' + HEX[b[p + 4]!]! + HEX[b[p + 5]!]! + '-' +
    HEX[b[p + 6]!]! + HEX[b[p + 7]!]! + '-' + HEX[b[p + 8]!]! + HEX[b[p + 9]!]! + '-' + HEX[b[p + 10]!]! + HEX[b[p + 11]!]! +
    HEX[b[p + 12]!]! + HEX[b[p + 13]!]! + HEX[b[p + 14]!]! + HEX[b[p + 15]!]!
  );
}

/** IEEE half precision (little-endian) → number. */
export function float16(b: Uint8Array, p: number): number {
  const h = b[p]! | (b[p + 1]! << 8);
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Julian day of 1970-01-01. */
const UNIX_EPOCH_JULIAN_DAY = 2440588;

/** INT96 (nanoseconds of the day, little-endian int64; Julian day, int32) → µs since 1970. */
export function int96Micros(b: Uint8Array, p: number): bigint {
  const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  const hi = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
  const nanos = hi * TWO32 + lo; // < 86400e9 < 2^53 in valid data
  const day = b[p + 8]! | (b[p + 9]! << 8) | (b[p + 10]! << 16) | (b[p + 11]! << 24);
  return BigInt(day - UNIX_EPOCH_JULIAN_DAY) * 86_400_000_000n + BigInt(Math.floor(nanos / 1000));
}

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
};

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * One PLAIN-encoded value (as statistics hold them: byte arrays without a length prefix) as
 * the datum of the column's type; undefined when it cannot serve as a bound.
 */
export function statisticDatum(bytes: Uint8Array, physicalType: number, typing: ColumnTyping): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number) => bytes.length >= n;
  switch (typing.kind) {
    case 'bool': return need(1) ? bytes[0] !== 0 : undefined;
    case 'int32': return need(4) ? view.getInt32(0, true) : undefined;
    case 'uint32': return need(4) ? BigInt(view.getUint32(0, true)) : undefined;
    case 'time-millis': return need(4) ? BigInt(view.getInt32(0, true)) * 1000n : undefined;
    case 'int64': return need(8) ? view.getBigInt64(0, true) : undefined;
    case 'int64-millis': return need(8) ? view.getBigInt64(0, true) * 1000n : undefined;
    case 'int64-nanos': return need(8) ? floorDiv(view.getBigInt64(0, true), 1000n) : undefined;
    case 'uint64': return need(8) ? Numeric.fromBigInt(view.getBigUint64(0, true), 0) : undefined;
    case 'float': {
      if (!need(4)) return undefined;
      const v = view.getFloat32(0, true);
      return Number.isNaN(v) ? undefined : v;
    }
    case 'double': {
      if (!need(8)) return undefined;
      const v = view.getFloat64(0, true);
      return Number.isNaN(v) ? undefined : v;
    }
    case 'float16': {
      if (!need(2)) return undefined;
      const v = float16(bytes, 0);
      return Number.isNaN(v) ? undefined : v;
    }
    case 'decimal32': return need(4) ? Numeric.fromBigInt(BigInt(view.getInt32(0, true)), typing.scale) : undefined;
    case 'decimal64': return need(8) ? Numeric.fromBigInt(view.getBigInt64(0, true), typing.scale) : undefined;
    case 'decimal-bytes': return Numeric.fromBigInt(beSigned(bytes, 0, bytes.length), typing.scale);
    case 'string':
      try {
        return utf8Fatal.decode(bytes);
      } catch {
        return undefined; // a truncated bound that cut a character in two
      }
    case 'bytes': return bytes.slice();
    case 'uuid': return bytes.length === 16 && physicalType === PhysicalType.FIXED_LEN_BYTE_ARRAY ? uuidText(bytes, 0) : undefined;
    case 'int96': return undefined; // the order of INT96 statistics is not reliable
  }
}
