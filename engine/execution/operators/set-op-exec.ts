import type { Batch, Schema } from '../batch/batch.js';
import { takeBatchRows } from '../batch/batch.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';
import { GroupTable } from '../hash/group-table.js';

/**
 * UNION / INTERSECT / EXCEPT, with or without ALL. Rows compare as in DISTINCT: NULLs are
 * equal to each other. UNION ALL streams; the others remember rows by id in a GroupTable.
 */
export class SetOpExec implements ExecNode {
  readonly name: string;
  constructor(readonly op: 'union' | 'intersect' | 'except', readonly all: boolean, readonly left: ExecNode, readonly right: ExecNode, readonly schema: Schema) {
    this.name = `${op[0]!.toUpperCase()}${op.slice(1)}${all ? 'All' : ''}`;
  }
  children() {
    return [this.left, this.right];
  }

  execute(ctx: TaskContext): AsyncIterable<Batch> {
    if (this.op === 'union') return this.all ? this.unionAll(ctx) : this.union(ctx);
    return this.intersectOrExcept(ctx);
  }

  private async *unionAll(ctx: TaskContext): AsyncIterable<Batch> {
    yield* this.left.execute(ctx);
    yield* this.right.execute(ctx);
  }

  private async *union(ctx: TaskContext): AsyncIterable<Batch> {
    const rows = new GroupTable(this.schema.map((f) => f.type));
    for (const input of [this.left, this.right]) {
      for await (const batch of input.execute(ctx)) {
        await checkpoint(ctx);
        const fresh = rows.newRows(batch.columns, batch.length);
        if (fresh.length > 0) yield takeBatchRows(batch, fresh);
      }
    }
  }

  /** Counts the right input's rows by id, then lets left rows through against those counts. */
  private async *intersectOrExcept(ctx: TaskContext): AsyncIterable<Batch> {
    const rows = new GroupTable(this.schema.map((f) => f.type));
    let rightCounts = new Int32Array(1024);
    for await (const batch of this.right.execute(ctx)) {
      await checkpoint(ctx);
      const ids = rows.assign(batch.columns, batch.length);
      if (rows.count > rightCounts.length) rightCounts = grow(rightCounts, rows.count);
      for (let i = 0; i < batch.length; i++) rightCounts[ids[i]!]!++;
    }
    const intersect = this.op === 'intersect';
    let emitted = new Uint8Array(rightCounts.length);
    for await (const batch of this.left.execute(ctx)) {
      await checkpoint(ctx);
      const ids = rows.assign(batch.columns, batch.length);
      if (rows.count > rightCounts.length) {
        rightCounts = grow(rightCounts, rows.count);
        emitted = grow(emitted, rows.count);
      }
      const keep: number[] = [];
      for (let i = 0; i < batch.length; i++) {
        const id = ids[i]!;
        if (this.all) {
          // INTERSECT ALL: min(left, right) copies; EXCEPT ALL: left - right copies.
          if (rightCounts[id]! > 0) {
            rightCounts[id]!--;
            if (intersect) keep.push(i);
          } else if (!intersect) keep.push(i);
        } else if (emitted[id] === 0 && (rightCounts[id]! > 0) === intersect) {
          emitted[id] = 1;
          keep.push(i);
        }
      }
      if (keep.length > 0) yield takeBatchRows(batch, keep);
    }
  }
}

function grow<A extends Int32Array | Uint8Array>(a: A, min: number): A {
  const next = new (a.constructor as new (n: number) => A)(Math.max(min, a.length * 2));
  next.set(a);
  return next;
}
