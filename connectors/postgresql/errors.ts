/**
 * Upstream failures as SqlErrors (ARCHITECTURE.md §3.2):
 *
 * | what happened                                              | SQLSTATE sent to the client            |
 * |------------------------------------------------------------|----------------------------------------|
 * | the server reported an error for a statement               | the server's own code                  |
 * | …whose code is class 08 or 57P01–57P05 (its session ended) | 58000, the upstream code in DETAIL     |
 * | connecting failed (refused, DNS, TLS, auth, timeout, …)    | HV00N fdw_unable_to_establish_connection |
 * | the connection broke during a statement                    | 58030 io_error                         |
 *
 * Class 08 and 57P0x are never passed on: clients' pools drop their (healthy) gateway
 * connection on them. The server's MESSAGE, DETAIL and HINT are kept; its POSITION, INTERNAL
 * QUERY and WHERE (context) are not, since they point into SQL the client did not write and
 * could reveal policy expressions the engine added.
 */
import pg from 'pg';
import { SqlError, SqlState } from '../../engine/errors/index.js';

const SESSION_ENDED = /^(08|57P0[1-5])/;
const SQLSTATE_SHAPE = /^[0-9A-Z]{5}$/;

export type Phase = 'connect' | 'statement';

export function upstreamError(catalog: string, err: unknown, phase: Phase): SqlError {
  if (err instanceof SqlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const serverCode = err instanceof pg.DatabaseError && err.code !== undefined && SQLSTATE_SHAPE.test(err.code) ? err.code : undefined;
  const upstream = serverCode === undefined ? undefined : `upstream SQLSTATE ${serverCode}`;
  if (phase === 'connect') {
    return new SqlError(SqlState.FDW_UNABLE_TO_ESTABLISH_CONNECTION, `could not connect to the PostgreSQL server of catalog "${catalog}": ${message}`, {
      ...(upstream ? { detail: upstream } : {}),
      cause: err,
    });
  }
  if (serverCode === undefined) {
    return new SqlError(SqlState.IO_ERROR, `lost the connection to the PostgreSQL server of catalog "${catalog}": ${message}`, { cause: err });
  }
  const { detail, hint } = err as pg.DatabaseError;
  if (SESSION_ENDED.test(serverCode)) {
    return new SqlError(SqlState.SYSTEM_ERROR, `the PostgreSQL server of catalog "${catalog}" ended the session: ${message}`, {
      detail: detail ? `${detail}\n${upstream}` : upstream!,
      cause: err,
    });
  }
  return new SqlError(serverCode as SqlState, message, {
    ...(detail ? { detail } : {}),
    ...(hint ? { hint } : {}),
    cause: err,
  });
}
