/**
 * Batches crossing a thread boundary. Typed-array columns are transferred, not copied.
 * Object-layout columns take the cheapest form that keeps their datums exact: numerics of one
 * scale as unscaled float64s (exact below 2^53), strings as a dictionary when they repeat or
 * as a plain array, anything else through the spill value codec (structured clone would turn
 * a Numeric into a plain object).
 */
import type { Batch, Schema } from '../../execution/batch/batch.js';
import type { Vector } from '../../execution/batch/vector.js';
import { ByteReader, ByteWriter } from '../../execution/spill/bytes.js';
import { readValue, writeValue } from '../../execution/spill/value-codec.js';
import { Numeric } from '../../types/numeric.js';

type TypedArray = Uint8Array | Int32Array | BigInt64Array | Float64Array;

export type WireData =
  | { readonly k: 'typed'; readonly a: TypedArray }
  | { readonly k: 'decimal'; readonly scale: number; readonly a: Float64Array }
  | { readonly k: 'dict'; readonly dict: string[]; readonly codes: Int32Array }
  | { readonly k: 'strings'; readonly a: unknown[] }
  | { readonly k: 'values'; readonly bytes: Uint8Array };

export interface WireBatch {
  readonly length: number;
  readonly columns: readonly { readonly nulls: Uint8Array | null; readonly data: WireData }[];
}

function encodeObjects(values: unknown[], nulls: Uint8Array | null, length: number): WireData {
  const present = (i: number) => nulls === null || nulls[i] === 0;
  let first = -1;
  for (let i = 0; i < length && first < 0; i++) if (present(i)) first = i;
  const sample = first < 0 ? null : values[first];
  if (sample instanceof Numeric && sample.isFinite()) {
    const scale = sample.scale;
    const a = new Float64Array(length);
    let ok = true;
    for (let i = 0; i < length && ok; i++) {
      if (!present(i)) continue;
      const v = values[i];
      // safe integers only: a Float64Array carries them exactly
      const u = v instanceof Numeric && v.scale === scale ? v.safeUnscaled() : NaN;
      ok = !Number.isNaN(u);
      if (ok) a[i] = u;
    }
    if (ok) return { k: 'decimal', scale, a };
  }
  if (typeof sample === 'string') {
    const codes = new Int32Array(length);
    const ids = new Map<string, number>();
    let ok = true;
    for (let i = 0; i < length && ok; i++) {
      if (!present(i)) continue;
      const v = values[i];
      if (typeof v !== 'string') ok = false;
      else {
        let id = ids.get(v);
        if (id === undefined) ids.set(v, (id = ids.size));
        codes[i] = id;
        ok = ids.size <= 64 || ids.size * 4 <= length;
      }
    }
    if (ok) return { k: 'dict', dict: [...ids.keys()], codes };
    if (values.every((v, i) => i >= length || !present(i) || typeof v === 'string')) return { k: 'strings', a: values.slice(0, length) };
  }
  const w = new ByteWriter();
  for (let i = 0; i < length; i++) writeValue(w, present(i) ? values[i] : null);
  return { k: 'values', bytes: new Uint8Array(w.view()) };
}

/** A batch as a message, plus the buffers to transfer with it. */
export function toWire(b: Batch): { batch: WireBatch; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const own = <T extends TypedArray>(a: T): T => {
    const whole = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer && !transfer.has(a.buffer);
    const t = (whole ? a : a.slice()) as T;
    transfer.add(t.buffer as ArrayBuffer);
    return t;
  };
  const columns = b.columns.map((v) => {
    const nulls = v.nulls === null ? null : own(v.nulls.subarray(0, b.length));
    const data: WireData = Array.isArray(v.data) ? encodeObjects(v.data, v.nulls, b.length) : { k: 'typed', a: own((v.data as TypedArray).subarray(0, b.length) as TypedArray) };
    if (data.k !== 'typed' && data.k !== 'strings') transfer.add((data.k === 'dict' ? data.codes : data.k === 'decimal' ? data.a : data.bytes).buffer as ArrayBuffer);
    return { nulls, data };
  });
  return { batch: { length: b.length, columns }, transfer: [...transfer] };
}

/** Shared Numeric instances for small unscaled values, per scale (as the tpch generator shares them). */
const SMALL = 1 << 16;
const smallDecimals = new Map<number, (Numeric | undefined)[]>();

function decimal(unscaled: number, scale: number): Numeric {
  if (unscaled >= 0 && unscaled < SMALL && Number.isInteger(unscaled)) {
    let cache = smallDecimals.get(scale);
    if (!cache) smallDecimals.set(scale, (cache = new Array<Numeric | undefined>(SMALL)));
    return (cache[unscaled] ??= Numeric.fromSafeInteger(unscaled, scale));
  }
  return Numeric.fromSafeInteger(unscaled, scale);
}

function decodeData(d: WireData, length: number): Vector['data'] {
  switch (d.k) {
    case 'typed': return d.a;
    case 'strings': return d.a;
    case 'dict': {
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = d.dict[d.codes[i]!];
      return out;
    }
    case 'decimal': {
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = decimal(d.a[i]!, d.scale);
      return out;
    }
    case 'values': {
      const r = new ByteReader(Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength));
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = readValue(r);
      return out;
    }
  }
}

export function fromWire(w: WireBatch, schema: Schema): Batch {
  return {
    length: w.length,
    columns: w.columns.map((c, i) => ({ type: schema[i]!.type, length: w.length, data: decodeData(c.data, w.length), nulls: c.nulls })),
  };
}

/** Datums (query parameters, init-plan values) as bytes, and back. */
export function encodeDatums(values: readonly unknown[]): Uint8Array {
  const w = new ByteWriter();
  w.u32(values.length);
  for (const v of values) writeValue(w, v);
  return new Uint8Array(w.view());
}

export function decodeDatums(bytes: Uint8Array): unknown[] {
  const r = new ByteReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return Array.from({ length: r.u32() }, () => readValue(r));
}
