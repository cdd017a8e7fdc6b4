/**
 * GROUP BY with aggregates. Within its memory budget it aggregates in one hash table. Once
 * over budget (and spilling is on) the groups it has keep collecting their rows in memory,
 * while rows of new groups are written to spill files partitioned by a hash of the group
 * key; each partition is then aggregated on its own (recursively, with a new hash salt).
 * Every row of a group ends up in one place, so DISTINCT and FILTER need no special care.
 */
import type { Accumulator } from '../../functions/registry.js';
import { hashKeyFor } from '../../functions/compare.js';
import type { AggregateCall } from '../../plan/plan.js';
import type { Expr } from '../../plan/expr.js';
import type { Batch, Schema } from '../batch/batch.js';
import { BATCH_ROWS, sliceBatch, takeBatchRows } from '../batch/batch.js';
import { takeRows, type Vector } from '../batch/vector.js';
import { compileExpr, type CompiledExpr } from '../expr/compile.js';
import { vectorBytes } from '../memory/estimate.js';
import { operatorMemory } from '../memory/memory-pool.js';
import { Partitioner } from '../spill/partition.js';
import { PartitionedSpill } from '../spill/partitioned-spill.js';
import { createAccumulator } from './accumulators.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';
import { GroupTable } from '../hash/group-table.js';

interface AggregateState {
  readonly call: AggregateCall;
  readonly args: CompiledExpr[];
  readonly filter: CompiledExpr | null;
  readonly accumulator: Accumulator;
  /** For DISTINCT: the (group, value) pairs already added. */
  readonly seen: Set<string> | null;
  readonly keyOf: ((v: unknown) => unknown) | null;
}

/** Estimated bytes per group besides its key values and states: hash table and key store slots, with room to grow. */
const GROUP_OVERHEAD = 96;
const STATE_BYTES = 48;
const SEEN_ENTRY_BYTES = 64;

/** GROUP BY with aggregates; without keys, one row even for empty input. */
export class HashAggregateExec implements ExecNode {
  readonly name = 'HashAggregate';
  constructor(readonly input: ExecNode, readonly groupBy: readonly Expr[], readonly aggregates: readonly AggregateCall[], readonly schema: Schema) {}
  children() {
    return [this.input];
  }
  execute(ctx: TaskContext): AsyncIterable<Batch> {
    return this.aggregate(ctx, this.input.execute(ctx), 0);
  }

  private async *aggregate(ctx: TaskContext, input: AsyncIterable<Batch>, level: number): AsyncIterable<Batch> {
    const memory = operatorMemory(ctx.memory);
    let spill: PartitionedSpill | null = null;
    try {
      const keyExprs = this.groupBy.map((e) => compileExpr(e, ctx.eval));
      const groups = new GroupTable(this.groupBy.map((e) => e.type));
      const states = this.aggregates.map((call) => this.state(call, ctx));
      const partitioner = new Partitioner(this.groupBy.map((e) => e.type), level);
      for await (const batch of input) {
        await checkpoint(ctx);
        const keys = keyExprs.map((k) => k(batch));
        if (spill === null) {
          const before = groups.count;
          const seenBefore = seenSize(states);
          this.add(states, groups, batch, groups.assign(keys, batch.length));
          if (!memory.tryGrow(this.growth(keys, batch.length, groups.count - before, seenSize(states) - seenBefore))) {
            if (!memory.canSpill || this.groupBy.length === 0) throw memory.query.exceeded();
            spill = new PartitionedSpill(memory.spill, this.input.schema, partitioner.fanout);
          }
          continue;
        }
        const ids = groups.assign(keys, batch.length, false);
        const known: number[] = [];
        const unknown: number[] = [];
        for (let i = 0; i < batch.length; i++) (ids[i]! >= 0 ? known : unknown).push(i);
        if (known.length > 0) this.add(states, groups, takeBatchRows(batch, known), Int32Array.from(known, (i) => ids[i]!));
        if (unknown.length > 0) {
          await spill.write(takeBatchRows(batch, unknown), partitioner.partitions(keys.map((k) => takeRows(k, unknown)), unknown.length));
        }
      }
      let left = groups.count;
      for (const b of this.emit(groups, states)) {
        yield b;
        memory.handOver(b.length, left);
        left -= b.length;
      }
      memory.close();
      if (spill === null) return;
      for (const file of spill.files) {
        if (file === null) continue;
        yield* this.aggregate(ctx, file.read(), level + 1);
        await file.delete();
      }
    } finally {
      memory.close();
      await spill?.deleteAll();
    }
  }

  private state(call: AggregateCall, ctx: TaskContext): AggregateState {
    return {
      call,
      args: call.args.map((a) => compileExpr(a, ctx.eval)),
      filter: call.filter ? compileExpr(call.filter, ctx.eval) : null,
      accumulator: createAccumulator(call),
      seen: call.distinct ? new Set<string>() : null,
      keyOf: call.distinct && call.args[0] ? hashKeyFor(call.args[0].type) : null,
    };
  }

  private add(states: AggregateState[], groups: GroupTable, batch: Batch, ids: Int32Array): void {
    for (const s of states) {
      s.accumulator.resize(groups.count);
      this.accumulate(s, batch, ids);
    }
  }

  /** Bytes `newGroups` groups (keys averaged over the batch) and `newSeen` DISTINCT entries add. */
  private growth(keys: readonly Vector[], rows: number, newGroups: number, newSeen: number): number {
    if (newGroups === 0 && newSeen === 0) return 0;
    let keyBytes = 0;
    for (const k of keys) keyBytes += vectorBytes(k);
    const perGroup = GROUP_OVERHEAD + STATE_BYTES * this.aggregates.length + (rows > 0 ? keyBytes / rows : 0);
    return Math.ceil(newGroups * perGroup + newSeen * SEEN_ENTRY_BYTES);
  }

  private *emit(groups: GroupTable, states: AggregateState[]): Iterable<Batch> {
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

const seenSize = (states: readonly AggregateState[]): number => states.reduce((n, s) => n + (s.seen?.size ?? 0), 0);
