/** Runs the optimizer rules in order, skipping those named in `disabled`. */
import type { LogicalPlan } from '../plan/plan.js';
import type { OptimizerRule } from './rule.js';
import { predicatePushdown } from './rules/predicate-pushdown.js';
import { projectionPruning } from './rules/projection-pruning.js';

export const optimizerRules: readonly OptimizerRule[] = [predicatePushdown, projectionPruning];

export function optimize(plan: LogicalPlan, disabled: ReadonlySet<string> = new Set()): LogicalPlan {
  let p = plan;
  for (const rule of optimizerRules) if (!disabled.has(rule.name)) p = rule.rewrite(p);
  return p;
}
