/** Optimizer rules are named plan rewrites, run in order; any can be switched off by name. */
import type { EvalContext } from '../functions/registry.js';
import type { LogicalPlan } from '../plan/plan.js';
import type { Estimator } from './cost/estimator.js';
import type { PushdownContext } from './rules/connector-pushdown.js';

/** What a rule may consult: the session's evaluation settings and the cardinality estimator. */
export interface RuleContext {
  readonly eval: EvalContext;
  readonly estimator: Estimator;
  /** The connectors of the plan's catalogs, for connector_pushdown; absent: nothing is pushed. */
  readonly pushdown?: PushdownContext;
}

export interface OptimizerRule {
  readonly name: string;
  readonly description: string;
  rewrite(plan: LogicalPlan, ctx: RuleContext): LogicalPlan;
}

/** Called once per rule with the plan before and after it; `after` is `before` when the rule was disabled. */
export type RuleTrace = (rule: OptimizerRule, before: LogicalPlan, after: LogicalPlan, disabled: boolean) => void;
