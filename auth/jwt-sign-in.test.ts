/**
 * JWT bearer tokens as the password (CHECKLIST-reliability.md b.2 items 42–47, 53): a local
 * JWKS served by the test over node:http; node-postgres and psql sign in with a valid token;
 * expired, wrong-audience, alg none, HS256-with-the-public-key, unknown-key and other-user
 * tokens are each refused with FATAL 28000, and the next valid sign-in works.
 */
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
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

const run = promisify(execFile);
const ISSUER = 'https://idp.test';
const AUDIENCE = 'lakegate';
const engine = () => createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });

let jwks: Server;
let jwksUrl: string;
let jwksRequests = 0;
let key: CryptoKey;
let publicKey: CryptoKey;
let publicJwk: JWK;
let otherKey: CryptoKey;
let plain: RunningServer;
let secure: RunningServer;
const logged: string[] = [];

const token = (claims: Record<string, unknown> = {}, opts: { key?: CryptoKey; kid?: string; exp?: number | string | null; aud?: string | string[]; iss?: string } = {}) => {
  const jwt = new SignJWT({ groups: ['analyst', 'eu'], ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'k1' })
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setSubject('alice')
    .setIssuedAt();
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? '5m');
  return jwt.sign(opts.key ?? key);
};
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

beforeAll(async () => {
  ({ privateKey: key, publicKey } = await generateKeyPair('RS256', { extractable: true }));
  const pair = await generateKeyPair('RS256', { extractable: true });
  otherKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(key)), kid: 'k1', alg: 'RS256', use: 'sig' };
  delete publicJwk.d, delete publicJwk.p, delete publicJwk.q, delete publicJwk.dp, delete publicJwk.dq, delete publicJwk.qi;
  jwks = createServer((req, res) => {
    jwksRequests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;

  const settings = (extra: Record<string, unknown>) =>
    parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, jwksUrl, algorithms: ['RS256', 'ES256'], clockToleranceSeconds: 30, ...extra });
  const log = (m: string) => logged.push(m);
  const rules = parseHba('host all all all jwt');
  plain = await startServer({
    engine: engine(),
    port: 0,
    log: silentLogger,
    authenticate: hbaAuthenticator(rules, { jwt: jwtAuthenticator({ settings: settings({ allowPlaintext: true }), log }) }),
  });
  secure = await startServer({
    engine: engine(),
    port: 0,
    log: silentLogger,
    tls: 'self-signed',
    authenticate: hbaAuthenticator(rules, { jwt: jwtAuthenticator({ settings: settings({}), log }) }),
  });
});

afterAll(async () => {
  await plain?.close();
  await secure?.close();
  jwks?.close();
});

const signIn = (password: string, server = plain, user = 'alice', ssl = false): Promise<unknown> => selectOneAs(server.port, user, password, ssl);

const refused = (user = 'alice') => ({ code: '28000', severity: 'FATAL', message: `JWT authentication failed for user "${user}"` });

describe('JWT as the password', () => {
  it('a valid token signs in with node-postgres', async () => {
    expect(await signIn(await token())).toBe(1);
  });

  it('psql signs in over TLS with the token in PGPASSWORD', async () => {
    const env = { ...process.env, PGPASSWORD: await token(), PGCONNECT_TIMEOUT: '10' };
    const { stdout } = await run('psql', ['-X', '-A', '-t', `host=127.0.0.1 port=${secure.port} user=alice dbname=d sslmode=require`, '-c', 'select 1'], { env });
    expect(stdout.trim()).toBe('1');
  });

  it('tokens only over TLS unless allowed: plaintext refused, TLS accepted', async () => {
    await expect(signIn(await token(), secure)).rejects.toMatchObject({ code: '28000', message: 'JWT authentication requires an SSL connection' });
    expect(await signIn(await token(), secure, 'alice', true)).toBe(1);
  });

  it.each([
    ['expired', async () => token({}, { exp: Math.floor(Date.now() / 1000) - 120 })],
    ['another audience', async () => token({}, { aud: 'someone-else' })],
    ['an aud array without ours', async () => token({}, { aud: ['a', 'b'] })],
    ['no exp', async () => token({}, { exp: null })],
    ['wrong issuer', async () => token({}, { iss: 'https://evil.test' })],
    ['alg none', async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 })}.`],
    ['an unknown key', async () => token({}, { key: otherKey, kid: 'k-unknown' })],
    ['a known kid but another key', async () => token({}, { key: otherKey })],
    ['HS256 signed with the RSA public key', async () => {
      const head = b64url({ alg: 'HS256', kid: 'k1' });
      const body = b64url({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 });
      const pem = await exportSPKI(publicKey);
      return `${head}.${body}.${createHmac('sha256', pem).update(`${head}.${body}`).digest('base64url')}`;
    }],
    ['a kid that looks like a path or SQL', async () => token({}, { key: otherKey, kid: "../../etc/passwd' OR 1=1 --" })],
    ['an embedded jwk header naming the signing key', async () => {
      const pair = await generateKeyPair('RS256', { extractable: true });
      const jwk = await exportJWK(pair.publicKey);
      return new SignJWT({}).setProtectedHeader({ alg: 'RS256', jwk, jku: 'http://127.0.0.1:1/evil.json' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('alice').setExpirationTime('5m').sign(pair.privateKey);
    }],
    ['a JWE-shaped token', async () => 'a.b.c.d.e'],
    ['a token over 16 KiB', async () => 'a'.repeat(17 * 1024)],
    ['not a JWT at all', async () => 'password123'],
  ])('%s → FATAL 28000, then the next valid sign-in works', async (_name, make) => {
    await expect(signIn(await make())).rejects.toMatchObject(refused());
    expect(await signIn(await token())).toBe(1);
  });

  it('an aud array containing ours is accepted', async () => {
    expect(await signIn(await token({}, { aud: ['other', AUDIENCE] }))).toBe(1);
  });

  it('a token for another user is refused', async () => {
    await expect(signIn(await token(), plain, 'bob')).rejects.toMatchObject(refused('bob'));
  });

  it('random kids cause at most one JWKS refetch (cooldown), and tokens never reach the log', async () => {
    const before = jwksRequests;
    for (let i = 0; i < 20; i++) await expect(signIn(await token({}, { key: otherKey, kid: `random-${i}` }))).rejects.toMatchObject({ code: '28000' });
    expect(jwksRequests - before).toBeLessThanOrEqual(1);
    const t = await token();
    await signIn(t);
    expect(logged.some((l) => l.includes(t.split('.')[2]!))).toBe(false);
  });
});

describe('the JWT authenticator', () => {
  const exchange = (tok: string, encrypted = true): AuthExchange => ({
    socket: { encrypted } as unknown as Socket,
    request: () => {},
    receive: async () => Buffer.from(`${tok}\0`),
  });
  const startup = { user: 'alice', database: 'd', parameters: new Map<string, string>() };

  it('takes the user and groups from configurable claims; clock skew is bounded', async () => {
    const settings = parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, keys: [publicJwk], algorithms: ['RS256'], userClaim: 'preferred_username', groupsClaim: 'roles' });
    const auth = jwtAuthenticator({ settings });
    const t = await token({ preferred_username: 'alice', roles: ['admin', 'ops'] });
    expect(await auth(startup, exchange(t))).toEqual({ user: 'alice', groups: ['admin', 'ops'] });
    // 30 s tolerance by default: 29 s after exp still valid, 31 s after refused.
    const exp = Math.floor(Date.now() / 1000) + 60;
    const t2 = await token({ preferred_username: 'alice' }, { exp });
    await expect(jwtAuthenticator({ settings, now: () => new Date((exp + 29) * 1000) })(startup, exchange(t2))).resolves.toMatchObject({ user: 'alice' });
    await expect(jwtAuthenticator({ settings, now: () => new Date((exp + 31) * 1000) })(startup, exchange(t2))).rejects.toMatchObject({ code: '28000' });
  });

  it('userMappingPattern: the first group of a whole-claim match is the user; a claim that does not match is refused', async () => {
    const settings = parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, keys: [publicJwk], algorithms: ['RS256'], userClaim: 'email', userMappingPattern: '(.*)@example\\.com' });
    const log: string[] = [];
    const auth = jwtAuthenticator({ settings, log: (m) => log.push(m) });
    expect(await auth(startup, exchange(await token({ email: 'alice@example.com' })))).toEqual({ user: 'alice', groups: ['analyst', 'eu'] });
    for (const email of ['alice@example.com.evil.test', 'alice@other.com', 'alice', '@example.com', 'bob@example.com', 'Alice@example.com']) {
      await expect(auth(startup, exchange(await token({ email })))).rejects.toMatchObject(refused());
    }
    expect(log).toEqual([
      ...['alice@example.com.evil.test', 'alice@other.com', 'alice', '@example.com'].map((e) => `JWT sign-in refused for user "alice": claim "email" ("${e}") does not match userMappingPattern`),
      'JWT sign-in refused for user "alice": token is for "bob"',
      'JWT sign-in refused for user "alice": token is for "Alice"',
    ]);
  });

  it('userMappingPattern must compile and have a capture group', () => {
    const base = { issuer: ISSUER, audience: AUDIENCE, keys: [publicJwk], algorithms: ['RS256'] };
    expect(() => parseJwtSettings({ ...base, userMappingPattern: '(.*@example\\.com' })).toThrow('jwt: "userMappingPattern" is not a valid regular expression');
    expect(() => parseJwtSettings({ ...base, userMappingPattern: 'a)|(b' })).toThrow('jwt: "userMappingPattern" is not a valid regular expression');
    expect(() => parseJwtSettings({ ...base, userMappingPattern: '.*@example\\.com' })).toThrow('jwt: "userMappingPattern" needs a capture group for the user');
    expect(() => parseJwtSettings({ ...base, userMappingPattern: '' })).toThrow('jwt: "userMappingPattern" must be a non-empty string');
  });

  it('duplicate kids in the key set, or a failing JWKS endpoint, refuse (fail closed)', async () => {
    const dup = parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, keys: [publicJwk, { ...publicJwk }], algorithms: ['RS256'] });
    await expect(jwtAuthenticator({ settings: dup })(startup, exchange(await token()))).rejects.toMatchObject({ code: '28000' });
    const failing = createServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('{"keys":[]}'), 2000).unref();
      else res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
    try {
      for (const path of ['/500', '/slow']) {
        const settings = parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: base + path, algorithms: ['RS256'], jwksTimeoutMs: 300 });
        const started = Date.now();
        await expect(jwtAuthenticator({ settings })(startup, exchange(await token()))).rejects.toMatchObject({ code: '28000' });
        expect(Date.now() - started).toBeLessThan(1500);
      }
    } finally {
      failing.closeAllConnections();
      failing.close();
    }
  });

  it('configuration refuses none, HS*, a tolerance over 60 s and missing keys', () => {
    const base = { issuer: ISSUER, audience: AUDIENCE, keys: [publicJwk], algorithms: ['RS256'] };
    expect(() => parseJwtSettings({ ...base, algorithms: ['none'] })).toThrow(/not allowed/);
    expect(() => parseJwtSettings({ ...base, algorithms: ['HS256'] })).toThrow(/not allowed/);
    expect(() => parseJwtSettings({ ...base, algorithms: [] })).toThrow(/algorithms/);
    expect(() => parseJwtSettings({ ...base, clockToleranceSeconds: 61 })).toThrow(/clockToleranceSeconds/);
    expect(() => parseJwtSettings({ ...base, keys: undefined })).toThrow(/jwksUrl/);
    expect(() => parseJwtSettings({ ...base, audience: undefined })).toThrow(/audience/);
  });
});
