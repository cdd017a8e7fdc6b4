/**
 * Hash join: builds a hash table on the right input's keys and probes it with the left input
 * (nested loop when there are no keys). The build side is accounted against the query's
 * memory; when it does not fit (spilling on) the join turns into a grace hash join: both
 * sides are written to spill files partitioned by a hash of the key, and each pair of
 * partitions is joined on its own (recursively, with a new hash salt, if a partition still
 * does not fit). Once built in memory, the table's key values are published as a dynamic
 * filter to the probe side's source fragment.
 */
import { hashKeyFor } from '../../functions/compare.js';
import type { Expr } from '../../plan/expr.js';
import type { JoinType } from '../../plan/plan.js';
import type { Batch, Schema } from '../batch/batch.js';
import { BATCH_ROWS, takeBatchRows } from '../batch/batch.js';
import { concatBatches } from '../batch/concat.js';
import { constantVector, takeRows, type Vector } from '../batch/vector.js';
import { MAX_FILTER_VALUES } from '../dynamic-filters/dynamic-filters.js';
import { compileExpr, type CompiledExpr } from '../expr/compile.js';
import { batchBytes } from '../memory/estimate.js';
import { operatorMemory, type OperatorMemory } from '../memory/memory-pool.js';
import { Partitioner } from '../spill/partition.js';
import { PartitionedSpill } from '../spill/partitioned-spill.js';
import { JoinTable, PairBuffer } from '../hash/join-table.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';
import { ExchangeExec } from './exchange-exec.js';

export interface JoinKeys {
  /** Over the left (probe) input. */
  readonly left: readonly Expr[];
  /** Over the right (build) input. */
  readonly right: readonly Expr[];
}

/** Estimated bytes of hash table per build row (slots at most half full, hash, chain links). */
const TABLE_BYTES_PER_ROW = 48;
/** How many times a partition may be split again before the join gives up (all rows share a key). */
const MAX_SPILL_LEVEL = 4;

/** The build side: in memory, or spilled to partitions. */
type BuildSide = { readonly batch: Batch } | { readonly spill: PartitionedSpill; readonly hasNullKey: boolean };

const anyNullAt = (keys: readonly Vector[], i: number): boolean => keys.some((k) => k.nulls !== null && k.nulls[i] === 1);

async function* noRows(): AsyncIterable<Batch> {}

/**
 * Joins by building a hash table on the right input's keys and probing it with the left
 * input. Without keys every right row is a candidate (nested loop). `residual` is checked on
 * each candidate pair over the combined row (left columns, then right).
 */
export class JoinExec implements ExecNode {
  readonly name: string;
  constructor(
    readonly left: ExecNode,
    readonly right: ExecNode,
    readonly joinType: JoinType,
    readonly keys: JoinKeys,
    readonly residual: Expr | null,
    readonly schema: Schema,
    readonly nullAware = false,
  ) {
    this.name = keys.left.length > 0 ? 'HashJoin' : 'NestedLoopJoin';
  }
  children() {
    return [this.left, this.right];
  }

  execute(ctx: TaskContext): AsyncIterable<Batch> {
    return this.join(ctx, this.right.execute(ctx), () => this.left.execute(ctx), 0);
  }

  private async *join(ctx: TaskContext, buildInput: AsyncIterable<Batch>, probeInput: () => AsyncIterable<Batch>, level: number): AsyncIterable<Batch> {
    const memory = operatorMemory(ctx.memory);
    let side: BuildSide | null = null;
    try {
      side = await this.collectBuild(ctx, memory, buildInput, level);
      if ('spill' in side) {
        yield* this.graceJoin(ctx, memory, side, probeInput(), level);
        return;
      }
      const table = this.buildTable(side.batch, ctx);
      if (level === 0) this.publishFilter(ctx, table, side.batch);
      yield* this.probe(ctx, side.batch, table, probeInput());
    } finally {
      memory.close();
      if (side !== null && 'spill' in side) await side.spill.deleteAll();
    }
  }

  /** Reads the build input within the memory budget, or partitions it to disk once over. */
  private async collectBuild(ctx: TaskContext, memory: OperatorMemory, input: AsyncIterable<Batch>, level: number): Promise<BuildSide> {
    const keyExprs = this.keys.right.map((e) => compileExpr(e, ctx.eval));
    const partitioner = new Partitioner(this.keys.right.map((e) => e.type), level);
    let batches: Batch[] = [];
    let spill: PartitionedSpill | null = null;
    let hasNullKey = false;
    const toDisk = async (b: Batch) => {
      const keys = keyExprs.map((k) => k(b));
      for (let i = 0; i < b.length && !hasNullKey; i++) hasNullKey = anyNullAt(keys, i);
      await spill!.write(b, partitioner.partitions(keys, b.length));
    };
    for await (const b of input) {
      await checkpoint(ctx);
      if (spill !== null) {
        await toDisk(b);
        continue;
      }
      if (memory.tryGrow(batchBytes(b) + TABLE_BYTES_PER_ROW * b.length)) {
        batches.push(b);
        continue;
      }
      if (!memory.canSpill || this.keys.right.length === 0 || level >= MAX_SPILL_LEVEL) throw memory.query.exceeded();
      spill = new PartitionedSpill(memory.spill, this.right.schema, partitioner.fanout);
      for (const held of [...batches, b]) await toDisk(held);
      batches = [];
      memory.close();
    }
    return spill === null ? { batch: concatBatches(this.right.schema, batches) } : { spill, hasNullKey };
  }

  /** Partitions the probe side like the build side, then joins partition by partition. */
  private async *graceJoin(ctx: TaskContext, memory: OperatorMemory, build: { spill: PartitionedSpill; hasNullKey: boolean }, probeInput: AsyncIterable<Batch>, level: number): AsyncIterable<Batch> {
    // NOT IN over a (non-empty) set holding NULL is never true.
    if (this.nullAware && build.hasNullKey) return;
    const probeSpill = new PartitionedSpill(memory.spill, this.left.schema, build.spill.fanout);
    try {
      const keyExprs = this.keys.left.map((e) => compileExpr(e, ctx.eval));
      const partitioner = new Partitioner(this.keys.left.map((e) => e.type), level);
      for await (const b of probeInput) {
        await checkpoint(ctx);
        let batch = b;
        let keys = keyExprs.map((k) => k(b));
        if (this.nullAware) {
          // The build side is not empty, so a NULL probe key makes NOT IN unknown: drop the row here,
          // where the whole build side is known, not in a partition whose build part may be empty.
          const keep: number[] = [];
          for (let i = 0; i < b.length; i++) if (!anyNullAt(keys, i)) keep.push(i);
          if (keep.length < b.length) {
            batch = takeBatchRows(b, keep);
            keys = keys.map((k) => takeRows(k, keep));
          }
        }
        await probeSpill.write(batch, partitioner.partitions(keys, batch.length));
      }
      const keepsProbe = this.joinType === 'left' || this.joinType === 'full' || this.joinType === 'anti';
      const keepsBuild = this.joinType === 'right' || this.joinType === 'full';
      for (let p = 0; p < build.spill.fanout; p++) {
        const buildFile = build.spill.files[p];
        const probeFile = probeSpill.files[p];
        if ((buildFile && (probeFile || keepsBuild)) || (probeFile && keepsProbe)) {
          yield* this.join(ctx, buildFile ? buildFile.read() : noRows(), () => (probeFile ? probeFile.read() : noRows()), level + 1);
        }
        await buildFile?.delete();
        await probeFile?.delete();
      }
    } finally {
      await probeSpill.deleteAll();
    }
  }

  private async *probe(ctx: TaskContext, build: Batch, table: JoinTable, probeInput: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const probeKeys = this.keys.left.map((e) => compileExpr(e, ctx.eval));
    const residual = this.residual ? compileExpr(this.residual, ctx.eval) : null;
    if (this.joinType === 'semi' || this.joinType === 'anti') {
      yield* this.semiJoin(ctx, build, table, probeKeys, residual, probeInput);
      return;
    }
    const keepLeft = this.joinType === 'left' || this.joinType === 'full';
    const keepRight = this.joinType === 'right' || this.joinType === 'full';
    const rightMatched = keepRight ? new Uint8Array(build.length) : null;
    const pairs = new PairBuffer();
    for await (const probe of probeInput) {
      await checkpoint(ctx);
      const ids = table.match(probeKeys.map((k) => k(probe)), probe.length);
      const leftMatched = keepLeft ? new Uint8Array(probe.length) : null;
      for (const b of this.pairsOf(probe, build, table, ids, pairs, residual, rightMatched, leftMatched)) yield b;
      if (leftMatched) {
        const unmatched: number[] = [];
        for (let i = 0; i < probe.length; i++) if (leftMatched[i] === 0) unmatched.push(i);
        if (unmatched.length > 0) yield this.nullExtended(probe, unmatched, 'left');
      }
    }
    if (rightMatched) {
      const unmatched: number[] = [];
      for (let i = 0; i < build.length; i++) if (rightMatched[i] === 0) unmatched.push(i);
      for (let s = 0; s < unmatched.length; s += BATCH_ROWS) yield this.nullExtended(build, unmatched.slice(s, s + BATCH_ROWS), 'right');
    }
  }

  /** The joined rows of one probe batch whose rows matched key `ids`, in chunks of about 4 batches. */
  private *pairsOf(probe: Batch, build: Batch, table: JoinTable, ids: Int32Array, pairs: PairBuffer, residual: CompiledExpr | null, rightMatched: Uint8Array | null, leftMatched: Uint8Array | null): Iterable<Batch> {
    const { first, next } = table;
    pairs.length = 0;
    for (let i = 0; i < probe.length; i++) {
      const id = ids[i]!;
      if (id < 0) continue;
      for (let r = first[id]!; r >= 0; r = next[r]!) pairs.push(i, r);
      if (pairs.length >= BATCH_ROWS * 4) {
        yield* this.emitPairs(probe, build, pairs, residual, rightMatched, leftMatched);
        pairs.length = 0;
      }
    }
    yield* this.emitPairs(probe, build, pairs, residual, rightMatched, leftMatched);
  }

  /**
   * Semi join: left rows with at least one matching right row; anti join: left rows with none.
   * A null-aware anti join (NOT IN) returns nothing once the right side holds a NULL key, and
   * never returns a left row whose key is NULL unless the right side is empty.
   */
  private async *semiJoin(ctx: TaskContext, build: Batch, table: JoinTable, probeKeys: CompiledExpr[], residual: CompiledExpr | null, probeInput: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const semi = this.joinType === 'semi';
    if (this.nullAware && build.length > 0 && table.hasNullKey) return;
    const pairs = new PairBuffer();
    for await (const probe of probeInput) {
      await checkpoint(ctx);
      const keys = probeKeys.map((k) => k(probe));
      const ids = table.match(keys, probe.length);
      const matched = new Uint8Array(probe.length);
      if (residual === null) for (let i = 0; i < probe.length; i++) matched[i] = ids[i]! >= 0 ? 1 : 0;
      else for (const _ of this.pairsOf(probe, build, table, ids, pairs, residual, null, matched));
      const keep: number[] = [];
      for (let i = 0; i < probe.length; i++) {
        if (this.nullAware && build.length > 0 && anyNullAt(keys, i)) continue;
        if ((matched[i] === 1) === semi) keep.push(i);
      }
      if (keep.length > 0) yield { length: keep.length, columns: probe.columns.map((c) => takeRows(c, keep)) };
    }
  }

  /**
   * Publishes the build side's key values for the probe side's source fragment, when rows the
   * filter drops can never be part of the result (inner, semi and right joins) and the probe
   * side is a source fragment reached through row filters only.
   */
  private publishFilter(ctx: TaskContext, table: JoinTable, build: Batch): void {
    if (!ctx.dynamicFilters || table.size > MAX_FILTER_VALUES) return;
    if (this.joinType !== 'inner' && this.joinType !== 'semi' && this.joinType !== 'right') return;
    const exchange = probeExchange(this.left);
    if (exchange === undefined) return;
    this.keys.left.forEach((probeKey, k) => {
      const buildKey = this.keys.right[k]!;
      if (probeKey.kind !== 'column' || probeKey.type.oid !== buildKey.type.oid) return;
      const v = compileExpr(buildKey, ctx.eval)(build);
      const keyOf = hashKeyFor(buildKey.type);
      const values = new Set<unknown>();
      for (let i = 0; i < build.length; i++) if (v.nulls === null || v.nulls[i] === 0) values.add(keyOf((v.data as unknown[])[i]));
      ctx.dynamicFilters!.publish(exchange.fragment.id, { column: probeKey.index, values });
    });
  }

  private *emitPairs(probe: Batch, build: Batch, pairs: PairBuffer, residual: CompiledExpr | null, rightMatched: Uint8Array | null, leftMatched: Uint8Array | null): Iterable<Batch> {
    const n = pairs.length;
    if (n === 0) return;
    let li = pairs.left;
    let ri = pairs.right;
    let count = n;
    let joined: Batch = { length: n, columns: [...probe.columns.map((c) => takeRows(c, li, n)), ...build.columns.map((c) => takeRows(c, ri, n))] };
    if (residual) {
      const v = residual(joined);
      const d = v.data as Uint8Array;
      const keep = new Int32Array(n);
      count = 0;
      for (let i = 0; i < n; i++) if (d[i] === 1 && (v.nulls === null || v.nulls[i] === 0)) keep[count++] = i;
      if (count < n) {
        joined = takeBatchRows(joined, keep, count);
        li = keep.subarray(0, count).map((i) => pairs.left[i]!);
        ri = keep.subarray(0, count).map((i) => pairs.right[i]!);
      }
    }
    if (leftMatched) for (let i = 0; i < count; i++) leftMatched[li[i]!] = 1;
    if (rightMatched) for (let i = 0; i < count; i++) rightMatched[ri[i]!] = 1;
    if (count > 0) yield joined;
  }

  /** Rows of one side joined to NULLs for the other. */
  private nullExtended(side: Batch, rows: number[], which: 'left' | 'right'): Batch {
    const kept = side.columns.map((c) => takeRows(c, rows));
    const other = (which === 'left' ? this.right.schema : this.left.schema).map((f) => constantVector(f.type, null, rows.length));
    return { length: rows.length, columns: which === 'left' ? [...kept, ...other] : [...other, ...kept] };
  }

  private buildTable(build: Batch, ctx: TaskContext): JoinTable {
    const keys = this.keys.right.map((e) => compileExpr(e, ctx.eval)(build));
    return new JoinTable(keys, build.length, this.keys.left.map((e) => e.type));
  }
}

/**
 * The exchange the probe input reads, when only row filters (or operator decorators, which keep
 * the node's name and schema) stand between: dropping probe rows early is then safe.
 */
function probeExchange(node: ExecNode): ExchangeExec | undefined {
  for (let n = node; ;) {
    const operator = n.instrumented ?? n;
    if (operator instanceof ExchangeExec) return operator;
    const [child, ...rest] = n.children();
    if (!child || rest.length > 0 || child.schema !== n.schema || (n.name !== 'Filter' && n.name !== child.name)) return undefined;
    n = child;
  }
}
