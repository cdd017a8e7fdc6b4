import { SqlError, SqlState } from '../../errors/index.js';
import { tableById } from '../../functions/registry.js';
import type { Expr } from '../../plan/expr.js';
import type { Batch, Schema } from '../batch/batch.js';
import { BATCH_ROWS } from '../batch/batch.js';
import { VectorBuilder, datumAt } from '../batch/vector.js';
import { compileExpr } from '../expr/compile.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

/** A set-returning function in FROM: evaluates its arguments once and streams its rows. */
export class TableFunctionExec implements ExecNode {
  readonly name = 'TableFunction';
  constructor(readonly fn: string, readonly args: readonly Expr[], readonly ordinality: boolean, readonly schema: Schema) {}
  children() {
    return [];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const fn = tableById(this.fn);
    if (!fn) throw new SqlError(SqlState.INTERNAL_ERROR, `unknown table function ${this.fn}`);
    const one: Batch = { length: 1, columns: [] };
    const values = this.args.map((a) => datumAt(compileExpr(a, ctx.eval)(one), 0));
    if (fn.strict && values.some((v) => v === null)) return;
    let builders = this.builders();
    let ordinal = 0;
    for (const row of fn.rows(values, this.args.map((a) => a.type), ctx.eval)) {
      row.forEach((v, i) => builders[i]!.push(v));
      if (this.ordinality) builders[row.length]!.push(BigInt(++ordinal));
      if (builders[0]!.length >= BATCH_ROWS) {
        await checkpoint(ctx);
        yield this.finish(builders);
        builders = this.builders();
      }
    }
    if (builders[0]!.length > 0) yield this.finish(builders);
  }
  private builders(): VectorBuilder[] {
    return this.schema.map((f) => new VectorBuilder(f.type));
  }
  private finish(builders: VectorBuilder[]): Batch {
    const columns = builders.map((b) => b.finish());
    return { length: columns[0]!.length, columns };
  }
}
