/**
 * Parquet's value and level encodings, decoding into caller-provided typed arrays:
 * RLE/bit-packed hybrid, legacy BIT_PACKED levels, DELTA_BINARY_PACKED (32- and 64-bit),
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. Every loop here runs per
 * value, so they stay monomorphic: one typed-array type per function, no allocation, no closures.
 */
import { corrupt } from './errors.js';

/** Variable-length byte strings: value i is buf[starts[i], starts[i] + lens[i]). */
export interface ByteArrays {
  readonly buf: Uint8Array;
  readonly starts: Int32Array;
  readonly lens: Int32Array;
  readonly count: number;
}

const TWO32 = 4294967296;

/** Little-endian unsigned 32-bit read. */
export const u32le = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;

/** Reads an unsigned LEB128 varint; returns the value and advances `cursor.pos`. Up to 2^53. */
export function readUVarint(b: Uint8Array, cursor: { pos: number }): number {
  let p = cursor.pos;
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (p >= b.length) throw corrupt('truncated varint');
    const x = b[p++]!;
    result += (x & 0x7f) * mul;
    if (x < 0x80) {
      cursor.pos = p;
      return result;
    }
    mul *= 128;
  }
  throw corrupt('varint too large');
}

/** A zigzag varint of up to 64 bits as a bigint. */
export function readZigzagBig(b: Uint8Array, cursor: { pos: number }): bigint {
  let p = cursor.pos;
  let n = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (p >= b.length) throw corrupt('truncated varint');
    const x = b[p++]!;
    n |= BigInt(x & 0x7f) << shift;
    if (x < 0x80) {
      cursor.pos = p;
      return (n & 1n) === 0n ? n >> 1n : -((n + 1n) >> 1n);
    }
    shift += 7n;
  }
  throw corrupt('varint too long');
}

// ---- bit unpacking (LSB first) -------------------------------------------------------------

/**
 * Unpacks `count` values of `width` ≤ 32 bits from `b` starting at byte `pos` into out[off…].
 * 32-bit values keep their bit pattern (they read back as signed int32).
 */
export function unpackInt32(b: Uint8Array, pos: number, width: number, count: number, out: Int32Array, off: number): void {
  if (width === 0) {
    out.fill(0, off, off + count);
    return;
  }
  if (width === 8) {
    for (let i = 0; i < count; i++) out[off + i] = b[pos + i]!;
    return;
  }
  const mask = width === 32 ? -1 : (1 << width) - 1;
  if (width <= 24) {
    let buf = 0;
    let bits = 0;
    let p = pos;
    for (let i = 0; i < count; i++) {
      while (bits < width) {
        buf |= (b[p++]! | 0) << bits;
        bits += 8;
      }
      out[off + i] = buf & mask;
      buf >>>= width;
      bits -= width;
    }
    return;
  }
  let bit = pos * 8;
  for (let i = 0; i < count; i++) {
    const byte = bit >>> 3;
    const shift = bit & 7;
    const lo = (b[byte]! | 0) | ((b[byte + 1]! | 0) << 8) | ((b[byte + 2]! | 0) << 16) | ((b[byte + 3]! | 0) << 24);
    let v = lo >>> shift;
    if (shift + width > 32) v |= (b[byte + 4]! | 0) << (32 - shift);
    out[off + i] = v & mask;
    bit += width;
  }
}

/** Unpacks `count` values of `width` ≤ 8 bits into a byte array (levels, booleans). */
export function unpackUint8(b: Uint8Array, pos: number, width: number, count: number, out: Uint8Array, off: number): void {
  if (width === 0) {
    out.fill(0, off, off + count);
    return;
  }
  const mask = (1 << width) - 1;
  let buf = 0;
  let bits = 0;
  let p = pos;
  for (let i = 0; i < count; i++) {
    if (bits < width) {
      buf |= (b[p++]! | 0) << bits;
      bits += 8;
    }
    out[off + i] = buf & mask;
    buf >>>= width;
    bits -= width;
  }
}

/** Unpacks `count` values of `width` ≤ 52 bits as non-negative doubles. */
function unpackWide(b: Uint8Array, pos: number, width: number, count: number, out: Float64Array): void {
  let bit = pos * 8;
  for (let i = 0; i < count; i++) {
    let byte = bit >>> 3;
    const shift = bit & 7;
    let acc = (b[byte++]! | 0) >>> shift;
    let got = 8 - shift;
    if (got >= width) acc &= (1 << width) - 1;
    else {
      let mul = 2 ** got;
      while (got < width) {
        const remain = width - got;
        let x = b[byte++]! | 0;
        if (remain < 8) x &= (1 << remain) - 1;
        acc += x * mul;
        mul *= 256;
        got += 8;
      }
    }
    out[i] = acc;
    bit += width;
  }
}

/** Unpacks values of `width` ≤ 64 bits as bigints. */
function unpackBig(b: Uint8Array, pos: number, width: number, count: number, out: BigUint64Array): void {
  let bit = pos * 8;
  const mask = (1n << BigInt(width)) - 1n;
  for (let i = 0; i < count; i++) {
    let byte = bit >>> 3;
    const shift = bit & 7;
    let acc = 0n;
    let sh = 0n;
    for (let need = width + shift; need > 0; need -= 8) {
      acc |= BigInt(b[byte++] ?? 0) << sh;
      sh += 8n;
    }
    out[i] = (acc >> BigInt(shift)) & mask;
    bit += width;
  }
}

// ---- RLE / bit-packed hybrid ---------------------------------------------------------------

/**
 * Decodes `count` values of the RLE/bit-packed hybrid encoding (width ≤ 8) from b[pos, end)
 * into out[off…]; returns the position after the last run read.
 */
export function decodeHybridUint8(b: Uint8Array, pos: number, end: number, width: number, count: number, out: Uint8Array, off: number): number {
  return decodeHybrid(b, pos, end, width, count, out, off);
}

/** The hybrid encoding into an Int32Array (dictionary indices; width ≤ 32). */
export function decodeHybridInt32(b: Uint8Array, pos: number, end: number, width: number, count: number, out: Int32Array, off: number): number {
  return decodeHybrid(b, pos, end, width, count, out, off);
}

/**
 * The hybrid encoding into a byte array (levels, booleans) or an Int32Array. Work per value
 * stays in unpackUint8 / unpackInt32 and fill, each specialised to its array type; the choice
 * between them is made once per run.
 */
function decodeHybrid(b: Uint8Array, pos: number, end: number, width: number, count: number, out: Uint8Array | Int32Array, off: number): number {
  const c = { pos };
  let i = 0;
  const valueBytes = (width + 7) >>> 3;
  while (i < count) {
    if (c.pos >= end) {
      // a run may be cut short only by a missing tail of zero values; anything else is corrupt
      throw corrupt('RLE data shorter than its value count');
    }
    const header = readUVarint(b, c);
    if ((header & 1) === 1) {
      const groups = Math.floor(header / 2);
      const n = Math.min(groups * 8, count - i);
      if (c.pos + Math.ceil((n * width) / 8) > end) throw corrupt('bit-packed run out of bounds');
      if (out instanceof Uint8Array) unpackUint8(b, c.pos, width, n, out, off + i);
      else unpackInt32(b, c.pos, width, n, out, off + i);
      c.pos += groups * width;
      i += n;
    } else {
      const n = Math.min(Math.floor(header / 2), count - i);
      let v = 0;
      for (let k = 0; k < valueBytes; k++) v |= b[c.pos + k]! << (8 * k);
      c.pos += valueBytes;
      out.fill(v, off + i, off + i + n);
      i += n;
    }
  }
  return c.pos;
}

/** Legacy BIT_PACKED levels: values packed from the most significant bit. */
export function decodeBitPackedLegacy(b: Uint8Array, pos: number, width: number, count: number, out: Uint8Array): number {
  let bit = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    for (let k = 0; k < width; k++, bit++) v = (v << 1) | ((b[pos + (bit >>> 3)]! >>> (7 - (bit & 7))) & 1);
    out[i] = v;
  }
  return pos + Math.ceil((count * width) / 8);
}

// ---- DELTA_BINARY_PACKED -------------------------------------------------------------------

interface DeltaHeader {
  blockSize: number;
  miniblocks: number;
  perMini: number;
  total: number;
}

function deltaHeader(b: Uint8Array, c: { pos: number }): DeltaHeader {
  const blockSize = readUVarint(b, c);
  const miniblocks = readUVarint(b, c);
  const total = readUVarint(b, c);
  if (miniblocks === 0 || blockSize % 128 !== 0 || (blockSize / miniblocks) % 32 !== 0) throw corrupt('bad DELTA_BINARY_PACKED header');
  return { blockSize, miniblocks, perMini: blockSize / miniblocks, total };
}

/** Number of values a DELTA_BINARY_PACKED stream at `pos` holds. */
export function deltaCount(b: Uint8Array, pos: number): number {
  const c = { pos };
  return deltaHeader(b, c).total;
}

/**
 * DELTA_BINARY_PACKED for INT32 (arithmetic wraps at 32 bits) into out[off…]; returns the
 * position after the stream and the value count.
 */
export function decodeDeltaInt32(b: Uint8Array, pos: number, out: Int32Array, off: number, limit: number): { end: number; count: number } {
  const c = { pos };
  const h = deltaHeader(b, c);
  if (h.total > limit) throw corrupt('DELTA_BINARY_PACKED holds more values than the page');
  if (h.total === 0) {
    readZigzagBig(b, c);
    return { end: c.pos, count: 0 };
  }
  let last = Number(BigInt.asIntN(32, readZigzagBig(b, c)));
  out[off] = last;
  let i = 1;
  while (i < h.total) {
    const minDelta = Number(BigInt.asIntN(32, readZigzagBig(b, c)));
    const widthsAt = c.pos;
    c.pos += h.miniblocks;
    for (let m = 0; m < h.miniblocks && i < h.total; m++) {
      const width = b[widthsAt + m]!;
      if (width > 32) throw corrupt('DELTA_BINARY_PACKED bit width over 32 for INT32');
      const n = Math.min(h.perMini, h.total - i);
      unpackInt32(b, c.pos, width, n, out, off + i);
      for (let k = 0; k < n; k++) {
        last = (last + minDelta + out[off + i + k]!) | 0;
        out[off + i + k] = last;
      }
      c.pos += (h.perMini * width) / 8;
      i += n;
    }
  }
  return { end: c.pos, count: h.total };
}

let wideScratch = new Float64Array(0);
let bigScratch = new BigUint64Array(0);

/**
 * DELTA_BINARY_PACKED for INT64 into out32 (little-endian lo/hi int32 pairs starting at pair
 * `off`). Runs in doubles while every value stays within ±2^53, in bigints otherwise.
 */
export function decodeDeltaInt64(b: Uint8Array, pos: number, out32: Int32Array, off: number, limit: number): { end: number; count: number } {
  const c = { pos };
  const h = deltaHeader(b, c);
  if (h.total > limit) throw corrupt('DELTA_BINARY_PACKED holds more values than the page');
  const first = readZigzagBig(b, c);
  if (h.total === 0) return { end: c.pos, count: 0 };
  if (wideScratch.length < h.perMini) wideScratch = new Float64Array(h.perMini);
  if (bigScratch.length < h.perMini) bigScratch = new BigUint64Array(h.perMini);
  const wide = wideScratch;
  let lastBig = BigInt.asIntN(64, first);
  let last = Number(lastBig);
  let exact = Number.isSafeInteger(last);
  writeInt64(out32, off, last, lastBig, exact);
  let i = 1;
  while (i < h.total) {
    const minDeltaBig = readZigzagBig(b, c);
    const widthsAt = c.pos;
    c.pos += h.miniblocks;
    for (let m = 0; m < h.miniblocks && i < h.total; m++) {
      const width = b[widthsAt + m]!;
      if (width > 64) throw corrupt('DELTA_BINARY_PACKED bit width over 64');
      const n = Math.min(h.perMini, h.total - i);
      const minDelta = Number(minDeltaBig);
      // the doubles path is exact when no intermediate value can leave ±2^53
      const fast = exact && width <= 52 && Math.abs(last) + n * (Math.abs(minDelta) + 2 ** width) < 2 ** 53;
      if (fast) {
        unpackWide(b, c.pos, width, n, wide);
        for (let k = 0; k < n; k++) {
          last += minDelta + wide[k]!;
          const hi = Math.floor(last / TWO32);
          const j = (off + i + k) * 2;
          out32[j] = (last - hi * TWO32) | 0;
          out32[j + 1] = hi | 0;
        }
        lastBig = BigInt(last);
      } else {
        const big = bigScratch;
        unpackBig(b, c.pos, width, n, big);
        for (let k = 0; k < n; k++) {
          lastBig = BigInt.asIntN(64, lastBig + minDeltaBig + big[k]!);
          const j = (off + i + k) * 2;
          out32[j] = Number(BigInt.asIntN(32, lastBig));
          out32[j + 1] = Number(lastBig >> 32n);
        }
        last = Number(lastBig);
        exact = Number.isSafeInteger(last);
      }
      c.pos += (h.perMini * width) / 8;
      i += n;
    }
  }
  return { end: c.pos, count: h.total };
}

function writeInt64(out32: Int32Array, at: number, v: number, big: bigint, exact: boolean): void {
  if (exact) {
    const hi = Math.floor(v / TWO32);
    out32[at * 2] = (v - hi * TWO32) | 0;
    out32[at * 2 + 1] = hi | 0;
  } else {
    out32[at * 2] = Number(BigInt.asIntN(32, big));
    out32[at * 2 + 1] = Number(big >> 32n);
  }
}

/** Small non-negative integers (lengths, prefix lengths) from a DELTA_BINARY_PACKED stream. */
export function decodeDeltaLengths(b: Uint8Array, pos: number): { values: Int32Array; end: number } {
  const total = deltaCount(b, pos);
  const values = new Int32Array(total);
  const r = decodeDeltaInt32(b, pos, values, 0, total);
  return { values, end: r.end };
}

// ---- byte arrays ---------------------------------------------------------------------------

/** PLAIN BYTE_ARRAY: 4-byte little-endian length, then the bytes, per value. */
export function plainByteArrays(b: Uint8Array, pos: number, end: number, count: number): ByteArrays {
  const starts = new Int32Array(count);
  const lens = new Int32Array(count);
  let p = pos;
  for (let i = 0; i < count; i++) {
    const len = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    p += 4;
    if (p + len > end) throw corrupt('BYTE_ARRAY value out of bounds');
    starts[i] = p;
    lens[i] = len;
    p += len;
  }
  return { buf: b, starts, lens, count };
}

/** PLAIN FIXED_LEN_BYTE_ARRAY. */
export function fixedByteArrays(b: Uint8Array, pos: number, end: number, count: number, width: number): ByteArrays {
  if (pos + count * width > end) throw corrupt('FIXED_LEN_BYTE_ARRAY values out of bounds');
  const starts = new Int32Array(count);
  const lens = new Int32Array(count).fill(width);
  for (let i = 0; i < count; i++) starts[i] = pos + i * width;
  return { buf: b, starts, lens, count };
}

/** DELTA_LENGTH_BYTE_ARRAY: delta-packed lengths, then the concatenated bytes. */
export function deltaLengthByteArrays(b: Uint8Array, pos: number, end: number, count: number): ByteArrays & { end: number } {
  const { values: lens, end: dataStart } = decodeDeltaLengths(b, pos);
  if (lens.length < count) throw corrupt('DELTA_LENGTH_BYTE_ARRAY holds fewer values than the page');
  const starts = new Int32Array(count);
  let p = dataStart;
  for (let i = 0; i < count; i++) {
    starts[i] = p;
    p += lens[i]!;
  }
  if (p > end) throw corrupt('DELTA_LENGTH_BYTE_ARRAY values out of bounds');
  return { buf: b, starts, lens, count, end: p };
}

/** DELTA_BYTE_ARRAY (incremental): prefix lengths, then suffixes as DELTA_LENGTH_BYTE_ARRAY. */
export function deltaByteArrays(b: Uint8Array, pos: number, end: number, count: number): ByteArrays {
  const { values: prefixes, end: suffixAt } = decodeDeltaLengths(b, pos);
  const suffixes = deltaLengthByteArrays(b, suffixAt, end, count);
  let total = 0;
  for (let i = 0; i < count; i++) total += prefixes[i]! + suffixes.lens[i]!;
  const buf = new Uint8Array(total);
  const starts = new Int32Array(count);
  const lens = new Int32Array(count);
  let p = 0;
  let prevStart = 0;
  let prevLen = 0;
  for (let i = 0; i < count; i++) {
    const pre = prefixes[i]!;
    if (pre > prevLen) throw corrupt('DELTA_BYTE_ARRAY prefix longer than the previous value');
    buf.copyWithin(p, prevStart, prevStart + pre);
    const sl = suffixes.lens[i]!;
    const ss = suffixes.starts[i]!;
    buf.set(b.subarray(ss, ss + sl), p + pre);
    starts[i] = p;
    lens[i] = pre + sl;
    prevStart = p;
    prevLen = pre + sl;
    p += prevLen;
  }
  return { buf, starts, lens, count };
}

// ---- BYTE_STREAM_SPLIT ---------------------------------------------------------------------

/** Reassembles `count` values of `width` bytes from BYTE_STREAM_SPLIT streams into out[outPos…]. */
export function byteStreamSplit(b: Uint8Array, pos: number, end: number, count: number, width: number, out: Uint8Array, outPos: number): void {
  const total = (end - pos) / width;
  if (!Number.isInteger(total) || total < count) throw corrupt('BYTE_STREAM_SPLIT data does not match the value count');
  for (let k = 0; k < width; k++) {
    const s = pos + k * total;
    let o = outPos + k;
    for (let i = 0; i < count; i++, o += width) out[o] = b[s + i]!;
  }
}
