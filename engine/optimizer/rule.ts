/** Optimizer rules are named plan rewrites, run in order; any can be switched off by name. */
import type { LogicalPlan } from '../plan/plan.js';

export interface OptimizerRule {
  readonly name: string;
  readonly description: string;
  rewrite(plan: LogicalPlan): LogicalPlan;
}
