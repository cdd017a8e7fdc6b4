/**
 * Evaluates expressions that read no columns or parameters and call only immutable functions,
 * once, at planning time — so `select 1/0` fails when the statement is prepared, as in
 * PostgreSQL, and rows do not recompute constants.
 */
import { scalarById, type EvalContext } from '../../functions/registry.js';
import { compileExpr } from '../../execution/expr/compile.js';
import { datumAt } from '../../execution/batch/vector.js';
import { type Expr, exprChildren, mapChildren } from '../../plan/expr.js';
import { type LogicalPlan, mapPlanExprs, planInputs, withInputs } from '../../plan/plan.js';
import { T } from '../../types/pg-type.js';
import { formatText } from '../../types/text-codec.js';
import type { OptimizerRule } from '../rule.js';

function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case 'column':
    case 'param':
    case 'init_plan':
      return false;
    case 'literal':
      return true;
    case 'call': {
      const fn = scalarById(e.fn);
      return fn !== undefined && fn.volatility === 'immutable' && e.args.every(isConstant);
    }
    default:
      return exprChildren(e).every(isConstant);
  }
}

function fold(e: Expr, ctx: EvalContext): Expr {
  if (e.kind === 'literal' || e.kind === 'column' || e.kind === 'param' || e.kind === 'init_plan') return e;
  if (e.type.oid !== T.unknown.oid && isConstant(e)) {
    const value = datumAt(compileExpr(e, ctx)({ length: 1, columns: [] }), 0);
    return { kind: 'literal', text: value === null ? null : formatText(e.type, value, ctx.format), type: e.type };
  }
  return mapChildren(e, (c) => fold(c, ctx));
}

function rewrite(plan: LogicalPlan, ctx: EvalContext): LogicalPlan {
  const folded = mapPlanExprs(plan, (e) => fold(e, ctx));
  return withInputs(folded, planInputs(plan).map((i) => rewrite(i, ctx)));
}

export const constantFolding: OptimizerRule = {
  name: 'constant_folding',
  description: 'evaluate constant expressions once, at planning time',
  rewrite: (plan, ctx) => rewrite(plan, ctx.eval),
};
