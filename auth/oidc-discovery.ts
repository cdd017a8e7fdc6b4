/**
 * Signing keys found through OpenID Connect discovery: the issuer's configuration document
 * (`<issuer>/.well-known/openid-configuration`, or a configured URL) names its `jwks_uri`, whose
 * key set jose then fetches, caches and refreshes (key rotation: an unknown `kid` refetches it,
 * within the cooldown). The document must name exactly the configured issuer (OpenID Connect
 * Discovery §4.3), so a document served for another issuer is never trusted.
 *
 * The document is fetched at the first verification and again once it is older than the key
 * cache's maximum age (the issuer may move its keys); a failed fetch is not retried for the
 * cooldown, so a flood of sign-ins while the issuer is down asks it at most once per cooldown.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey, type RemoteJWKSetOptions } from 'jose';

export interface DiscoveryOptions {
  readonly documentUrl: URL;
  readonly issuer: string;
  readonly timeoutMs: number;
  readonly cacheMaxAgeMs: number;
  readonly cooldownMs: number;
  readonly jwks: RemoteJWKSetOptions;
  readonly now?: () => number;
}

/** The well-known location of an issuer's configuration document. */
export function discoveryUrlOf(issuer: string): URL {
  return new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
}

async function fetchJwksUri(o: DiscoveryOptions): Promise<URL> {
  const response = await fetch(o.documentUrl, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error(`OIDC discovery document ${o.documentUrl.href}: HTTP ${response.status}`);
  let document: unknown;
  try {
    document = await response.json();
  } catch {
    throw new Error(`OIDC discovery document ${o.documentUrl.href}: not JSON`);
  }
  const { issuer, jwks_uri: jwksUri } = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  if (issuer !== o.issuer) throw new Error(`OIDC discovery document ${o.documentUrl.href} is for issuer ${JSON.stringify(issuer)}, not "${o.issuer}"`);
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw new Error(`OIDC discovery document ${o.documentUrl.href} has no valid "jwks_uri"`);
  const url = new URL(jwksUri);
  if (url.protocol !== o.documentUrl.protocol) throw new Error(`OIDC discovery document ${o.documentUrl.href}: "jwks_uri" ${url.href} must use ${o.documentUrl.protocol}`);
  return url;
}

/** A jose key resolver that discovers the issuer's key set, then defers to it. */
export function discoveredKeys(o: DiscoveryOptions): JWTVerifyGetKey {
  const now = o.now ?? Date.now;
  let current: { keys: JWTVerifyGetKey; jwksUri: string; at: number } | undefined;
  let pending: Promise<void> | undefined;
  let failure: { error: Error; at: number } | undefined;

  const discover = (): Promise<void> => {
    pending ??= fetchJwksUri(o).then(
      (url) => {
        // The same key set keeps its cache; a moved one starts a new one.
        if (current?.jwksUri !== url.href) current = { keys: createRemoteJWKSet(url, o.jwks), jwksUri: url.href, at: now() };
        else current.at = now();
        failure = undefined;
      },
      (error: Error) => {
        failure = { error, at: now() };
      },
    ).finally(() => {
      pending = undefined;
    });
    return pending;
  };

  return async (header, token) => {
    const stale = !current || now() - current.at > o.cacheMaxAgeMs;
    const coolingDown = failure !== undefined && now() - failure.at < o.cooldownMs;
    if (stale && !coolingDown) await discover();
    // While the issuer cannot be reached, keys discovered before keep working.
    if (!current) throw failure?.error ?? new Error('OIDC discovery has not succeeded');
    return current.keys(header, token);
  };
}
