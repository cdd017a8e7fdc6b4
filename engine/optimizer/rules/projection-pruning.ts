/**
 * Drops columns nobody reads: scans produce only the columns that later nodes use, and
 * projections compute only the expressions that are used. Column references are renumbered.
 */
import { type Expr, referencedColumns, remapColumns } from '../../plan/expr.js';
import { type LogicalPlan, planInputs, withInputs } from '../../plan/plan.js';
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
    case 'filter': {
      const input = prune(plan.input, union(required, [plan.predicate]));
      const [predicate] = remapAll([plan.predicate], input.mapping);
      return { plan: { ...plan, input: input.plan, predicate: predicate!, schema: input.plan.schema }, mapping: input.mapping };
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
      const args = plan.aggregates.flatMap((a) => [...a.args, ...(a.filter ? [a.filter] : [])]);
      const input = prune(plan.input, union([], [...plan.groupBy, ...args]));
      const m = input.mapping;
      return {
        plan: {
          ...plan,
          input: input.plan,
          groupBy: remapAll(plan.groupBy, m),
          aggregates: plan.aggregates.map((a) => ({ ...a, args: remapAll(a.args, m), filter: a.filter ? remapAll([a.filter], m)[0]! : null })),
        },
        mapping: identity(plan.schema.length),
      };
    }
    case 'sort': {
      const input = prune(plan.input, union(required, plan.keys.map((k) => k.expr)));
      const keys = plan.keys.map((k) => ({ ...k, expr: remapAll([k.expr], input.mapping)[0]! }));
      return { plan: { ...plan, input: input.plan, keys, schema: input.plan.schema }, mapping: input.mapping };
    }
    case 'limit': {
      const input = prune(plan.input, required);
      return { plan: { ...plan, input: input.plan, schema: input.plan.schema }, mapping: input.mapping };
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
