/**
 * Drops columns nobody reads: scans produce only the columns that later nodes use, and
 * projections compute only the expressions that are used. Column references are renumbered.
 */
import { type Expr, referencedColumns, remapColumns } from '../../plan/expr.js';
import { type LogicalPlan, mapPlanExprs, planInputs, withInputs } from '../../plan/plan.js';
import type { OptimizerRule } from '../rule.js';

interface Pruned {
  readonly plan: LogicalPlan;
  /** Old output position → new output position, for every position that was required. */
  readonly mapping: Map<number, number>;
}

const identity = (n: number) => new Map(Array.from({ length: n }, (_, i) => [i, i] as [number, number]));
const union = (a: Iterable<number>, exprs: readonly Expr[]) => {
  const s = new Set(a);
  for (const e of exprs) referencedColumns(e, s);
  return s;
};
const remapAll = (exprs: readonly Expr[], m: Map<number, number>) => exprs.map((e) => remapColumns(e, (i) => m.get(i)!));

/** Every expression a node owns (not its inputs'). */
function ownExprs(plan: LogicalPlan): Expr[] {
  const out: Expr[] = [];
  mapPlanExprs(plan, (e) => (out.push(e), e));
  return out;
}

function prune(plan: LogicalPlan, required: Set<number>): Pruned {
  switch (plan.kind) {
    case 'scan': {
      const keep = [...required].sort((a, b) => a - b);
      if (keep.length === 0 && plan.columns.length > 0) keep.push(0);
      const mapping = new Map(keep.map((old, i) => [old, i] as [number, number]));
      return {
        plan: { ...plan, columns: keep.map((i) => plan.columns[i]!), schema: keep.map((i) => plan.schema[i]!) },
        mapping,
      };
    }
    case 'values':
      return { plan, mapping: identity(plan.schema.length) };
    case 'filter':
    case 'sort':
    case 'limit':
    case 'distinct_on':
    case 'single_row': {
      // Row-preserving shapes: output columns are the input's; own expressions need their columns too.
      const input = prune(plan.input, union(required, ownExprs(plan)));
      const rebuilt = mapPlanExprs({ ...plan, input: input.plan, schema: input.plan.schema } as LogicalPlan, (e) => remapAll([e], input.mapping)[0]!);
      return { plan: rebuilt, mapping: input.mapping };
    }
    case 'window': {
      const n = plan.input.schema.length;
      const input = prune(plan.input, union([...required].filter((c) => c < n), ownExprs(plan)));
      const kept = input.plan.schema.length;
      const mapping = new Map(input.mapping);
      plan.calls.forEach((_, i) => mapping.set(n + i, kept + i));
      const rebuilt = mapPlanExprs({ ...plan, input: input.plan, schema: [...input.plan.schema, ...plan.schema.slice(n)] }, (e) => remapAll([e], input.mapping)[0]!);
      return { plan: rebuilt, mapping };
    }
    case 'project': {
      const keep = [...required].sort((a, b) => a - b);
      const exprs = keep.map((i) => plan.exprs[i]!);
      const input = prune(plan.input, union([], exprs));
      return {
        plan: { ...plan, input: input.plan, exprs: remapAll(exprs, input.mapping), schema: keep.map((i) => plan.schema[i]!) },
        mapping: new Map(keep.map((old, i) => [old, i] as [number, number])),
      };
    }
    case 'join': {
      const nLeft = plan.left.schema.length;
      const needed = union(required, plan.condition ? [plan.condition] : []);
      const left = prune(plan.left, new Set([...needed].filter((c) => c < nLeft)));
      const right = prune(plan.right, new Set([...needed].filter((c) => c >= nLeft).map((c) => c - nLeft)));
      const newLeft = left.plan.schema.length;
      const mapping = new Map<number, number>();
      for (const [o, n] of left.mapping) mapping.set(o, n);
      for (const [o, n] of right.mapping) mapping.set(o + nLeft, n + newLeft);
      const condition = plan.condition ? remapColumns(plan.condition, (i) => mapping.get(i)!) : null;
      return {
        plan: {
          ...plan,
          left: left.plan,
          right: right.plan,
          condition,
          // Semi and anti joins output the left columns only.
          schema: plan.joinType === 'semi' || plan.joinType === 'anti' ? left.plan.schema : [...left.plan.schema, ...right.plan.schema],
        },
        mapping,
      };
    }
    case 'aggregate': {
      const input = prune(plan.input, union([], ownExprs(plan)));
      const rebuilt = mapPlanExprs({ ...plan, input: input.plan }, (e) => remapAll([e], input.mapping)[0]!);
      return { plan: rebuilt, mapping: identity(plan.schema.length) };
    }
    default: {
      // Nodes that need every input column keep them; their inputs are pruned on their own.
      const inputs = planInputs(plan).map((i) => prune(i, new Set(i.schema.map((_, k) => k))).plan);
      return { plan: withInputs(plan, inputs), mapping: identity(plan.schema.length) };
    }
  }
}

export const projectionPruning: OptimizerRule = {
  name: 'projection_pruning',
  description: 'read and compute only the columns that are used',
  rewrite(plan) {
    const all = new Set(plan.schema.map((_, i) => i));
    const pruned = prune(plan, all);
    // The root keeps every output column in order, so its mapping is the identity.
    return pruned.plan;
  },
};
