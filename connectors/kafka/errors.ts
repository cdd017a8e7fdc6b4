/**
 * The SQLSTATEs Kafka failures map to. None is class 08: that class means the client's own
 * session is broken, and connection pools drop connections on it (ARCHITECTURE §3.2).
 *
 * | failure                                               | SQLSTATE |
 * |-------------------------------------------------------|----------|
 * | no broker of `kafka.nodes` (or a partition leader) answers | HV00N fdw_unable_to_establish_connection |
 * | any other error a broker or the client reports        | HV000 fdw_error |
 * | a table description file that is not valid           | F0000 config_file_error |
 */
import { SqlError, SqlState } from '../../engine/errors/index.js';

const NETWORK_FAILURE = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|Connection (error|timeout)|connection (closed|timed out)|broker not found|Closed connection/i;

/** A failure reaching the brokers. */
function unreachable(catalog: string, nodes: string, cause: unknown): SqlError {
  return new SqlError(SqlState.FDW_UNABLE_TO_ESTABLISH_CONNECTION, `cannot reach Kafka at ${nodes} (catalog "${catalog}"): ${messageOf(cause)}`, {
    hint: 'Check that the brokers in kafka.nodes are running and reachable from the gateway.',
    cause,
  });
}

/** Any error thrown while talking to Kafka, as a SqlError: connection failures are HV00N, others HV000. */
export function kafkaFailure(catalog: string, nodes: string, e: unknown): SqlError {
  if (e instanceof SqlError) return e;
  if (isNetworkFailure(e)) return unreachable(catalog, nodes, e);
  return new SqlError(SqlState.FDW_ERROR, `Kafka error (catalog "${catalog}"): ${messageOf(e)}`, { cause: e });
}

/** A broker answered with something this client cannot read, or an error code. */
export const kafkaProtocolError = (message: string): SqlError => new SqlError(SqlState.FDW_ERROR, `Kafka: ${message}`);

/** A table description file that cannot be used. */
export const invalidDescription = (file: string, message: string): SqlError =>
  new SqlError(SqlState.CONFIG_FILE_ERROR, `invalid Kafka table description ${file}: ${message}`);

function isNetworkFailure(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 5; x = (x as { originalError?: unknown; cause?: unknown }).originalError ?? x.cause, depth++) {
    if (x.name === 'KafkaJSConnectionError' || x.name === 'KafkaJSBrokerNotFound' || NETWORK_FAILURE.test(x.message)) return true;
    if ('code' in x && typeof x.code === 'string' && NETWORK_FAILURE.test(x.code)) return true;
  }
  return false;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
