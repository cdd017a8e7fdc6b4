/**
 * LZ4 block decompression, for Parquet's LZ4_RAW codec (one bare block per page) and the
 * legacy LZ4 codec (Hadoop framing: blocks each preceded by big-endian 32-bit uncompressed
 * and compressed lengths; some writers put one bare block there instead).
 */
import { corrupt } from './errors.js';

/**
 * Decodes one LZ4 block from input[start, end) into out at `op`; returns the new output position.
 * Also used by the kafka connector for the blocks of LZ4 frames.
 */
export function lz4Block(input: Uint8Array, start: number, end: number, out: Uint8Array, op: number, outEnd: number): number {
  let ip = start;
  for (;;) {
    if (ip >= end) throw corrupt('truncated LZ4 block');
    const token = input[ip++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= end) throw corrupt('truncated LZ4 literal length');
        b = input[ip++]!;
        lit += b;
      } while (b === 255);
    }
    if (ip + lit > end || op + lit > outEnd) throw corrupt('LZ4 literal out of bounds');
    if (lit < 16) for (let i = 0; i < lit; i++) out[op + i] = input[ip + i]!;
    else out.set(input.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip === end) return op; // the last sequence has literals only
    if (ip + 2 > end) throw corrupt('truncated LZ4 offset');
    const offset = input[ip]! | (input[ip + 1]! << 8);
    ip += 2;
    let len = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (ip >= end) throw corrupt('truncated LZ4 match length');
        b = input[ip++]!;
        len += b;
      } while (b === 255);
    }
    if (offset === 0 || offset > op || op + len > outEnd) throw corrupt('LZ4 match out of bounds');
    let from = op - offset;
    if (offset >= len && len > 32) {
      out.copyWithin(op, from, from + len);
      op += len;
    } else {
      const stop = op + len;
      while (op < stop) out[op++] = out[from++]!;
    }
  }
}

/** LZ4_RAW: the page is one LZ4 block. */
export function lz4RawDecompress(input: Uint8Array, uncompressedSize: number): Uint8Array {
  const out = new Uint8Array(uncompressedSize);
  const n = lz4Block(input, 0, input.length, out, 0, uncompressedSize);
  if (n !== uncompressedSize) throw corrupt('LZ4 data shorter than the page size');
  return out;
}

const be32 = (b: Uint8Array, p: number): number => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;

/** Legacy LZ4 (Hadoop framing), falling back to a bare block as other readers do. */
export function lz4HadoopDecompress(input: Uint8Array, uncompressedSize: number): Uint8Array {
  const out = new Uint8Array(uncompressedSize);
  try {
    let ip = 0;
    let op = 0;
    while (ip < input.length) {
      if (ip + 8 > input.length) throw corrupt('truncated Hadoop LZ4 frame');
      const rawLen = be32(input, ip);
      const compLen = be32(input, ip + 4);
      ip += 8;
      if (ip + compLen > input.length || op + rawLen > uncompressedSize) throw corrupt('Hadoop LZ4 frame out of bounds');
      const end = lz4Block(input, ip, ip + compLen, out, op, op + rawLen);
      if (end !== op + rawLen) throw corrupt('Hadoop LZ4 frame size mismatch');
      op = end;
      ip += compLen;
    }
    if (op !== uncompressedSize) throw corrupt('Hadoop LZ4 data shorter than the page size');
    return out;
  } catch {
    return lz4RawDecompress(input, uncompressedSize);
  }
}
