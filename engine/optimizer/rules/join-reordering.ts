/**
 * Cost-based join order. A tree of inner and cross joins is flattened into its relations and
 * the conjuncts of its conditions; then the cheapest tree is chosen — by dynamic programming
 * over subsets for up to MAX_DP_RELATIONS relations (bushy trees, both orientations of every
 * join), greedily above that — using the estimator's row counts and costs. The cost counts a
 * build-side row BUILD_WEIGHT times a probe-side row, so the smaller input ends up on the
 * right, the side JoinExec builds its hash table on. A cross join is only chosen when no
 * connected order exists. A projection above restores the original column order.
 */
import { type Expr, type ColumnExpr, conjuncts, referencedColumns, remapColumns, shiftColumns } from '../../plan/expr.js';
import { type JoinNode, type LogicalPlan, planInputs, withInputs } from '../../plan/plan.js';
import type { Estimator } from '../cost/estimator.js';
import { conjunction } from '../predicates.js';
import type { OptimizerRule } from '../rule.js';

export const MAX_DP_RELATIONS = 8;

/** A (partial) join tree over a set of relations. */
interface Part {
  readonly plan: LogicalPlan;
  /** Bit i: relation i is in this tree. */
  readonly set: number;
  /** Output position → column number in the flattened join's schema. */
  readonly columns: readonly number[];
  readonly crossJoins: number;
  readonly cost: number;
}

/** A conjunct over the flattened join's columns, and the relations it reads. */
interface Predicate {
  readonly expr: Expr;
  readonly set: number;
}

const isInnerJoin = (p: LogicalPlan): p is JoinNode => p.kind === 'join' && (p.joinType === 'inner' || p.joinType === 'cross');

function flatten(plan: LogicalPlan, offset: number, relations: LogicalPlan[], conditions: Expr[]): void {
  if (isInnerJoin(plan)) {
    flatten(plan.left, offset, relations, conditions);
    flatten(plan.right, offset + plan.left.schema.length, relations, conditions);
    for (const c of plan.condition ? conjuncts(plan.condition) : []) conditions.push(shiftColumns(c, offset));
  } else {
    relations.push(plan);
  }
}

const better = (a: Part, b: Part | undefined) => !b || a.crossJoins < b.crossJoins || (a.crossJoins === b.crossJoins && a.cost < b.cost);

class Planner {
  constructor(
    private readonly predicates: readonly Predicate[],
    private readonly estimator: Estimator,
  ) {}

  /** `left` joined with `right` (the build side) under the predicates that first span both. */
  combine(left: Part, right: Part): Part {
    const set = left.set | right.set;
    const spanning = this.predicates.filter((p) => (p.set & set) === p.set && (p.set & left.set) !== p.set && (p.set & right.set) !== p.set);
    const columns = [...left.columns, ...right.columns];
    const position = new Map(columns.map((c, i) => [c, i] as [number, number]));
    const condition = conjunction(spanning.map((p) => remapColumns(p.expr, (c) => position.get(c)!)));
    const plan: JoinNode = {
      kind: 'join',
      joinType: condition ? 'inner' : 'cross',
      left: left.plan,
      right: right.plan,
      condition,
      schema: [...left.plan.schema, ...right.plan.schema],
    };
    const crossJoins = left.crossJoins + right.crossJoins + (spanning.length > 0 ? 0 : 1);
    return { plan, set, columns, crossJoins, cost: this.estimator.estimate(plan).cost };
  }

  /** Every subset's best tree, smallest subsets first. */
  dynamic(leaves: readonly Part[]): Part {
    const best: (Part | undefined)[] = [];
    leaves.forEach((leaf) => (best[leaf.set] = leaf));
    const full = (1 << leaves.length) - 1;
    for (let set = 1; set <= full; set++) {
      if ((set & (set - 1)) === 0) continue;
      for (let left = (set - 1) & set; left > 0; left = (left - 1) & set) {
        const candidate = this.combine(best[left]!, best[set ^ left]!);
        if (better(candidate, best[set])) best[set] = candidate;
      }
    }
    return best[full]!;
  }

  /** Repeatedly joins the pair of trees whose join is cheapest. */
  greedy(leaves: readonly Part[]): Part {
    const parts = [...leaves];
    while (parts.length > 1) {
      let pick: { part: Part; i: number; j: number } | undefined;
      for (let i = 0; i < parts.length; i++) {
        for (let j = 0; j < parts.length; j++) {
          if (i === j) continue;
          const part = this.combine(parts[i]!, parts[j]!);
          if (better(part, pick?.part)) pick = { part, i, j };
        }
      }
      parts.splice(Math.max(pick!.i, pick!.j), 1);
      parts.splice(Math.min(pick!.i, pick!.j), 1, pick!.part);
    }
    return parts[0]!;
  }
}

function reorder(join: JoinNode, estimator: Estimator): LogicalPlan {
  const relations: LogicalPlan[] = [];
  const conditions: Expr[] = [];
  flatten(join, 0, relations, conditions);
  const starts: number[] = [];
  relations.reduce((offset, r) => (starts.push(offset), offset + r.schema.length), 0);
  const relationOf = (column: number) => starts.findLastIndex((s) => s <= column);
  const local: Expr[][] = relations.map(() => []);
  const predicates: Predicate[] = [];
  const constant: Expr[] = [];
  for (const c of conditions) {
    const set = [...referencedColumns(c)].reduce((s, col) => s | (1 << relationOf(col)), 0);
    if (set === 0) constant.push(c);
    else if ((set & (set - 1)) === 0) {
      const r = relationOf([...referencedColumns(c)][0]!);
      local[r]!.push(shiftColumns(c, -starts[r]!));
    } else predicates.push({ expr: c, set });
  }
  const leaves: Part[] = relations.map((r, i) => {
    const inner = rewrite(r, estimator);
    const predicate = conjunction(local[i]!);
    const plan: LogicalPlan = predicate ? { kind: 'filter', input: inner, predicate, schema: inner.schema } : inner;
    return { plan, set: 1 << i, columns: r.schema.map((_, k) => starts[i]! + k), crossJoins: 0, cost: estimator.estimate(plan).cost };
  });
  const planner = new Planner(predicates, estimator);
  const root = leaves.length <= MAX_DP_RELATIONS ? planner.dynamic(leaves) : planner.greedy(leaves);
  const predicate = conjunction(constant);
  const joined: LogicalPlan = predicate ? { kind: 'filter', input: root.plan, predicate, schema: root.plan.schema } : root.plan;
  if (root.columns.every((c, i) => c === i)) return joined;
  const position = new Map(root.columns.map((c, i) => [c, i] as [number, number]));
  const exprs = join.schema.map((f, c): ColumnExpr => ({ kind: 'column', index: position.get(c)!, type: f.type }));
  return { kind: 'project', input: joined, exprs, schema: join.schema };
}

function rewrite(plan: LogicalPlan, estimator: Estimator): LogicalPlan {
  if (isInnerJoin(plan)) return reorder(plan, estimator);
  return withInputs(plan, planInputs(plan).map((i) => rewrite(i, estimator)));
}

export const joinReordering: OptimizerRule = {
  name: 'join_reordering',
  description: 'choose the cheapest order of inner joins from estimated cardinalities, the smaller input as build side',
  rewrite: (plan, ctx) => rewrite(plan, ctx.estimator),
};
