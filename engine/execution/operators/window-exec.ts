/**
 * Window functions over input sorted by (PARTITION BY, ORDER BY) — the physical planner puts a
 * (spillable) sort below, one per distinct window specification. Rows are buffered one run of
 * whole partitions at a time (accounted against the query's memory), and for each call the
 * operator finds peer groups and frames and computes one value per row, with a window function
 * from the registry or an aggregate over the frame (running when the frame starts at the
 * partition start, recomputed per row otherwise). A single partition must fit in memory.
 */
import { SqlError, SqlState, featureNotSupported } from '../../errors/index.js';
import { comparatorFor } from '../../functions/compare.js';
import { windowById, type Accumulator, type EvalContext, type WindowPartition } from '../../functions/registry.js';
import { createAccumulator } from './accumulators.js';
import type { FrameBound, WindowCall } from '../../plan/plan.js';
import type { Expr } from '../../plan/expr.js';
import { Numeric } from '../../types/numeric.js';
import type { Batch, Schema } from '../batch/batch.js';
import { BATCH_ROWS, sliceBatch, takeBatchRows } from '../batch/batch.js';
import { concatBatches } from '../batch/concat.js';
import { VectorBuilder, datumAt, takeRows, type Vector } from '../batch/vector.js';
import { compileExpr } from '../expr/compile.js';
import { batchBytes } from '../memory/estimate.js';
import { operatorMemory } from '../memory/memory-pool.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';
import { GroupTable } from '../hash/group-table.js';
import { rowKeyer } from './group-keys.js';

/** The share of the query's memory limit one run of partitions may hold. */
const PARTITION_SHARE = 0.5;

export class WindowExec implements ExecNode {
  readonly name = 'Window';
  /** All calls share one PARTITION BY / ORDER BY (the planner groups them). */
  constructor(readonly input: ExecNode, readonly calls: readonly WindowCall[], readonly schema: Schema) {}
  children() {
    return [this.input];
  }

  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const memory = operatorMemory(ctx.memory);
    const partitionBy = this.calls[0]?.partitionBy ?? [];
    const partitionsOf = rowKeyer(partitionBy, ctx.eval);
    let buffered: Batch[] = [];
    let rows = 0;
    let lastKey: string | null = null;
    const flush = (): Batch | null => {
      if (rows === 0) return null;
      const all = concatBatches(this.input.schema, buffered);
      buffered = [];
      rows = 0;
      memory.close();
      return this.compute(all, ctx.eval);
    };
    try {
      for await (const batch of this.input.execute(ctx)) {
        await checkpoint(ctx);
        const keyAt = partitionsOf(batch);
        // Cut before the first partition boundary once a full batch of rows is buffered.
        let cut = -1;
        for (let i = 0; i < batch.length; i++) {
          const key = partitionBy.length ? keyAt(i) : '';
          if (key !== lastKey && lastKey !== null && rows + i >= BATCH_ROWS && cut < 0) cut = i;
          lastKey = key;
        }
        if (cut >= 0) {
          if (cut > 0) buffered.push(sliceBatch(batch, 0, cut));
          rows += cut;
          const out = flush();
          if (out) yield* chunks(out);
          const rest = sliceBatch(batch, cut, batch.length - cut);
          memory.growAboveSpillers(batchBytes(rest), PARTITION_SHARE);
          buffered.push(rest);
          rows += rest.length;
        } else {
          memory.growAboveSpillers(batchBytes(batch), PARTITION_SHARE);
          buffered.push(batch);
          rows += batch.length;
        }
      }
      const out = flush();
      if (out) yield* chunks(out);
    } finally {
      memory.close();
    }
  }

  /** Every call's values for whole partitions in `all`, appended to its columns. */
  private compute(all: Batch, ctx: EvalContext): Batch {
    let order: number[] = [];
    const results: Vector[] = [];
    for (const call of this.calls) {
      const computed = computeCall(call, all, ctx);
      order = computed.order;
      results.push(computed.values);
    }
    return takeBatchRows({ length: all.length, columns: [...all.columns, ...results] }, order);
  }
}

function* chunks(b: Batch): Iterable<Batch> {
  for (let start = 0; start < b.length; start += BATCH_ROWS) yield sliceBatch(b, start, Math.min(BATCH_ROWS, b.length - start));
}

/** The call's value for every input row (in input order), and the row order it sorted by. */
function computeCall(call: WindowCall, all: Batch, ctx: EvalContext): { values: Vector; order: number[] } {
  const n = all.length;
  const partitions = new GroupTable(call.partitionBy.map((e) => e.type));
  const partitionIds = partitions.assign(call.partitionBy.map((e) => compileExpr(e, ctx)(all)), n);
  const keys = call.orderBy.map((k) => ({ vector: compileExpr(k.expr, ctx)(all), cmp: comparatorFor(k.expr.type), dir: k.descending ? -1 : 1, nulls: k.nullsFirst ? -1 : 1 }));
  const compareKeys = (a: number, b: number): number => {
    for (const k of keys) {
      const an = k.vector.nulls !== null && k.vector.nulls[a] === 1;
      const bn = k.vector.nulls !== null && k.vector.nulls[b] === 1;
      if (an || bn) {
        if (an && bn) continue;
        return an ? k.nulls : -k.nulls;
      }
      const c = k.cmp((k.vector.data as unknown[])[a], (k.vector.data as unknown[])[b]);
      if (c !== 0) return k.dir * c;
    }
    return 0;
  };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => partitionIds[a]! - partitionIds[b]! || compareKeys(a, b) || a - b);
  const args = call.args.map((e) => compileExpr(e, ctx)(all));
  const filter = call.filter ? compileExpr(call.filter, ctx)(all) : null;
  const values = new Array<unknown>(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && partitionIds[order[end]!] === partitionIds[order[start]!]) end++;
    const rows = order.slice(start, end);
    const partition = describePartition(call, rows, args, keys[0]?.vector ?? null, keys[0] ? keys[0].dir : 1, compareKeys, ctx);
    const result = call.isAggregate ? aggregateOverFrames(call, partition, rows, filter) : evaluateWindowFunction(call, partition, ctx);
    rows.forEach((r, i) => (values[r] = datumAt(result, i)));
    start = end;
  }
  const builder = new VectorBuilder(call.type, n);
  for (const v of values) builder.push(v);
  return { values: builder.finish(), order };
}

function evaluateWindowFunction(call: WindowCall, partition: WindowPartition, ctx: EvalContext): Vector {
  const fn = windowById(call.fn);
  if (!fn) throw new SqlError(SqlState.INTERNAL_ERROR, `unknown window function ${call.fn}`);
  if (call.frame.exclude !== 'no_others') throw featureNotSupported('frame exclusion with window functions other than aggregates');
  return fn.evaluate(partition, ctx);
}

function describePartition(
  call: WindowCall,
  rows: number[],
  args: Vector[],
  firstKey: Vector | null,
  direction: number,
  compareKeys: (a: number, b: number) => number,
  ctx: EvalContext,
): WindowPartition {
  const m = rows.length;
  const peerStart = new Int32Array(m);
  const peerEnd = new Int32Array(m);
  const groupIndex = new Int32Array(m);
  const groupStarts: number[] = [];
  for (let i = 0; i < m; ) {
    let j = i + 1;
    while (j < m && compareKeys(rows[i]!, rows[j]!) === 0) j++;
    for (let k = i; k < j; k++) {
      peerStart[k] = i;
      peerEnd[k] = j;
      groupIndex[k] = groupStarts.length;
    }
    groupStarts.push(i);
    i = j;
  }
  groupStarts.push(m);
  const frameStart = new Int32Array(m);
  const frameEnd = new Int32Array(m);
  const offset = (b: FrameBound) => (b.offset ? evaluateOffset(b.offset, ctx) : 0);
  const startOffset = offset(call.frame.start);
  const endOffset = offset(call.frame.end);
  const keyValue = (i: number): number | null => {
    if (!firstKey || (firstKey.nulls !== null && firstKey.nulls[rows[i]!] === 1)) return null;
    const v = (firstKey.data as unknown[])[rows[i]!];
    return v instanceof Numeric ? v.toFloat() : Number(v);
  };
  for (let i = 0; i < m; i++) {
    frameStart[i] = bound(call.frame.mode, call.frame.start, startOffset, i, true);
    frameEnd[i] = bound(call.frame.mode, call.frame.end, endOffset, i, false);
  }

  /** One frame edge: the first row in the frame (start) or one past the last (end). */
  function bound(mode: string, b: FrameBound, k: number, i: number, isStart: boolean): number {
    switch (b.kind) {
      case 'unbounded_preceding':
        return 0;
      case 'unbounded_following':
        return m;
      case 'current_row':
        return mode === 'rows' ? (isStart ? i : i + 1) : isStart ? peerStart[i]! : peerEnd[i]!;
      default: {
        const sign = b.kind === 'preceding' ? -1 : 1;
        if (mode === 'rows') return clamp(isStart ? i + sign * k : i + sign * k + 1);
        if (mode === 'groups') {
          const g = groupIndex[i]! + sign * k;
          return isStart ? groupStarts[clamp(g, groupStarts.length - 1)]! : groupStarts[clamp(g + 1, groupStarts.length - 1)]!;
        }
        return rangeBound(i, sign * k * direction, isStart);
      }
    }
  }

  function clamp(x: number, max = m): number {
    return x < 0 ? 0 : x > max ? max : x;
  }

  /** RANGE offset: rows whose first ORDER BY value lies within value ± offset. */
  function rangeBound(i: number, delta: number, isStart: boolean): number {
    const v = keyValue(i);
    if (v === null) return isStart ? peerStart[i]! : peerEnd[i]!;
    const target = v + delta;
    const inside = (x: number | null) => x !== null && (direction > 0 ? (isStart ? x >= target : x <= target) : isStart ? x <= target : x >= target);
    if (isStart) {
      let j = 0;
      while (j < m && !inside(keyValue(j))) j++;
      return j;
    }
    let j = m;
    while (j > 0 && !inside(keyValue(j - 1))) j--;
    return j;
  }

  return { length: m, args: args.map((a) => takeRows(a, rows)), peerStart, peerEnd, frameStart, frameEnd, returns: call.type };
}

function evaluateOffset(e: Expr, ctx: EvalContext): number {
  const v = datumAt(compileExpr(e, ctx)({ length: 1, columns: [] }), 0);
  const n = v instanceof Numeric ? v.toFloat() : Number(v);
  if (v === null || n < 0) throw new SqlError(SqlState.INVALID_PRECEDING_OR_FOLLOWING_SIZE, 'frame starting offset must not be negative');
  return n;
}

/** An aggregate over each row's frame. */
function aggregateOverFrames(call: WindowCall, p: WindowPartition, rows: number[], filter: Vector | null): Vector {
  const create = () => createAccumulator({ fn: call.fn, args: call.args, distinct: false, filter: null });
  const passes = (i: number) => filter === null || ((filter.data as Uint8Array)[rows[i]!] === 1 && (filter.nulls === null || filter.nulls[rows[i]!] === 0));
  const excluded = (i: number, j: number): boolean => {
    switch (call.frame.exclude) {
      case 'current_row':
        return i === j;
      case 'group':
        return j >= p.peerStart[i]! && j < p.peerEnd[i]!;
      case 'ties':
        return j !== i && j >= p.peerStart[i]! && j < p.peerEnd[i]!;
      default:
        return false;
    }
  };
  const addRows = (acc: Accumulator, indices: number[]) => {
    if (indices.length === 0) return;
    acc.add(new Int32Array(indices.length), p.args.map((a) => takeRows(a, indices)), indices.length);
  };
  const out = new VectorBuilder(call.type, p.length);
  const running = call.frame.exclude === 'no_others' && p.frameStart.every((s) => s === 0);
  if (running) {
    const acc = create();
    acc.resize(1);
    let added = 0;
    for (let i = 0; i < p.length; i++) {
      const end = p.frameEnd[i]!;
      if (end > added) {
        const indices: number[] = [];
        for (let j = added; j < end; j++) if (passes(j)) indices.push(j);
        addRows(acc, indices);
        added = end;
      }
      out.push(datumAt(acc.finish(1), 0));
    }
    return out.finish();
  }
  for (let i = 0; i < p.length; i++) {
    const acc = create();
    acc.resize(1);
    const indices: number[] = [];
    for (let j = p.frameStart[i]!; j < p.frameEnd[i]!; j++) if (passes(j) && !excluded(i, j)) indices.push(j);
    addRows(acc, indices);
    out.push(datumAt(acc.finish(1), 0));
  }
  return out.finish();
}
