/**
 * Snappy compression (the raw block format, as Parquet's SNAPPY codec uses it): the
 * uncompressed length as a varint, then literals and back-references. The matcher is the
 * classic single-probe hash table over 4-byte sequences, per 64 KiB block, with the skip
 * heuristic that speeds through incompressible input.
 */
import { ByteBuilder } from './bytes.js';

const BLOCK = 1 << 16;
const HASH_BITS = 14;
const INPUT_MARGIN = 15;

const table = new Uint16Array(1 << HASH_BITS);

const load32 = (s: Uint8Array, i: number): number => s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24);
const hash = (x: number): number => Math.imul(x, 0x1e35a7bd) >>> (32 - HASH_BITS);

/** Most bytes snappy can produce for n input bytes. */
export const maxCompressedLength = (n: number): number => 32 + n + Math.floor(n / 6);

function literal(out: ByteBuilder, src: Uint8Array, from: number, to: number): void {
  const n = to - from - 1;
  const buf = out.buf;
  let p = out.length;
  if (n < 60) buf[p++] = n << 2;
  else if (n < 0x100) {
    buf[p++] = 60 << 2;
    buf[p++] = n;
  } else if (n < 0x10000) {
    buf[p++] = 61 << 2;
    buf[p++] = n & 0xff;
    buf[p++] = n >>> 8;
  } else if (n < 0x1000000) {
    buf[p++] = 62 << 2;
    buf[p++] = n & 0xff;
    buf[p++] = (n >>> 8) & 0xff;
    buf[p++] = n >>> 16;
  } else {
    buf[p++] = 63 << 2;
    buf[p++] = n & 0xff;
    buf[p++] = (n >>> 8) & 0xff;
    buf[p++] = (n >>> 16) & 0xff;
    buf[p++] = n >>> 24;
  }
  const len = to - from;
  if (len < 16) for (let i = 0; i < len; i++) buf[p + i] = src[from + i]!;
  else buf.set(src.subarray(from, to), p);
  out.length = p + len;
}

function copyUpTo64(out: ByteBuilder, offset: number, len: number): void {
  const buf = out.buf;
  let p = out.length;
  if (len < 12 && offset < 2048) {
    buf[p++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    buf[p++] = offset & 0xff;
  } else {
    buf[p++] = 2 | ((len - 1) << 2);
    buf[p++] = offset & 0xff;
    buf[p++] = offset >>> 8;
  }
  out.length = p;
}

function copy(out: ByteBuilder, offset: number, len: number): void {
  while (len >= 68) {
    copyUpTo64(out, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    copyUpTo64(out, offset, 60);
    len -= 60;
  }
  copyUpTo64(out, offset, len);
}

function compressBlock(out: ByteBuilder, src: Uint8Array, start: number, end: number): void {
  let nextEmit = start;
  if (end - start >= INPUT_MARGIN) {
    table.fill(0);
    const ipLimit = end - INPUT_MARGIN;
    let ip = start + 1;
    let nextHash = hash(load32(src, ip));
    outer: for (;;) {
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        const h = nextHash;
        nextIp = ip + (skip++ >> 5);
        if (nextIp > ipLimit) break outer;
        nextHash = hash(load32(src, nextIp));
        candidate = start + table[h]!;
        table[h] = ip - start;
      } while (load32(src, ip) !== load32(src, candidate));
      literal(out, src, nextEmit, ip);
      for (;;) {
        const base = ip;
        let a = candidate + 4;
        let b = ip + 4;
        while (b + 4 <= end && load32(src, a) === load32(src, b)) {
          a += 4;
          b += 4;
        }
        while (b < end && src[a] === src[b]) {
          a++;
          b++;
        }
        ip = b;
        copy(out, base - candidate, ip - base);
        nextEmit = ip;
        if (ip >= ipLimit) break outer;
        table[hash(load32(src, ip - 1))] = ip - 1 - start;
        const h = hash(load32(src, ip));
        candidate = start + table[h]!;
        table[h] = ip - start;
        if (load32(src, ip) !== load32(src, candidate)) break;
      }
      ip++;
      nextHash = hash(load32(src, ip));
    }
  }
  if (nextEmit < end) literal(out, src, nextEmit, end);
}

/** Compresses `src` into `out` (appending after a reset). */
export function snappyCompressInto(out: ByteBuilder, src: Uint8Array): void {
  out.reset();
  out.ensure(maxCompressedLength(src.length));
  out.uvarint(src.length);
  for (let pos = 0; pos < src.length; pos += BLOCK) compressBlock(out, src, pos, Math.min(pos + BLOCK, src.length));
}

export function snappyCompress(src: Uint8Array): Uint8Array {
  const out = new ByteBuilder(maxCompressedLength(src.length));
  snappyCompressInto(out, src);
  return out.toBytes();
}
