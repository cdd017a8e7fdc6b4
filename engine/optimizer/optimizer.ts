/** Runs the optimizer rules in order, skipping those named in `disabled`. */
import type { EvalContext } from '../functions/registry.js';
import type { LogicalPlan } from '../plan/plan.js';
import type { OptimizerRule } from './rule.js';
import { constantFolding } from './rules/constant-folding.js';
import { predicatePushdown } from './rules/predicate-pushdown.js';
import { projectionPruning } from './rules/projection-pruning.js';

/** The rules, in the order they run; constant folding evaluates in the session's settings. */
export const optimizerRules = (ctx: EvalContext): readonly OptimizerRule[] => [constantFolding(ctx), predicatePushdown, projectionPruning];

export function optimize(plan: LogicalPlan, ctx: EvalContext, disabled: ReadonlySet<string> = new Set()): LogicalPlan {
  let p = plan;
  for (const rule of optimizerRules(ctx)) if (!disabled.has(rule.name)) p = rule.rewrite(p);
  return p;
}
