/**
 * JWT verification settings (the `jwt` section of the auth configuration, or `--jwt-config`):
 *
 *   { "issuer": "https://idp.example", "audience": "lakegate",
 *     "jwksUrl": "https://idp.example/.well-known/jwks.json",   // or "keys": [ <JWK>, … ]
 *     "algorithms": ["RS256", "ES256"],                          // required; none and HS* refused
 *     "clockToleranceSeconds": 30,                               // 0…60, default 30
 *     "userClaim": "sub", "groupsClaim": "groups",               // defaults
 *     "maxTokenAgeSeconds": 3600,                                // optional: iat must be this recent
 *     "requiredType": "at+jwt",                                  // optional: the header's typ
 *     "allowPlaintext": false,                                   // tokens only over TLS by default
 *     "jwksCacheMaxAgeMs": 600000, "jwksCooldownMs": 30000, "jwksTimeoutMs": 5000 }
 */
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly userClaim: string;
  readonly groupsClaim: string;
  readonly maxTokenAgeSeconds: number | undefined;
  readonly requiredType: string | undefined;
  readonly allowPlaintext: boolean;
  /** The key set: a JWKS URL with cache and refresh, or static keys. */
  readonly keys: JWTVerifyGetKey;
}

/** Asymmetric JWS algorithms only: `none` and the HMAC family can never be allowed. */
const ALLOWED_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

function str(obj: Record<string, unknown>, key: string, fallback?: string): string {
  const v = obj[key] ?? fallback;
  if (typeof v !== 'string' || v === '') throw new Error(`jwt: "${key}" must be a non-empty string`);
  return v;
}

function num(obj: Record<string, unknown>, key: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = obj[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) throw new Error(`jwt: "${key}" must be a number between 0 and ${max}`);
  return v;
}

/** Validates the JSON settings and builds the key set. */
export function parseJwtSettings(raw: unknown): JwtSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('jwt: expected an object');
  const o = raw as Record<string, unknown>;
  const audience = o.audience;
  if (!(typeof audience === 'string' && audience !== '') && !(Array.isArray(audience) && audience.length > 0 && audience.every((a) => typeof a === 'string' && a !== ''))) {
    throw new Error('jwt: "audience" must be a string or a non-empty array of strings');
  }
  const algorithms = o.algorithms;
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new Error('jwt: "algorithms" must list the allowed algorithms');
  for (const a of algorithms) if (!ALLOWED_ALGORITHMS.has(a as string)) throw new Error(`jwt: algorithm "${String(a)}" is not allowed (allowed: ${[...ALLOWED_ALGORITHMS].join(', ')})`);
  if ((o.jwksUrl === undefined) === (o.keys === undefined)) throw new Error('jwt: give exactly one of "jwksUrl" and "keys"');
  let keys: JWTVerifyGetKey;
  if (o.jwksUrl !== undefined) {
    const url = new URL(str(o, 'jwksUrl'));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('jwt: "jwksUrl" must be an http(s) URL');
    keys = createRemoteJWKSet(url, {
      cacheMaxAge: num(o, 'jwksCacheMaxAgeMs', 600_000),
      cooldownDuration: num(o, 'jwksCooldownMs', 30_000),
      timeoutDuration: num(o, 'jwksTimeoutMs', 5000),
    });
  } else {
    if (!Array.isArray(o.keys) || o.keys.length === 0) throw new Error('jwt: "keys" must be a non-empty array of JWKs');
    keys = createLocalJWKSet({ keys: o.keys } as JSONWebKeySet);
  }
  return {
    issuer: str(o, 'issuer'),
    audience: audience as string | string[],
    algorithms: algorithms as string[],
    clockToleranceSeconds: num(o, 'clockToleranceSeconds', 30, 60),
    userClaim: str(o, 'userClaim', 'sub'),
    groupsClaim: str(o, 'groupsClaim', 'groups'),
    maxTokenAgeSeconds: o.maxTokenAgeSeconds === undefined ? undefined : num(o, 'maxTokenAgeSeconds', 0),
    requiredType: o.requiredType === undefined ? undefined : str(o, 'requiredType'),
    allowPlaintext: o.allowPlaintext === true,
    keys,
  };
}
