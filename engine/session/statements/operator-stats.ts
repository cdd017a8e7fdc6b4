/**
 * EXPLAIN ANALYZE instrumentation: an OperatorDecorator that wraps every operator the physical
 * planner builds — in the root fragment and in each source task — and records, per plan node,
 * rows and batches produced, tasks run, wall time spent in its `execute` iterator and, when the
 * query accounts memory, the most memory it held at once. Stats of tasks running the same
 * plan node add up, as Trino's operator stats do. Time here includes the inputs' time; the
 * reader subtracts the inputs' (`exclusive`).
 */
import type { Batch, Schema } from '../../execution/batch/batch.js';
import type { QueryMemory } from '../../execution/memory/memory-pool.js';
import type { ExecNode, TaskContext } from '../../execution/operators/exec-node.js';
import { ScanExec } from '../../execution/operators/scan-exec.js';
import type { OperatorStats } from '../../plan/explain.js';
import { type LogicalPlan, planInputs } from '../../plan/plan.js';
import type { OperatorDecorator } from '../../scheduler/physical-planner.js';

interface Counters {
  rows: number;
  batches: number;
  timeMs: number;
  tasks: number;
  held: number;
  peak: number;
  accounted: boolean;
  /** Scans: names of what their splits read, and the bytes. */
  files: Set<string>;
  bytes: number;
}

/** A view of the query's memory that also counts what one operator holds. */
function countingMemory(memory: QueryMemory, c: Counters): QueryMemory {
  const view = Object.create(memory) as QueryMemory;
  view.tryReserve = (bytes) => {
    if (!memory.tryReserve(bytes)) return false;
    c.held += bytes;
    c.peak = Math.max(c.peak, c.held);
    return true;
  };
  view.release = (bytes) => {
    memory.release(bytes);
    c.held -= bytes;
  };
  return view;
}

class InstrumentedExec implements ExecNode {
  constructor(
    private readonly inner: ExecNode,
    private readonly c: Counters,
    private readonly memory: WeakMap<QueryMemory, QueryMemory>,
  ) {}
  get name(): string {
    return this.inner.name;
  }
  get schema(): Schema {
    return this.inner.schema;
  }
  get instrumented(): ExecNode {
    return this.inner;
  }
  children() {
    return this.inner.children();
  }
  async *execute(ctx: TaskContext): AsyncIterable<Batch> {
    const c = this.c;
    c.tasks++;
    const source = this.inner instanceof ScanExec ? this.inner.split.source : undefined;
    if (source) {
      c.files.add(source.name);
      c.bytes += source.bytes;
    }
    // Operators hand their ctx to their inputs, so count against the query's own memory, not a parent's view.
    const base = ctx.memory ? (this.memory.get(ctx.memory) ?? ctx.memory) : undefined;
    c.accounted ||= base !== undefined;
    const view = base ? countingMemory(base, c) : undefined;
    if (view) this.memory.set(view, base!);
    const it = this.inner.execute(view ? { ...ctx, memory: view } : ctx)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const start = performance.now();
        const r = await it.next();
        c.timeMs += performance.now() - start;
        if (r.done) return;
        c.rows += r.value.length;
        c.batches++;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
}

export class OperatorRecorder {
  private readonly operators = new Map<LogicalPlan, Counters>();
  private readonly exchanges = new Map<LogicalPlan, Counters>();
  private readonly memoryViews = new WeakMap<QueryMemory, QueryMemory>();

  readonly decorate: OperatorDecorator = (node, plan) => {
    const table = node.name === 'Exchange' ? this.exchanges : this.operators;
    let c = table.get(plan);
    if (!c) table.set(plan, (c = { rows: 0, batches: 0, timeMs: 0, tasks: 0, held: 0, peak: 0, accounted: false, files: new Set(), bytes: 0 }));
    return new InstrumentedExec(node, c, this.memoryViews);
  };

  /** Stats of the operator for `plan` (or of the exchange reading its fragment), its inputs' time taken out. */
  stats(plan: LogicalPlan, exchange: boolean, fragmentRoots: ReadonlySet<LogicalPlan>): OperatorStats | undefined {
    const c = (exchange ? this.exchanges : this.operators).get(plan);
    if (!c) return undefined;
    const inputs = exchange ? [this.operators.get(plan)] : planInputs(plan).map((i) => (fragmentRoots.has(i) ? this.exchanges : this.operators).get(i));
    const inputTime = inputs.reduce((t, i) => t + (i?.timeMs ?? 0), 0);
    return {
      rows: c.rows,
      batches: c.batches,
      tasks: c.tasks,
      timeMs: Math.max(0, c.timeMs - inputTime),
      ...(c.accounted ? { peakMemoryBytes: c.peak } : {}),
      ...(c.files.size > 0 ? { input: { files: c.files.size, bytes: c.bytes } } : {}),
    };
  }
}
