/**
 * Filter selectivity, PostgreSQL-style: `col = const` is 1/ndv, a range against a known
 * min/max interpolates (else 1/3), LIKE is 1/10 (a prefix pattern tighter), IS NULL the null
 * fraction, `col = col` 1/max(ndv); AND multiplies, OR adds minus the overlap, NOT complements.
 */
import { scalarById } from '../../functions/registry.js';
import type { Expr } from '../../plan/expr.js';

export interface ColumnEstimate {
  /** Distinct non-NULL values. */
  readonly ndv?: number;
  readonly nullFraction?: number;
  readonly min?: number | string;
  readonly max?: number | string;
  /** Average bytes per value. */
  readonly width?: number;
}

export const DEFAULT_EQ_SELECTIVITY = 0.1;
export const DEFAULT_RANGE_SELECTIVITY = 1 / 3;
export const DEFAULT_LIKE_SELECTIVITY = 0.1;
export const DEFAULT_NULL_FRACTION = 0.01;
/** A predicate nothing is known about (a function call, a subquery's value …). */
export const DEFAULT_SELECTIVITY = 1 / 3;

const clamp = (s: number) => (Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : DEFAULT_SELECTIVITY);

/** The registry name of a call's function ('=', '<', '~~' …), if `e` is a call. */
export const operatorName = (e: Expr): string | undefined => (e.kind === 'call' ? scalarById(e.fn)?.name : undefined);

/** A plain column under any casts. */
export function columnOf(e: Expr): number | undefined {
  let x = e;
  while (x.kind === 'cast') x = x.arg;
  return x.kind === 'column' ? x.index : undefined;
}

const constantOf = (e: Expr): Expr | undefined => {
  let x = e;
  while (x.kind === 'cast') x = x.arg;
  return x.kind === 'literal' || x.kind === 'param' || x.kind === 'init_plan' ? x : undefined;
};

/** Numbers stay numbers; ISO dates and timestamps become epoch milliseconds; else undefined. */
export function ordinal(v: number | string | null | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) return Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  return undefined;
}

const FLIP: Readonly<Record<string, string>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '<>': '<>' };

function comparison(op: string, column: ColumnEstimate, constant: Expr): number {
  const ndv = column.ndv;
  const nonNull = 1 - (column.nullFraction ?? 0);
  if (constant.kind === 'literal' && constant.text === null) return 0;
  if (op === '=') return ndv ? nonNull / ndv : DEFAULT_EQ_SELECTIVITY;
  if (op === '<>') return ndv ? nonNull * (1 - 1 / ndv) : 1 - DEFAULT_EQ_SELECTIVITY;
  const lo = ordinal(column.min);
  const hi = ordinal(column.max);
  const v = constant.kind === 'literal' ? ordinal(constant.text) : undefined;
  if (lo === undefined || hi === undefined || v === undefined) return DEFAULT_RANGE_SELECTIVITY;
  if (hi <= lo) return op.startsWith('<') ? (v >= lo ? nonNull : 0) : v <= hi ? nonNull : 0;
  const below = clamp((v - lo) / (hi - lo));
  return nonNull * (op.startsWith('<') ? below : 1 - below);
}

function likeSelectivity(pattern: Expr): number {
  const p = pattern.kind === 'literal' ? pattern.text : null;
  if (p === null) return DEFAULT_LIKE_SELECTIVITY;
  if (!/[%_]/.test(p)) return DEFAULT_EQ_SELECTIVITY / 10;
  // A fixed prefix narrows like a range; a leading wildcard does not.
  return /^[%_]/.test(p) ? DEFAULT_LIKE_SELECTIVITY : DEFAULT_LIKE_SELECTIVITY / 2;
}

/** The share of rows (0..1) for which `e` is true, given estimates of the input's columns. */
export function selectivity(e: Expr, columns: readonly (ColumnEstimate | undefined)[]): number {
  const col = (i: number | undefined) => (i === undefined ? undefined : (columns[i] ?? {}));
  switch (e.kind) {
    case 'and':
      return e.args.reduce((s, a) => s * selectivity(a, columns), 1);
    case 'or':
      return e.args.reduce((s, a) => {
        const t = selectivity(a, columns);
        return s + t - s * t;
      }, 0);
    case 'not':
      return clamp(1 - selectivity(e.arg, columns));
    case 'literal':
      return e.text === 't' || e.text === 'true' ? 1 : 0;
    case 'isnull': {
      const c = col(columnOf(e.arg));
      const nf = c ? (c.nullFraction ?? DEFAULT_NULL_FRACTION) : DEFAULT_NULL_FRACTION;
      return e.negated ? 1 - nf : nf;
    }
    case 'call': {
      const op = operatorName(e) ?? '';
      if (op === '~~' || op === '~~*') return likeSelectivity(e.args[1]!);
      if (op === '!~~' || op === '!~~*') return 1 - likeSelectivity(e.args[1]!);
      if (!(op in FLIP) || e.args.length !== 2) return DEFAULT_SELECTIVITY;
      const [a, b] = e.args as [Expr, Expr];
      const ca = col(columnOf(a));
      const cb = col(columnOf(b));
      if (ca && cb) {
        const ndv = Math.max(ca.ndv ?? 0, cb.ndv ?? 0);
        return op === '=' ? (ndv ? 1 / ndv : DEFAULT_EQ_SELECTIVITY) : DEFAULT_RANGE_SELECTIVITY;
      }
      const ka = constantOf(a);
      const kb = constantOf(b);
      if (ca && kb) return clamp(comparison(op, ca, kb));
      if (cb && ka) return clamp(comparison(FLIP[op]!, cb, ka));
      return op === '=' ? DEFAULT_EQ_SELECTIVITY : DEFAULT_RANGE_SELECTIVITY;
    }
    case 'quantified': {
      // x = ANY (ARRAY[…]) is an IN list: one equality per element.
      const c = col(columnOf(e.arg));
      if (e.op !== '=' || e.all || e.array.kind !== 'array') return DEFAULT_SELECTIVITY;
      return clamp(e.array.elements.length * (c?.ndv ? (1 - (c.nullFraction ?? 0)) / c.ndv : DEFAULT_EQ_SELECTIVITY));
    }
    default:
      return DEFAULT_SELECTIVITY;
  }
}
