import type { Layout, PgType } from '../../types/pg-type.js';

/**
 * One column of a batch. Values live in a typed array chosen by the type's layout
 * (see engine/types/pg-type.ts); `nulls[i] === 1` marks row i NULL (null map is absent
 * when the column has no NULLs). The value slot of a NULL row is unspecified.
 */
export type VectorData = Uint8Array | Int32Array | BigInt64Array | Float64Array | unknown[];

export interface Vector {
  readonly type: PgType;
  readonly length: number;
  readonly data: VectorData;
  readonly nulls: Uint8Array | null;
}

export function allocateData(layout: Layout, length: number): VectorData {
  switch (layout) {
    case 'bool': return new Uint8Array(length);
    case 'int32': return new Int32Array(length);
    case 'int64': return new BigInt64Array(length);
    case 'float64': return new Float64Array(length);
    case 'object': return new Array<unknown>(length);
  }
}

/** The datum at row i, or null. Booleans come back as JS booleans. */
export function datumAt(v: Vector, i: number): unknown {
  if (v.nulls !== null && v.nulls[i] === 1) return null;
  const x = v.data[i];
  return v.type.layout === 'bool' ? x === 1 : x;
}

export const isNullAt = (v: Vector, i: number): boolean => v.nulls !== null && v.nulls[i] === 1;

/** A vector from datums (null for NULL). */
export function vectorFromDatums(type: PgType, values: readonly unknown[]): Vector {
  const b = new VectorBuilder(type, values.length);
  for (const x of values) b.push(x);
  return b.finish();
}

/** A vector of `length` copies of one datum (or NULL). */
export function constantVector(type: PgType, value: unknown, length: number): Vector {
  const data = allocateData(type.layout, length);
  if (value === null) return { type, length, data, nulls: new Uint8Array(length).fill(1) };
  const stored = type.layout === 'bool' ? (value ? 1 : 0) : value;
  (data as unknown[] & { fill(v: unknown): unknown }).fill(stored as never);
  return { type, length, data, nulls: null };
}

/** Rows `indices` of v, in that order. */
export function takeRows(v: Vector, indices: ArrayLike<number>, count = indices.length): Vector {
  const data = allocateData(v.type.layout, count);
  gather(v.type.layout, v.data, data, indices, count);
  let nulls: Uint8Array | null = null;
  if (v.nulls !== null) {
    nulls = new Uint8Array(count);
    let any = 0;
    for (let i = 0; i < count; i++) any |= nulls[i] = v.nulls[indices[i]!]!;
    if (!any) nulls = null;
  }
  return { type: v.type, length: count, data, nulls };
}

/**
 * dst[i] = src[indices[i]] for i < count, one loop per layout so each stays monomorphic;
 * 64-bit values are copied as int32 word pairs (reading a BigInt64Array makes a BigInt).
 */
function gather(layout: Layout, src: VectorData, dst: VectorData, indices: ArrayLike<number>, count: number): void {
  switch (Array.isArray(src) ? 'object' : layout) {
    case 'bool': {
      const s = src as Uint8Array;
      const d = dst as Uint8Array;
      for (let i = 0; i < count; i++) d[i] = s[indices[i]!]!;
      return;
    }
    case 'int32': {
      const s = src as Int32Array;
      const d = dst as Int32Array;
      for (let i = 0; i < count; i++) d[i] = s[indices[i]!]!;
      return;
    }
    case 'int64': {
      const s = new Int32Array((src as BigInt64Array).buffer, (src as BigInt64Array).byteOffset, 2 * (src as BigInt64Array).length);
      const d = new Int32Array((dst as BigInt64Array).buffer, 0, 2 * count);
      for (let i = 0; i < count; i++) {
        const j = indices[i]!;
        d[2 * i] = s[2 * j]!;
        d[2 * i + 1] = s[2 * j + 1]!;
      }
      return;
    }
    case 'float64': {
      const s = src as Float64Array;
      const d = dst as Float64Array;
      for (let i = 0; i < count; i++) d[i] = s[indices[i]!]!;
      return;
    }
    case 'object': {
      const s = src as unknown[];
      const d = dst as unknown[];
      for (let i = 0; i < count; i++) d[i] = s[indices[i]!];
    }
  }
}

/** Rows [start, start+count) of v without copying the typed arrays. */
export function sliceVector(v: Vector, start: number, count: number): Vector {
  const data = Array.isArray(v.data)
    ? v.data.slice(start, start + count)
    : (v.data as Int32Array).subarray(start, start + count);
  const nulls = v.nulls === null ? null : v.nulls.subarray(start, start + count);
  return { type: v.type, length: count, data: data as VectorData, nulls };
}

/** Appends datums one at a time; grows as needed. */
export class VectorBuilder {
  private data: VectorData;
  private nulls: Uint8Array | null = null;
  private n = 0;

  constructor(readonly type: PgType, capacity = 1024) {
    this.data = allocateData(type.layout, Math.max(capacity, 1));
  }

  get length(): number {
    return this.n;
  }

  push(value: unknown): void {
    if (this.n === this.data.length) this.grow();
    if (value === null || value === undefined) {
      if (this.nulls === null) this.nulls = new Uint8Array(this.data.length);
      this.nulls[this.n++] = 1;
      return;
    }
    (this.data as unknown[])[this.n++] = this.type.layout === 'bool' ? (value ? 1 : 0) : value;
  }

  /** Copies row i of v. */
  pushFrom(v: Vector, i: number): void {
    if (v.nulls !== null && v.nulls[i] === 1) this.push(null);
    else {
      if (this.n === this.data.length) this.grow();
      (this.data as unknown[])[this.n++] = (v.data as unknown[])[i];
    }
  }

  finish(): Vector {
    const n = this.n;
    const data = Array.isArray(this.data) ? (this.data.length === n ? this.data : this.data.slice(0, n)) : (this.data as Int32Array).slice(0, n);
    return { type: this.type, length: n, data: data as VectorData, nulls: this.nulls === null ? null : this.nulls.slice(0, n) };
  }

  private grow(): void {
    const cap = this.data.length * 2;
    const next = allocateData(this.type.layout, cap);
    if (Array.isArray(next)) for (let i = 0; i < this.n; i++) next[i] = (this.data as unknown[])[i];
    else (next as Int32Array).set(this.data as Int32Array);
    this.data = next;
    if (this.nulls !== null) {
      const nn = new Uint8Array(cap);
      nn.set(this.nulls);
      this.nulls = nn;
    }
  }
}
