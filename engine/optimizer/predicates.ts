/** Small helpers the rules share for building predicates. */
import { type Expr, sameExpr } from '../plan/expr.js';
import { T } from '../types/pg-type.js';

export { conjunction } from '../plan/expr.js';

/** The OR of `parts`, or null for none. */
export function disjunction(parts: readonly Expr[]): Expr | null {
  return parts.length === 0 ? null : parts.length === 1 ? parts[0]! : { kind: 'or', args: parts, type: T.bool };
}

/** `list` without the expressions equal to one in `remove`. */
export const without = (list: readonly Expr[], remove: readonly Expr[]): Expr[] => list.filter((e) => !remove.some((r) => sameExpr(e, r)));
