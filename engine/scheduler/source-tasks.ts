/**
 * Source tasks: one per split of a source fragment (a scan under filters and projections).
 * A task is plain data (fragment, split, dynamic filters), so it runs the same way in this
 * thread or in a worker (worker/, the seam remote workers will use).
 */
import type { Split } from '../../connectors/spi/index.js';
import type { Batch } from '../execution/batch/batch.js';
import { scanFilters, type ScanFilter } from '../execution/dynamic-filters/dynamic-filters.js';
import type { ExecNode, TaskContext } from '../execution/operators/exec-node.js';
import { FilterExec } from '../execution/operators/filter-exec.js';
import { ProjectExec } from '../execution/operators/project-exec.js';
import { ScanExec } from '../execution/operators/scan-exec.js';
import type { LogicalPlan } from '../plan/plan.js';
import type { OperatorDecorator } from './physical-planner.js';
import { type PlanFragment, sourceChainScan } from './fragment.js';
import { scanConstraint, withDynamicFilters } from '../execution/constraints/scan-constraint.js';

/** Splits asked of a connector per scan. */
const SPLITS_PER_SCAN = 8;

export interface SourceTask {
  readonly fragment: PlanFragment;
  readonly split: Split;
  /** Dynamic filters on the scan's columns, known when the task starts. */
  readonly filters: readonly ScanFilter[];
}

/** Runs source tasks somewhere other than this thread, when it can. */
export interface TaskExecutor {
  /** The task's output, or undefined when this executor cannot run it (it then runs in this thread). */
  run(task: SourceTask, ctx: TaskContext): AsyncIterable<Batch> | undefined;
}

/** Operators for one task of a source fragment, each passed through `decorate` when given. */
export function sourceTaskOperators(task: SourceTask, decorate?: OperatorDecorator): ExecNode {
  const build = (plan: LogicalPlan): ExecNode => (decorate ? decorate(operator(plan), plan) : operator(plan));
  const operator = (plan: LogicalPlan): ExecNode => {
    switch (plan.kind) {
      case 'scan':
        return new ScanExec(plan, task.split, task.filters, task.fragment.id, task.fragment.root);
      case 'filter':
        return new FilterExec(build(plan.input), plan.predicate);
      case 'project':
        return new ProjectExec(build(plan.input), plan.exprs, plan.schema);
      default:
        throw new Error(`unreachable: ${plan.kind} in a source fragment`);
    }
  };
  return build(task.fragment.root);
}

/**
 * One stream per split of the fragment's table, each run by the executor or in this thread.
 * Decorated (instrumented) operators always run in this thread.
 */
export async function runSourceTasks(fragment: PlanFragment, ctx: TaskContext, decorate?: OperatorDecorator): Promise<(() => AsyncIterable<Batch>)[]> {
  const scan = sourceChainScan(fragment.root)!;
  const connector = ctx.catalogs.connector(scan.catalog);
  const table = { schema: scan.schemaName, name: scan.tableName, columns: scan.tableColumns, handle: scan.tableHandle };
  const filters = scanFilters(fragment.root, ctx.dynamicFilters?.forFragment(fragment.id) ?? []);
  const constraint = withDynamicFilters(scanConstraint(fragment.root, (column) => scan.columns[column]!, ctx.eval), filters, scan);
  const splits = await connector.getSplits(ctx.connectorSession, table, { desiredSplits: SPLITS_PER_SCAN, constraint });
  return splits.map((split) => () => {
    const task: SourceTask = { fragment, split, filters };
    if (decorate) return sourceTaskOperators(task, decorate).execute(ctx);
    return ctx.executor?.run(task, ctx) ?? sourceTaskOperators(task).execute(ctx);
  });
}
