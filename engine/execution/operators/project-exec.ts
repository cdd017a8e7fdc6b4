import type { Batch, Schema } from '../batch/batch.js';
import { compileExpr } from '../expr/compile.js';
import type { Expr } from '../../plan/expr.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

/** Computes one output column per expression. */
export class ProjectExec implements ExecNode {
  readonly name = 'Project';
  constructor(readonly input: ExecNode, readonly exprs: readonly Expr[], readonly schema: Schema) {}
  children() {
    return [this.input];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const compiled = this.exprs.map((e) => compileExpr(e, ctx.eval));
    for await (const batch of this.input.execute(ctx)) {
      await checkpoint(ctx);
      yield { length: batch.length, columns: compiled.map((f) => f(batch)) };
    }
  }
}
