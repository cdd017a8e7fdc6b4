/**
 * Hash partitioning for spilling: rows with equal keys (as grouping and join equality see
 * them, through hashKeyFor) land in the same partition. `level` salts the hash, so a
 * partition that still does not fit splits differently when partitioned again.
 */
import { hashKeyFor } from '../../functions/compare.js';
import type { PgType } from '../../types/pg-type.js';
import type { Batch } from '../batch/batch.js';
import { takeBatchRows } from '../batch/batch.js';
import type { Vector } from '../batch/vector.js';

/** Partitions a spilling operator splits into. */
export const SPILL_FANOUT = 16;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hashString(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

function hashKey(k: unknown, h: number): number {
  switch (typeof k) {
    case 'number':
      return Number.isInteger(k) && Math.abs(k) < 2 ** 31 ? Math.imul(h ^ k, 0x01000193) : hashString(String(k), h);
    case 'string':
      return hashString(k, h);
    case 'bigint':
      return Math.imul(h ^ Number(BigInt.asIntN(32, k)) ^ Number(BigInt.asIntN(32, k >> 32n)), 0x01000193);
    default:
      return hashString(String(k), h);
  }
}

/** Computes the partition of each row from key vectors. */
export class Partitioner {
  private readonly keyOfs: ((v: unknown) => unknown)[];

  constructor(types: readonly PgType[], private readonly level: number, readonly fanout = SPILL_FANOUT) {
    this.keyOfs = types.map(hashKeyFor);
  }

  partitions(keys: readonly Vector[], length: number): Uint8Array {
    const out = new Uint8Array(length);
    const seed = (0x811c9dc5 ^ Math.imul(this.level + 1, 0x9e3779b1)) | 0;
    for (let i = 0; i < length; i++) {
      let h = seed;
      for (let k = 0; k < keys.length; k++) {
        const v = keys[k]!;
        h = v.nulls !== null && v.nulls[i] === 1 ? Math.imul(h ^ 0x5bd1e995, 0x01000193) : hashKey(this.keyOfs[k]!((v.data as unknown[])[i]), h);
      }
      out[i] = fmix(h) % this.fanout;
    }
    return out;
  }
}

/** The rows of `b` in each partition (empty partitions as null), in row order. */
export function splitByPartition(b: Batch, parts: Uint8Array, fanout: number): (Batch | null)[] {
  const counts = new Int32Array(fanout);
  for (let i = 0; i < b.length; i++) counts[parts[i]!]!++;
  const rows = Array.from(counts, (n) => new Int32Array(n));
  counts.fill(0);
  for (let i = 0; i < b.length; i++) {
    const p = parts[i]!;
    rows[p]![counts[p]!++] = i;
  }
  return rows.map((r) => (r.length === 0 ? null : r.length === b.length ? b : takeBatchRows(b, r)));
}
