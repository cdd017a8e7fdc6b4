/**
 * Moves filters toward the scans: WHERE conjuncts that read one side of an inner or cross join
 * go below it, conjuncts that read both sides become the join condition (a cross join with an
 * equality becomes an inner join the executor can hash). Outer joins only take conjuncts over
 * their preserved side; semi and anti joins those over their (left) output. Filters also pass
 * below sorts, below projections of plain columns, and below aggregations when they read
 * group keys only (HAVING on a key). A row filter from access control (a policy filter) is
 * kept as it is: predicates stop above it, so it runs first.
 */
import { type Expr, conjuncts, mapExpr, referencedColumns, shiftColumns } from '../../plan/expr.js';
import { type AggregateNode, type JoinNode, type LogicalPlan, type ProjectNode, planInputs, withInputs } from '../../plan/plan.js';
import { conjunction } from '../predicates.js';
import type { OptimizerRule } from '../rule.js';

function withFilter(plan: LogicalPlan, parts: Expr[]): LogicalPlan {
  return parts.length > 0 ? push(plan, parts) : rewrite(plan);
}

const filterOver = (input: LogicalPlan, parts: Expr[]): LogicalPlan => {
  const predicate = conjunction(parts);
  return predicate ? { kind: 'filter', input, predicate, schema: input.schema } : input;
};

/**
 * Splits `parts` into those `through` can rewrite for the node's input (substituting each
 * column it reads) and those that must stay above.
 */
function passThrough(parts: Expr[], through: (column: number) => Expr | undefined, keepConstants: boolean): { below: Expr[]; above: Expr[] } {
  const below: Expr[] = [];
  const above: Expr[] = [];
  for (const p of parts) {
    const cols = [...referencedColumns(p)];
    if (!(keepConstants && cols.length === 0) && cols.every((c) => through(c) !== undefined)) below.push(mapExpr(p, (x) => (x.kind === 'column' ? through(x.index)! : x)));
    else above.push(p);
  }
  return { below, above };
}

const plainProjection = (p: ProjectNode) => (c: number) => {
  const e = p.exprs[c];
  return e && (e.kind === 'column' || e.kind === 'literal') ? e : undefined;
};

const groupKey = (a: AggregateNode) => (c: number) => (a.groupingSets === undefined && c < a.groupBy.length ? a.groupBy[c] : undefined);

/** Places `parts` (over plan's output) as deep as they can go. */
function push(plan: LogicalPlan, parts: Expr[]): LogicalPlan {
  switch (plan.kind) {
    case 'filter':
      if (plan.policy) return filterOver(rewrite(plan), parts);
      return push(plan.input, [...conjuncts(plan.predicate), ...parts]);
    case 'join':
      return pushIntoJoin(plan, parts);
    case 'sort':
      return { ...plan, input: push(plan.input, parts) };
    case 'project':
    case 'aggregate': {
      // A constant HAVING stays above: an aggregation without keys returns a row even for no input.
      const isAggregate = plan.kind === 'aggregate';
      const { below, above } = passThrough(parts, isAggregate ? groupKey(plan) : plainProjection(plan), isAggregate);
      return filterOver({ ...plan, input: withFilter(plan.input, below) }, above);
    }
    default:
      return filterOver(rewrite(plan), parts);
  }
}

function pushIntoJoin(join: JoinNode, parts: Expr[]): LogicalPlan {
  const nLeft = join.left.schema.length;
  const leftParts: Expr[] = [];
  const rightParts: Expr[] = [];
  const joinParts: Expr[] = [];
  const above: Expr[] = [];
  const innerLike = join.joinType === 'inner' || join.joinType === 'cross';
  // Rows of these joins' output are left input rows, so filtering the left input first is the same.
  const leftPreserving = innerLike || join.joinType === 'left' || join.joinType === 'semi' || join.joinType === 'anti';
  const candidates = innerLike && join.condition ? [...parts, ...conjuncts(join.condition)] : parts;
  for (const p of candidates) {
    const cols = [...referencedColumns(p)];
    const onlyLeft = cols.every((c) => c < nLeft);
    const onlyRight = cols.length > 0 && cols.every((c) => c >= nLeft);
    if (onlyLeft && cols.length > 0 && leftPreserving) leftParts.push(p);
    else if (onlyRight && (innerLike || join.joinType === 'right')) rightParts.push(shiftColumns(p, -nLeft));
    else if (innerLike) joinParts.push(p);
    else above.push(p);
  }
  // An outer join's own condition stays as it is (it decides which rows are NULL-extended).
  const condition = innerLike ? conjunction(joinParts) : join.condition;
  const joined: LogicalPlan = {
    ...join,
    joinType: innerLike ? (condition ? 'inner' : 'cross') : join.joinType,
    left: withFilter(join.left, leftParts),
    right: withFilter(join.right, rightParts),
    condition,
  };
  return filterOver(joined, above);
}

function rewrite(plan: LogicalPlan): LogicalPlan {
  switch (plan.kind) {
    case 'filter':
      if (plan.policy) return { ...plan, input: rewrite(plan.input) };
      return push(plan.input, conjuncts(plan.predicate));
    case 'join':
      return pushIntoJoin(plan, []);
    default:
      return withInputs(plan, planInputs(plan).map(rewrite));
  }
}

export const predicatePushdown: OptimizerRule = {
  name: 'predicate_pushdown',
  description: 'push filters below joins, sorts, projections and aggregations; turn cross joins with join predicates into inner joins',
  rewrite,
};
