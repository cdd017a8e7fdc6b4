import { SqlState } from './sqlstate.js';

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface SqlErrorOptions {
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement text, as PostgreSQL reports it. */
  position?: number;
  severity?: Severity;
  cause?: unknown;
}

/**
 * Every error the gateway reports. The SQLSTATE is fixed when the error is created,
 * never guessed later from the message.
 */
export class SqlError extends Error {
  readonly code: SqlState;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  position: number | undefined;
  readonly severity: Severity;

  constructor(code: SqlState, message: string, options: SqlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SqlError';
    this.code = code;
    this.detail = options.detail;
    this.hint = options.hint;
    this.position = options.position;
    this.severity = options.severity ?? 'ERROR';
  }

  /** Wraps anything thrown into a SqlError; unknown failures are internal errors (XX000). */
  static from(err: unknown): SqlError {
    if (err instanceof SqlError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new SqlError(SqlState.INTERNAL_ERROR, message, { cause: err });
  }
}

export const syntaxError = (message: string, position?: number) =>
  new SqlError(SqlState.SYNTAX_ERROR, message, { position });
export const undefinedTable = (name: string, position?: number) =>
  new SqlError(SqlState.UNDEFINED_TABLE, `relation "${name}" does not exist`, { position });
export const undefinedColumn = (name: string, position?: number) =>
  new SqlError(SqlState.UNDEFINED_COLUMN, `column "${name}" does not exist`, { position });
export const undefinedFunction = (signature: string, position?: number) =>
  new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${signature} does not exist`, {
    position,
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
export const featureNotSupported = (what: string, hint?: string) =>
  new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `${what} is not supported`, { hint });
export const queryCanceled = (reason: 'user' | 'timeout') =>
  new SqlError(
    SqlState.QUERY_CANCELED,
    reason === 'user' ? 'canceling statement due to user request' : 'canceling statement due to statement timeout',
  );
export const internalError = (message: string) => new SqlError(SqlState.INTERNAL_ERROR, message);
