import type { Batch, Schema } from './batch.js';
import { allocateData, type Vector } from './vector.js';

/** One batch holding all rows of `batches`, column by column. */
export function concatBatches(schema: Schema, batches: readonly Batch[]): Batch {
  if (batches.length === 1) return batches[0]!;
  const total = batches.reduce((n, b) => n + b.length, 0);
  const columns: Vector[] = schema.map((field, c) => {
    const data = allocateData(field.type.layout, total);
    let nulls: Uint8Array | null = null;
    let at = 0;
    for (const b of batches) {
      const v = b.columns[c]!;
      if (Array.isArray(data)) for (let i = 0; i < b.length; i++) data[at + i] = (v.data as unknown[])[i];
      else (data as Int32Array).set((v.data as Int32Array).subarray(0, b.length), at);
      if (v.nulls !== null) (nulls ??= new Uint8Array(total)).set(v.nulls.subarray(0, b.length), at);
      at += b.length;
    }
    return { type: field.type, length: total, data, nulls };
  });
  return { length: total, columns };
}
