/**
 * Physical operators: each streams columnar batches. Blocking operators (hash join build,
 * aggregation, sort) consume their input fully before producing output.
 */
import type { ConnectorSession } from '../../../connectors/spi/index.js';
import type { CatalogManager } from '../../catalog/catalog-manager.js';
import type { EvalContext } from '../../functions/registry.js';
import type { Batch, Schema } from '../batch/batch.js';

export interface TaskContext {
  readonly eval: EvalContext;
  readonly signal: AbortSignal;
  readonly catalogs: CatalogManager;
  readonly connectorSession: ConnectorSession;
  /** How many splits a scan may read at once. */
  readonly scanConcurrency: number;
}

export interface ExecNode {
  readonly name: string;
  readonly schema: Schema;
  children(): readonly ExecNode[];
  execute(ctx: TaskContext): AsyncIterable<Batch>;
}

/** Throws the abort reason when the query was cancelled. */
export function checkCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}
