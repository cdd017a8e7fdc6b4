import { SqlError, SqlState } from '../../errors/index.js';
import { tableById, type TableFunction } from '../../functions/registry.js';
import type { ProjectSetCall } from '../../plan/plan.js';
import type { Batch, Schema } from '../batch/batch.js';
import { BATCH_ROWS, takeBatchRows } from '../batch/batch.js';
import { VectorBuilder, datumAt } from '../batch/vector.js';
import { compileExpr } from '../expr/compile.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

/** Set-returning functions in the select list, run side by side for each input row. */
export class ProjectSetExec implements ExecNode {
  readonly name = 'ProjectSet';
  constructor(readonly input: ExecNode, readonly calls: readonly ProjectSetCall[], readonly schema: Schema) {}
  children() {
    return [this.input];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const fns: TableFunction[] = this.calls.map((c) => {
      const fn = tableById(c.fn);
      if (!fn) throw new SqlError(SqlState.INTERNAL_ERROR, `unknown table function ${c.fn}`);
      return fn;
    });
    const args = this.calls.map((c) => c.args.map((a) => compileExpr(a, ctx.eval)));
    const argTypes = this.calls.map((c) => c.args.map((a) => a.type));
    const width = this.input.schema.length;
    // Each call's output columns: the function's (or one record of them), then the row number WITH ORDINALITY.
    const widths = fns.map((fn, k) => (this.calls[k]!.record ? 1 : fn.columns(argTypes[k]!).length));
    for await (const batch of this.input.execute(ctx)) {
      await checkpoint(ctx);
      const argVectors = args.map((list) => list.map((f) => f(batch)));
      let rows: number[] = [];
      let values = this.builders(width);
      for (let i = 0; i < batch.length; i++) {
        const produced = fns.map((fn, k) => {
          const vals = argVectors[k]!.map((v) => datumAt(v, i));
          return fn.strict && vals.some((v) => v === null) ? [] : [...fn.rows(vals, argTypes[k]!, ctx.eval)];
        });
        const n = Math.max(0, ...produced.map((p) => p.length));
        for (let r = 0; r < n; r++) {
          rows.push(i);
          let column = 0;
          produced.forEach((p, k) => {
            if (this.calls[k]!.record) values[column++]!.push(p[r] ?? null);
            else for (let c = 0; c < widths[k]!; c++) values[column++]!.push(p[r]?.[c] ?? null);
            if (this.calls[k]!.ordinality) values[column++]!.push(r < p.length ? BigInt(r + 1) : null);
          });
        }
        if (rows.length >= BATCH_ROWS) {
          yield this.emit(batch, rows, values);
          rows = [];
          values = this.builders(width);
        }
      }
      if (rows.length > 0) yield this.emit(batch, rows, values);
    }
  }
  private builders(width: number): VectorBuilder[] {
    return this.schema.slice(width).map((f) => new VectorBuilder(f.type));
  }
  private emit(batch: Batch, rows: number[], values: VectorBuilder[]): Batch {
    const base = takeBatchRows(batch, rows);
    return { length: rows.length, columns: [...base.columns, ...values.map((b) => b.finish())] };
  }
}
