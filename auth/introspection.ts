/**
 * OAuth 2.0 token introspection (RFC 7662): the alternative to verifying a signed JWT locally,
 * for opaque tokens or where the identity provider should decide. The token is POSTed to the
 * endpoint (form-encoded, client authentication by HTTP Basic or in the body), the answer must
 * be HTTP 200 with a JSON object whose `active` is `true`; anything else — an inactive token, a
 * 4xx/5xx, a redirect, a body that is not a JSON object, a refused connection, no answer within
 * the timeout — throws TokenRejected with the reason (never the token). Active answers are cached
 * by the token's SHA-256, for at most the cache TTL and never past the token's `exp`, in a
 * bounded map; sign-ins with the same token while a request is under way share that request.
 * The claims of the answer are checked by `verifyBearerToken` (auth/bearer-token.ts), cached or not.
 */
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { TokenRejected } from './bearer-token.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface IntrospectionOptions {
  readonly url: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientAuthMethod: ClientAuthMethod;
  readonly timeoutMs: number;
  /** 0: no cache. */
  readonly cacheTtlMs: number;
  readonly cacheMaxEntries: number;
}

interface Cached {
  /** Epoch milliseconds: the earlier of the cache TTL and the token's exp. */
  readonly until: number;
  readonly claims: JWTPayload;
}

export class Introspector {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<JWTPayload>>();

  constructor(private readonly options: IntrospectionOptions) {}

  /** The claims of an active token, from the cache or the endpoint; throws TokenRejected. */
  async claims(token: string, now: Date): Promise<JWTPayload> {
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.cache.get(key);
    if (cached && cached.until > now.getTime()) return cached.claims;
    this.cache.delete(key);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.request(token).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const claims = await pending;
    this.remember(key, claims, now);
    return claims;
  }

  private remember(key: string, claims: JWTPayload, now: Date): void {
    if (typeof claims.exp !== 'number') return;
    const until = Math.min(now.getTime() + this.options.cacheTtlMs, claims.exp * 1000);
    if (until <= now.getTime()) return;
    this.cache.delete(key);
    this.cache.set(key, { until, claims });
    // Oldest first: a Map iterates in insertion order.
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= this.options.cacheMaxEntries) break;
      this.cache.delete(oldest);
    }
  }

  private async request(token: string): Promise<JWTPayload> {
    const o = this.options;
    const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    if (o.clientAuthMethod === 'client_secret_basic') {
      // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined.
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', o.clientId);
      form.set('client_secret', o.clientSecret);
    }
    let status: number;
    let text: string;
    try {
      const response = await fetch(o.url, { method: 'POST', headers, body: form, redirect: 'error', signal: AbortSignal.timeout(o.timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (err) {
      // fetch's own message is "fetch failed"; the cause says why (ECONNREFUSED, unexpected redirect, …).
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') throw new TokenRejected(`introspection endpoint did not answer within ${o.timeoutMs} ms`);
      throw new TokenRejected(`introspection request failed: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
    }
    if (status !== 200) throw new TokenRejected(`introspection endpoint answered HTTP ${status}`);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      // The parser's message quotes the body; only the fact is logged.
      throw new TokenRejected('introspection response is not JSON');
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new TokenRejected('introspection response is not a JSON object');
    if ((answer as { active?: unknown }).active !== true) throw new TokenRejected('token is not active');
    return answer as JWTPayload;
  }
}
