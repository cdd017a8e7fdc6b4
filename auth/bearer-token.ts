/**
 * Verification of a JWT bearer token, shared by the `jwt` method (token as the password) and
 * OAUTHBEARER (`oauth`): signature against the configured keys and algorithm allow-list,
 * required exp, iss and aud, bounded clock skew, optional max age and header typ; the user
 * claim must name the user the client asked to be. A failure throws TokenRejected with the
 * reason for the server log (never the token).
 */
import { jwtVerify, type JWTPayload } from 'jose';
import type { Principal } from './authenticator.js';
import type { JwtSettings } from './jwt-config.js';

/** Longer tokens are refused before any parsing or crypto. */
export const MAX_TOKEN_BYTES = 16 * 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export class TokenRejected extends Error {}

function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((g) => g !== '');
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

export interface VerifiedToken {
  readonly principal: Principal;
  readonly payload: JWTPayload;
}

/** Verifies `token` for `user`; throws TokenRejected naming the reason. */
export async function verifyBearerToken(token: string, s: JwtSettings, user: string, now?: Date): Promise<VerifiedToken> {
  if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) throw new TokenRejected('token too long');
  if (!JWS_COMPACT.test(token)) throw new TokenRejected('not a compact JWS');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, s.keys, {
      issuer: s.issuer,
      audience: s.audience as string | string[],
      algorithms: [...s.algorithms],
      clockTolerance: s.clockToleranceSeconds,
      requiredClaims: ['exp', 'iss', 'aud'],
      maxTokenAge: s.maxTokenAgeSeconds,
      typ: s.requiredType,
      currentDate: now,
    }));
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new TokenRejected(`${e.code ?? 'error'}: ${e.message ?? String(err)}`);
  }
  const claimed = payload[s.userClaim];
  if (typeof claimed !== 'string' || claimed === '') throw new TokenRejected(`claim "${s.userClaim}" missing`);
  if (claimed !== user) throw new TokenRejected(`token is for "${claimed}"`);
  return { principal: { user: claimed, groups: groupsOf(payload[s.groupsClaim]) }, payload };
}
