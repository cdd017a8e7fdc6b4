/**
 * Bearer-token settings (the `jwt` section of the auth configuration, or `--jwt-config`), used
 * by the `jwt` and `oauth` methods:
 *
 *   { "issuer": "https://idp.example", "audience": "lakegate",
 *     "jwksUrl": "https://idp.example/.well-known/jwks.json",   // or "keys": [ <JWK>, … ],
 *                                                                // or "discovery": true (OIDC: the jwks_uri of
 *                                                                //   <issuer>/.well-known/openid-configuration,
 *                                                                //   or of the document at "discovery": "<URL>"),
 *                                                                // or "introspection": { … } (below)
 *     "algorithms": ["RS256", "ES256"],                          // signed JWTs: required; none and HS* refused
 *     "clockToleranceSeconds": 30,                               // 0…60, default 30
 *     "userClaim": "sub", "groupsClaim": "groups",               // defaults
 *     "userMappingPattern": "(.*)@example\\.com",                // optional: the first group is the user
 *     "maxTokenAgeSeconds": 3600,                                // optional: iat must be this recent
 *     "requiredType": "at+jwt",                                  // optional, signed JWTs: the header's typ
 *     "allowPlaintext": false,                                   // tokens only over TLS by default
 *     "jwksCacheMaxAgeMs": 600000, "jwksCooldownMs": 30000, "jwksTimeoutMs": 5000 }   // also for discovery
 *
 * RFC 7662 token introspection instead of local verification (opaque tokens work too):
 *
 *   "introspection": { "url": "https://idp.example/oauth2/introspect",
 *                      "clientId": "lakegate", "clientSecret": "…",
 *                      "clientAuthMethod": "client_secret_basic",   // or client_secret_post
 *                      "timeoutMs": 5000, "cacheTtlMs": 30000, "cacheMaxEntries": 10000,
 *                      "allowInsecureHttp": false }                 // http:// only to a loopback host
 */
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { Introspector, type ClientAuthMethod } from './introspection.js';
import { discoveredKeys, discoveryUrlOf } from './oidc-discovery.js';

/** Signed JWTs verified here: the key set, the algorithm allow-list and the optional header typ. */
export interface SignatureVerification {
  readonly kind: 'signature';
  /** A JWKS URL with cache and refresh, or static keys. */
  readonly keys: JWTVerifyGetKey;
  readonly algorithms: readonly string[];
  readonly requiredType: string | undefined;
}

/** Any token (JWT or opaque) asked about at the identity provider's introspection endpoint. */
export interface IntrospectionVerification {
  readonly kind: 'introspection';
  readonly introspector: Introspector;
}

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly clockToleranceSeconds: number;
  readonly userClaim: string;
  readonly groupsClaim: string;
  /** Matched against the whole user claim; its first capture group is the user (Trino's user-mapping.pattern). */
  readonly userMappingPattern: RegExp | undefined;
  readonly maxTokenAgeSeconds: number | undefined;
  readonly allowPlaintext: boolean;
  readonly verification: SignatureVerification | IntrospectionVerification;
}

/** Asymmetric JWS algorithms only: `none` and the HMAC family can never be allowed. */
const ALLOWED_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);
/** Settings that mean nothing with introspection: refused there rather than ignored. */
const SIGNATURE_ONLY = ['algorithms', 'requiredType', 'jwksCacheMaxAgeMs', 'jwksCooldownMs', 'jwksTimeoutMs'];
const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post'];
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Typed access to one settings object; errors name the key as `jwt: "section.key"`. */
function fields(obj: Record<string, unknown>, section = '') {
  const fail = (key: string, what: string) => new Error(`jwt: "${section}${key}" ${what}`);
  const str = (key: string, fallback?: string): string => {
    const v = obj[key] ?? fallback;
    if (typeof v !== 'string' || v === '') throw fail(key, 'must be a non-empty string');
    return v;
  };
  const num = (key: string, fallback: number, max = Number.MAX_SAFE_INTEGER, min = 0): number => {
    const v = obj[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw fail(key, `must be a number between ${min} and ${max}`);
    return v;
  };
  /** https, or with allowInsecureHttp an http URL of a loopback host (tests, a local sidecar). */
  const secureUrl = (key: string, allowInsecureHttp: boolean): URL => {
    const text = str(key);
    const url = URL.canParse(text) ? new URL(text) : null;
    if (url?.protocol === 'https:' || (url?.protocol === 'http:' && allowInsecureHttp && LOOPBACK_HOST.test(url.hostname))) return url;
    throw fail(key, allowInsecureHttp ? 'must be an https URL, or an http URL of a loopback host' : 'must be an https URL');
  };
  return { str, num, secureUrl };
}

function introspection(raw: unknown): IntrospectionVerification {
  if (!isObject(raw)) throw new Error('jwt: "introspection" must be an object');
  const f = fields(raw, 'introspection.');
  const clientAuthMethod = f.str('clientAuthMethod', 'client_secret_basic') as ClientAuthMethod;
  if (!CLIENT_AUTH_METHODS.includes(clientAuthMethod)) throw new Error(`jwt: "introspection.clientAuthMethod" must be one of ${CLIENT_AUTH_METHODS.join(', ')}`);
  const introspector = new Introspector({
    url: f.secureUrl('url', raw.allowInsecureHttp === true),
    clientId: f.str('clientId'),
    clientSecret: f.str('clientSecret'),
    clientAuthMethod,
    timeoutMs: f.num('timeoutMs', 5000, 60_000, 1),
    cacheTtlMs: f.num('cacheTtlMs', 30_000, 3_600_000),
    cacheMaxEntries: f.num('cacheMaxEntries', 10_000, 1_000_000, 1),
  });
  return { kind: 'introspection', introspector };
}

function signature(o: Record<string, unknown>): SignatureVerification {
  const f = fields(o);
  const algorithms = o.algorithms;
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new Error('jwt: "algorithms" must list the allowed algorithms');
  for (const a of algorithms) if (!ALLOWED_ALGORITHMS.has(a as string)) throw new Error(`jwt: algorithm "${String(a)}" is not allowed (allowed: ${[...ALLOWED_ALGORITHMS].join(', ')})`);
  let keys: JWTVerifyGetKey;
  const remote = () => ({
    cacheMaxAge: f.num('jwksCacheMaxAgeMs', 600_000),
    cooldownDuration: f.num('jwksCooldownMs', 30_000),
    timeoutDuration: f.num('jwksTimeoutMs', 5000),
  });
  const httpUrl = (key: string, text: string): URL => {
    const url = URL.canParse(text) ? new URL(text) : null;
    if (url?.protocol !== 'https:' && url?.protocol !== 'http:') throw new Error(`jwt: "${key}" must be an http(s) URL`);
    return url;
  };
  if (o.jwksUrl !== undefined) {
    keys = createRemoteJWKSet(httpUrl('jwksUrl', f.str('jwksUrl')), remote());
  } else if (o.discovery !== undefined) {
    if (o.discovery !== true && typeof o.discovery !== 'string') throw new Error('jwt: "discovery" must be true or the URL of the OpenID configuration document');
    const jwks = remote();
    keys = discoveredKeys({
      documentUrl: o.discovery === true ? httpUrl('issuer', discoveryUrlOf(f.str('issuer')).href) : httpUrl('discovery', o.discovery),
      issuer: f.str('issuer'),
      timeoutMs: jwks.timeoutDuration,
      cacheMaxAgeMs: jwks.cacheMaxAge,
      cooldownMs: jwks.cooldownDuration,
      jwks,
    });
  } else {
    if (!Array.isArray(o.keys) || o.keys.length === 0) throw new Error('jwt: "keys" must be a non-empty array of JWKs');
    keys = createLocalJWKSet({ keys: o.keys } as JSONWebKeySet);
  }
  return { kind: 'signature', keys, algorithms: algorithms as string[], requiredType: o.requiredType === undefined ? undefined : f.str('requiredType') };
}

/** A whole-claim pattern with at least one capture group; refused at startup otherwise. */
function userMappingPattern(pattern: string): RegExp {
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    throw new Error(`jwt: "userMappingPattern" is not a valid regular expression: ${(err as Error).message}`);
  }
  // With an empty alternative exec always matches '', and its result has one slot per group.
  if (new RegExp(`${pattern}|`, 'u').exec('')!.length < 2) throw new Error('jwt: "userMappingPattern" needs a capture group for the user, e.g. "(.*)@example\\.com"');
  // The pattern compiled alone, so its parentheses are balanced and it cannot escape the anchors.
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** Validates the JSON settings and builds the key set or the introspection client. */
export function parseJwtSettings(o: unknown): JwtSettings {
  if (!isObject(o)) throw new Error('jwt: expected an object');
  const f = fields(o);
  const audience = o.audience;
  if (!(typeof audience === 'string' && audience !== '') && !(Array.isArray(audience) && audience.length > 0 && audience.every((a) => typeof a === 'string' && a !== ''))) {
    throw new Error('jwt: "audience" must be a string or a non-empty array of strings');
  }
  const validators = ['jwksUrl', 'discovery', 'keys', 'introspection'].filter((k) => o[k] !== undefined);
  if (validators.length !== 1) throw new Error('jwt: give exactly one of "jwksUrl", "discovery", "keys" and "introspection"');
  if (o.introspection !== undefined) {
    for (const k of SIGNATURE_ONLY) if (o[k] !== undefined) throw new Error(`jwt: "${k}" applies to signed JWTs, not to "introspection"`);
  }
  return {
    issuer: f.str('issuer'),
    audience: audience as string | string[],
    clockToleranceSeconds: f.num('clockToleranceSeconds', 30, 60),
    userClaim: f.str('userClaim', 'sub'),
    groupsClaim: f.str('groupsClaim', 'groups'),
    userMappingPattern: o.userMappingPattern === undefined ? undefined : userMappingPattern(f.str('userMappingPattern')),
    maxTokenAgeSeconds: o.maxTokenAgeSeconds === undefined ? undefined : f.num('maxTokenAgeSeconds', 0),
    allowPlaintext: o.allowPlaintext === true,
    verification: o.introspection !== undefined ? introspection(o.introspection) : signature(o),
  };
}
