/** Loops that lift per-value bodies over whole vectors, propagating NULLs (strict semantics). */
import { allocateData, type Vector } from '../execution/batch/vector.js';
import type { PgType } from '../types/pg-type.js';

function mergeNulls(vectors: readonly Vector[], length: number): Uint8Array | null {
  let nulls: Uint8Array | null = null;
  for (const v of vectors) {
    if (v.nulls === null) continue;
    if (nulls === null) nulls = v.nulls.slice(0, length);
    else for (let i = 0; i < length; i++) nulls[i]! |= v.nulls[i]!;
  }
  return nulls;
}

const storeFor = (out: PgType) => out.layout === 'bool';

/** out[i] = f(a[i], b[i]) where neither is NULL. Booleans are stored as 0/1. */
export function mapBinary(out: PgType, a: Vector, b: Vector, length: number, f: (x: never, y: never) => unknown): Vector {
  const nulls = mergeNulls([a, b], length);
  const data = allocateData(out.layout, length) as unknown[];
  const x = a.data as unknown[];
  const y = b.data as unknown[];
  const asBool = storeFor(out);
  for (let i = 0; i < length; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const r = f(x[i] as never, y[i] as never);
    data[i] = asBool ? (r ? 1 : 0) : r;
  }
  return { type: out, length, data: data as Vector['data'], nulls };
}

/** out[i] = f(a[i]) where a[i] is not NULL. */
export function mapUnary(out: PgType, a: Vector, length: number, f: (x: never) => unknown): Vector {
  const nulls = a.nulls === null ? null : a.nulls.slice(0, length);
  const data = allocateData(out.layout, length) as unknown[];
  const x = a.data as unknown[];
  const asBool = storeFor(out);
  const fromBool = a.type.layout === 'bool';
  for (let i = 0; i < length; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const r = f((fromBool ? x[i] === 1 : x[i]) as never);
    data[i] = asBool ? (r ? 1 : 0) : r;
  }
  return { type: out, length, data: data as Vector['data'], nulls };
}

/**
 * Row-at-a-time fallback over any number of arguments. With `strict`, a NULL argument gives
 * NULL without calling f; otherwise f sees null. A null result is NULL.
 */
export function mapRows(out: PgType, args: readonly Vector[], length: number, strict: boolean, f: (values: unknown[]) => unknown): Vector {
  const data = allocateData(out.layout, length) as unknown[];
  let nulls: Uint8Array | null = null;
  const values = new Array<unknown>(args.length);
  const asBool = storeFor(out);
  outer: for (let i = 0; i < length; i++) {
    for (let k = 0; k < args.length; k++) {
      const v = args[k]!;
      if (v.nulls !== null && v.nulls[i] === 1) {
        if (strict) {
          (nulls ??= new Uint8Array(length))[i] = 1;
          continue outer;
        }
        values[k] = null;
      } else {
        const raw = (v.data as unknown[])[i];
        values[k] = v.type.layout === 'bool' ? raw === 1 : raw;
      }
    }
    const r = f(values);
    if (r === null || r === undefined) (nulls ??= new Uint8Array(length))[i] = 1;
    else data[i] = asBool ? (r ? 1 : 0) : r;
  }
  return { type: out, length, data: data as Vector['data'], nulls };
}
