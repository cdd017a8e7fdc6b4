/** What a statement becomes once bound: its result shape and how to start it. */
import type { ColumnDescription, Execution } from '../../api.js';
import type { PgType } from '../../types/pg-type.js';

export interface PlannedStatement {
  readonly columns: readonly ColumnDescription[] | null;
  readonly paramTypes: readonly PgType[];
  /** COMMIT/ROLLBACK may run in a failed transaction block; nothing else may. */
  readonly endsTransaction?: boolean;
  start(params: readonly unknown[], controller: AbortController): Execution;
}
