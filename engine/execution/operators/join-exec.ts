import { hashKeyFor } from '../../functions/compare.js';
import type { Expr } from '../../plan/expr.js';
import type { JoinType } from '../../plan/plan.js';
import type { Batch, Schema } from '../batch/batch.js';
import { BATCH_ROWS } from '../batch/batch.js';
import { concatBatches } from '../batch/concat.js';
import { constantVector, takeRows, type Vector } from '../batch/vector.js';
import { compileExpr, type CompiledExpr } from '../expr/compile.js';
import { checkpoint, type ExecNode, type TaskContext } from './exec-node.js';

interface HashTable {
  lookup(keys: Vector[], row: number): Iterable<number>;
  /** Some build row has a NULL key (it can never match). */
  readonly hasNullKey: boolean;
}

export interface JoinKeys {
  /** Over the left (probe) input. */
  readonly left: readonly Expr[];
  /** Over the right (build) input. */
  readonly right: readonly Expr[];
}

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

  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const buildBatches: Batch[] = [];
    for await (const b of this.right.execute(ctx)) {
      await checkpoint(ctx);
      buildBatches.push(b);
    }
    const build = concatBatches(this.right.schema, buildBatches);
    const table = this.buildTable(build, ctx);
    const probeKeys = this.keys.left.map((e) => compileExpr(e, ctx.eval));
    const residual = this.residual ? compileExpr(this.residual, ctx.eval) : null;
    const keepLeft = this.joinType === 'left' || this.joinType === 'full';
    const keepRight = this.joinType === 'right' || this.joinType === 'full';
    const rightMatched = keepRight ? new Uint8Array(build.length) : null;

    if (this.joinType === 'semi' || this.joinType === 'anti') {
      yield* this.semiJoin(ctx, build, table, probeKeys, residual);
      return;
    }
    for await (const probe of this.left.execute(ctx)) {
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
  private async *semiJoin(ctx: TaskContext, build: Batch, table: HashTable, probeKeys: CompiledExpr[], residual: CompiledExpr | null): AsyncIterable<Batch> {
    const semi = this.joinType === 'semi';
    if (this.nullAware && build.length > 0 && table.hasNullKey) return;
    for await (const probe of this.left.execute(ctx)) {
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
        if (this.nullAware && build.length > 0 && keys.some((k) => k.nulls !== null && k.nulls[i] === 1)) continue;
        if ((matched[i] === 1) === semi) keep.push(i);
      }
      if (keep.length > 0) yield { length: keep.length, columns: probe.columns.map((c) => takeRows(c, keep)) };
    }
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
      return { lookup: () => all, hasNullKey: false };
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
      *lookup(keys: Vector[], row: number) {
        const key = composite(keys, row, probeOfs);
        if (key === undefined) return;
        for (let r = heads.get(key) ?? -1; r >= 0; r = next[r]!) yield r;
      },
    };
  }
}
