/**
 * CHECKLIST-reliability.md b.2 lines not covered elsewhere (docs/reliability-checklist.md maps
 * every line to its test): a PasswordMessage before the startup packet (34), a rule that
 * requires TLS against each transport (37, 38), startup options before authentication (40), nbf and token age (44), a
 * missing aud (45), the token type (46), a JWKS endpoint that fails or redirects while keys are
 * cached (50) and key rotation (51).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import { silentLogger, type Logger } from '../server/log.js';
import { startServer } from '../server/server.js';
import { createFakeEngine } from '../server/testing/fake-engine.js';
import { encodeFrontend, WireClient } from '../server/testing/wire-client.js';
import type { AuthExchange } from './authenticator.js';
import { hbaAuthenticator } from './hba-authenticator.js';
import { parseHba } from './hba.js';
import { parseJwtSettings } from './jwt-config.js';
import { jwtAuthenticator } from './methods/jwt.js';
import { scramAuthenticator } from './methods/scram-sha-256.js';
import { trustAuthenticator } from './methods/trust.js';
import { passwordFileLookup } from './password-file.js';
import { formatVerifier, makeVerifier } from './scram/verifier.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'lakegate';
const startup = { user: 'alice', database: 'd', parameters: new Map<string, string>() };
const exchange = (token: string): AuthExchange => ({
  socket: { encrypted: true } as unknown as Socket,
  request: () => {},
  receive: async () => Buffer.from(`${token}\0`),
});

interface Signer {
  readonly key: CryptoKey;
  readonly jwk: JWK;
}

async function signer(kid: string): Promise<Signer> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  return { key: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function sign(s: Signer, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, audience: string | null = AUDIENCE): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: s.jwk.kid, ...header }).setIssuer(ISSUER).setSubject('alice').setExpirationTime('5m');
  if (audience !== null) jwt.setAudience(audience);
  if (!('iat' in claims)) jwt.setIssuedAt();
  return jwt.sign(s.key);
}

let k1: Signer;
let k2: Signer;

beforeAll(async () => {
  [k1, k2] = await Promise.all([signer('k1'), signer('k2')]);
});

describe('b.2 lines 44–46: time claims, audience and token type', () => {
  const settings = (extra: Record<string, unknown> = {}) =>
    parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, keys: [k1.jwk], algorithms: ['RS256'], clockToleranceSeconds: 30, ...extra });
  const at = (seconds: number) => () => new Date(seconds * 1000);
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('nbf beyond the tolerance is refused, within it accepted', async () => {
    const now = nowSeconds();
    const notYet = await sign(k1, { nbf: now + 31 });
    await expect(jwtAuthenticator({ settings: settings(), now: at(now) })(startup, exchange(notYet))).rejects.toMatchObject({ code: '28000' });
    const almost = await sign(k1, { nbf: now + 29 });
    await expect(jwtAuthenticator({ settings: settings(), now: at(now) })(startup, exchange(almost))).resolves.toMatchObject({ user: 'alice' });
  });

  it('an iat older than maxTokenAgeSeconds is refused', async () => {
    const now = nowSeconds();
    const s = settings({ maxTokenAgeSeconds: 600 });
    const old = await sign(k1, { iat: now - 600 - 31 });
    await expect(jwtAuthenticator({ settings: s, now: at(now) })(startup, exchange(old))).rejects.toMatchObject({ code: '28000' });
    const fresh = await sign(k1, { iat: now - 60 });
    await expect(jwtAuthenticator({ settings: s, now: at(now) })(startup, exchange(fresh))).resolves.toMatchObject({ user: 'alice' });
  });

  it('a token without aud is refused', async () => {
    await expect(jwtAuthenticator({ settings: settings() })(startup, exchange(await sign(k1, {}, {}, null)))).rejects.toMatchObject({ code: '28000' });
  });

  it('with requiredType at+jwt, an ID token (typ JWT) or no typ is refused and at+jwt accepted', async () => {
    const auth = jwtAuthenticator({ settings: settings({ requiredType: 'at+jwt' }) });
    await expect(auth(startup, exchange(await sign(k1, { nonce: 'n' }, { typ: 'JWT' })))).rejects.toMatchObject({ code: '28000' });
    await expect(auth(startup, exchange(await sign(k1)))).rejects.toMatchObject({ code: '28000' });
    await expect(auth(startup, exchange(await sign(k1, {}, { typ: 'at+jwt' })))).resolves.toMatchObject({ user: 'alice' });
  });
});

describe('b.2 lines 50 and 51: the JWKS endpoint', () => {
  let idp: Server;
  let base: string;
  let mode: 'ok' | '500' | 'redirect' = 'ok';
  let published: JWK[] = [];
  let requests = 0;

  beforeAll(async () => {
    idp = createServer((req, res) => {
      requests++;
      if (req.url === '/elsewhere.json') {
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ keys: published }));
      }
      if (mode === '500') return res.writeHead(500).end();
      if (mode === 'redirect') return res.writeHead(302, { location: '/elsewhere.json' }).end();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    idp.closeAllConnections();
    idp.close();
  });

  const remote = (extra: Record<string, unknown> = {}) =>
    parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: `${base}/jwks.json`, algorithms: ['RS256'], jwksTimeoutMs: 500, ...extra });

  it('a 302 from the JWKS URL fails closed', async () => {
    mode = 'redirect';
    published = [k1.jwk];
    await expect(jwtAuthenticator({ settings: remote() })(startup, exchange(await sign(k1)))).rejects.toMatchObject({ code: '28000' });
    mode = 'ok';
  });

  it('cached keys keep verifying while the endpoint answers 500', async () => {
    mode = 'ok';
    published = [k1.jwk];
    const auth = jwtAuthenticator({ settings: remote() });
    await expect(auth(startup, exchange(await sign(k1)))).resolves.toMatchObject({ user: 'alice' });
    mode = '500';
    await expect(auth(startup, exchange(await sign(k1)))).resolves.toMatchObject({ user: 'alice' });
    // A key it has not seen cannot be fetched: refused, within the fetch timeout.
    const started = Date.now();
    await expect(auth(startup, exchange(await sign(k2)))).rejects.toMatchObject({ code: '28000' });
    expect(Date.now() - started).toBeLessThan(1500);
    mode = 'ok';
  });

  it('rotation: a new key is accepted after one refetch; a removed key is refused once the cache refreshes', async () => {
    mode = 'ok';
    published = [k1.jwk];
    const auth = jwtAuthenticator({ settings: remote({ jwksCooldownMs: 0, jwksCacheMaxAgeMs: 300 }) });
    await expect(auth(startup, exchange(await sign(k1)))).resolves.toMatchObject({ user: 'alice' });
    published = [k1.jwk, k2.jwk];
    const before = requests;
    await expect(auth(startup, exchange(await sign(k2)))).resolves.toMatchObject({ user: 'alice' });
    expect(requests - before).toBe(1);
    published = [k2.jwk];
    await new Promise((r) => setTimeout(r, 350));
    await expect(auth(startup, exchange(await sign(k1)))).rejects.toMatchObject({ code: '28000' });
    await expect(auth(startup, exchange(await sign(k2)))).resolves.toMatchObject({ user: 'alice' });
  });
});

describe('b.2 line 40: startup parameters before authentication', () => {
  it('search_path and options from a client that fails to sign in reach nothing; after sign-in they reach the session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lakegate-b2-'));
    const passwords = join(dir, 'passwords');
    writeFileSync(passwords, `alice:${formatVerifier(makeVerifier('s3cret'))}\n`);
    const engine = createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });
    const server = await startServer({
      engine,
      port: 0,
      log: silentLogger,
      authenticate: hbaAuthenticator(parseHba('host all all all scram-sha-256', 'test-hba'), {
        'scram-sha-256': scramAuthenticator({ lookup: passwordFileLookup(passwords) }),
      }),
    });
    const connect = async (password: string) => {
      const client = new pg.Client({
        host: '127.0.0.1', port: server.port, user: 'alice', password, database: 'd',
        options: '-c search_path=evil', application_name: "x' OR 1=1 --",
      });
      try {
        await client.connect();
        return (await client.query('select 1')).rows[0]['?column?'];
      } finally {
        await client.end().catch(() => {});
      }
    };
    try {
      await expect(connect('wrong')).rejects.toMatchObject({ code: '28P01', message: 'password authentication failed for user "alice"' });
      expect(engine.sessions).toHaveLength(0);
      expect(await connect('s3cret')).toBe(1);
      expect(engine.sessions).toHaveLength(1);
      expect(engine.sessions[0]!.options.startupParameters).toMatchObject({ options: '-c search_path=evil' });
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('b.2 line 34: a PasswordMessage before the startup packet', () => {
  it('is read as an invalid startup length: closed without a reply, 08P01 logged, nothing signed in', async () => {
    const logged: string[] = [];
    const log: Logger = { info: () => {}, warn: (m) => logged.push(m) };
    const engine = createFakeEngine({});
    const server = await startServer({ engine, port: 0, log });
    try {
      const c = await WireClient.connect(server.port);
      const body = Buffer.from('s3cret\0');
      const head = Buffer.alloc(5);
      head.write('p', 0, 'latin1');
      head.writeInt32BE(body.length + 4, 1);
      c.send(Buffer.concat([head, body]));
      expect(await c.untilClosed()).toEqual([]);
      c.destroy();
      expect(logged).toContain('closing connection: 08P01 invalid length of startup packet');
      expect(engine.sessions).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});

describe('b.2 lines 37 and 38: a hostssl rule against every transport', () => {
  const user = { user: 'alice', database: 'd' };
  const noEntry = { Type: 'ErrorResponse', Severity: 'FATAL', Code: '28000', Message: 'no pg_hba.conf entry for host "127.0.0.1", user "alice", database "d", no encryption' };

  it('only TLS passes: SSLRequest and direct TLS sign in; plaintext and plaintext after GSSENCRequest get 28000', async () => {
    const server = await startServer({
      engine: createFakeEngine({}),
      port: 0,
      log: silentLogger,
      tls: 'self-signed',
      authenticate: hbaAuthenticator(parseHba('hostssl all all all trust', 'test-hba'), {
        trust: trustAuthenticator,
      }),
    });
    try {
      const plain = await WireClient.connect(server.port);
      plain.send({ Type: 'StartupMessage', Parameters: user });
      expect(await plain.untilClosed()).toMatchObject([noEntry]);
      plain.destroy();

      const gss = await WireClient.connect(server.port);
      gss.send({ Type: 'GSSEncRequest' });
      expect(await gss.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'N' });
      gss.send({ Type: 'StartupMessage', Parameters: user });
      expect(await gss.untilClosed()).toMatchObject([noEntry]);
      gss.destroy();

      const ssl = await WireClient.connect(server.port);
      ssl.send({ Type: 'SSLRequest' });
      expect(await ssl.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'S' });
      await ssl.startTls();
      expect((await ssl.startup(user))[0]).toEqual({ Type: 'AuthenticationOk' });
      ssl.destroy();

      const direct = tlsConnect({ port: server.port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['postgresql'] });
      await new Promise<void>((resolve, reject) => direct.once('secureConnect', resolve).once('error', reject));
      direct.write(encodeFrontend({ Type: 'StartupMessage', Parameters: user }));
      const reply = await new Promise<Buffer>((resolve) => direct.once('data', resolve));
      expect([String.fromCharCode(reply[0]!), reply.readInt32BE(5)]).toEqual(['R', 0]); // AuthenticationOk
      direct.destroy();
    } finally {
      await server.close();
    }
  });
});
