/** Assigns dense group ids to rows by the values of key columns (NULLs group together). */
import { hashKeyFor } from '../../functions/compare.js';
import type { PgType } from '../../types/pg-type.js';
import { VectorBuilder, type Vector } from '../batch/vector.js';
import type { Batch } from '../batch/batch.js';
import type { Expr } from '../../plan/expr.js';
import type { EvalContext } from '../../functions/registry.js';
import { compileExpr } from '../expr/compile.js';

const NULL_KEY = '\u0000N';

export class GroupTable {
  private readonly ids = new Map<unknown, number>();
  private readonly keyOf: ((v: unknown) => unknown)[];
  private readonly builders: VectorBuilder[];
  count = 0;

  constructor(private readonly types: readonly PgType[]) {
    this.keyOf = types.map(hashKeyFor);
    this.builders = types.map((t) => new VectorBuilder(t));
  }

  /** Group id per row; new groups remember their key values (or, with `create` false, get id -1). */
  assign(keys: readonly Vector[], length: number, create = true): Int32Array {
    const out = new Int32Array(length);
    if (keys.length === 0) {
      if (this.count === 0) this.count = 1;
      return out;
    }
    const single = keys.length === 1;
    for (let i = 0; i < length; i++) {
      let key: unknown;
      if (single) key = this.part(0, keys[0]!, i);
      else {
        let s = '';
        for (let k = 0; k < keys.length; k++) s += String(this.part(k, keys[k]!, i)) + '\u0001';
        key = s;
      }
      let id = this.ids.get(key);
      if (id === undefined && !create) id = -1;
      else if (id === undefined) {
        id = this.count++;
        this.ids.set(key, id);
        for (let k = 0; k < keys.length; k++) this.builders[k]!.pushFrom(keys[k]!, i);
      }
      out[i] = id;
    }
    return out;
  }

  /** Rows whose key this table had not seen before (each new key's first row), in order. */
  newRows(keys: readonly Vector[], length: number): number[] {
    let next = this.count;
    const ids = this.assign(keys, length);
    const rows: number[] = [];
    for (let i = 0; i < length; i++) if (ids[i] === next) (rows.push(i), next++);
    return rows;
  }

  private part(k: number, v: Vector, i: number): unknown {
    if (v.nulls !== null && v.nulls[i] === 1) return NULL_KEY;
    const raw = (v.data as unknown[])[i];
    const key = this.keyOf[k]!(raw);
    return typeof key === 'string' && this.types.length > 1 ? JSON.stringify(key) : key;
  }

  keyVectors(): Vector[] {
    return this.builders.map((b) => b.finish());
  }
}

/**
 * Keys of rows by the values of `exprs` (NULLs equal, 1.50 = 1.5) for telling runs of equal
 * rows apart in sorted input: `keysOf(batch)` gives a function from a row to its key string.
 */
export function rowKeyer(exprs: readonly Expr[], ctx: EvalContext): (batch: Batch) => (row: number) => string {
  const parts = exprs.map((e) => ({ f: compileExpr(e, ctx), key: hashKeyFor(e.type) }));
  return (batch) => {
    const vectors = parts.map((p) => p.f(batch));
    return (i) => JSON.stringify(vectors.map((v, k) => (v.nulls !== null && v.nulls[i] === 1 ? null : String(parts[k]!.key((v.data as unknown[])[i])))));
  };
}
