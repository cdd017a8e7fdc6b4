/**
 * Turns an optimized logical plan into operator trees. Each source chain becomes its own
 * fragment, run as one task per split behind an exchange; everything above runs in the
 * root fragment.
 */
import { conjuncts, referencedColumns, shiftColumns, type Expr } from '../plan/expr.js';
import type { JoinNode, LogicalPlan, WindowNode } from '../plan/plan.js';
import { T } from '../types/pg-type.js';
import type { ExecNode } from '../execution/operators/exec-node.js';
import { ExchangeExec } from '../execution/operators/exchange-exec.js';
import { FilterExec } from '../execution/operators/filter-exec.js';
import { HashAggregateExec } from '../execution/operators/hash-aggregate-exec.js';
import { JoinExec, type JoinKeys } from '../execution/operators/join-exec.js';
import { LimitExec } from '../execution/operators/limit-exec.js';
import { ProjectExec } from '../execution/operators/project-exec.js';
import { SortExec } from '../execution/operators/sort-exec.js';
import { ValuesExec } from '../execution/operators/values-exec.js';
import { SingleRowExec } from '../execution/operators/single-row-exec.js';
import { WindowExec } from '../execution/operators/window-exec.js';
import { DistinctOnExec } from '../execution/operators/distinct-on-exec.js';
import { TableFunctionExec } from '../execution/operators/table-function-exec.js';
import { ProjectSetExec } from '../execution/operators/project-set-exec.js';
import { SetOpExec } from '../execution/operators/set-op-exec.js';
import { RecursiveUnionExec, WorkTable, WorkTableExec } from '../execution/operators/recursive-union-exec.js';
import { scalarById } from '../functions/registry.js';
import { type PlanFragment, sourceChainScan } from './fragment.js';
import { runSourceTasks } from './source-tasks.js';

/** Wraps each operator as it is built (EXPLAIN ANALYZE counts rows and time this way). */
export type OperatorDecorator = (node: ExecNode, plan: LogicalPlan) => ExecNode;

export class PhysicalPlanner {
  private nextFragment = 1;
  readonly fragments: PlanFragment[] = [];
  private readonly workTables = new Map<number, WorkTable>();

  constructor(private readonly decorate?: OperatorDecorator) {}

  /** Operators for the root fragment; source fragments are registered in `fragments`. */
  plan(plan: LogicalPlan): ExecNode {
    const node = this.build(plan);
    return this.decorate ? this.decorate(node, plan) : node;
  }

  /**
   * One sort and one WindowExec per distinct (PARTITION BY, ORDER BY), chained, then a
   * projection restoring the node's column order (input columns, then calls in order).
   */
  private window(plan: WindowNode): ExecNode {
    const specs = new Map<string, number[]>();
    plan.calls.forEach((c, i) => {
      const spec = JSON.stringify([c.partitionBy, c.orderBy]);
      specs.set(spec, [...(specs.get(spec) ?? []), i]);
    });
    let node = this.plan(plan.input);
    const position = new Array<number>(plan.calls.length);
    for (const indices of specs.values()) {
      const first = plan.calls[indices[0]!]!;
      const keys = [...first.partitionBy.map((expr) => ({ expr, descending: false, nullsFirst: false })), ...first.orderBy];
      if (keys.length > 0) node = new SortExec(node, keys);
      const calls = indices.map((i) => plan.calls[i]!);
      indices.forEach((i, k) => (position[i] = node.schema.length + k));
      node = new WindowExec(node, calls, [...node.schema, ...calls.map((c, k) => ({ name: `_window${k}`, type: c.type }))]);
    }
    const exprs = [...plan.input.schema.map((f, i) => ({ kind: 'column' as const, index: i, type: f.type })), ...plan.calls.map((c, i) => ({ kind: 'column' as const, index: position[i]!, type: c.type }))];
    return new ProjectExec(node, exprs, plan.schema);
  }

  private build(plan: LogicalPlan): ExecNode {
    if (sourceChainScan(plan)) {
      const fragment: PlanFragment = { id: this.nextFragment++, root: plan, partitioning: 'source' };
      this.fragments.push(fragment);
      return new ExchangeExec(fragment, (f, ctx) => runSourceTasks(f, ctx, this.decorate));
    }
    switch (plan.kind) {
      case 'values':
        return new ValuesExec(plan.rows, plan.schema);
      case 'filter':
        return new FilterExec(this.plan(plan.input), plan.predicate);
      case 'project':
        return new ProjectExec(this.plan(plan.input), plan.exprs, plan.schema);
      case 'aggregate':
        return new HashAggregateExec(this.plan(plan.input), plan.groupBy, plan.aggregates, plan.schema);
      case 'sort':
        return new SortExec(this.plan(plan.input), plan.keys);
      case 'limit':
        return new LimitExec(this.plan(plan.input), plan.count, plan.offset, plan.withTies);
      case 'join': {
        const { keys, residual } = splitJoinCondition(plan);
        return new JoinExec(this.plan(plan.left), this.plan(plan.right), plan.joinType, keys, residual, plan.schema, plan.nullAware === true);
      }
      case 'window':
        return this.window(plan);
      case 'table_function':
        return new TableFunctionExec(plan.fn, plan.args, plan.ordinality, plan.schema);
      case 'project_set':
        return new ProjectSetExec(this.plan(plan.input), plan.calls, plan.schema);
      case 'distinct_on':
        return new DistinctOnExec(this.plan(plan.input), plan.keys);
      case 'single_row':
        return new SingleRowExec(this.plan(plan.input), plan.schema);
      case 'setop':
        return new SetOpExec(plan.op, plan.all, this.plan(plan.left), this.plan(plan.right), plan.schema);
      case 'recursive_union': {
        const workTable = new WorkTable();
        this.workTables.set(plan.id, workTable);
        return new RecursiveUnionExec(this.plan(plan.anchor), this.plan(plan.step), workTable, plan.all, plan.schema);
      }
      case 'work_table': {
        const workTable = this.workTables.get(plan.id);
        if (!workTable) throw new Error(`unreachable: work table ${plan.id} outside its recursive union`);
        return new WorkTableExec(workTable, plan.schema);
      }
      case 'scan':
        throw new Error('unreachable: scans are source fragments');
    }
  }
}

/** Equality conjuncts between the two sides become hash keys; the rest is the residual. */
export function splitJoinCondition(join: JoinNode): { keys: JoinKeys; residual: Expr | null } {
  const nLeft = join.left.schema.length;
  const left: Expr[] = [];
  const right: Expr[] = [];
  const rest: Expr[] = [];
  for (const c of join.condition ? conjuncts(join.condition) : []) {
    const fn = c.kind === 'call' ? scalarById(c.fn) : undefined;
    if (c.kind === 'call' && fn?.name === '=' && c.args.length === 2) {
      const [a, b] = c.args as [Expr, Expr];
      const side = (e: Expr) => {
        const cols = [...referencedColumns(e)];
        if (cols.length === 0) return 'none';
        if (cols.every((i) => i < nLeft)) return 'left';
        if (cols.every((i) => i >= nLeft)) return 'right';
        return 'both';
      };
      const sa = side(a);
      const sb = side(b);
      if (sa === 'left' && sb === 'right') {
        left.push(a);
        right.push(shiftColumns(b, -nLeft));
        continue;
      }
      if (sa === 'right' && sb === 'left') {
        left.push(b);
        right.push(shiftColumns(a, -nLeft));
        continue;
      }
    }
    rest.push(c);
  }
  const residual: Expr | null = rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { kind: 'and', args: rest, type: T.bool };
  return { keys: { left, right }, residual };
}
