/**
 * Parquet's RLE / bit-packing hybrid (Encodings.md): runs of 8 or more equal values become
 * RLE runs (`varint(count << 1)` + the value in ceil(width/8) bytes), everything between is
 * bit-packed in groups of 8 values, LSB first (`varint(groups << 1 | 1)` + the bits). Used for
 * definition/repetition levels and dictionary indices.
 */
import type { ByteBuilder } from './bytes.js';

/** Number of bits needed for values 0..maxValue (at least 1). */
export function bitWidth(maxValue: number): number {
  let w = 1;
  while (w < 31 && maxValue >= 2 ** w) w++;
  return w;
}

function rleRun(out: ByteBuilder, value: number, count: number, width: number): void {
  out.uvarint(count * 2);
  const bytes = (width + 7) >> 3;
  out.ensure(bytes);
  for (let b = 0; b < bytes; b++) out.buf[out.length++] = (value >>> (8 * b)) & 0xff;
}

function bitPackedRun(out: ByteBuilder, values: ArrayLike<number>, start: number, end: number, width: number): void {
  const count = end - start;
  const groups = (count + 7) >> 3;
  out.uvarint(groups * 2 + 1);
  out.ensure(groups * width);
  const buf = out.buf;
  let pos = out.length;
  let acc = 0;
  let bits = 0;
  const padded = start + groups * 8;
  for (let i = start; i < padded; i++) {
    const v = i < end ? values[i]! : 0;
    acc |= v << bits;
    bits += width;
    while (bits >= 8) {
      buf[pos++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  out.length = pos;
}

/** Appends values[0..n) (each below 2^width, width ≤ 24) in the hybrid encoding. */
export function encodeHybrid(out: ByteBuilder, values: ArrayLike<number>, n: number, width: number): void {
  let pending = 0; // start of values not yet written (bit-packed candidates)
  let i = 0;
  while (i < n) {
    const v = values[i]!;
    let j = i + 1;
    while (j < n && values[j] === v) j++;
    if (j - i >= 8) {
      if (i > pending) {
        // A bit-packed run must hold a multiple of 8 values: borrow the rest from this run.
        i += (8 - ((i - pending) & 7)) & 7;
        bitPackedRun(out, values, pending, i, width);
      }
      rleRun(out, v, j - i, width);
      pending = j;
    }
    i = j;
  }
  if (pending < n) bitPackedRun(out, values, pending, n, width);
}

/** The hybrid encoding of `n` copies of one value. */
export function encodeRepeated(out: ByteBuilder, value: number, n: number, width: number): void {
  if (n > 0) rleRun(out, value, n, width);
}
