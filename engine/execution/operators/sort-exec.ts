import { comparatorFor } from '../../functions/compare.js';
import type { SortKey } from '../../plan/plan.js';
import type { Batch, Schema } from '../batch/batch.js';
import { BATCH_ROWS, takeBatchRows } from '../batch/batch.js';
import { concatBatches } from '../batch/concat.js';
import { compileExpr } from '../expr/compile.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

/** ORDER BY: collects its input, sorts row indices by the keys (stable), emits in order. */
export class SortExec implements ExecNode {
  readonly name = 'Sort';
  constructor(readonly input: ExecNode, readonly keys: readonly SortKey[]) {}
  get schema(): Schema {
    return this.input.schema;
  }
  children() {
    return [this.input];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const batches: Batch[] = [];
    for await (const b of this.input.execute(ctx)) {
      await checkpoint(ctx);
      batches.push(b);
    }
    if (batches.length === 0) return;
    const all = concatBatches(this.schema, batches);
    const keys = this.keys.map((k) => {
      const v = compileExpr(k.expr, ctx.eval)(all);
      const cmp = comparatorFor(k.expr.type);
      const data = v.data as unknown[];
      const nulls = v.nulls;
      const dir = k.descending ? -1 : 1;
      const nullOrder = k.nullsFirst ? -1 : 1;
      return (a: number, b: number): number => {
        const an = nulls !== null && nulls[a] === 1;
        const bn = nulls !== null && nulls[b] === 1;
        if (an || bn) return an && bn ? 0 : an ? nullOrder : -nullOrder;
        return dir * cmp(data[a], data[b]);
      };
    });
    const order = Array.from({ length: all.length }, (_, i) => i);
    order.sort((a, b) => {
      for (const k of keys) {
        const c = k(a, b);
        if (c !== 0) return c;
      }
      return a - b;
    });
    for (let start = 0; start < order.length; start += BATCH_ROWS) {
      await checkpoint(ctx);
      const slice = order.slice(start, start + BATCH_ROWS);
      yield takeBatchRows(all, slice);
    }
  }
}
