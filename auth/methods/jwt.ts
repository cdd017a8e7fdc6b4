/**
 * A JWT bearer token sent as the password (AuthenticationCleartextPassword), verified by
 * `verifyBearerToken` (auth/bearer-token.ts). Every failure gives the same FATAL 28000; the
 * reason goes only to the server log, and the token never does.
 */
import { SqlState } from '../../engine/errors/index.js';
import type { Authenticator } from '../authenticator.js';
import { MAX_TOKEN_BYTES, TokenRejected, verifyBearerToken } from '../bearer-token.js';
import { authFatal } from '../errors.js';
import type { JwtSettings } from '../jwt-config.js';
import { AuthRequest, parsePasswordMessage } from '../sasl.js';
import { isTls } from '../scram/channel-binding.js';

export interface JwtOptions {
  readonly settings: JwtSettings;
  readonly log?: (message: string) => void;
  /** The verification time; tests set it for determinism. */
  readonly now?: () => Date;
}

export function jwtAuthenticator(options: JwtOptions): Authenticator {
  const s = options.settings;
  return async (startup, exchange) => {
    const failed = (reason: string) => {
      options.log?.(`JWT sign-in refused for user "${startup.user}": ${reason}`);
      return authFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, `JWT authentication failed for user "${startup.user}"`);
    };
    if (!s.allowPlaintext && !isTls(exchange.socket)) {
      throw authFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, 'JWT authentication requires an SSL connection', 'Connect with sslmode=require.');
    }
    exchange.request(AuthRequest.CleartextPassword);
    const body = await exchange.receive('password');
    if (body.length > MAX_TOKEN_BYTES + 1) throw failed('token too long');
    const token = parsePasswordMessage(body);
    try {
      return (await verifyBearerToken(token, s, startup.user, options.now?.())).principal;
    } catch (err) {
      if (err instanceof TokenRejected) throw failed(err.message);
      throw err;
    }
  };
}
