import type { Batch, Schema } from '../batch/batch.js';
import { takeBatchRows } from '../batch/batch.js';
import { compileExpr } from '../expr/compile.js';
import type { Expr } from '../../plan/expr.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

/** Keeps the rows for which the predicate is true. */
export class FilterExec implements ExecNode {
  readonly name = 'Filter';
  constructor(readonly input: ExecNode, readonly predicate: Expr) {}
  get schema(): Schema {
    return this.input.schema;
  }
  children() {
    return [this.input];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const predicate = compileExpr(this.predicate, ctx.eval);
    for await (const batch of this.input.execute(ctx)) {
      await checkpoint(ctx);
      const v = predicate(batch);
      const d = v.data as Uint8Array;
      const keep = new Int32Array(batch.length);
      let n = 0;
      for (let i = 0; i < batch.length; i++) if (d[i] === 1 && (v.nulls === null || v.nulls[i] === 0)) keep[n++] = i;
      if (n === batch.length) yield batch;
      else if (n > 0) yield takeBatchRows(batch, keep, n);
    }
  }
}
