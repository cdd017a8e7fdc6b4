import type { PgType } from '../../types/pg-type.js';
import { sliceVector, takeRows, type Vector } from './vector.js';

export interface Field {
  readonly name: string;
  readonly type: PgType;
  /** Nullable unless known otherwise. */
  readonly nullable?: boolean;
}

export type Schema = readonly Field[];

/** A slice of rows in columnar form: the unit operators stream. Columns align with a schema. */
export interface Batch {
  readonly length: number;
  readonly columns: readonly Vector[];
}

/** Rows a batch aims for; scans and operators cut their output at about this size. */
export const BATCH_ROWS = 4096;

export const emptyBatch = (columns: readonly Vector[] = []): Batch => ({ length: 0, columns });

export function sliceBatch(b: Batch, start: number, count: number): Batch {
  return { length: count, columns: b.columns.map((c) => sliceVector(c, start, count)) };
}

export function takeBatchRows(b: Batch, indices: ArrayLike<number>, count = indices.length): Batch {
  return { length: count, columns: b.columns.map((c) => takeRows(c, indices, count)) };
}
