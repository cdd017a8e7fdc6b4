import { aggregateById, type Accumulator } from '../../functions/registry.js';
import { hashKeyFor } from '../../functions/compare.js';
import { internalError } from '../../errors/index.js';
import type { AggregateCall } from '../../plan/plan.js';
import type { Expr } from '../../plan/expr.js';
import type { Batch, Schema } from '../batch/batch.js';
import { BATCH_ROWS, sliceBatch } from '../batch/batch.js';
import { takeRows, type Vector } from '../batch/vector.js';
import { compileExpr, type CompiledExpr } from '../expr/compile.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';
import { GroupTable } from './group-keys.js';

interface AggregateState {
  readonly call: AggregateCall;
  readonly args: CompiledExpr[];
  readonly filter: CompiledExpr | null;
  readonly accumulator: Accumulator;
  /** For DISTINCT: the (group, value) pairs already added. */
  readonly seen: Set<string> | null;
  readonly keyOf: ((v: unknown) => unknown) | null;
}

/** GROUP BY with aggregates; without keys, one row even for empty input. */
export class HashAggregateExec implements ExecNode {
  readonly name = 'HashAggregate';
  constructor(readonly input: ExecNode, readonly groupBy: readonly Expr[], readonly aggregates: readonly AggregateCall[], readonly schema: Schema) {}
  children() {
    return [this.input];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const keyExprs = this.groupBy.map((e) => compileExpr(e, ctx.eval));
    const groups = new GroupTable(this.groupBy.map((e) => e.type));
    const states: AggregateState[] = this.aggregates.map((call) => {
      const fn = aggregateById(call.fn);
      if (!fn) throw internalError(`unknown aggregate ${call.fn}`);
      return {
        call,
        args: call.args.map((a) => compileExpr(a, ctx.eval)),
        filter: call.filter ? compileExpr(call.filter, ctx.eval) : null,
        accumulator: fn.create(call.args.map((a) => a.type)),
        seen: call.distinct ? new Set<string>() : null,
        keyOf: call.distinct && call.args[0] ? hashKeyFor(call.args[0].type) : null,
      };
    });
    for await (const batch of this.input.execute(ctx)) {
      await checkpoint(ctx);
      const ids = groups.assign(keyExprs.map((k) => k(batch)), batch.length);
      for (const s of states) {
        s.accumulator.resize(groups.count);
        this.accumulate(s, batch, ids);
      }
    }
    if (this.groupBy.length === 0 && groups.count === 0) groups.count = 1;
    const count = groups.count;
    if (count === 0) return;
    const columns: Vector[] = [...groups.keyVectors(), ...states.map((s) => (s.accumulator.resize(count), s.accumulator.finish(count)))];
    const all: Batch = { length: count, columns };
    for (let start = 0; start < count; start += BATCH_ROWS) yield sliceBatch(all, start, Math.min(BATCH_ROWS, count - start));
  }

  private accumulate(s: AggregateState, batch: Batch, ids: Int32Array): void {
    let args = s.args.map((a) => a(batch));
    let groups = ids;
    let length = batch.length;
    const keep = this.selectRows(s, args, ids, batch);
    if (keep !== null) {
      args = args.map((v) => takeRows(v, keep, keep.length));
      groups = Int32Array.from(keep, (i) => ids[i]!);
      length = keep.length;
    }
    s.accumulator.add(groups, args, length);
  }

  /** Rows that pass FILTER and, for DISTINCT, were not seen before in their group; null = all. */
  private selectRows(s: AggregateState, args: Vector[], ids: Int32Array, batch: Batch): number[] | null {
    if (s.filter === null && s.seen === null) return null;
    const f = s.filter ? s.filter(batch) : null;
    const keep: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      if (f !== null && ((f.data as Uint8Array)[i] !== 1 || (f.nulls !== null && f.nulls[i] === 1))) continue;
      if (s.seen !== null) {
        const v = args[0]!;
        if (v.nulls !== null && v.nulls[i] === 1) continue;
        const key = `${ids[i]}\u0001${String(s.keyOf!((v.data as unknown[])[i]))}`;
        if (s.seen.has(key)) continue;
        s.seen.add(key);
      }
      keep.push(i);
    }
    return keep;
  }
}
