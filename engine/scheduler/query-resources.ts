/**
 * What a query's tasks share, made from the session's settings when the query starts: its
 * memory limit and spill space, its dynamic filters, and the executor for source tasks.
 * `onMemory` hears what the query reserves and releases (its resource group's memory share).
 */
import { DynamicFilters } from '../execution/dynamic-filters/dynamic-filters.js';
import { QueryMemory, nodeMemoryPool, type MemoryListener } from '../execution/memory/memory-pool.js';
import { SpillSpace } from '../execution/spill/spill-space.js';
import type { TaskContext } from '../execution/operators/exec-node.js';
import { parseBytes } from '../session/settings.js';
import { workerPool } from './worker/worker-pool.js';

export type QueryResources = Pick<TaskContext, 'memory' | 'dynamicFilters' | 'executor'>;

export function queryResources(setting: (name: string) => string | undefined, queryId: string, onMemory: MemoryListener | null = null): QueryResources {
  const spill = setting('lakegate.spill_enabled') === 'on' ? new SpillSpace(parseBytes(setting('lakegate.max_spill_bytes')!), queryId) : null;
  return {
    memory: new QueryMemory(parseBytes(setting('lakegate.query_max_memory')!), spill, nodeMemoryPool, onMemory),
    dynamicFilters: setting('lakegate.dynamic_filtering') === 'on' ? new DynamicFilters() : undefined,
    executor: workerPool.executor(Number(setting('lakegate.worker_threads'))),
  };
}
