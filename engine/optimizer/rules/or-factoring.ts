/**
 * Pulls the conjuncts every branch of an OR shares out of it:
 * `(a AND b) OR (a AND c)` → `a AND (b OR c)` (valid in SQL's three-valued logic too). TPC-H
 * Q19 repeats `p_partkey = l_partkey` in each branch; once factored out, predicate pushdown
 * makes it the join's hash key instead of a nested loop over the whole OR.
 */
import { type Expr, conjuncts, mapExpr, sameExpr } from '../../plan/expr.js';
import { type LogicalPlan, mapPlanExprs, planInputs, withInputs } from '../../plan/plan.js';
import { conjunction, disjunction, without } from '../predicates.js';
import type { OptimizerRule } from '../rule.js';

function factor(e: Expr): Expr {
  if (e.kind !== 'or') return e;
  const branches = e.args.map(conjuncts);
  const common = branches[0]!.filter((c, i, all) => all.findIndex((x) => sameExpr(x, c)) === i && branches.every((b) => b.some((x) => sameExpr(x, c))));
  if (common.length === 0) return e;
  const rests = branches.map((b) => without(b, common));
  // A branch left empty is TRUE, so the whole OR is.
  const rest = rests.some((r) => r.length === 0) ? null : disjunction(rests.map((r) => conjunction(r)!));
  return conjunction(rest ? [...common, rest] : common)!;
}

function rewrite(plan: LogicalPlan): LogicalPlan {
  const own = mapPlanExprs(plan, (e) => mapExpr(e, factor));
  return withInputs(own, planInputs(own).map(rewrite));
}

export const orFactoring: OptimizerRule = {
  name: 'or_factoring',
  description: 'pull conjuncts common to every branch of an OR out of it',
  rewrite,
};
