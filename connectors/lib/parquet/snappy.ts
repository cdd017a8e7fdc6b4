/**
 * Snappy block decompression (the raw format Parquet uses, no framing): a varint with the
 * uncompressed length, then literal and back-reference elements.
 */
import { corrupt } from './errors.js';

/** Decompresses `input` into `output` (exactly the uncompressed length); returns `output`. */
export function snappyDecompress(input: Uint8Array, output?: Uint8Array): Uint8Array {
  let ip = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (ip >= input.length || shift > 28) throw corrupt('bad snappy length');
    const b = input[ip++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const out = output ?? new Uint8Array(length);
  if (out.length !== length) throw corrupt(`snappy length ${length} does not match the page size ${out.length}`);
  const inLen = input.length;
  let op = 0;
  while (ip < inLen) {
    const tag = input[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        if (ip + bytes > inLen) throw corrupt('truncated snappy literal');
        len = input[ip]!;
        if (bytes > 1) len |= input[ip + 1]! << 8;
        if (bytes > 2) len |= input[ip + 2]! << 16;
        if (bytes > 3) len = (len | (input[ip + 3]! << 24)) >>> 0;
        ip += bytes;
      }
      len += 1;
      if (ip + len > inLen || op + len > length) throw corrupt('snappy literal out of bounds');
      if (len < 16) for (let i = 0; i < len; i++) out[op + i] = input[ip + i]!;
      else out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (ip >= inLen) throw corrupt('truncated snappy copy');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[ip++]!;
    } else if (kind === 2) {
      if (ip + 2 > inLen) throw corrupt('truncated snappy copy');
      len = (tag >>> 2) + 1;
      offset = input[ip]! | (input[ip + 1]! << 8);
      ip += 2;
    } else {
      if (ip + 4 > inLen) throw corrupt('truncated snappy copy');
      len = (tag >>> 2) + 1;
      offset = (input[ip]! | (input[ip + 1]! << 8) | (input[ip + 2]! << 16) | (input[ip + 3]! << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op || op + len > length) throw corrupt('snappy copy out of bounds');
    let from = op - offset;
    if (offset >= len && len > 32) {
      out.copyWithin(op, from, from + len);
      op += len;
    } else {
      // byte by byte: overlapping copies repeat the pattern
      const end = op + len;
      while (op < end) out[op++] = out[from++]!;
    }
  }
  if (op !== length) throw corrupt('snappy data shorter than its length');
  return out;
}
