/**
 * Lakegate's spill format for one batch: a small header, then per column its null map (if
 * any) and its values: typed arrays as raw little-endian bytes (8-byte aligned), object-layout
 * columns through the value codec. Types are not stored: the reader knows the schema.
 *
 *   u32 rows | u32 columns | per column: u8 hasNulls, [rows bytes nulls], values
 */
import type { Batch, Schema } from '../batch/batch.js';
import type { Vector, VectorData } from '../batch/vector.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { readValue, writeValue } from './value-codec.js';

export function encodeBatch(b: Batch, w = new ByteWriter()): Buffer {
  w.u32(b.length);
  w.u32(b.columns.length);
  for (const v of b.columns) {
    w.u8(v.nulls === null ? 0 : 1);
    if (v.nulls !== null) w.bytes(v.nulls.subarray(0, b.length));
    if (Array.isArray(v.data)) {
      for (let i = 0; i < b.length; i++) writeValue(w, v.nulls !== null && v.nulls[i] === 1 ? null : v.data[i]);
    } else {
      w.align(8);
      const d = v.data.subarray(0, b.length);
      w.bytes(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    }
  }
  return w.view();
}

/** Decodes a batch written by encodeBatch; typed arrays are copied out of `buf`. */
export function decodeBatch(buf: Buffer, schema: Schema): Batch {
  const r = new ByteReader(buf);
  const length = r.u32();
  const n = r.u32();
  const columns: Vector[] = [];
  for (let c = 0; c < n; c++) {
    const type = schema[c]!.type;
    const nulls = r.u8() === 1 ? r.bytes(length) : null;
    let data: VectorData;
    if (type.layout === 'object') {
      const values = new Array<unknown>(length);
      for (let i = 0; i < length; i++) values[i] = readValue(r);
      data = values;
    } else {
      r.align(8);
      const Ctor = { bool: Uint8Array, int32: Int32Array, int64: BigInt64Array, float64: Float64Array }[type.layout];
      const bytes = r.bytes(length * Ctor.BYTES_PER_ELEMENT);
      data = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
    }
    columns.push({ type, length, data, nulls });
  }
  return { length, columns };
}
