import { SqlState } from '../../engine/errors/index.js';
import type { Authenticator } from '../authenticator.js';
import { authFatal } from '../errors.js';
import { describeConnection } from '../connection-info.js';

/** Refuses every connection (pg_hba's `reject`). */
export const rejectAuthenticator: Authenticator = async (startup, exchange) => {
  throw authFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, `pg_hba.conf rejects connection for ${describeConnection(startup, exchange.socket)}`);
};
