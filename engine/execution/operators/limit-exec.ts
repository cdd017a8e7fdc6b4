import type { Batch, Schema } from '../batch/batch.js';
import { sliceBatch } from '../batch/batch.js';
import type { Expr } from '../../plan/expr.js';
import { compileExpr } from '../expr/compile.js';
import { rowKeyer } from './group-keys.js';
import { datumAt } from '../batch/vector.js';
import { SqlError, SqlState } from '../../errors/index.js';
import type { ExecNode, TaskContext } from './exec-node.js';

/** Skips `offset` rows, then passes at most `count`; stops pulling its input once done. */
export class LimitExec implements ExecNode {
  readonly name = 'Limit';
  constructor(readonly input: ExecNode, readonly count: Expr | null, readonly offset: Expr | null, readonly withTies: readonly Expr[] = []) {}
  get schema(): Schema {
    return this.input.schema;
  }
  children() {
    return [this.input];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const evaluate = (e: Expr | null, clause: 'LIMIT' | 'OFFSET'): number | null => {
      if (!e) return null;
      const v = datumAt(compileExpr(e, ctx.eval)({ length: 1, columns: [] }), 0);
      if (v === null) return null;
      const n = Number(v as bigint);
      if (n < 0) {
        const code = clause === 'LIMIT' ? SqlState.INVALID_ROW_COUNT_IN_LIMIT_CLAUSE : SqlState.INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE;
        throw new SqlError(code, `${clause} must not be negative`);
      }
      return n;
    };
    let remaining = evaluate(this.count, 'LIMIT') ?? Infinity;
    let skip = evaluate(this.offset, 'OFFSET') ?? 0;
    if (remaining === 0) return;
    const tiesOf = this.withTies.length > 0 ? rowKeyer(this.withTies, ctx.eval) : null;
    let lastKey: string | null = null;
    for await (const batch of this.input.execute(ctx)) {
      let start = 0;
      if (skip > 0) {
        start = Math.min(skip, batch.length);
        skip -= start;
      }
      let take = Math.min(batch.length - start, remaining);
      if (tiesOf) {
        const rowKey = tiesOf(batch);
        if (remaining === 0) {
          // Past the limit: only rows tied with the last one returned.
          while (take < batch.length - start && rowKey(start + take) === lastKey) take++;
          if (take > 0) yield take === batch.length ? batch : sliceBatch(batch, start, take);
          if (start + take < batch.length) return;
          continue;
        }
        if (take > 0) lastKey = rowKey(start + take - 1);
        remaining -= take;
        while (remaining === 0 && start + take < batch.length && rowKey(start + take) === lastKey) take++;
        if (take > 0) yield take === batch.length ? batch : sliceBatch(batch, start, take);
        if (remaining === 0 && start + take < batch.length) return;
        continue;
      }
      if (take > 0) {
        yield take === batch.length ? batch : sliceBatch(batch, start, take);
        remaining -= take;
      }
      if (remaining === 0) return;
    }
  }
}
