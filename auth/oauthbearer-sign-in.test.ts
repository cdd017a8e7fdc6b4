/**
 * OAuth 2.0 sign-in through SASL OAUTHBEARER (PostgreSQL 18, RFC 7628) over the wire: a
 * hand-written SASL client against an in-process server on port 0, with a JWKS served by the
 * test. A valid token signs in (AuthenticationOk with no SASLFinal) and can query; expired,
 * wrong-audience, alg none, unknown-key, other-user and missing-scope tokens, and a discovery
 * request, get the RFC 7628 error JSON, then after the client's \x01 FATAL 28000 without a
 * Detail, and the next valid sign-in works; failures log their reason, discovery logs nothing;
 * malformed messages (and any over 65 535 bytes) are FATAL 08P01. A second server validates
 * opaque tokens by RFC 7662 introspection, against an endpoint served by the test (auth/testing).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import { silentLogger } from '../server/log.js';
import { startServer, type RunningServer } from '../server/server.js';
import { createFakeEngine } from '../server/testing/fake-engine.js';
import { WireClient, type WireJson } from '../server/testing/wire-client.js';
import type { AuthExchange } from './authenticator.js';
import { loadAuthSetup } from './config.js';
import { hbaAuthenticator } from './hba-authenticator.js';
import { parseHba } from './hba.js';
import { parseJwtSettings } from './jwt-config.js';
import { MAX_OAUTHBEARER_MESSAGE, oauthBearerAuthenticator, parseClientResponse } from './methods/oauthbearer.js';
import { IntrospectionEndpoint, opaqueToken, refusedReplies } from './testing/introspection-endpoint.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'lakegate';
const SCOPE = 'openid lakegate';
const engine = () => createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });

let jwks: Server;
let key: CryptoKey;
let otherKey: CryptoKey;
let publicJwk: JWK;
let plain: RunningServer;
let secure: RunningServer;
let introspecting: RunningServer;
let endpoint: IntrospectionEndpoint;
const logged: string[] = [];
const INTROSPECTION_TIMEOUT_MS = 500;
/** What the introspection endpoint says of a valid token: the user as an e-mail address in `username`. */
const INTROSPECTED = { username: 'alice@example.com', iss: ISSUER, aud: AUDIENCE, scope: SCOPE, roles: ['analyst'] };

const now = () => Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown> = {}, opts: { key?: CryptoKey; kid?: string; exp?: number; aud?: string; sub?: string } = {}) =>
  new SignJWT({ scope: SCOPE, groups: ['analyst'], ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'k1' })
    .setIssuer(ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setSubject(opts.sub ?? 'alice')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(opts.key ?? key);
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

beforeAll(async () => {
  ({ privateKey: key } = await generateKeyPair('RS256', { extractable: true }));
  otherKey = (await generateKeyPair('RS256', { extractable: true })).privateKey;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = await exportJWK(key);
  publicJwk = { ...pub, kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  const settings = parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, jwksUrl, algorithms: ['RS256'] });
  const oauth = oauthBearerAuthenticator({ settings, log: (m) => logged.push(m) });
  plain = await startServer({
    engine: engine(),
    port: 0,
    log: silentLogger,
    authenticate: hbaAuthenticator(parseHba(`host all all all oauth issuer="${ISSUER}" scope="${SCOPE}"`, 'test-hba'), { oauth }),
  });
  secure = await startServer({
    engine: engine(),
    port: 0,
    log: silentLogger,
    tls: 'self-signed',
    authenticate: hbaAuthenticator(parseHba(`hostssl all all all oauth issuer=${ISSUER}/.well-known/oauth-authorization-server scope=""`, 'test-hba'), { oauth }),
  });
  const client = { id: 'lakegate', secret: 's3cret' };
  endpoint = await IntrospectionEndpoint.start(client);
  const introspection = { url: endpoint.url, clientId: client.id, clientSecret: client.secret, allowInsecureHttp: true, timeoutMs: INTROSPECTION_TIMEOUT_MS };
  const byIntrospection = parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, introspection, userClaim: 'username', groupsClaim: 'roles', userMappingPattern: '(.*)@example\\.com' });
  introspecting = await startServer({
    engine: engine(),
    port: 0,
    log: silentLogger,
    authenticate: hbaAuthenticator(parseHba(`host all all all oauth issuer="${ISSUER}" scope="${SCOPE}"`, 'test-hba'), {
      oauth: oauthBearerAuthenticator({ settings: byIntrospection, log: (m) => logged.push(m) }),
    }),
  });
});

afterAll(async () => {
  await plain?.close();
  await secure?.close();
  await introspecting?.close();
  await endpoint?.close();
  jwks?.close();
});

// --- the client side of OAUTHBEARER --------------------------------------------------------

const frame = (code: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};
const saslInitial = (data: string | null, mechanism = 'OAUTHBEARER') => {
  const len = Buffer.alloc(4);
  len.writeInt32BE(data === null ? -1 : Buffer.byteLength(data, 'latin1'));
  return frame('p', Buffer.concat([Buffer.from(`${mechanism}\0`), len, data === null ? Buffer.alloc(0) : Buffer.from(data, 'latin1')]));
};
const saslResponse = (data: string) => frame('p', Buffer.from(data, 'latin1'));
const bearer = (t: string) => `n,,\x01auth=Bearer ${t}\x01\x01`;
const hex = (s: string) => Buffer.from(s).toString('hex');

async function begin(user = 'alice', server = plain): Promise<WireClient> {
  const c = await WireClient.connect(server.port);
  if (server === secure) {
    c.send({ Type: 'SSLRequest' });
    expect(await c.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'S' });
    await c.startTls();
  }
  c.send({ Type: 'StartupMessage', Parameters: { user, database: 'd' } });
  expect(await c.receive()).toEqual({ Type: 'Authentication', Code: 10, Payload: hex('OAUTHBEARER\0\0') });
  return c;
}

/** After a valid token: AuthenticationOk straight away (no SASLFinal), then a query works. */
async function signedIn(c: WireClient): Promise<void> {
  expect(await c.receive()).toEqual({ Type: 'AuthenticationOk' });
  await c.until('ReadyForQuery');
  c.send({ Type: 'Query', String: 'select 1' });
  const got = await c.until('ReadyForQuery');
  expect(got).toContainEqual({ Type: 'DataRow', Values: [{ text: '1' }] });
  c.destroy();
}

/** The failure path: the error JSON in SASLContinue, the client's \x01, FATAL 28000 with nothing but its message. */
async function refused(c: WireClient, user = 'alice'): Promise<Record<string, string>> {
  const challenge = await c.receive();
  expect(challenge).toMatchObject({ Type: 'Authentication', Code: 11 });
  const json = JSON.parse(Buffer.from(challenge!.Payload as string, 'hex').toString()) as Record<string, string>;
  c.send(saslResponse('\x01'));
  const errors = await errorsUntilClosed(c);
  expect(errors).toEqual([expect.objectContaining({ Severity: 'FATAL', Code: '28000', Message: `OAuth bearer authentication failed for user "${user}"` })]);
  // The reason is for the server log only: no Detail (or Hint) goes to the client.
  expect(errors[0]).not.toHaveProperty('Detail');
  expect(errors[0]).not.toHaveProperty('Hint');
  return json;
}

async function errorsUntilClosed(c: WireClient): Promise<WireJson[]> {
  const got = await c.untilClosed();
  c.destroy();
  expect(got.some((m) => m.Type === 'AuthenticationOk')).toBe(false);
  return got.filter((m) => m.Type === 'ErrorResponse');
}

const ERROR_JSON = { status: 'invalid_token', 'openid-configuration': `${ISSUER}/.well-known/openid-configuration`, scope: SCOPE };
const protocolError = (detail: string) => [expect.objectContaining({ Severity: 'FATAL', Code: '08P01', Message: 'malformed OAUTHBEARER message', Detail: detail })];

describe('OAUTHBEARER sign-in', () => {
  it('a valid token signs in and can query', async () => {
    const c = await begin();
    c.send(saslInitial(bearer(await token())));
    await signedIn(c);
  });

  it('the Bearer scheme is case-insensitive, other kvpairs are ignored, flag y is accepted', async () => {
    const c = await begin();
    c.send(saslInitial(`y,,\x01host=127.0.0.1\x01auth=bEaReR   ${await token()}\x01port=5432\x01\x01`));
    await signedIn(c);
    const lower = await begin();
    lower.send(saslInitial(`n,,\x01auth=bearer ${await token()}\x01\x01`));
    await signedIn(lower);
  });

  it('without an initial response the server sends an empty challenge, then takes the response', async () => {
    const c = await begin();
    c.send(saslInitial(null));
    expect(await c.receive()).toEqual({ Type: 'Authentication', Code: 11, Payload: '' });
    c.send(saslResponse(bearer(await token())));
    await signedIn(c);
  });

  it('discovery (an empty auth value) returns the error JSON with the configured issuer and scope, and is not logged as a failure', async () => {
    const before = logged.length;
    const c = await begin();
    c.send(saslInitial('n,,\x01auth=\x01\x01'));
    expect(await refused(c)).toEqual(ERROR_JSON);
    expect(logged.slice(before)).toEqual([]);
  });

  it.each([
    ['expired', () => token({}, { exp: now() - 120 })],
    ['another audience', () => token({}, { aud: 'someone-else' })],
    ['alg none', async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: now() + 300, scope: SCOPE })}.`],
    ['an unknown key', () => token({}, { key: otherKey, kid: 'k-unknown' })],
    ['a known kid but another key', () => token({}, { key: otherKey })],
    ['a token without the rule\'s scopes', () => token({ scope: 'openid' })],
    ['not a JWT', async () => 'opaque-token'],
    ['a token over 16 KiB', async () => 'a'.repeat(17 * 1024)],
  ])('%s → error JSON, \\x01, FATAL 28000; then a valid sign-in works', async (_name, make) => {
    const c = await begin();
    c.send(saslInitial(bearer(await make())));
    expect(await refused(c)).toEqual(ERROR_JSON);
    const next = await begin();
    next.send(saslInitial(bearer(await token())));
    await signedIn(next);
  });

  it('scopes may also come as an scp array', async () => {
    const c = await begin();
    c.send(saslInitial(bearer(await token({ scope: undefined, scp: ['lakegate', 'openid'] }))));
    await signedIn(c);
  });

  it('a token for another user, and an unknown user, are refused the same way', async () => {
    for (const user of ['bob', 'nobody']) {
      const c = await begin(user);
      c.send(saslInitial(bearer(await token())));
      expect(await refused(c, user)).toEqual(ERROR_JSON);
    }
  });

  it('a non-Bearer scheme or a token with invalid characters fail like a bad token, log their reason, and tokens never reach the log', async () => {
    for (const [auth, reason] of [
      ['Basic YWxpY2U6cw==', 'not the Bearer scheme'],
      ['Bearer ', 'the token is empty'],
      ['Bearer a b', 'not in the correct format'],
      ['Bearer tok$en', 'not in the correct format'],
    ]) {
      const before = logged.length;
      const c = await begin();
      c.send(saslInitial(`n,,\x01auth=${auth}\x01\x01`));
      expect(await refused(c)).toEqual(ERROR_JSON);
      expect(logged.slice(before)).toEqual([`OAuth bearer authentication failed for user "alice": malformed OAuth bearer token: ${reason}`]);
    }
    const t = await token();
    const c = await begin('bob');
    c.send(saslInitial(bearer(t)));
    await refused(c, 'bob');
    expect(logged.some((l) => l.includes(t.split('.')[2]!))).toBe(false);
    expect(logged).toContainEqual('OAuth bearer authentication failed for user "bob": token is for "alice"');
  });

  it('over TLS on a hostssl rule; a /.well-known/ issuer is sent as it is, and scope="" needs no scopes', async () => {
    let c = await begin('alice', secure);
    c.send(saslInitial(bearer(await token({ scope: undefined }))));
    await signedIn(c);
    c = await begin('alice', secure);
    c.send(saslInitial('n,,\x01auth=\x01\x01'));
    expect(await refused(c)).toEqual({ status: 'invalid_token', 'openid-configuration': `${ISSUER}/.well-known/oauth-authorization-server`, scope: '' });
    const plaintext = await WireClient.connect(secure.port);
    plaintext.send({ Type: 'StartupMessage', Parameters: { user: 'alice', database: 'd' } });
    expect(await errorsUntilClosed(plaintext)).toEqual([expect.objectContaining({ Code: '28000', Message: expect.stringContaining('no pg_hba.conf entry') })]);
  });
});

describe('OAUTHBEARER with token introspection', () => {
  const introspected = (claims: Record<string, unknown> = {}) => endpoint.activeToken({ ...INTROSPECTED, ...claims });

  it('an opaque token signs in and queries (username alice@example.com maps to alice); a second sign-in uses the cache', async () => {
    const t = introspected();
    for (let i = 0; i < 2; i++) {
      const c = await begin('alice', introspecting);
      c.send(saslInitial(bearer(t)));
      await signedIn(c);
    }
    expect(endpoint.hits(t)).toBe(1);
  });

  it.each(refusedReplies(INTROSPECTED, INTROSPECTION_TIMEOUT_MS))('%s → error JSON, \\x01, FATAL 28000, the reason only in the log; then a valid sign-in works', async (_name, reply, reason) => {
    const t = opaqueToken();
    endpoint.reply(t, reply);
    const before = logged.length;
    const c = await begin('alice', introspecting);
    c.send(saslInitial(bearer(t)));
    expect(await refused(c)).toEqual(ERROR_JSON);
    expect(logged.slice(before)).toEqual([expect.stringMatching(reason)]);
    expect(logged[before]).toMatch(/^OAuth bearer authentication failed for user "alice": /);
    expect(logged.some((l) => l.includes(t))).toBe(false);
    const next = await begin('alice', introspecting);
    next.send(saslInitial(bearer(introspected())));
    await signedIn(next);
  });

  it.each([
    ['without the rule\'s scopes', { scope: 'openid' }, 'scope lakegate not granted'],
    ['for a username outside example.com', { username: 'alice@example.com.evil.test' }, 'claim "username" ("alice@example.com.evil.test") does not match userMappingPattern'],
    ['for another user of example.com', { username: 'bob@example.com' }, 'token is for "bob"'],
  ])('an active answer %s is refused', async (_name, claims, reason) => {
    const before = logged.length;
    const c = await begin('alice', introspecting);
    c.send(saslInitial(bearer(introspected(claims))));
    expect(await refused(c)).toEqual(ERROR_JSON);
    expect(logged.slice(before)).toEqual([`OAuth bearer authentication failed for user "alice": ${reason}`]);
  });
});

describe('malformed OAUTHBEARER messages → FATAL 08P01', () => {
  it.each([
    ['an empty message', '', 'The message is empty.'],
    ['channel binding data', 'p=tls-server-end-point,,\x01auth=Bearer x\x01\x01', 'The server does not support channel binding for OAuth, but the client message includes channel binding data.'],
    ['an unknown GS2 flag', 'x,,\x01auth=Bearer x\x01\x01', 'Unexpected channel-binding flag "\'x\'".'],
    ['no kvsep after the GS2 header', 'n,,auth=Bearer x\x01\x01', 'Key-value separator expected, but found character "\'a\'".'],
    ['no auth key', 'n,,\x01host=h\x01\x01', 'Message does not contain an auth value.'],
    ['two auth keys', 'n,,\x01auth=Bearer x\x01auth=Bearer y\x01\x01', 'Message contains multiple auth values.'],
    ['no final terminator', 'n,,\x01auth=Bearer x\x01', 'Message did not contain a final terminator.'],
    ['an unterminated pair', 'n,,\x01auth=Bearer x', 'Message contains an unterminated key/value pair.'],
    ['data after the terminator', 'n,,\x01auth=Bearer x\x01\x01junk', 'Message contains additional data after the final terminator.'],
    ['a key without a value', 'n,,\x01auth\x01\x01', 'Message contains a key without a value.'],
    ['an invalid key', 'n,,\x01au-th=x\x01auth=Bearer x\x01\x01', 'Message contains an invalid key name.'],
    ['an invalid value', 'n,,\x01auth=Bearer \x02\x01\x01', 'Message contains an invalid value.'],
    ['a NUL inside', 'n,,\x01auth=Bearer x\0\x01\x01', 'Message length does not match input length.'],
  ])('%s', async (_name, data, detail) => {
    const c = await begin();
    c.send(saslInitial(data));
    expect(await errorsUntilClosed(c)).toEqual(protocolError(detail));
  });

  it('another mechanism, or a declared length that does not match', async () => {
    let c = await begin();
    c.send(saslInitial(bearer('x'), 'SCRAM-SHA-256'));
    expect(await errorsUntilClosed(c)).toEqual([expect.objectContaining({ Code: '08P01', Message: 'client selected an invalid SASL authentication mechanism' })]);
    c = await begin();
    const bad = saslInitial(bearer('x'));
    bad.writeInt32BE(3, 5 + 'OAUTHBEARER\0'.length);
    c.send(bad);
    expect(await errorsUntilClosed(c)).toEqual([expect.objectContaining({ Code: '08P01', Message: 'malformed SASLInitialResponse message' })]);
  });

  it.each([
    ['the initial response', true],
    ['a SASLResponse after an empty initial one', false],
  ])(`%s over ${MAX_OAUTHBEARER_MESSAGE} bytes → 08P01 SASL message too long; at the limit it is read`, async (_name, initial) => {
    /** Sends a well-formed client response of exactly `bytes` bytes. */
    const send = async (c: WireClient, bytes: number) => {
      const data = bearer('a'.repeat(bytes - bearer('').length));
      if (initial) return c.send(saslInitial(data));
      c.send(saslInitial(null));
      expect(await c.receive()).toEqual({ Type: 'Authentication', Code: 11, Payload: '' });
      c.send(saslResponse(data));
    };
    let c = await begin();
    await send(c, MAX_OAUTHBEARER_MESSAGE + 1);
    expect(await errorsUntilClosed(c)).toEqual([expect.objectContaining({ Severity: 'FATAL', Code: '08P01', Message: 'SASL message too long' })]);
    // At the limit the message is parsed, and its token (over 16 KiB) refused like any bad token.
    c = await begin();
    await send(c, MAX_OAUTHBEARER_MESSAGE);
    expect(await refused(c)).toEqual(ERROR_JSON);
  });

  it('an authorization identity → 0A000', async () => {
    const c = await begin();
    c.send(saslInitial('n,a=bob,\x01auth=Bearer x\x01\x01'));
    expect(await errorsUntilClosed(c)).toEqual([expect.objectContaining({ Code: '0A000', Message: 'client uses authorization identity, but it is not supported' })]);
  });

  it('after the error JSON, anything but a single \\x01 is a protocol violation', async () => {
    for (const [reply, detail] of [['auth=Bearer x', 'Client did not send a kvsep response.'], ['\x01\x01', 'Client did not send a kvsep response.'], ['', 'The message is empty.']] as const) {
      const c = await begin();
      c.send(saslInitial('n,,\x01auth=\x01\x01'));
      expect(await c.receive()).toMatchObject({ Type: 'Authentication', Code: 11 });
      c.send(saslResponse(reply));
      expect(await errorsUntilClosed(c)).toEqual(protocolError(detail));
    }
    const c = await begin();
    c.send(saslInitial('n,,\x01auth=\x01\x01'));
    expect(await c.receive()).toMatchObject({ Type: 'Authentication', Code: 11 });
    c.send({ Type: 'Query', String: 'select 1' });
    expect(await errorsUntilClosed(c)).toEqual([expect.objectContaining({ Code: '08P01', Message: 'expected SASL response, got message type 81' })]);
  });
});

describe('oauth rules and configuration', () => {
  it('parses PostgreSQL 18 options, quoted values included', () => {
    const [rule] = parseHba('hostssl all all all oauth issuer="https://idp.test" scope="openid db"');
    expect(rule!.oauth).toEqual({ issuer: 'https://idp.test', scope: 'openid db' });
  });

  it.each([
    ['host all all all oauth issuer=https://idp.test', 'f:1: authentication method "oauth" requires argument "scope" to be set'],
    ['host all all all oauth scope=openid', 'f:1: authentication method "oauth" requires argument "issuer" to be set'],
    ['host all all all jwt issuer=https://idp.test', 'f:1: authentication option "issuer" is only valid for authentication methods oauth'],
    ['host all all all oauth issuer=https://idp.test scope="" map=m', 'f:1: authentication option "map" is not supported (there is no pg_ident map; the JWT settings\' userMappingPattern maps the user claim)'],
    ['host all all all oauth issuer=https://idp.test scope="" validator=v', 'f:1: authentication option "validator" is not supported'],
    ['host all all all oauth issuer=https://idp.test scope="" delegate_ident_mapping=1', 'f:1: authentication option "delegate_ident_mapping" is not supported'],
    ['hostnossl all all all oauth issuer=https://idp.test scope=""', 'f:1: oauth authentication is not supported on hostnossl connections'],
  ])('refuses %s', (line, message) => {
    expect(() => parseHba(line, 'f')).toThrow(message);
  });

  it('the rule\'s issuer must name the JWT settings\' issuer, or one of its discovery URIs', () => {
    const settings = parseJwtSettings({ issuer: 'https://idp.test/realms/x', audience: AUDIENCE, keys: [publicJwk], algorithms: ['RS256'] });
    const oauth = oauthBearerAuthenticator({ settings });
    for (const issuer of [
      'https://idp.test/realms/x',
      'https://idp.test/realms/x/.well-known/openid-configuration',
      'https://idp.test/.well-known/oauth-authorization-server/realms/x',
      'https://idp.test/.well-known/openid-configuration/realms/x',
    ]) {
      expect(() => hbaAuthenticator(parseHba(`host all all all oauth issuer=${issuer} scope=""`, 'f'), { oauth })).not.toThrow();
    }
    expect(() => hbaAuthenticator(parseHba('host all all all oauth issuer=https://evil.test scope=""', 'f'), { oauth })).toThrow(
      'f:1: oauth issuer "https://evil.test" does not name the JWT settings\' issuer "https://idp.test/realms/x"',
    );
    expect(() => hbaAuthenticator(parseHba('host all all all oauth issuer=https://idp.test scope=""', 'f'), {})).toThrow('f:1: method "oauth" is not configured (give --jwt-config)');
  });

  it('loadAuthSetup makes oauth rules from the JWT settings and checks their issuer at startup', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lakegate-oauth-'));
    try {
      const jwt = { issuer: ISSUER, audience: AUDIENCE, keys: [publicJwk], algorithms: ['RS256'] };
      writeFileSync(join(dir, 'hba.conf'), `hostssl all all all oauth issuer="${ISSUER}" scope="openid"\n`);
      writeFileSync(join(dir, 'auth.json'), JSON.stringify({ hba: 'hba.conf', jwt }));
      expect(loadAuthSetup({ configFile: join(dir, 'auth.json') }).authenticate).toBeTypeOf('function');
      writeFileSync(join(dir, 'bad.conf'), '\nhost all all all oauth issuer=https://other.test scope=openid\n');
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ hba: 'bad.conf', jwt }));
      expect(() => loadAuthSetup({ configFile: join(dir, 'bad.json') })).toThrow(`${join(dir, 'bad.conf')}:2: oauth issuer "https://other.test" does not name`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parseClientResponse returns the auth value', () => {
    expect(parseClientResponse('n,,\x01auth=Bearer abc\x01\x01')).toBe('Bearer abc');
  });

  it('the authenticator alone: success needs no SASLFinal', async () => {
    const settings = parseJwtSettings({ issuer: ISSUER, audience: AUDIENCE, keys: [publicJwk], algorithms: ['RS256'] });
    const sent: number[] = [];
    const t = await token();
    const data = Buffer.from(bearer(t), 'latin1');
    const len = Buffer.alloc(4);
    len.writeInt32BE(data.length);
    const exchange: AuthExchange = {
      socket: {} as Socket,
      request: (code) => void sent.push(code),
      receive: async () => Buffer.concat([Buffer.from('OAUTHBEARER\0'), len, data]),
    };
    const auth = oauthBearerAuthenticator({ settings })({ issuer: ISSUER, scope: SCOPE });
    expect(await auth({ user: 'alice', database: 'd', parameters: new Map() }, exchange)).toEqual({ user: 'alice', groups: ['analyst'] });
    expect(sent).toEqual([10]);
  });
});
