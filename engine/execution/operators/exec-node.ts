/**
 * Physical operators: each streams columnar batches. Blocking operators (hash join build,
 * aggregation, sort) consume their input fully before producing output.
 */
import type { ConnectorSession } from '../../../connectors/spi/index.js';
import type { CatalogManager } from '../../catalog/catalog-manager.js';
import type { EvalContext } from '../../functions/registry.js';
import type { Batch, Schema } from '../batch/batch.js';
import type { DynamicFilters } from '../dynamic-filters/dynamic-filters.js';
import type { QueryMemory } from '../memory/memory-pool.js';
import type { TaskExecutor } from '../../scheduler/source-tasks.js';

export interface TaskContext {
  readonly eval: EvalContext;
  readonly signal: AbortSignal;
  readonly catalogs: CatalogManager;
  readonly connectorSession: ConnectorSession;
  /** How many splits a scan may read at once. */
  readonly scanConcurrency: number;
  /** The query's memory limit and spill space; absent: unlimited, no spilling. */
  readonly memory?: QueryMemory;
  /** Key sets hash joins publish for the scans on their probe side; absent: none. */
  readonly dynamicFilters?: DynamicFilters;
  /** Runs source tasks (in worker threads when it can); absent: in this thread. */
  readonly executor?: TaskExecutor;
}

export interface ExecNode {
  readonly name: string;
  readonly schema: Schema;
  /** For a wrapper that measures another operator (EXPLAIN ANALYZE): that operator. */
  readonly instrumented?: ExecNode;
  children(): readonly ExecNode[];
  execute(ctx: TaskContext): AsyncIterable<Batch>;
}

/** Throws the abort reason when the query was cancelled. */
export function checkCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

/** Called between batches: lets the event loop run when busy, then honours cancellation. */
export async function checkpoint(ctx: TaskContext): Promise<void> {
  await yieldIfBusy();
  checkCancelled(ctx.signal);
}

/** Longest stretch a task runs before letting the event loop serve sockets and timers. */
const SLICE_MS = 10;
let sliceStart = performance.now();

/**
 * Yields to the event loop when the current stretch of work has run for a while, so cancel
 * requests, statement timeouts and other sessions are served while a long query runs.
 */
async function yieldIfBusy(): Promise<void> {
  if (performance.now() - sliceStart < SLICE_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  sliceStart = performance.now();
}
