/**
 * The contract between the wire server and the engine (ARCHITECTURE.md §3.7).
 *
 * The server turns protocol messages into calls on an EngineSession and encodes what comes
 * back; it never looks inside plans. Execution is pulled batch by batch, so a portal can stop
 * after N rows (PortalSuspended) and resume later, and a slow client slows the query down
 * instead of piling rows up in memory.
 */
import type { Batch } from './execution/batch/batch.js';
import type { PgType } from './types/pg-type.js';
import type { FormatSettings } from './types/text-codec.js';

export interface SessionOptions {
  readonly user: string;
  /** The principal's groups (from the JWT's groups claim, …); access rules match them. None when absent. */
  readonly groups?: readonly string[];
  /** The database named at startup. If it names a catalog, that catalog is the default one. */
  readonly database: string;
  /** Every startup parameter other than user/database (application_name, DateStyle, options, …). */
  readonly startupParameters: Readonly<Record<string, string>>;
  /** Called whenever a reported setting (GUC_REPORT) changes value, to send ParameterStatus. */
  readonly onParameterStatus: (name: string, value: string) => void;
  /** Called for NOTICE/WARNING messages raised while executing. */
  readonly onNotice: (notice: Notice) => void;
  /**
   * Called when SQL-level DEALLOCATE name (null: DEALLOCATE ALL, or DISCARD ALL) runs, so the
   * server drops the protocol-level prepared statement(s) of that name.
   */
  readonly onDeallocate?: (name: string | null) => void;
  /** The process id sent in BackendKeyData: pg_backend_pid() and pg_stat_activity.pid. Absent: the engine numbers the session. */
  readonly backendPid?: number;
  /** The client's address and port (pg_stat_activity.client_addr/client_port); absent when not over TCP. */
  readonly client?: { readonly address: string; readonly port: number };
  /**
   * pg_cancel_backend() of this session: cancel it as a CancelRequest would. Absent: the engine
   * cancels the session's running statements itself.
   */
  readonly onCancelRequest?: () => void;
  /** pg_terminate_backend() of this session: end the connection with FATAL 57P01. Absent: the session cannot be terminated. */
  readonly onTerminate?: () => void;
}

export interface Notice {
  readonly severity: 'NOTICE' | 'WARNING' | 'INFO';
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

export interface ColumnDescription {
  readonly name: string;
  readonly type: PgType;
  /** pg_class OID of the source table, or 0. */
  readonly tableOid: number;
  /** Attribute number in that table, or 0. */
  readonly columnNumber: number;
}

/** One SQL statement split out of a query string; opaque to the server. */
export interface ParsedStatement {
  readonly sql: string;
  /** True for an empty statement (only whitespace/comments): answer EmptyQueryResponse. */
  readonly empty: boolean;
}

export interface PreparedStatement {
  readonly statement: ParsedStatement;
  /** Parameter types, given by the client or inferred as PostgreSQL would ($n unresolved → text). */
  readonly paramTypes: readonly PgType[];
  /** Result columns, or null when the statement returns no rows (NoData). */
  readonly columns: readonly ColumnDescription[] | null;
}

export interface ExecuteOptions {
  /** Aborted with reason 'user' on CancelRequest, or on client disconnect. */
  readonly signal: AbortSignal;
}

/** How COPY … TO STDOUT wants rows written (PostgreSQL's text or CSV COPY format). */
export interface CopyOutFormat {
  readonly format: 'text' | 'csv';
  readonly delimiter: string;
  /** The string written for NULL ("\\N" in text, "" in CSV, unless NULL '…' was given). */
  readonly null: string;
  readonly header: boolean;
  /** CSV only. */
  readonly quote: string;
  readonly escape: string;
  /** CSV only: columns quoted even when not needed (FORCE_QUOTE), by index; '*' for all. */
  readonly forceQuote: readonly number[] | '*';
}

/** A running statement. Pull batches with next() until it returns null. */
export interface Execution {
  readonly columns: readonly ColumnDescription[] | null;
  /** Set for COPY … TO STDOUT: the rows go out as CopyData in this format instead of DataRows. */
  readonly copyOut?: CopyOutFormat;
  /** The next batch of result rows, or null when the statement has finished. Throws SqlError. */
  next(): Promise<Batch | null>;
  /** The CommandComplete tag, once next() returned null: e.g. "SELECT 5", "INSERT 0 3", "SET". */
  commandTag(rowsReturned: number): string;
  /** Stops the statement early (portal closed, or the rest is not wanted); idempotent. */
  close(): void;
}

/** Settings that change how values are written as text (DateStyle, TimeZone, …). */
export type { FormatSettings } from './types/text-codec.js';

export type TransactionStatus = 'I' | 'T' | 'E';

export interface EngineSession {
  /** Splits a query string into statements; a syntax error throws SqlError 42601 with position. */
  parse(sql: string): ParsedStatement[];
  /**
   * Binds and plans a statement. `paramTypeOids[i]` 0 or missing means "infer".
   * Asynchronous because table metadata may come from a remote source. Rejects with SqlError.
   */
  prepare(statement: ParsedStatement, paramTypeOids: readonly number[]): Promise<PreparedStatement>;
  /** Starts executing a prepared statement with decoded parameter values (datums, null for NULL). */
  execute(prepared: PreparedStatement, params: readonly unknown[], options: ExecuteOptions): Execution;
  /** Must be called when any statement fails, so a transaction block turns to 'E' (25P02 until ROLLBACK). */
  noteError(): void;
  readonly transactionStatus: TransactionStatus;
  /** ParameterStatus values to send once after authentication. */
  reportedParameters(): ReadonlyArray<readonly [string, string]>;
  formatSettings(): FormatSettings;
  /** Current value of a setting, as SHOW prints it; undefined if unknown. */
  setting(name: string): string | undefined;
  /** Ends the session: closes open executions and releases resources. */
  close(): void;
}

export interface Engine {
  /** Opens a session for an authenticated user; throws SqlError (e.g. 3D000) if it cannot. */
  openSession(options: SessionOptions): EngineSession;
  /** Stops what the engine runs in the background (worker threads) and closes connectors that hold connections; called once, at shutdown. */
  close(): Promise<void>;
}
