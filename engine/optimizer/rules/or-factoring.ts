/**
 * Pulls the conjuncts every branch of an OR shares out of it:
 * `(a AND b) OR (a AND c)` → `a AND (b OR c)` (valid in SQL's three-valued logic too). TPC-H
 * Q19 repeats `p_partkey = l_partkey` in each branch; once factored out, predicate pushdown
 * makes it the join's hash key instead of a nested loop over the whole OR.
 *
 * In filters it also adds what an OR implies about single columns: when every branch
 * constrains column c, `(c-conditions of branch 1) OR (c-conditions of branch 2) …` holds
 * for every row the OR keeps (`p_brand = 'Brand#12' OR p_brand = 'Brand#23' …` from Q19's
 * branches). The OR stays; the implied predicates are pushed down to scans and make joins
 * and dynamic filters selective.
 */
import { type Expr, conjuncts, exprChildren, mapExpr, referencedColumns, sameExpr } from '../../plan/expr.js';
import { scalarById } from '../../functions/registry.js';
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

/** Conjuncts a filter's ORs imply about single columns, not already among its conjuncts. */
function impliedByDisjunctions(predicate: Expr): Expr[] {
  const present = conjuncts(predicate);
  const out: Expr[] = [];
  for (const c of present) {
    if (c.kind !== 'or') continue;
    const branches = c.args.map(conjuncts);
    const byColumn = branches.map((b) => singleColumnConjuncts(b));
    for (const column of byColumn[0]!.keys()) {
      if (!byColumn.every((m) => m.has(column))) continue;
      const implied = disjunction(byColumn.map((m) => conjunction(m.get(column)!)!))!;
      if (![...present, ...out].some((x) => sameExpr(x, implied))) out.push(implied);
    }
  }
  return out;
}

/** A branch's conjuncts that read exactly one column and call nothing volatile, by that column. */
function singleColumnConjuncts(branch: readonly Expr[]): Map<number, Expr[]> {
  const out = new Map<number, Expr[]>();
  for (const c of branch) {
    const columns = referencedColumns(c);
    if (columns.size !== 1 || !deterministic(c)) continue;
    const [column] = columns;
    out.set(column!, [...(out.get(column!) ?? []), c]);
  }
  return out;
}

function deterministic(e: Expr): boolean {
  if (e.kind === 'call' && scalarById(e.fn)?.volatility === 'volatile') return false;
  return exprChildren(e).every(deterministic);
}

function rewrite(plan: LogicalPlan): LogicalPlan {
  let own = mapPlanExprs(plan, (e) => mapExpr(e, factor));
  if (own.kind === 'filter') {
    const implied = impliedByDisjunctions(own.predicate);
    if (implied.length > 0) own = { ...own, predicate: conjunction([own.predicate, ...implied])! };
  }
  return withInputs(own, planInputs(own).map(rewrite));
}

export const orFactoring: OptimizerRule = {
  name: 'or_factoring',
  description: 'pull conjuncts common to every branch of an OR out of it',
  rewrite,
};
