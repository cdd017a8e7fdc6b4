/**
 * ORDER BY. Collects its input within the query's memory budget and sorts row indices by the
 * keys (stable). Over budget (spilling on), it sorts what it holds into a run written to a
 * spill file and starts again; at the end it merges the runs k-way through a binary heap,
 * ties going to the earlier run, so the result is still stable.
 */
import { comparatorFor } from '../../functions/compare.js';
import type { SortKey } from '../../plan/plan.js';
import type { Batch, Schema } from '../batch/batch.js';
import { BATCH_ROWS, takeBatchRows } from '../batch/batch.js';
import { concatBatches } from '../batch/concat.js';
import { VectorBuilder, type Vector } from '../batch/vector.js';
import { compileExpr, type CompiledExpr } from '../expr/compile.js';
import { batchBytes } from '../memory/estimate.js';
import { operatorMemory } from '../memory/memory-pool.js';
import type { SpillFile } from '../spill/spill-space.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

/** Compares row a of key vectors ka with row b of key vectors kb. */
type RowComparator = (ka: readonly Vector[], a: number, kb: readonly Vector[], b: number) => number;

function rowComparator(keys: readonly SortKey[]): RowComparator {
  const specs = keys.map((k) => ({ cmp: comparatorFor(k.expr.type), dir: k.descending ? -1 : 1, nullOrder: k.nullsFirst ? -1 : 1 }));
  return (ka, a, kb, b) => {
    for (let k = 0; k < specs.length; k++) {
      const s = specs[k]!;
      const va = ka[k]!;
      const vb = kb[k]!;
      const an = va.nulls !== null && va.nulls[a] === 1;
      const bn = vb.nulls !== null && vb.nulls[b] === 1;
      const c = an || bn ? (an && bn ? 0 : an ? s.nullOrder : -s.nullOrder) : s.dir * s.cmp((va.data as unknown[])[a], (vb.data as unknown[])[b]);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/** A run being merged: its current batch, that batch's key vectors, and the next row. */
interface Cursor {
  readonly run: number;
  readonly rows: AsyncIterator<Batch>;
  batch: Batch;
  keys: Vector[];
  row: number;
}

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
    const memory = operatorMemory(ctx.memory);
    const keyExprs = this.keys.map((k) => compileExpr(k.expr, ctx.eval));
    const compare = rowComparator(this.keys);
    const runs: SpillFile[] = [];
    let batches: Batch[] = [];
    const spillRun = async () => {
      if (batches.length === 0) return;
      const run = await memory.spill.create(this.schema);
      runs.push(run);
      for (const b of this.sorted(batches, keyExprs, compare)) await run.write(b);
      batches = [];
      memory.close();
    };
    try {
      for await (const b of this.input.execute(ctx)) {
        await checkpoint(ctx);
        const fits = memory.tryGrow(batchBytes(b) + 8 * b.length);
        if (!fits && !memory.canSpill) throw memory.query.exceeded();
        batches.push(b);
        if (!fits) await spillRun();
      }
      if (runs.length === 0) {
        let left = batches.reduce((n, b) => n + b.length, 0);
        for (const b of this.sorted(batches, keyExprs, compare)) {
          await checkpoint(ctx);
          yield b;
          memory.handOver(b.length, left);
          left -= b.length;
        }
        return;
      }
      await spillRun();
      yield* this.merge(ctx, runs, keyExprs, compare);
    } finally {
      memory.close();
      await Promise.all(runs.map((r) => r.delete()));
    }
  }

  /** The rows of `batches` in key order, as batches of BATCH_ROWS. */
  private *sorted(batches: Batch[], keyExprs: CompiledExpr[], compare: RowComparator): Iterable<Batch> {
    if (batches.length === 0) return;
    const all = concatBatches(this.schema, batches);
    const keys = keyExprs.map((k) => k(all));
    const order = Array.from({ length: all.length }, (_, i) => i);
    order.sort((a, b) => compare(keys, a, keys, b) || a - b);
    for (let start = 0; start < order.length; start += BATCH_ROWS) yield takeBatchRows(all, order.slice(start, start + BATCH_ROWS));
  }

  /** K-way merge of sorted runs. */
  private async *merge(ctx: TaskContext, runs: SpillFile[], keyExprs: CompiledExpr[], compare: RowComparator): AsyncIterable<Batch> {
    const before = (x: Cursor, y: Cursor) => (compare(x.keys, x.row, y.keys, y.row) || x.run - y.run) < 0;
    const heap = new MinHeap<Cursor>(before);
    const advance = async (c: Cursor): Promise<boolean> => {
      if (++c.row < c.batch.length) return true;
      const r = await c.rows.next();
      if (r.done) return false;
      c.batch = r.value;
      c.keys = keyExprs.map((k) => k(r.value));
      c.row = 0;
      return true;
    };
    const cursors: Cursor[] = [];
    try {
      for (let run = 0; run < runs.length; run++) {
        const c: Cursor = { run, rows: runs[run]!.read()[Symbol.asyncIterator](), batch: { length: 0, columns: [] }, keys: [], row: -1 };
        cursors.push(c);
        if (await advance(c)) heap.push(c);
      }
      let out = this.schema.map((f) => new VectorBuilder(f.type, BATCH_ROWS));
      let n = 0;
      while (heap.size > 0) {
        const c = heap.peek();
        c.batch.columns.forEach((v, i) => out[i]!.pushFrom(v, c.row));
        n++;
        if (await advance(c)) heap.replaceTop(c);
        else heap.pop();
        if (n === BATCH_ROWS || heap.size === 0) {
          await checkpoint(ctx);
          yield { length: n, columns: out.map((b) => b.finish()) };
          out = this.schema.map((f) => new VectorBuilder(f.type, BATCH_ROWS));
          n = 0;
        }
      }
    } finally {
      await Promise.all(cursors.map((c) => c.rows.return?.()));
    }
  }
}

/** A binary min-heap under `before`. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T {
    return this.items[0]!;
  }

  push(x: T): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) this.replaceTop(last);
  }

  /** Replaces the top with `x` (or re-sifts the top after it changed) and restores order. */
  replaceTop(x: T): void {
    const a = this.items;
    a[0] = x;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
      if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
  }
}
