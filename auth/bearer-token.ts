/**
 * Verification of a bearer token, shared by the `jwt` method (token as the password) and
 * OAUTHBEARER (`oauth`). A signed JWT is verified here: signature against the configured keys
 * and algorithm allow-list, optional header typ. With introspection the identity provider
 * vouches for the token (auth/introspection.ts) and the token may be opaque. Either way the
 * claims are checked by jose: required exp, iss and aud (an introspection answer need not carry
 * iss and aud, but when it does they must match), bounded clock skew, optional max age; the user
 * claim, after the optional userMappingPattern, must name the user the client asked to be. A
 * failure throws TokenRejected with the reason for the server log (never the token).
 */
import { jwtVerify, UnsecuredJWT, type JWTClaimVerificationOptions, type JWTPayload } from 'jose';
import type { Principal } from './authenticator.js';
import type { JwtSettings, SignatureVerification } from './jwt-config.js';

/** Longer tokens are refused before any parsing, crypto or introspection request. */
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

/**
 * jose's claim checks for these settings. A JWT must carry exp, iss and aud; an introspection
 * `answer` must carry exp, and its iss and aud are checked when it has them (RFC 7662 §2.2).
 */
function claimChecks(s: JwtSettings, now: Date | undefined, answer?: JWTPayload): JWTClaimVerificationOptions {
  return {
    issuer: answer && answer.iss === undefined ? undefined : s.issuer,
    audience: answer && answer.aud === undefined ? undefined : (s.audience as string | string[]),
    clockTolerance: s.clockToleranceSeconds,
    requiredClaims: answer ? ['exp'] : ['exp', 'iss', 'aud'],
    maxTokenAge: s.maxTokenAgeSeconds,
    currentDate: now,
  };
}

/** Runs `check`, turning jose's errors into TokenRejected. */
async function joseChecked(check: () => Promise<JWTPayload> | JWTPayload): Promise<JWTPayload> {
  try {
    return await check();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new TokenRejected(`${e.code ?? 'error'}: ${e.message ?? String(err)}`);
  }
}

function verifySignedJwt(token: string, s: JwtSettings, v: SignatureVerification, now: Date | undefined): Promise<JWTPayload> {
  if (!JWS_COMPACT.test(token)) throw new TokenRejected('not a compact JWS');
  return joseChecked(async () => (await jwtVerify(token, v.keys, { ...claimChecks(s, now), algorithms: [...v.algorithms], typ: v.requiredType })).payload);
}

/**
 * The introspection answer's claims, checked as a JWT's would be. The endpoint authenticated the
 * token, so jose's check of an unsecured JWT carrying those claims is exactly the claim check.
 */
function checkIntrospectedClaims(claims: JWTPayload, s: JwtSettings, now: Date | undefined): Promise<JWTPayload> {
  return joseChecked(() => UnsecuredJWT.decode(new UnsecuredJWT(claims).encode(), claimChecks(s, now, claims)).payload);
}

/** The user named by the user claim, through userMappingPattern when one is configured. */
function userOf(payload: JWTPayload, s: JwtSettings): string {
  const claimed = payload[s.userClaim];
  if (typeof claimed !== 'string' || claimed === '') throw new TokenRejected(`claim "${s.userClaim}" missing`);
  if (!s.userMappingPattern) return claimed;
  const mapped = s.userMappingPattern.exec(claimed)?.[1];
  if (!mapped) throw new TokenRejected(`claim "${s.userClaim}" ("${claimed}") does not match userMappingPattern`);
  return mapped;
}

/** Verifies `token` for `user`; throws TokenRejected naming the reason. */
export async function verifyBearerToken(token: string, s: JwtSettings, user: string, now?: Date): Promise<VerifiedToken> {
  if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) throw new TokenRejected('token too long');
  const v = s.verification;
  const payload =
    v.kind === 'signature' ? await verifySignedJwt(token, s, v, now) : await checkIntrospectedClaims(await v.introspector.claims(token, now ?? new Date()), s, now);
  const mapped = userOf(payload, s);
  if (mapped !== user) throw new TokenRejected(`token is for "${mapped}"`);
  return { principal: { user: mapped, groups: groupsOf(payload[s.groupsClaim]) }, payload };
}
