import type { Batch, Schema } from '../batch/batch.js';
import { takeBatchRows } from '../batch/batch.js';
import { SqlError, SqlState } from '../../errors/index.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';
import { GroupTable } from '../hash/group-table.js';

/** The rows a recursive step reads: what the previous round produced. */
export class WorkTable {
  rows: Batch[] = [];
}

/** Upper bound on rounds, so a recursion that never ends fails instead of running forever. */
const MAX_ROUNDS = 100_000;

/** WITH RECURSIVE: the anchor once, then the step over the previous round until it is empty. */
export class RecursiveUnionExec implements ExecNode {
  readonly name = 'RecursiveUnion';
  constructor(readonly anchor: ExecNode, readonly step: ExecNode, readonly workTable: WorkTable, readonly all: boolean, readonly schema: Schema) {}
  children() {
    return [this.anchor, this.step];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const seen = this.all ? null : new GroupTable(this.schema.map((f) => f.type));
    const fresh = (batch: Batch): Batch | null => {
      if (!seen) return batch;
      const keep = seen.newRows(batch.columns, batch.length);
      return keep.length ? takeBatchRows(batch, keep) : null;
    };
    let round: Batch[] = [];
    for await (const batch of this.anchor.execute(ctx)) {
      const b = fresh(batch);
      if (b) (round.push(b), yield b);
    }
    for (let n = 0; round.length > 0; n++) {
      if (n > MAX_ROUNDS) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, `recursive query exceeded ${MAX_ROUNDS} iterations`);
      await checkpoint(ctx);
      this.workTable.rows = round;
      round = [];
      for await (const batch of this.step.execute(ctx)) {
        const b = fresh(batch);
        if (b) (round.push(b), yield b);
      }
    }
  }
}

/** Reads the current round of a recursive union. */
export class WorkTableExec implements ExecNode {
  readonly name = 'WorkTableScan';
  constructor(readonly workTable: WorkTable, readonly schema: Schema) {}
  children() {
    return [];
  }
  async *execute(): AsyncIterable<Batch> {
    yield* this.workTable.rows;
  }
}
