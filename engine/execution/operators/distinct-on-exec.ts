import type { Expr } from '../../plan/expr.js';
import type { Batch, Schema } from '../batch/batch.js';
import { takeBatchRows } from '../batch/batch.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';
import { rowKeyer } from './group-keys.js';

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
    const keysOf = rowKeyer(this.keys, ctx.eval);
    let previous: string | null = null;
    for await (const batch of this.input.execute(ctx)) {
      await checkpoint(ctx);
      const keyOf = keysOf(batch);
      const keep: number[] = [];
      for (let i = 0; i < batch.length; i++) {
        const key = keyOf(i);
        if (key !== previous) keep.push(i);
        previous = key;
      }
      if (keep.length > 0) yield keep.length === batch.length ? batch : takeBatchRows(batch, keep);
    }
  }
}
