/** Row keys for telling runs of equal rows apart (DISTINCT ON, WITH TIES, window partitions). */
import { hashKeyFor } from '../../functions/compare.js';
import type { Batch } from '../batch/batch.js';
import type { Expr } from '../../plan/expr.js';
import type { EvalContext } from '../../functions/registry.js';
import { compileExpr } from '../expr/compile.js';

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
