/**
 * Compiles a bound expression into a function from a batch to a vector. Each node becomes a
 * closure that runs one tight loop over whole columns (vectorised), so per-row work is only
 * the operation itself. CASE and COALESCE evaluate a branch only on the rows that reach it,
 * so `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never divides by zero.
 */
import type { EvalContext } from '../../functions/registry.js';
import { scalarById } from '../../functions/registry.js';
import { mapRows } from '../../functions/kernels.js';
import type { Expr, QuantifiedExpr } from '../../plan/expr.js';
import { comparatorFor } from '../../functions/compare.js';
import { anyArrayCompare } from '../../functions/scalar/array.js';
import { castDatum } from '../../types/cast.js';
import { parseText } from '../../types/text-codec.js';
import { T } from '../../types/pg-type.js';
import { internalError } from '../../errors/index.js';
import type { Batch } from '../batch/batch.js';
import { takeBatchRows } from '../batch/batch.js';
import { allocateData, constantVector, type Vector } from '../batch/vector.js';
import { vectorCast } from './vector-casts.js';

export type CompiledExpr = (batch: Batch) => Vector;

export function compileExpr(e: Expr, ctx: EvalContext): CompiledExpr {
  switch (e.kind) {
    case 'column':
      return (b) => b.columns[e.index]!;
    case 'literal': {
      const value = e.text === null ? null : e.type.oid === T.unknown.oid ? e.text : parseText(e.type, e.text, ctx.format);
      return constant(e.type, value);
    }
    case 'param':
      return constant(e.type, ctx.params[e.index] ?? null);
    case 'init_plan':
      return constant(e.type, ctx.initPlanValues?.[e.id] ?? null);
    case 'call':
      return compileCall(e.fn, e.args.map((a) => compileExpr(a, ctx)), e.type, ctx);
    case 'cast': {
      const arg = compileExpr(e.arg, ctx);
      const from = e.arg.type;
      const explicit = e.assignment !== true;
      const fast = explicit ? vectorCast(from, e.type, ctx.format) : null;
      if (fast !== null) return (b) => fast(arg(b), b.length);
      return (b) => mapRows(e.type, [arg(b)], b.length, true, ([v]) => castDatum(v, from, e.type, ctx.format, explicit));
    }
    case 'and':
    case 'or':
      return compileLogical(e.kind, e.args.map((a) => compileExpr(a, ctx)));
    case 'not': {
      const arg = compileExpr(e.arg, ctx);
      return (b) => {
        const v = arg(b);
        const data = new Uint8Array(b.length);
        const src = v.data as Uint8Array;
        for (let i = 0; i < b.length; i++) data[i] = src[i]! ^ 1;
        return { type: T.bool, length: b.length, data, nulls: v.nulls };
      };
    }
    case 'isnull': {
      const arg = compileExpr(e.arg, ctx);
      return (b) => {
        const v = arg(b);
        const data = new Uint8Array(b.length);
        const want = e.negated ? 0 : 1;
        if (v.nulls === null) data.fill(want ^ 1);
        else for (let i = 0; i < b.length; i++) data[i] = v.nulls[i] === 1 ? want : want ^ 1;
        return { type: T.bool, length: b.length, data, nulls: null };
      };
    }
    case 'case':
      return compileCase(e.whens.map((w) => [compileExpr(w.when, ctx), compileExpr(w.then, ctx)] as const), e.otherwise ? compileExpr(e.otherwise, ctx) : null, e.type);
    case 'coalesce':
      return compileCoalesce(e.args.map((a) => compileExpr(a, ctx)), e.type);
    case 'array': {
      const elements = e.elements.map((a) => compileExpr(a, ctx));
      return (b) => mapRows(e.type, elements.map((f) => f(b)), b.length, false, (values) => [...values]);
    }
    case 'subscript': {
      const arg = compileExpr(e.arg, ctx);
      const index = compileExpr(e.index, ctx);
      return (b) => mapRows(e.type, [arg(b), index(b)], b.length, true, ([arr, i]) => (arr as unknown[])[(i as number) - 1] ?? null);
    }
    case 'quantified':
      return compileQuantified(e, compileExpr(e.arg, ctx), compileExpr(e.array, ctx));
  }
}

/** x op ANY/ALL (array), with PostgreSQL's NULL and empty-array rules (anyArrayCompare). */
function compileQuantified(e: QuantifiedExpr, arg: CompiledExpr, array: CompiledExpr): CompiledExpr {
  const cmp = comparatorFor(e.arg.type);
  const quantifier = e.all ? 'all' : 'any';
  return (b) => mapRows(T.bool, [arg(b), array(b)], b.length, false, ([x, arr]) => anyArrayCompare(e.op, x, arr as unknown[] | null, cmp, quantifier));
}

function constant(type: Expr['type'], value: unknown): CompiledExpr {
  let cached: Vector | null = null;
  return (b) => {
    if (cached === null || cached.length !== b.length) cached = constantVector(type, value, b.length);
    return cached;
  };
}

function compileCall(id: string, args: CompiledExpr[], type: Expr['type'], ctx: EvalContext): CompiledExpr {
  const fn = scalarById(id);
  if (!fn) throw internalError(`unknown function ${id}`);
  if (fn.vector) {
    const vector = fn.vector;
    return (b) => vector(args.map((a) => a(b)), b.length, ctx);
  }
  const scalar = fn.scalar!;
  if (args.length === 0 && fn.volatility !== 'volatile') {
    let value: unknown;
    let computed = false;
    return (b) => {
      if (!computed) {
        value = scalar([], ctx);
        computed = true;
      }
      return constantVector(type, value ?? null, b.length);
    };
  }
  return (b) => mapRows(type, args.map((a) => a(b)), b.length, fn.strict, (values) => scalar(values, ctx));
}

/** SQL three-valued AND / OR over boolean vectors. */
function compileLogical(kind: 'and' | 'or', args: CompiledExpr[]): CompiledExpr {
  const dominant = kind === 'and' ? 0 : 1;
  return (b) => {
    const n = b.length;
    const data = new Uint8Array(n).fill(dominant ^ 1);
    let nulls: Uint8Array | null = null;
    for (const arg of args) {
      const v = arg(b);
      const vd = v.data as Uint8Array;
      if (v.nulls === null && nulls === null) {
        if (kind === 'and') for (let i = 0; i < n; i++) data[i]! &= vd[i]!;
        else for (let i = 0; i < n; i++) data[i]! |= vd[i]!;
        continue;
      }
      for (let i = 0; i < n; i++) {
        if (v.nulls !== null && v.nulls[i] === 1) {
          if (data[i] !== dominant) (nulls ??= new Uint8Array(n))[i] = 1;
        } else if (vd[i] === dominant) {
          data[i] = dominant;
          if (nulls !== null) nulls[i] = 0;
        }
      }
    }
    return { type: T.bool, length: n, data, nulls };
  };
}

/** Rows where a boolean vector is true (not NULL). */
function trueRows(v: Vector, rows: Int32Array, count: number): { hit: Int32Array; hits: number; miss: Int32Array; misses: number } {
  const hit = new Int32Array(count);
  const miss = new Int32Array(count);
  let hits = 0;
  let misses = 0;
  const d = v.data as Uint8Array;
  for (let i = 0; i < count; i++) {
    if (d[i] === 1 && (v.nulls === null || v.nulls[i] === 0)) hit[hits++] = rows[i]!;
    else miss[misses++] = rows[i]!;
  }
  return { hit, hits, miss, misses };
}

/** Evaluates `f` on the given rows of b and scatters the results into `out`. */
function scatter(out: { data: unknown[]; nulls: Uint8Array }, f: CompiledExpr, b: Batch, rows: Int32Array, count: number): void {
  if (count === 0) return;
  const v = f(count === b.length && isIdentity(rows, count) ? b : takeBatchRows(b, rows, count));
  const src = v.data as unknown[];
  for (let i = 0; i < count; i++) {
    const r = rows[i]!;
    if (v.nulls !== null && v.nulls[i] === 1) out.nulls[r] = 1;
    else {
      out.data[r] = src[i];
      out.nulls[r] = 0;
    }
  }
}

function isIdentity(rows: Int32Array, count: number): boolean {
  for (let i = 0; i < count; i++) if (rows[i] !== i) return false;
  return true;
}

function compileCase(whens: ReadonlyArray<readonly [CompiledExpr, CompiledExpr]>, otherwise: CompiledExpr | null, type: Expr['type']): CompiledExpr {
  return (b) => {
    const n = b.length;
    const out = { data: allocateData(type.layout, n) as unknown[], nulls: new Uint8Array(n).fill(1) };
    let rows = Int32Array.from({ length: n }, (_, i) => i);
    let count = n;
    for (const [when, then] of whens) {
      if (count === 0) break;
      const sub = count === n ? b : takeBatchRows(b, rows, count);
      const cond = when(sub);
      const local = Int32Array.from({ length: count }, (_, i) => i);
      const split = trueRows(cond, local, count);
      const hitRows = split.hit.subarray(0, split.hits).map((i) => rows[i]!);
      scatter(out, then, b, hitRows, split.hits);
      rows = split.miss.subarray(0, split.misses).map((i) => rows[i]!);
      count = split.misses;
    }
    if (otherwise && count > 0) scatter(out, otherwise, b, rows, count);
    return finishOut(type, n, out);
  };
}

function compileCoalesce(args: CompiledExpr[], type: Expr['type']): CompiledExpr {
  return (b) => {
    const n = b.length;
    const out = { data: allocateData(type.layout, n) as unknown[], nulls: new Uint8Array(n).fill(1) };
    let rows = Int32Array.from({ length: n }, (_, i) => i);
    let count = n;
    for (const arg of args) {
      if (count === 0) break;
      scatter(out, arg, b, rows, count);
      const still = new Int32Array(count);
      let k = 0;
      for (let i = 0; i < count; i++) if (out.nulls[rows[i]!] === 1) still[k++] = rows[i]!;
      rows = still;
      count = k;
    }
    return finishOut(type, n, out);
  };
}

function finishOut(type: Expr['type'], n: number, out: { data: unknown[]; nulls: Uint8Array }): Vector {
  let any = false;
  for (let i = 0; i < n && !any; i++) any = out.nulls[i] === 1;
  return { type, length: n, data: out.data as Vector['data'], nulls: any ? out.nulls : null };
}
