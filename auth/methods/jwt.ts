/**
 * A JWT bearer token sent as the password (AuthenticationCleartextPassword), verified with
 * `jose`: signature against the configured keys and algorithm allow-list, required exp, iss and
 * aud, bounded clock skew. The user claim must name the user the client asked to be; the
 * groups claim becomes the principal's groups. Every failure gives the same FATAL 28000; the
 * reason goes only to the server log, and the token never does.
 */
import { jwtVerify } from 'jose';
import { SqlState } from '../../engine/errors/index.js';
import type { Authenticator } from '../authenticator.js';
import { authFatal } from '../errors.js';
import type { JwtSettings } from '../jwt-config.js';
import { AuthRequest, parsePasswordMessage } from '../sasl.js';
import { isTls } from '../scram/channel-binding.js';

/** Longer tokens are refused before any parsing or crypto. */
export const MAX_TOKEN_BYTES = 16 * 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface JwtOptions {
  readonly settings: JwtSettings;
  readonly log?: (message: string) => void;
  /** The verification time; tests set it for determinism. */
  readonly now?: () => Date;
}

function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((g) => g !== '');
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
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
    if (!JWS_COMPACT.test(token)) throw failed('not a compact JWS');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, s.keys, {
        issuer: s.issuer,
        audience: s.audience as string | string[],
        algorithms: [...s.algorithms],
        clockTolerance: s.clockToleranceSeconds,
        requiredClaims: ['exp', 'iss', 'aud'],
        maxTokenAge: s.maxTokenAgeSeconds,
        typ: s.requiredType,
        currentDate: options.now?.(),
      }));
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw failed(`${e.code ?? 'error'}: ${e.message ?? String(err)}`);
    }
    const user = payload[s.userClaim];
    if (typeof user !== 'string' || user === '') throw failed(`claim "${s.userClaim}" missing`);
    if (user !== startup.user) throw failed(`token is for "${user}"`);
    return { user, groups: groupsOf(payload[s.groupsClaim]) };
  };
}
