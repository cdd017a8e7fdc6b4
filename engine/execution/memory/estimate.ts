/**
 * Byte estimates for what operators hold: typed arrays count their bytes; JS values in
 * object-layout columns count a per-value estimate (V8 strings ~2 bytes per char + header,
 * Numeric ~48, arrays by their elements).
 */
import type { Batch } from '../batch/batch.js';
import type { Vector } from '../batch/vector.js';

/** Bytes of one JS value held in an object-layout column (including the array slot). */
export function valueBytes(x: unknown): number {
  switch (typeof x) {
    case 'string': return 24 + 2 * x.length;
    case 'number': return 8;
    case 'bigint': return 32;
    case 'boolean': return 8;
    case 'object': {
      if (x === null) return 8;
      if (x instanceof Uint8Array) return 72 + x.byteLength;
      if (Array.isArray(x)) {
        let n = 32;
        for (const e of x) n += valueBytes(e);
        return n;
      }
      return 56;
    }
    default: return 8;
  }
}

export function vectorBytes(v: Vector): number {
  let n = v.nulls === null ? 0 : v.length;
  if (Array.isArray(v.data)) {
    const d = v.data;
    for (let i = 0; i < v.length; i++) n += valueBytes(d[i]);
  } else n += v.length * v.data.BYTES_PER_ELEMENT;
  return n;
}

export function batchBytes(b: Batch): number {
  let n = 64;
  for (const c of b.columns) n += vectorBytes(c);
  return n;
}

/** "1GB", "64MB", "512kB" or "123B": the largest unit that divides the value, as PostgreSQL prints memory settings. */
export function formatBytes(bytes: number): string {
  for (const [unit, f] of [['TB', 2 ** 40], ['GB', 2 ** 30], ['MB', 2 ** 20], ['kB', 2 ** 10]] as const) if (bytes >= f && bytes % f === 0) return `${bytes / f}${unit}`;
  return `${bytes}B`;
}
