import { SqlError, SqlState } from '../engine/errors/index.js';

/** Sign-in failures end the connection: every error made here is FATAL. */
export const authFatal = (code: SqlState, message: string, detail?: string) => new SqlError(code, message, { severity: 'FATAL', detail });

/** The one message for a wrong password and an unknown user alike (28P01). */
export const passwordFailed = (user: string) => authFatal(SqlState.INVALID_PASSWORD, `password authentication failed for user "${user}"`);

export const protocolViolation = (message: string, detail?: string) => authFatal(SqlState.PROTOCOL_VIOLATION, message, detail);
