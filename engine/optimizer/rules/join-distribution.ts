/**
 * Chooses how each hash join's build side reaches the probe tasks, as Trino's
 * join_distribution_type=AUTOMATIC does: 'broadcast' (every task gets the whole build side)
 * while its estimated size stays under BROADCAST_MAX_BYTES, else 'partitioned' (both sides
 * hashed on the join keys). RIGHT and FULL joins must see every build row once, so they are
 * always partitioned. The choice is recorded on the JoinNode for EXPLAIN and the scheduler.
 */
import { type JoinNode, type LogicalPlan, planInputs, withInputs } from '../../plan/plan.js';
import { splitJoinCondition } from '../../scheduler/physical-planner.js';
import type { Estimator } from '../cost/estimator.js';
import type { OptimizerRule } from '../rule.js';

/** Trino's join_max_broadcast_table_size default. */
export const BROADCAST_MAX_BYTES = 100 * 1024 * 1024;

function chooseDistribution(join: JoinNode, estimator: Estimator): JoinNode['distribution'] {
  if (join.joinType === 'right' || join.joinType === 'full') return 'partitioned';
  const buildBytes = estimator.estimate(join.right).rows * estimator.rowWidth(join.right);
  return buildBytes <= BROADCAST_MAX_BYTES ? 'broadcast' : 'partitioned';
}

function rewrite(plan: LogicalPlan, estimator: Estimator): LogicalPlan {
  const p = withInputs(plan, planInputs(plan).map((i) => rewrite(i, estimator)));
  if (p.kind !== 'join' || splitJoinCondition(p).keys.left.length === 0) return p;
  return { ...p, distribution: chooseDistribution(p, estimator) };
}

export const joinDistribution: OptimizerRule = {
  name: 'join_distribution',
  description: 'choose broadcast or partitioned distribution for each hash join from the build side\'s estimated size',
  rewrite: (plan, ctx) => rewrite(plan, ctx.estimator),
};
