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
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';
import { ExchangeExec } from './exchange-exec.js';

interface HashTable {
  lookup(keys: Vector[], row: number): Iterable<number>;
  /** Some build row has a NULL key (it can never match). */
  readonly hasNullKey: boolean;
  /** Distinct non-NULL keys. */
  readonly size: number;
}

export interface JoinKeys {
  /** Over the left (probe) input. */
  readonly left: readonly Expr[];
  /** Over the right (build) input. */
  readonly right: readonly Expr[];
}

/** Estimated bytes of hash table per build row (map entry, chain link, composite key). */
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

  private async *probe(ctx: TaskContext, build: Batch, table: HashTable, probeInput: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const probeKeys = this.keys.left.map((e) => compileExpr(e, ctx.eval));
    const residual = this.residual ? compileExpr(this.residual, ctx.eval) : null;
    if (this.joinType === 'semi' || this.joinType === 'anti') {
      yield* this.semiJoin(ctx, build, table, probeKeys, residual, probeInput);
      return;
    }
    const keepLeft = this.joinType === 'left' || this.joinType === 'full';
    const keepRight = this.joinType === 'right' || this.joinType === 'full';
    const rightMatched = keepRight ? new Uint8Array(build.length) : null;
    for await (const probe of probeInput) {
      await checkpoint(ctx);
      const keys = probeKeys.map((k) => k(probe));
      let li: number[] = [];
      let ri: number[] = [];
      for (let i = 0; i < probe.length; i++) {
        const candidates = table.lookup(keys, i);
        for (const r of candidates) {
          li.push(i);
          ri.push(r);
        }
        if (li.length >= BATCH_ROWS * 4 && !keepLeft) {
          yield* this.emitPairs(probe, build, li, ri, residual, rightMatched, null);
          li = [];
          ri = [];
        }
      }
      const leftMatched = keepLeft ? new Uint8Array(probe.length) : null;
      yield* this.emitPairs(probe, build, li, ri, residual, rightMatched, leftMatched);
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

  /**
   * Semi join: left rows with at least one matching right row; anti join: left rows with none.
   * A null-aware anti join (NOT IN) returns nothing once the right side holds a NULL key, and
   * never returns a left row whose key is NULL unless the right side is empty.
   */
  private async *semiJoin(ctx: TaskContext, build: Batch, table: HashTable, probeKeys: CompiledExpr[], residual: CompiledExpr | null, probeInput: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const semi = this.joinType === 'semi';
    if (this.nullAware && build.length > 0 && table.hasNullKey) return;
    for await (const probe of probeInput) {
      await checkpoint(ctx);
      const keys = probeKeys.map((k) => k(probe));
      const li: number[] = [];
      const ri: number[] = [];
      for (let i = 0; i < probe.length; i++) for (const r of table.lookup(keys, i)) {
        li.push(i);
        ri.push(r);
      }
      const matched = new Uint8Array(probe.length);
      for (const _ of this.emitPairs(probe, build, li, ri, residual, null, matched));
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
  private publishFilter(ctx: TaskContext, table: HashTable, build: Batch): void {
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

  private *emitPairs(probe: Batch, build: Batch, li: number[], ri: number[], residual: CompiledExpr | null, rightMatched: Uint8Array | null, leftMatched: Uint8Array | null): Iterable<Batch> {
    if (li.length === 0) return;
    let pairs: Batch = {
      length: li.length,
      columns: [...probe.columns.map((c) => takeRows(c, li)), ...build.columns.map((c) => takeRows(c, ri))],
    };
    let keptLeft = li;
    let keptRight = ri;
    if (residual) {
      const v = residual(pairs);
      const d = v.data as Uint8Array;
      const keep: number[] = [];
      for (let i = 0; i < pairs.length; i++) if (d[i] === 1 && (v.nulls === null || v.nulls[i] === 0)) keep.push(i);
      if (keep.length < pairs.length) {
        pairs = { length: keep.length, columns: pairs.columns.map((c) => takeRows(c, keep)) };
        keptLeft = keep.map((i) => li[i]!);
        keptRight = keep.map((i) => ri[i]!);
      }
    }
    if (leftMatched) for (const i of keptLeft) leftMatched[i] = 1;
    if (rightMatched) for (const i of keptRight) rightMatched[i] = 1;
    if (pairs.length > 0) yield pairs;
  }

  /** Rows of one side joined to NULLs for the other. */
  private nullExtended(side: Batch, rows: number[], which: 'left' | 'right'): Batch {
    const kept = side.columns.map((c) => takeRows(c, rows));
    const other = (which === 'left' ? this.right.schema : this.left.schema).map((f) => constantVector(f.type, null, rows.length));
    return { length: rows.length, columns: which === 'left' ? [...kept, ...other] : [...other, ...kept] };
  }

  private buildTable(build: Batch, ctx: TaskContext): HashTable {
    if (this.keys.right.length === 0) {
      const all = Array.from({ length: build.length }, (_, i) => i);
      return { lookup: () => all, hasNullKey: false, size: 0 };
    }
    const keyExprs = this.keys.right.map((e) => compileExpr(e, ctx.eval));
    const keyOfs = this.keys.right.map((e) => hashKeyFor(e.type));
    const vectors = keyExprs.map((k) => k(build));
    const composite = (vs: Vector[], i: number, ofs: ((v: unknown) => unknown)[]): unknown => {
      if (vs.length === 1) {
        const v = vs[0]!;
        return v.nulls !== null && v.nulls[i] === 1 ? undefined : ofs[0]!((v.data as unknown[])[i]);
      }
      let s = '';
      for (let k = 0; k < vs.length; k++) {
        const v = vs[k]!;
        if (v.nulls !== null && v.nulls[i] === 1) return undefined;
        s += JSON.stringify(String(ofs[k]!((v.data as unknown[])[i]))) + ',';
      }
      return s;
    };
    const heads = new Map<unknown, number>();
    const next = new Int32Array(build.length).fill(-1);
    let hasNullKey = false;
    for (let i = build.length - 1; i >= 0; i--) {
      const key = composite(vectors, i, keyOfs);
      if (key === undefined) {
        hasNullKey = true;
        continue;
      }
      const head = heads.get(key);
      if (head !== undefined) next[i] = head;
      heads.set(key, i);
    }
    const probeOfs = this.keys.left.map((e) => hashKeyFor(e.type));
    return {
      hasNullKey,
      size: heads.size,
      *lookup(keys: Vector[], row: number) {
        const key = composite(keys, row, probeOfs);
        if (key === undefined) return;
        for (let r = heads.get(key) ?? -1; r >= 0; r = next[r]!) yield r;
      },
    };
  }
}

/**
 * The exchange the probe input reads, when only row filters (or operator decorators, which keep
 * the node's name and schema) stand between: dropping probe rows early is then safe.
 */
function probeExchange(node: ExecNode): ExchangeExec | undefined {
  for (let n = node; ;) {
    if (n instanceof ExchangeExec) return n;
    const [child, ...rest] = n.children();
    if (!child || rest.length > 0 || child.schema !== n.schema || (n.name !== 'Filter' && n.name !== child.name)) return undefined;
    n = child;
  }
}
