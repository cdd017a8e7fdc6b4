/** Small helpers the rules share for building predicates. */
import { type Expr, sameExpr } from '../plan/expr.js';
import { T } from '../types/pg-type.js';

/** The AND of `parts` (flattened), or null for none. */
export function conjunction(parts: readonly Expr[]): Expr | null {
  const flat = parts.flatMap((p) => (p.kind === 'and' ? p.args : [p]));
  return flat.length === 0 ? null : flat.length === 1 ? flat[0]! : { kind: 'and', args: flat, type: T.bool };
}

/** The OR of `parts`, or null for none. */
export function disjunction(parts: readonly Expr[]): Expr | null {
  return parts.length === 0 ? null : parts.length === 1 ? parts[0]! : { kind: 'or', args: parts, type: T.bool };
}

/** `list` without the expressions equal to one in `remove`. */
export const without = (list: readonly Expr[], remove: readonly Expr[]): Expr[] => list.filter((e) => !remove.some((r) => sameExpr(e, r)));
