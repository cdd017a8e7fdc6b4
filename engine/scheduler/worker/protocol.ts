/**
 * The task protocol between the engine and a worker (documented in engine/scheduler/README.md).
 * Everything here is structured-clonable plain data; a remote worker would carry the same
 * messages over the network.
 */
import type { ConnectorOrigin } from '../../../connectors/spi/index.js';
import type { FormatSettings } from '../../api.js';
import type { SqlState } from '../../errors/index.js';
import type { SourceTask } from '../source-tasks.js';
import type { WireBatch } from './wire-batch.js';

/** What a task may know about its session: enough to evaluate expressions and open the connector. */
export interface TaskSession {
  readonly user: string;
  readonly queryId: string;
  readonly database: string;
  readonly currentSchema: string;
  readonly backendPid: number;
  readonly format: FormatSettings;
  /** Query parameters and init-plan values, through encodeDatums. */
  readonly params: Uint8Array;
  readonly initPlanValues: Uint8Array | null;
  readonly transactionStart?: bigint;
  readonly statementStart?: bigint;
}

export type ToWorker =
  /** Run one source task; the worker may send `INITIAL_CREDIT` batches before the first credit. */
  | { readonly type: 'start'; readonly taskId: number; readonly task: SourceTask; readonly origin: ConnectorOrigin; readonly session: TaskSession }
  /** The engine consumed a batch: one more may be sent. */
  | { readonly type: 'credit'; readonly taskId: number }
  /** Stop the task; the worker answers with `done` (or `error`) once it has stopped. */
  | { readonly type: 'cancel'; readonly taskId: number };

export interface WireError {
  readonly code: SqlState;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

export type FromWorker =
  | { readonly type: 'batch'; readonly taskId: number; readonly batch: WireBatch }
  /** The task finished (or stopped after cancel); rows its scan read and kept after dynamic filters. */
  | { readonly type: 'done'; readonly taskId: number; readonly rowsIn: number; readonly rowsOut: number }
  | { readonly type: 'error'; readonly taskId: number; readonly error: WireError };

/** Batches a task may have in flight before the engine takes one. */
export const INITIAL_CREDIT = 4;
