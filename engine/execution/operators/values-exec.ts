import type { Batch, Schema } from '../batch/batch.js';
import { compileExpr } from '../expr/compile.js';
import type { Expr } from '../../plan/expr.js';
import { VectorBuilder, datumAt } from '../batch/vector.js';
import type { ExecNode, TaskContext } from './exec-node.js';

/** Rows given in the statement (VALUES, or the one empty row of a SELECT without FROM). */
export class ValuesExec implements ExecNode {
  readonly name = 'Values';
  constructor(readonly rows: readonly (readonly Expr[])[], readonly schema: Schema) {}
  children() {
    return [];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const one: Batch = { length: 1, columns: [] };
    const builders = this.schema.map((f) => new VectorBuilder(f.type, this.rows.length));
    for (const row of this.rows) {
      row.forEach((e, c) => builders[c]!.push(datumAt(compileExpr(e, ctx.eval)(one), 0)));
    }
    yield { length: this.rows.length, columns: builders.map((b) => b.finish()) };
  }
}
