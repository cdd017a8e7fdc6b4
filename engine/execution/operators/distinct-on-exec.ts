import { hashKeyFor } from '../../functions/compare.js';
import type { Expr } from '../../plan/expr.js';
import type { Batch, Schema } from '../batch/batch.js';
import { takeBatchRows } from '../batch/batch.js';
import { compileExpr } from '../expr/compile.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

/** DISTINCT ON over input sorted by its keys: the first row of each run of equal keys. */
export class DistinctOnExec implements ExecNode {
  readonly name = 'DistinctOn';
  constructor(readonly input: ExecNode, readonly keys: readonly Expr[]) {}
  get schema(): Schema {
    return this.input.schema;
  }
  children() {
    return [this.input];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const keyExprs = this.keys.map((k) => compileExpr(k, ctx.eval));
    const keyOf = this.keys.map((k) => hashKeyFor(k.type));
    let previous: string | null = null;
    for await (const batch of this.input.execute(ctx)) {
      await checkpoint(ctx);
      const vectors = keyExprs.map((k) => k(batch));
      const keep: number[] = [];
      for (let i = 0; i < batch.length; i++) {
        const key = JSON.stringify(vectors.map((v, k) => (v.nulls !== null && v.nulls[i] === 1 ? null : String(keyOf[k]!((v.data as unknown[])[i])))));
        if (key !== previous) keep.push(i);
        previous = key;
      }
      if (keep.length > 0) yield keep.length === batch.length ? batch : takeBatchRows(batch, keep);
    }
  }
}
