/**
 * MySQL/MariaDB errors as SqlErrors. MySQL's own SQLSTATEs are not PostgreSQL's (42S02, HY000,
 * …), so the well-known error numbers map to the PostgreSQL code clients expect; every other
 * server error is HV000 (FDW error) with MySQL's message and number, and a failure to reach or
 * keep talking to the server is 58000, never class 08 (pools drop the client's healthy gateway
 * connection on 08).
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';

/** MySQL/MariaDB error number → PostgreSQL SQLSTATE. */
const BY_ERRNO: ReadonlyMap<number, SqlState> = new Map([
  [1007, SqlState.DUPLICATE_SCHEMA], // ER_DB_CREATE_EXISTS
  [1008, SqlState.INVALID_SCHEMA_NAME], // ER_DB_DROP_EXISTS
  [1049, SqlState.INVALID_SCHEMA_NAME], // ER_BAD_DB_ERROR
  [1050, SqlState.DUPLICATE_TABLE], // ER_TABLE_EXISTS_ERROR
  [1051, SqlState.UNDEFINED_TABLE], // ER_BAD_TABLE_ERROR
  [1146, SqlState.UNDEFINED_TABLE], // ER_NO_SUCH_TABLE
  [1054, SqlState.UNDEFINED_COLUMN], // ER_BAD_FIELD_ERROR
  [1060, SqlState.DUPLICATE_COLUMN], // ER_DUP_FIELDNAME
  [1102, SqlState.INVALID_NAME], // ER_WRONG_DB_NAME
  [1103, SqlState.INVALID_NAME], // ER_WRONG_TABLE_NAME
  [1166, SqlState.INVALID_NAME], // ER_WRONG_COLUMN_NAME
  [1059, SqlState.NAME_TOO_LONG], // ER_TOO_LONG_IDENT
  [1064, SqlState.SYNTAX_ERROR], // ER_PARSE_ERROR
  [1149, SqlState.SYNTAX_ERROR], // ER_SYNTAX_ERROR
  [1062, SqlState.UNIQUE_VIOLATION], // ER_DUP_ENTRY
  [1586, SqlState.UNIQUE_VIOLATION], // ER_DUP_ENTRY_WITH_KEY_NAME
  [1048, SqlState.NOT_NULL_VIOLATION], // ER_BAD_NULL_ERROR
  [1451, SqlState.FOREIGN_KEY_VIOLATION], // ER_ROW_IS_REFERENCED_2
  [1452, SqlState.FOREIGN_KEY_VIOLATION], // ER_NO_REFERENCED_ROW_2
  [3819, SqlState.CHECK_VIOLATION], // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
  [4025, SqlState.CHECK_VIOLATION], // ER_CONSTRAINT_FAILED (MariaDB)
  [1365, SqlState.DIVISION_BY_ZERO], // ER_DIVISION_BY_ZERO
  [1406, SqlState.STRING_DATA_RIGHT_TRUNCATION], // ER_DATA_TOO_LONG
  [1264, SqlState.NUMERIC_VALUE_OUT_OF_RANGE], // ER_WARN_DATA_OUT_OF_RANGE
  [1690, SqlState.NUMERIC_VALUE_OUT_OF_RANGE], // ER_DATA_OUT_OF_RANGE
  [1366, SqlState.INVALID_TEXT_REPRESENTATION], // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  [1292, SqlState.INVALID_DATETIME_FORMAT], // ER_TRUNCATED_WRONG_VALUE
  [1367, SqlState.CHARACTER_NOT_IN_REPERTOIRE], // ER_ILLEGAL_VALUE_FOR_TYPE
  [3140, SqlState.INVALID_JSON_TEXT], // ER_INVALID_JSON_TEXT (MySQL)
  [1044, SqlState.INSUFFICIENT_PRIVILEGE], // ER_DBACCESS_DENIED_ERROR
  [1142, SqlState.INSUFFICIENT_PRIVILEGE], // ER_TABLEACCESS_DENIED_ERROR
  [1143, SqlState.INSUFFICIENT_PRIVILEGE], // ER_COLUMNACCESS_DENIED_ERROR
  [1227, SqlState.INSUFFICIENT_PRIVILEGE], // ER_SPECIFIC_ACCESS_DENIED_ERROR
  [1205, SqlState.LOCK_NOT_AVAILABLE], // ER_LOCK_WAIT_TIMEOUT
  [1213, SqlState.T_R_DEADLOCK_DETECTED], // ER_LOCK_DEADLOCK
  [1317, SqlState.QUERY_CANCELED], // ER_QUERY_INTERRUPTED
  [3024, SqlState.QUERY_CANCELED], // ER_QUERY_TIMEOUT (MySQL max_execution_time)
  [1969, SqlState.QUERY_CANCELED], // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
]);

/** Driver error codes of a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'POOL_CLOSED',
  'ER_ACCESS_DENIED_ERROR', 'ER_HOST_NOT_PRIVILEGED', 'ER_HOST_IS_BLOCKED', 'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS',
]);

interface DriverError {
  readonly message?: string;
  readonly code?: string;
  readonly errno?: number;
  readonly sqlState?: string;
  readonly fatal?: boolean;
}

/** The SqlError for anything the driver or server threw (SqlErrors pass through). */
export function mysqlError(err: unknown): SqlError {
  if (err instanceof SqlError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as DriverError;
  const message = e.message ?? String(err);
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  if ((e.code !== undefined && CONNECTION_CODES.has(e.code)) || (e.fatal === true && errno === undefined)) {
    return new SqlError(SqlState.SYSTEM_ERROR, `MySQL connection failed: ${message}`, { cause: err });
  }
  const detail = errno === undefined ? undefined : `MySQL error ${errno}${e.sqlState ? ` (SQLSTATE ${e.sqlState})` : ''}`;
  const code = errno === undefined ? undefined : BY_ERRNO.get(errno);
  if (code !== undefined) return new SqlError(code, message, { detail, cause: err });
  if (errno !== undefined) return new SqlError(SqlState.FDW_ERROR, `MySQL: ${message}`, { detail, cause: err });
  return new SqlError(SqlState.SYSTEM_ERROR, `MySQL client error: ${message}`, { cause: err });
}

