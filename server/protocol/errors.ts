import { SqlError, SqlState, type SqlErrorOptions } from '../../engine/errors/index.js';

/**
 * An error that ends the connection (severity FATAL). When `silent` is set nothing is sent
 * to the client: PostgreSQL only logs these (COMMERROR), e.g. an invalid startup length.
 */
export class ConnectionFatal extends SqlError {
  readonly silent: boolean;

  constructor(code: SqlState, message: string, options: SqlErrorOptions & { silent?: boolean } = {}) {
    super(code, message, { ...options, severity: 'FATAL' });
    this.silent = options.silent ?? false;
  }
}

/** A framing error: the stream can no longer be trusted, so the connection ends. */
export const fatalProtocolViolation = (message: string, options: { silent?: boolean; detail?: string } = {}) =>
  new ConnectionFatal(SqlState.PROTOCOL_VIOLATION, message, options);

/** A malformed message body: the frame boundary is intact, so only this message fails (ERROR). */
export const invalidMessage = (message: string) => new SqlError(SqlState.PROTOCOL_VIOLATION, message);
