/**
 * OpenID Connect discovery for JWT verification: an issuer served by the test over node:http
 * (configuration document + JWKS). Tokens verify with the discovered keys, over the wire too; a
 * document for another issuer is never trusted; a rotated key and a moved jwks_uri are picked
 * up; an unreachable issuer is asked at most once per cooldown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import { silentLogger } from '../server/log.js';
import { startServer } from '../server/server.js';
import { selectOneAs } from '../server/testing/sign-in.js';
import { createFakeEngine } from '../server/testing/fake-engine.js';
import { TokenRejected, verifyBearerToken } from './bearer-token.js';
import { hbaAuthenticator } from './hba-authenticator.js';
import { parseHba } from './hba.js';
import { parseJwtSettings } from './jwt-config.js';
import { jwtAuthenticator } from './methods/jwt.js';
import { discoveredKeys } from './oidc-discovery.js';

const AUDIENCE = 'lakegate';
let server: Server;
let issuer: string;
/** What the issuer serves; tests change it. */
let documentIssuer: string | undefined;
let jwksPath = '/keys-a';
let published: JWK[] = [];
let documentStatus = 200;
const requests: string[] = [];
const keys: Record<string, CryptoKey> = {};

async function publicJwk(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  keys[kid] = privateKey;
  const { d: _d, ...pub } = await exportJWK(privateKey);
  return { ...pub, kid, alg: 'ES256', use: 'sig' };
}

const token = (kid: string, sub = 'alice') =>
  new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(issuer).setAudience(AUDIENCE).setSubject(sub).setIssuedAt().setExpirationTime('5m').sign(keys[kid]!);

const settings = (extra: Record<string, unknown> = {}) =>
  parseJwtSettings({ issuer, audience: AUDIENCE, discovery: true, algorithms: ['ES256'], jwksCooldownMs: 0, ...extra });

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.statusCode = documentStatus;
      res.end(JSON.stringify({ issuer: documentIssuer ?? issuer, jwks_uri: `${issuer}${jwksPath}`, id_token_signing_alg_values_supported: ['ES256'] }));
    } else if (req.url === jwksPath) {
      res.end(JSON.stringify({ keys: published }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => server?.close());

beforeEach(async () => {
  documentIssuer = undefined;
  documentStatus = 200;
  jwksPath = '/keys-a';
  published = [await publicJwk('k1')];
  requests.length = 0;
});

/** Verification through a discovered key set whose clock the test sets (document age, cooldown). */
function withClock() {
  let clock = 0;
  const resolver = discoveredKeys({
    documentUrl: new URL(`${issuer}/.well-known/openid-configuration`), issuer, timeoutMs: 2000, cacheMaxAgeMs: 60_000, cooldownMs: 30_000,
    jwks: { cooldownDuration: 0 }, now: () => clock,
  });
  const s = settings();
  return {
    verify: async (kid: string) => verifyBearerToken(await token(kid), { ...s, verification: { ...s.verification, keys: resolver } as typeof s.verification }, 'alice'),
    setClock: (ms: number) => {
      clock = ms;
    },
  };
}

describe('OIDC discovery', () => {
  it('finds the key set through the configuration document and verifies tokens with it', async () => {
    const s = settings();
    expect((await verifyBearerToken(await token('k1'), s, 'alice')).principal.user).toBe('alice');
    expect((await verifyBearerToken(await token('k1'), s, 'alice')).principal.user).toBe('alice');
    expect(requests).toEqual(['/.well-known/openid-configuration', '/keys-a']);
  });

  it('signs in over the wire with a discovered key, and refuses a token from an unknown key', async () => {
    const logged: string[] = [];
    const gateway = await startServer({
      engine: createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } }),
      port: 0,
      log: silentLogger,
      authenticate: hbaAuthenticator(parseHba('host all all all jwt'), { jwt: jwtAuthenticator({ settings: settings({ allowPlaintext: true }), log: (m) => logged.push(m) }) }),
    });
    const signIn = (password: string) => selectOneAs(gateway.port, 'alice', password);
    try {
      expect(await signIn(await token('k1'))).toBe(1);
      await publicJwk('stranger');
      await expect(signIn(await token('stranger'))).rejects.toMatchObject({ code: '28000', message: 'JWT authentication failed for user "alice"' });
      expect(logged.at(-1)).toContain('ERR_JWKS_NO_MATCHING_KEY');
      expect(await signIn(await token('k1'))).toBe(1);
    } finally {
      await gateway.close();
    }
  });

  it('never trusts a document that names another issuer', async () => {
    documentIssuer = 'https://evil.test';
    await expect(verifyBearerToken(await token('k1'), settings(), 'alice')).rejects.toThrow(TokenRejected);
    await expect(verifyBearerToken(await token('k1'), settings(), 'alice')).rejects.toThrow(/is for issuer "https:\/\/evil\.test"/);
    expect(requests).not.toContain('/keys-a');
  });

  it('picks up a rotated key, and a moved jwks_uri once the document is stale', async () => {
    const { verify, setClock } = withClock();
    await verify('k1');
    published = [...published, await publicJwk('k2')];
    await verify('k2');
    expect(requests).toEqual(['/.well-known/openid-configuration', '/keys-a', '/keys-a']);
    jwksPath = '/keys-b';
    published = [await publicJwk('k3')];
    setClock(61_000);
    await verify('k3');
    expect(requests.slice(3)).toEqual(['/.well-known/openid-configuration', '/keys-b']);
  });

  it('asks an issuer that fails at most once per cooldown, and keys found before keep working', async () => {
    const { verify, setClock } = withClock();
    documentStatus = 503;
    const attempts = await Promise.allSettled(Array.from({ length: 20 }, () => verify('k1')));
    expect(attempts.every((a) => a.status === 'rejected')).toBe(true);
    expect(requests).toEqual(['/.well-known/openid-configuration']);
    setClock(31_000);
    documentStatus = 200;
    await verify('k1');
    documentStatus = 503;
    setClock(100_000);
    await verify('k1');
    expect(requests.filter((r) => r === '/.well-known/openid-configuration')).toHaveLength(3);
  });

  it('refuses settings without a usable discovery location', () => {
    expect(() => parseJwtSettings({ issuer, audience: AUDIENCE, discovery: 'ftp://x', algorithms: ['ES256'] })).toThrow('"discovery" must be an http(s) URL');
    expect(() => parseJwtSettings({ issuer, audience: AUDIENCE, discovery: 1, algorithms: ['ES256'] })).toThrow('"discovery" must be true or the URL');
    expect(() => parseJwtSettings({ issuer, audience: AUDIENCE, discovery: true, keys: [{}], algorithms: ['ES256'] })).toThrow('give exactly one of');
  });
});
