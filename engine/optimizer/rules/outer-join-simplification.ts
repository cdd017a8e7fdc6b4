/**
 * An outer join whose NULL-extended rows are all removed above it is not outer: when a WHERE
 * (or an inner join's condition) is false or unknown for a NULL in some column of the
 * nullable side, `LEFT` becomes `INNER`, and `FULL` becomes `LEFT`, `RIGHT` or `INNER`.
 * A predicate rejects NULLs of a column when it is a conjunct of strict calls, comparisons
 * or IS NOT NULL over it (for an OR: when every branch does).
 */
import { scalarById } from '../../functions/registry.js';
import { type Expr, conjuncts } from '../../plan/expr.js';
import { type JoinNode, type JoinType, type LogicalPlan, planInputs, withInputs } from '../../plan/plan.js';
import type { OptimizerRule } from '../rule.js';

/** Columns whose NULL makes `e` NULL (strict paths from the root). */
function strictColumns(e: Expr, into: Set<number>): Set<number> {
  if (e.kind === 'column') into.add(e.index);
  else if (e.kind === 'cast') strictColumns(e.arg, into);
  else if (e.kind === 'call' && scalarById(e.fn)?.strict === true) for (const a of e.args) strictColumns(a, into);
  return into;
}

/** Columns for which a NULL makes `predicate` not true. */
export function nullRejectedColumns(predicate: Expr): Set<number> {
  const out = new Set<number>();
  for (const c of conjuncts(predicate)) {
    if (c.kind === 'isnull' && c.negated) strictColumns(c.arg, out);
    else if (c.kind === 'or') {
      const sets = c.args.map(nullRejectedColumns);
      for (const col of sets[0] ?? []) if (sets.every((s) => s.has(col))) out.add(col);
    } else if (c.kind !== 'not' && c.kind !== 'isnull') strictColumns(c, out);
  }
  return out;
}

function simplifiedType(type: JoinType, leftRejected: boolean, rightRejected: boolean): JoinType {
  if (type === 'left' && rightRejected) return 'inner';
  if (type === 'right' && leftRejected) return 'inner';
  if (type === 'full') return leftRejected && rightRejected ? 'inner' : leftRejected ? 'left' : rightRejected ? 'right' : 'full';
  return type;
}

function join(plan: JoinNode, rejected: Set<number>): LogicalPlan {
  const nLeft = plan.left.schema.length;
  const has = (pred: (c: number) => boolean) => [...rejected].some(pred);
  const joinType = simplifiedType(plan.joinType, has((c) => c < nLeft), has((c) => c >= nLeft));
  // A join's own condition rejects NULLs of the side whose unmatched rows it drops.
  const own = plan.condition ? nullRejectedColumns(plan.condition) : new Set<number>();
  const fromCondition = (c: number) =>
    joinType === 'inner' || joinType === 'cross' || joinType === 'semi' || (c < nLeft ? joinType === 'right' : joinType === 'left' || joinType === 'anti');
  const all = [...rejected, ...[...own].filter(fromCondition)];
  const left = new Set(all.filter((c) => c < nLeft));
  const right = new Set(all.filter((c) => c >= nLeft).map((c) => c - nLeft));
  return { ...plan, joinType, left: simplify(plan.left, left), right: simplify(plan.right, joinType === 'semi' || joinType === 'anti' ? new Set() : right) };
}

/** `rejected`: output columns whose NULL rows are removed somewhere above `plan`. */
function simplify(plan: LogicalPlan, rejected: Set<number>): LogicalPlan {
  switch (plan.kind) {
    case 'filter':
      return { ...plan, input: simplify(plan.input, new Set([...rejected, ...nullRejectedColumns(plan.predicate)])) };
    case 'join':
      return join(plan, rejected);
    case 'project': {
      const below = new Set<number>();
      for (const c of rejected) {
        const e = plan.exprs[c];
        if (e?.kind === 'column') below.add(e.index);
      }
      return { ...plan, input: simplify(plan.input, below) };
    }
    default:
      return withInputs(plan, planInputs(plan).map((i) => simplify(i, new Set())));
  }
}

export const outerJoinSimplification: OptimizerRule = {
  name: 'outer_join_simplification',
  description: 'turn outer joins whose NULL-extended rows a filter removes into inner (or left/right) joins',
  rewrite: (plan) => simplify(plan, new Set()),
};
