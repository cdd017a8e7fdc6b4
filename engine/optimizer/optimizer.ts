/** Runs the optimizer rules in order, skipping those named in `disabled`, tracing each if asked. */
import type { EvalContext } from '../functions/registry.js';
import type { LogicalPlan } from '../plan/plan.js';
import { Estimator } from './cost/estimator.js';
import type { OptimizerRule, RuleTrace } from './rule.js';
import { constantFolding } from './rules/constant-folding.js';
import { connectorPushdown, type PushdownContext } from './rules/connector-pushdown.js';
import { joinDistribution } from './rules/join-distribution.js';
import { joinReordering } from './rules/join-reordering.js';
import { limitPushdown } from './rules/limit-pushdown.js';
import { orFactoring } from './rules/or-factoring.js';
import { outerJoinSimplification } from './rules/outer-join-simplification.js';
import { predicatePushdown } from './rules/predicate-pushdown.js';
import { projectionPruning } from './rules/projection-pruning.js';
import { noStatistics, type StatsLookup } from './statistics/stats-lookup.js';

/** The rules, in the order they run. */
export const optimizerRules: readonly OptimizerRule[] = [
  constantFolding,
  orFactoring,
  outerJoinSimplification,
  predicatePushdown,
  limitPushdown,
  joinReordering,
  projectionPruning,
  connectorPushdown,
  joinDistribution,
];

export interface OptimizeOptions {
  /** Table statistics for the plan's scans (see `collectStatistics`). */
  readonly stats?: StatsLookup;
  /** Rule names to skip (`lakegate.disabled_rules`). */
  readonly disabled?: ReadonlySet<string>;
  readonly trace?: RuleTrace;
  readonly pushdown?: PushdownContext;
}

export function optimize(plan: LogicalPlan, ctx: EvalContext, options: OptimizeOptions = {}): LogicalPlan {
  const ruleContext = { eval: ctx, estimator: new Estimator(options.stats ?? noStatistics), ...(options.pushdown ? { pushdown: options.pushdown } : {}) };
  let p = plan;
  for (const rule of optimizerRules) {
    const disabled = options.disabled?.has(rule.name) === true;
    const next = disabled ? p : rule.rewrite(p, ruleContext);
    options.trace?.(rule, p, next, disabled);
    p = next;
  }
  return p;
}
