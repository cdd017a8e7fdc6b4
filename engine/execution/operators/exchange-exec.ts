import type { Batch, Schema } from '../batch/batch.js';
import type { PlanFragment } from '../../scheduler/fragment.js';
import { mergeStreams } from './merge.js';
import type { ExecNode, TaskContext } from './exec-node.js';

/**
 * Gathers the output of a source fragment's tasks (one per split) into this fragment.
 * In one process the tasks run here, interleaved; a remote worker would run them elsewhere
 * and this node would read their output over the network instead.
 */
export class ExchangeExec implements ExecNode {
  readonly name = 'Exchange';
  constructor(
    readonly fragment: PlanFragment,
    readonly runTasks: (fragment: PlanFragment, ctx: TaskContext) => Promise<(() => AsyncIterable<Batch>)[]>,
  ) {}
  get schema(): Schema {
    return this.fragment.root.schema;
  }
  children() {
    return [];
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const tasks = await this.runTasks(this.fragment, ctx);
    yield* mergeStreams(tasks, ctx.scanConcurrency);
  }
}
