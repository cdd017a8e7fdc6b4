/**
 * Bound expressions: typed, resolved, and plain JSON. Column references are positions in the
 * input schema of the plan node that owns the expression. Literals keep PostgreSQL's text form
 * (or null) so a plan can be shipped to a worker as JSON and parsed there once.
 */
import { T, type PgType } from '../types/pg-type.js';

export type Expr =
  | ColumnExpr
  | LiteralExpr
  | ParamExpr
  | CallExpr
  | CastExpr
  | BoolExpr
  | NotExpr
  | IsNullExpr
  | CaseExpr
  | CoalesceExpr
  | InitPlanExpr
  | ArrayExpr
  | SubscriptExpr
  | QuantifiedExpr;

/** ARRAY[e1, e2, …]: a one-dimensional array of the elements' common type. */
export interface ArrayExpr {
  readonly kind: 'array';
  readonly elements: readonly Expr[];
  readonly type: PgType;
}

/** arr[i]: 1-based; NULL when out of range. */
export interface SubscriptExpr {
  readonly kind: 'subscript';
  readonly arg: Expr;
  readonly index: Expr;
  readonly type: PgType;
}

/** x op ANY (array) / x op ALL (array) for a comparison operator, with SQL's NULL rules. */
export interface QuantifiedExpr {
  readonly kind: 'quantified';
  readonly op: '=' | '<>' | '<' | '<=' | '>' | '>=';
  readonly all: boolean;
  readonly arg: Expr;
  readonly array: Expr;
  readonly type: PgType;
}

/**
 * The value of an uncorrelated scalar subquery, computed once before the statement runs
 * (PostgreSQL's InitPlan). `id` indexes the statement's list of init plans.
 */
export interface InitPlanExpr {
  readonly kind: 'init_plan';
  readonly id: number;
  readonly type: PgType;
}

export interface ColumnExpr {
  readonly kind: 'column';
  readonly index: number;
  readonly type: PgType;
}

export interface LiteralExpr {
  readonly kind: 'literal';
  /** The value in PostgreSQL text form, or null for NULL. */
  readonly text: string | null;
  readonly type: PgType;
}

export interface ParamExpr {
  readonly kind: 'param';
  /** Zero-based: $1 is 0. */
  readonly index: number;
  readonly type: PgType;
}

/** A call of a scalar function or operator from the registry, by its unique id. */
export interface CallExpr {
  readonly kind: 'call';
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly type: PgType;
}

export interface CastExpr {
  readonly kind: 'cast';
  readonly arg: Expr;
  readonly type: PgType;
  /** An assignment cast (a value stored by INSERT): a string too long for varchar(n)/char(n) fails with 22001 instead of being cut. */
  readonly assignment?: boolean;
}

export interface BoolExpr {
  readonly kind: 'and' | 'or';
  readonly args: readonly Expr[];
  readonly type: PgType;
}

export interface NotExpr {
  readonly kind: 'not';
  readonly arg: Expr;
  readonly type: PgType;
}

export interface IsNullExpr {
  readonly kind: 'isnull';
  readonly arg: Expr;
  readonly negated: boolean;
  readonly type: PgType;
}

export interface CaseExpr {
  readonly kind: 'case';
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly otherwise: Expr | null;
  readonly type: PgType;
}

export interface CoalesceExpr {
  readonly kind: 'coalesce';
  readonly args: readonly Expr[];
  readonly type: PgType;
}

/** The direct children of an expression. */
export function exprChildren(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'param':
    case 'init_plan':
      return [];
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return e.args;
    case 'cast':
    case 'not':
    case 'isnull':
      return [e.arg];
    case 'array':
      return e.elements;
    case 'subscript':
      return [e.arg, e.index];
    case 'quantified':
      return [e.arg, e.array];
    case 'case':
      return [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.otherwise ? [e.otherwise] : [])];
  }
}

/** Rebuilds an expression bottom-up, letting `fn` replace any node (children first). */
export function mapExpr(e: Expr, fn: (e: Expr) => Expr): Expr {
  const m = (x: Expr) => mapExpr(x, fn);
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'param':
    case 'init_plan':
      return fn(e);
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return fn({ ...e, args: e.args.map(m) });
    case 'cast':
    case 'not':
    case 'isnull':
      return fn({ ...e, arg: m(e.arg) });
    case 'array':
      return fn({ ...e, elements: e.elements.map(m) });
    case 'subscript':
      return fn({ ...e, arg: m(e.arg), index: m(e.index) });
    case 'quantified':
      return fn({ ...e, arg: m(e.arg), array: m(e.array) });
    case 'case':
      return fn({
        ...e,
        whens: e.whens.map((w) => ({ when: m(w.when), then: m(w.then) })),
        otherwise: e.otherwise ? m(e.otherwise) : null,
      });
  }
}

/** Column positions an expression reads. */
export function referencedColumns(e: Expr, into = new Set<number>()): Set<number> {
  if (e.kind === 'column') into.add(e.index);
  for (const c of exprChildren(e)) referencedColumns(c, into);
  return into;
}

export const sameExpr = (a: Expr, b: Expr): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Replaces the direct children of an expression (one level, no recursion). */
export function mapChildren(e: Expr, fn: (e: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'column':
    case 'literal':
    case 'param':
    case 'init_plan':
      return e;
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return { ...e, args: e.args.map(fn) };
    case 'cast':
    case 'not':
    case 'isnull':
      return { ...e, arg: fn(e.arg) };
    case 'array':
      return { ...e, elements: e.elements.map(fn) };
    case 'subscript':
      return { ...e, arg: fn(e.arg), index: fn(e.index) };
    case 'quantified':
      return { ...e, arg: fn(e.arg), array: fn(e.array) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: fn(w.when), then: fn(w.then) })), otherwise: e.otherwise ? fn(e.otherwise) : null };
  }
}

/** Shifts every column reference by `offset` (e.g. to address the right side of a join). */
export const shiftColumns = (e: Expr, offset: number): Expr =>
  mapExpr(e, (x) => (x.kind === 'column' ? { ...x, index: x.index + offset } : x));

/** Renumbers column references through `mapping` (old index → new index). */
export const remapColumns = (e: Expr, mapping: (index: number) => number): Expr =>
  mapExpr(e, (x) => (x.kind === 'column' ? { ...x, index: mapping(x.index) } : x));

/** The AND of `parts` (flattened), or null for none. */
export function conjunction(parts: readonly Expr[]): Expr | null {
  const flat = parts.flatMap((p) => (p.kind === 'and' ? p.args : [p]));
  return flat.length === 0 ? null : flat.length === 1 ? flat[0]! : { kind: 'and', args: flat, type: T.bool };
}

/** Splits a predicate into its AND-ed parts. */
export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}
