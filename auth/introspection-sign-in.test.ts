/**
 * RFC 7662 token introspection for the `jwt` method (a token as the password), against an
 * introspection endpoint served by the test over node:http (auth/testing). An opaque token
 * signs in with node-postgres and queries; every refused answer (inactive, past exp, another
 * audience or issuer, HTTP 500, a redirect, a timeout, malformed JSON, …) gives FATAL 28000 with
 * the reason only in the server log, and the next valid sign-in works. Active answers are cached
 * (bounded by the TTL, the token's exp and the entry limit); client authentication is sent.
 * The OAUTHBEARER side is in oauthbearer-sign-in.test.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import { silentLogger } from '../server/log.js';
import { startServer, type RunningServer } from '../server/server.js';
import { selectOneAs } from '../server/testing/sign-in.js';
import { createFakeEngine } from '../server/testing/fake-engine.js';
import type { AuthExchange } from './authenticator.js';
import { hbaAuthenticator } from './hba-authenticator.js';
import { parseHba } from './hba.js';
import { parseJwtSettings } from './jwt-config.js';
import { jwtAuthenticator } from './methods/jwt.js';
import { activeAnswer, IntrospectionEndpoint, opaqueToken, refusedReplies } from './testing/introspection-endpoint.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'lakegate';
/** ':', '/' and '+' show that the id and secret are form-encoded before Basic. */
const CLIENT = { id: 'lakegate', secret: 's3cr:t/+' };
const TIMEOUT_MS = 1000;
const VALID = { sub: 'alice', iss: ISSUER, aud: AUDIENCE, groups: ['analyst'] };

let endpoint: IntrospectionEndpoint;
let server: RunningServer;
const logged: string[] = [];

const validToken = (claims: Record<string, unknown> = {}) => endpoint.activeToken({ ...VALID, ...claims });
const settings = (introspection: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  parseJwtSettings({
    issuer: ISSUER,
    audience: AUDIENCE,
    allowPlaintext: true,
    introspection: { url: endpoint.url, clientId: CLIENT.id, clientSecret: CLIENT.secret, allowInsecureHttp: true, timeoutMs: TIMEOUT_MS, ...introspection },
    ...extra,
  });

beforeAll(async () => {
  endpoint = await IntrospectionEndpoint.start(CLIENT);
  server = await startServer({
    engine: createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } }),
    port: 0,
    log: silentLogger,
    authenticate: hbaAuthenticator(parseHba('host all all all jwt'), { jwt: jwtAuthenticator({ settings: settings(), log: (m) => logged.push(m) }) }),
  });
});

afterAll(async () => {
  await server?.close();
  await endpoint?.close();
});

const signIn = (password: string, user = 'alice'): Promise<unknown> => selectOneAs(server.port, user, password);

const refused = (user = 'alice') => ({ code: '28000', severity: 'FATAL', message: `JWT authentication failed for user "${user}"` });

describe('JWT method with token introspection', () => {
  it('an opaque token signs in and queries; the endpoint gets the token and HTTP Basic client authentication', async () => {
    const t = validToken();
    expect(await signIn(t)).toBe(1);
    const request = endpoint.requests.at(-1)!;
    expect(request.authorization).toBe(`Basic ${Buffer.from('lakegate:s3cr%3At%2F%2B').toString('base64')}`);
    expect(request.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(request.form)).toEqual({ token: t, token_type_hint: 'access_token' });
  });

  it.each(refusedReplies(VALID, TIMEOUT_MS))('%s → FATAL 28000, the reason only in the log; then a valid sign-in works', async (_name, reply, reason) => {
    const t = opaqueToken();
    endpoint.reply(t, reply);
    const before = logged.length;
    await expect(signIn(t)).rejects.toMatchObject(refused());
    expect(logged.slice(before)).toEqual([expect.stringMatching(reason)]);
    expect(logged[before]).toMatch(/^JWT sign-in refused for user "alice": /);
    expect(logged.some((l) => l.includes(t))).toBe(false);
    expect(await signIn(validToken())).toBe(1);
  });

  it('an active token for another user is refused', async () => {
    const before = logged.length;
    await expect(signIn(validToken(), 'bob')).rejects.toMatchObject(refused('bob'));
    expect(logged.slice(before)).toEqual(['JWT sign-in refused for user "bob": token is for "alice"']);
  });

  it('a pool signing in with one token asks the endpoint once, one by one or all at once', async () => {
    const t = validToken();
    for (let i = 0; i < 3; i++) expect(await signIn(t)).toBe(1);
    expect(endpoint.hits(t)).toBe(1);
    const together = validToken();
    expect(await Promise.all(Array.from({ length: 5 }, () => signIn(together)))).toEqual([1, 1, 1, 1, 1]);
    expect(endpoint.hits(together)).toBe(1);
  });

  it('refused answers are not cached: each sign-in with them asks again', async () => {
    const t = opaqueToken();
    endpoint.reply(t, { body: { active: false } });
    for (let i = 0; i < 2; i++) await expect(signIn(t)).rejects.toMatchObject(refused());
    expect(endpoint.hits(t)).toBe(2);
  });

  it('a slow endpoint delays only the sign-in waiting for it', async () => {
    const slow = opaqueToken();
    endpoint.reply(slow, { body: activeAnswer(VALID), delayMs: TIMEOUT_MS / 2 });
    const finished: string[] = [];
    const slowSignIn = signIn(slow).then(() => finished.push('slow'));
    await Promise.all(Array.from({ length: 3 }, () => signIn(validToken()).then(() => finished.push('quick'))));
    await slowSignIn;
    expect(finished).toEqual(['quick', 'quick', 'quick', 'slow']);
  });
});

describe('the introspecting authenticator', () => {
  const exchange = (tok: string): AuthExchange => ({
    socket: { encrypted: true } as unknown as Socket,
    request: () => {},
    receive: async () => Buffer.from(`${tok}\0`),
  });
  const startup = { user: 'alice', database: 'd', parameters: new Map<string, string>() };
  const nowSeconds = Math.floor(Date.now() / 1000);
  const at = (seconds: number) => () => new Date((nowSeconds + seconds) * 1000);

  it('caches an active answer for at most the TTL, never past exp, and for at most cacheMaxEntries tokens', async () => {
    const s = settings({ cacheTtlMs: 60_000, cacheMaxEntries: 2 }, { clockToleranceSeconds: 0 });
    const signInAt = (t: string, seconds: number) => jwtAuthenticator({ settings: s, now: at(seconds) })(startup, exchange(t));
    // exp 10 s away: cached until exp although the TTL is a minute; after exp it is asked again.
    const shortLived = validToken({ exp: nowSeconds + 10 });
    await signInAt(shortLived, 0);
    await signInAt(shortLived, 9);
    expect(endpoint.hits(shortLived)).toBe(1);
    await expect(signInAt(shortLived, 11)).rejects.toMatchObject({ code: '28000' });
    expect(endpoint.hits(shortLived)).toBe(2);
    // The TTL bounds a long-lived token.
    const longLived = validToken({ exp: nowSeconds + 3600 });
    await signInAt(longLived, 0);
    await signInAt(longLived, 59);
    expect(endpoint.hits(longLived)).toBe(1);
    await signInAt(longLived, 61);
    expect(endpoint.hits(longLived)).toBe(2);
    // Two entries at most: a third token pushes out the oldest.
    const [a, b, c] = [validToken(), validToken(), validToken()];
    for (const t of [a, b, c, c, b, a]) await signInAt(t, 100);
    expect([a, b, c].map((t) => endpoint.hits(t))).toEqual([2, 1, 1]);
    // cacheTtlMs 0: no cache.
    const uncached = jwtAuthenticator({ settings: settings({ cacheTtlMs: 0 }) });
    const t = validToken();
    for (let i = 0; i < 2; i++) await uncached(startup, exchange(t));
    expect(endpoint.hits(t)).toBe(2);
  });

  it('client_secret_post sends the client in the form and no Authorization header', async () => {
    const t = validToken();
    await jwtAuthenticator({ settings: settings({ clientAuthMethod: 'client_secret_post' }) })(startup, exchange(t));
    const request = endpoint.requests.at(-1)!;
    expect(request.authorization).toBeUndefined();
    expect(Object.fromEntries(request.form)).toEqual({ token: t, token_type_hint: 'access_token', client_id: CLIENT.id, client_secret: CLIENT.secret });
  });

  it('wrong client credentials (401) or an endpoint that is down refuse the sign-in', async () => {
    const log: string[] = [];
    await expect(jwtAuthenticator({ settings: settings({ clientSecret: 'wrong' }), log: (m) => log.push(m) })(startup, exchange(validToken()))).rejects.toMatchObject({ code: '28000' });
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}/introspect`;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    await expect(jwtAuthenticator({ settings: settings({ url }), log: (m) => log.push(m) })(startup, exchange(opaqueToken()))).rejects.toMatchObject({ code: '28000' });
    expect(log).toEqual([
      'JWT sign-in refused for user "alice": introspection endpoint answered HTTP 401',
      'JWT sign-in refused for user "alice": introspection request failed: ECONNREFUSED',
    ]);
  });

  it('iss and aud are checked only when the answer carries them; user and groups come from the configured claims', async () => {
    const s = settings({}, { userClaim: 'username', groupsClaim: 'roles' });
    const t = endpoint.activeToken({ username: 'alice', roles: 'admin ops' });
    expect(await jwtAuthenticator({ settings: s })(startup, exchange(t))).toEqual({ user: 'alice', groups: ['admin', 'ops'] });
  });

  it('maxTokenAgeSeconds needs a recent iat in the answer', async () => {
    const s = settings({}, { maxTokenAgeSeconds: 60 });
    await expect(jwtAuthenticator({ settings: s })(startup, exchange(validToken()))).resolves.toMatchObject({ user: 'alice' });
    await expect(jwtAuthenticator({ settings: s })(startup, exchange(validToken({ iat: nowSeconds - 120 })))).rejects.toMatchObject({ code: '28000' });
  });

  it('configuration: https only (http for a loopback host with allowInsecureHttp), one validator, its own options', () => {
    const base = { issuer: ISSUER, audience: AUDIENCE };
    const introspection = { url: 'https://idp.test/introspect', clientId: 'c', clientSecret: 's' };
    expect(parseJwtSettings({ ...base, introspection }).verification.kind).toBe('introspection');
    expect(parseJwtSettings({ ...base, introspection: { ...introspection, url: 'http://localhost:8080/i', allowInsecureHttp: true } }).verification.kind).toBe('introspection');
    expect(() => parseJwtSettings({ ...base, introspection: { ...introspection, url: 'http://127.0.0.1/i' } })).toThrow('jwt: "introspection.url" must be an https URL');
    expect(() => parseJwtSettings({ ...base, introspection: { ...introspection, url: 'http://idp.test/i', allowInsecureHttp: true } })).toThrow('must be an https URL, or an http URL of a loopback host');
    expect(() => parseJwtSettings({ ...base, introspection: { ...introspection, url: 'not a url' } })).toThrow('"introspection.url" must be an https URL');
    expect(() => parseJwtSettings({ ...base, introspection: { ...introspection, clientSecret: undefined } })).toThrow('"introspection.clientSecret" must be a non-empty string');
    expect(() => parseJwtSettings({ ...base, introspection: { ...introspection, clientAuthMethod: 'private_key_jwt' } })).toThrow('"introspection.clientAuthMethod" must be one of');
    expect(() => parseJwtSettings({ ...base, introspection: { ...introspection, timeoutMs: 0 } })).toThrow('"introspection.timeoutMs" must be a number between 1 and 60000');
    expect(() => parseJwtSettings({ ...base, introspection: 'https://idp.test/introspect' })).toThrow('"introspection" must be an object');
    expect(() => parseJwtSettings({ ...base, introspection, jwksUrl: 'https://idp.test/jwks' })).toThrow('give exactly one of "jwksUrl", "discovery", "keys" and "introspection"');
    expect(() => parseJwtSettings({ ...base, introspection, algorithms: ['RS256'] })).toThrow('"algorithms" applies to signed JWTs, not to "introspection"');
    expect(() => parseJwtSettings({ ...base, introspection, jwksTimeoutMs: 100 })).toThrow('"jwksTimeoutMs" applies to signed JWTs, not to "introspection"');
  });
});
