/**
 * Moves filters toward the scans: WHERE conjuncts that read one side of an inner or cross join
 * go below it, conjuncts that read both sides become the join condition (a cross join with an
 * equality becomes an inner join the executor can hash). Outer joins only take conjuncts over
 * their preserved side.
 */
import { type Expr, conjuncts, referencedColumns, shiftColumns } from '../../plan/expr.js';
import { type JoinNode, type LogicalPlan, planInputs, withInputs } from '../../plan/plan.js';
import { T } from '../../types/pg-type.js';
import type { OptimizerRule } from '../rule.js';

const and = (parts: Expr[]): Expr | null => (parts.length === 0 ? null : parts.length === 1 ? parts[0]! : { kind: 'and', args: parts, type: T.bool });

function withFilter(plan: LogicalPlan, parts: Expr[]): LogicalPlan {
  const predicate = and(parts);
  return predicate ? push(plan, conjuncts(predicate)) : rewrite(plan);
}

/** Places `parts` (over plan's output) as deep as they can go. */
function push(plan: LogicalPlan, parts: Expr[]): LogicalPlan {
  if (plan.kind === 'filter') return push(plan.input, [...conjuncts(plan.predicate), ...parts]);
  if (plan.kind === 'join') return pushIntoJoin(plan, parts);
  const inner = rewrite(plan);
  const predicate = and(parts);
  return predicate ? { kind: 'filter', input: inner, predicate, schema: inner.schema } : inner;
}

function pushIntoJoin(join: JoinNode, parts: Expr[]): LogicalPlan {
  const nLeft = join.left.schema.length;
  const leftParts: Expr[] = [];
  const rightParts: Expr[] = [];
  const joinParts: Expr[] = [];
  const above: Expr[] = [];
  const innerLike = join.joinType === 'inner' || join.joinType === 'cross';
  const candidates = innerLike && join.condition ? [...parts, ...conjuncts(join.condition)] : parts;
  for (const p of candidates) {
    const cols = [...referencedColumns(p)];
    const onlyLeft = cols.every((c) => c < nLeft);
    const onlyRight = cols.length > 0 && cols.every((c) => c >= nLeft);
    if (onlyLeft && cols.length > 0 && (innerLike || join.joinType === 'left')) leftParts.push(p);
    else if (onlyRight && (innerLike || join.joinType === 'right')) rightParts.push(shiftColumns(p, -nLeft));
    else if (innerLike) joinParts.push(p);
    else above.push(p);
  }
  const condition = innerLike ? and(joinParts) : join.condition;
  const joined: LogicalPlan = {
    ...join,
    joinType: innerLike ? (condition ? 'inner' : 'cross') : join.joinType,
    left: withFilter(join.left, leftParts),
    right: withFilter(join.right, rightParts),
    condition: innerLike ? condition : pushOuterCondition(join),
  };
  const rest = and(above);
  return rest ? { kind: 'filter', input: joined, predicate: rest, schema: joined.schema } : joined;
}

/** An outer join's own condition stays as it is (it decides which rows are NULL-extended). */
const pushOuterCondition = (join: JoinNode): Expr | null => join.condition;

function rewrite(plan: LogicalPlan): LogicalPlan {
  switch (plan.kind) {
    case 'filter':
      return push(plan.input, conjuncts(plan.predicate));
    case 'join':
      return pushIntoJoin(plan, []);
    default:
      return withInputs(plan, planInputs(plan).map(rewrite));
  }
}

export const predicatePushdown: OptimizerRule = {
  name: 'predicate_pushdown',
  description: 'push filters below joins and turn cross joins with join predicates into inner joins',
  rewrite,
};
