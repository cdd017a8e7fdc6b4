import { SqlError, SqlState } from '../../errors/index.js';
import type { Batch, Schema } from '../batch/batch.js';
import type { ExecNode, TaskContext } from './exec-node.js';

/** A scalar subquery's rows: passes at most one; a second is error 21000. */
export class SingleRowExec implements ExecNode {
  readonly name = 'EnforceSingleRow';
  constructor(readonly input: ExecNode, readonly schema: Schema) {}
  children() {
    return [this.input];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    let rows = 0;
    for await (const batch of this.input.execute(ctx)) {
      rows += batch.length;
      if (rows > 1) throw new SqlError(SqlState.CARDINALITY_VIOLATION, 'more than one row returned by a subquery used as an expression');
      if (batch.length > 0) yield { length: batch.length, columns: batch.columns.slice(0, this.schema.length) };
    }
  }
}
