/**
 * Moves LIMIT toward the data: below projections (which keep one output row per input row),
 * and into each input of UNION ALL (each needs at most LIMIT + OFFSET rows).
 */
import type { Expr } from '../../plan/expr.js';
import { type LimitNode, type LogicalPlan, planInputs, withInputs } from '../../plan/plan.js';
import { T } from '../../types/pg-type.js';
import type { OptimizerRule } from '../rule.js';

const literalInt = (e: Expr | null): number | undefined => (e?.kind === 'literal' && e.text !== null && /^\d+$/.test(e.text) ? Number(e.text) : undefined);

/** LIMIT count + offset as one literal, when both are known. */
function rowsNeeded(limit: LimitNode): Expr | undefined {
  const count = literalInt(limit.count);
  const offset = limit.offset ? literalInt(limit.offset) : 0;
  return count === undefined || offset === undefined ? undefined : { kind: 'literal', text: String(count + offset), type: T.int8 };
}

const limited = (input: LogicalPlan, count: Expr): LogicalPlan =>
  input.kind === 'limit' && literalInt(input.count) !== undefined && input.offset === null && literalInt(input.count)! <= literalInt(count)!
    ? input
    : { kind: 'limit', input, count, offset: null, schema: input.schema };

function pushLimit(limit: LimitNode): LogicalPlan {
  const input = limit.input;
  if (limit.withTies) return { ...limit, input: rewrite(input) };
  if (input.kind === 'project') return { ...input, input: pushLimit({ ...limit, input: input.input, schema: input.input.schema }) };
  const needed = rowsNeeded(limit);
  if (input.kind === 'setop' && input.op === 'union' && input.all && needed) {
    return { ...limit, input: { ...input, left: limited(rewrite(input.left), needed), right: limited(rewrite(input.right), needed) } };
  }
  return { ...limit, input: rewrite(input) };
}

function rewrite(plan: LogicalPlan): LogicalPlan {
  if (plan.kind === 'limit') return pushLimit(plan);
  return withInputs(plan, planInputs(plan).map(rewrite));
}

export const limitPushdown: OptimizerRule = {
  name: 'limit_pushdown',
  description: 'push LIMIT below projections and into the inputs of UNION ALL',
  rewrite,
};
