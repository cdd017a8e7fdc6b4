/**
 * SCRAM-SHA-256 sign-in end to end (CHECKLIST-reliability.md b.2 items 30–36): node-postgres
 * and the real psql sign in against a gateway on port 0; raw wire probes check the failures.
 */
import { execFile } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import { silentLogger } from '../server/log.js';
import { startServer, type RunningServer } from '../server/server.js';
import { createFakeEngine } from '../server/testing/fake-engine.js';
import { WireClient, type WireJson } from '../server/testing/wire-client.js';
import { hbaAuthenticator } from './hba-authenticator.js';
import { parseHba } from './hba.js';
import { rejectAuthenticator } from './methods/reject.js';
import { scramAuthenticator } from './methods/scram-sha-256.js';
import { trustAuthenticator } from './methods/trust.js';
import { passwordFileLookup } from './password-file.js';
import { formatVerifier, hmac, makeVerifier, sha256 } from './scram/verifier.js';

const run = promisify(execFile);
const engine = () => createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });
const dir = mkdtempSync(join(tmpdir(), 'lakegate-scram-'));
const passwords = join(dir, 'passwords');
writeFileSync(passwords, `# test users\nalice:${formatVerifier(makeVerifier('s3cret'))}\nbob:${formatVerifier(makeVerifier('hunter2'))}\n`);

const hba = `
hostssl all   alice 127.0.0.1/32 scram-sha-256
host    all   alice all          scram-sha-256
host    all   bob   ::1/128      reject
host    all   bob   127.0.0.1/32 scram-sha-256
host    all   ghost all          scram-sha-256
host    all   mallory all        reject
host    trusted all 127.0.0.0/8  trust
host    only10 all 10.0.0.0/8    trust
`;

const authenticate = hbaAuthenticator(parseHba(hba, 'test-hba'), {
  trust: trustAuthenticator,
  reject: rejectAuthenticator,
  'scram-sha-256': scramAuthenticator({ lookup: passwordFileLookup(passwords) }),
});

let server: RunningServer;
let tlsServer: RunningServer;

beforeAll(async () => {
  server = await startServer({ engine: engine(), port: 0, log: silentLogger, authenticate });
  tlsServer = await startServer({ engine: engine(), port: 0, log: silentLogger, authenticate, tls: 'self-signed' });
});

afterAll(async () => {
  await server.close();
  await tlsServer.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pgConnect(user: string, password: string, port = server.port, extra: Partial<pg.ClientConfig> = {}): Promise<unknown> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'd', ...extra });
  try {
    await client.connect();
    const result = await client.query('select 1');
    return result.rows[0]['?column?'];
  } finally {
    await client.end().catch(() => {});
  }
}

async function pgFailure(user: string, password: string): Promise<{ code: string; message: string; severity: string }> {
  const err = (await pgConnect(user, password).then(
    () => null,
    (e: unknown) => e,
  )) as { code: string; message: string; severity: string } | null;
  expect(err).not.toBeNull();
  return { code: err!.code, message: err!.message, severity: err!.severity };
}

describe('SCRAM-SHA-256 with real clients', () => {
  it('node-postgres signs in with the right password and queries', async () => {
    expect(await pgConnect('alice', 's3cret')).toBe(1);
    expect(await pgConnect('bob', 'hunter2')).toBe(1);
  });

  it('a wrong password and an unknown user get the same FATAL 28P01', async () => {
    expect(await pgFailure('alice', 'wrong')).toEqual({ code: '28P01', severity: 'FATAL', message: 'password authentication failed for user "alice"' });
    expect(await pgFailure('ghost', 'wrong')).toEqual({ code: '28P01', severity: 'FATAL', message: 'password authentication failed for user "ghost"' });
    // and the next sign-in works
    expect(await pgConnect('alice', 's3cret')).toBe(1);
  });

  it('psql signs in with PGPASSWORD', async () => {
    const env = { ...process.env, PGPASSWORD: 's3cret', PGCONNECT_TIMEOUT: '10' };
    const { stdout } = await run('psql', ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(server.port), '-U', 'alice', '-d', 'd', '-c', 'select 1'], { env });
    expect(stdout.trim()).toBe('1');
    const wrong = await run('psql', ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(server.port), '-U', 'alice', '-d', 'd', '-c', 'select 1'], {
      env: { ...env, PGPASSWORD: 'nope' },
    }).then(
      () => null,
      (e: { stderr: string }) => e.stderr,
    );
    expect(wrong).toContain('password authentication failed for user "alice"');
  });

  it('psql with channel_binding=require signs in with SCRAM-SHA-256-PLUS over TLS', async () => {
    const env = { ...process.env, PGPASSWORD: 's3cret', PGCONNECT_TIMEOUT: '10' };
    const conninfo = `host=127.0.0.1 port=${tlsServer.port} user=alice dbname=d sslmode=require channel_binding=require`;
    const { stdout } = await run('psql', ['-X', '-A', '-t', conninfo, '-c', 'select 1'], { env });
    expect(stdout.trim()).toBe('1');
  });

  it('node-postgres over TLS uses SCRAM-SHA-256-PLUS', async () => {
    expect(await pgConnect('alice', 's3cret', tlsServer.port, { ssl: { rejectUnauthorized: false }, enableChannelBinding: true } as Partial<pg.ClientConfig>)).toBe(1);
  });
});

describe('pg_hba rules', () => {
  it('no matching rule → FATAL 28000 naming host, user and database', async () => {
    expect(await pgFailure('carol', 'x')).toEqual({
      code: '28000',
      severity: 'FATAL',
      message: 'no pg_hba.conf entry for host "127.0.0.1", user "carol", database "d", no encryption',
    });
  });

  it('reject → FATAL 28000', async () => {
    expect(await pgFailure('mallory', 'x')).toMatchObject({ code: '28000', message: expect.stringContaining('pg_hba.conf rejects connection for host "127.0.0.1", user "mallory"') });
  });

  it('trust by database and address', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'anyone', database: 'trusted' });
    await client.connect();
    expect((await client.query('select 1')).rows).toHaveLength(1);
    await client.end();
    const c2 = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'anyone', database: 'only10' });
    await expect(c2.connect()).rejects.toMatchObject({ code: '28000' });
  });
});

// --- raw wire probes -------------------------------------------------------------------------

const frame = (code: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const saslInitial = (mechanism: string, data: Buffer, declared = data.length) => frame('p', Buffer.concat([Buffer.from(`${mechanism}\0`), int32(declared), data]));
const saslResponse = (text: string) => frame('p', Buffer.from(text));

async function begin(user = 'alice'): Promise<WireClient> {
  const c = await WireClient.connect(server.port);
  c.send({ Type: 'StartupMessage', Parameters: { user, database: 'd' } });
  const sasl = await c.receive();
  expect(sasl).toMatchObject({ Type: 'Authentication', Code: 10, Payload: Buffer.from('SCRAM-SHA-256\0\0').toString('hex') });
  return c;
}

async function closedWith(c: WireClient): Promise<WireJson[]> {
  const got = await c.untilClosed();
  c.destroy();
  expect(got.some((m) => m.Type === 'AuthenticationOk')).toBe(false);
  return got.filter((m) => m.Type === 'ErrorResponse');
}

const fatal = (code: string, message: string) => [expect.objectContaining({ Type: 'ErrorResponse', Severity: 'FATAL', Code: code, Message: message })];

/** The client side of SCRAM: client-final for a password, given the exchange so far. */
function clientFinal(password: string, salt: Buffer, iterations: number, clientFirstBare: string, serverFirst: string, nonce: string, gs2 = 'n,,'): string {
  const v = makeVerifier(password, iterations, salt);
  const withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${nonce}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const sig = hmac(v.storedKey, authMessage);
  const clientKey = clientKeyFor(password, salt, iterations);
  expect(sha256(clientKey).equals(v.storedKey)).toBe(true);
  const proof = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) proof[i] = clientKey[i]! ^ sig[i]!;
  return `${withoutProof},p=${proof.toString('base64')}`;
}

const clientKeyFor = (password: string, salt: Buffer, iterations: number) => hmac(pbkdf2Sync(password, salt, iterations, 32, 'sha256'), 'Client Key');

async function serverFirst(c: WireClient, bare: string): Promise<{ text: string; nonce: string; salt: Buffer; iterations: number }> {
  c.send(saslInitial('SCRAM-SHA-256', Buffer.from(`n,,${bare}`)));
  const m = await c.receive();
  expect(m).toMatchObject({ Type: 'Authentication', Code: 11 });
  const text = Buffer.from(m!.Payload as string, 'hex').toString();
  const [, nonce, salt, iterations] = /^r=([^,]+),s=([^,]+),i=(\d+)$/.exec(text)!;
  return { text, nonce: nonce!, salt: Buffer.from(salt!, 'base64'), iterations: Number(iterations) };
}

describe('SCRAM exchange on the wire', () => {
  it('a hand-made exchange succeeds and the server signature verifies', async () => {
    const c = await begin();
    const bare = `n=,r=${randomBytes(18).toString('base64')}`;
    const sf = await serverFirst(c, bare);
    c.send(saslResponse(clientFinal('s3cret', sf.salt, sf.iterations, bare, sf.text, sf.nonce)));
    const final = await c.receive();
    expect(final).toMatchObject({ Type: 'Authentication', Code: 12 });
    expect(Buffer.from(final!.Payload as string, 'hex').toString()).toMatch(/^v=[A-Za-z0-9+/]+=*$/);
    expect(await c.receive()).toEqual({ Type: 'AuthenticationOk' });
    c.destroy();
  });

  it('an unknown user gets a stable mock salt and the usual iteration count', async () => {
    const salts = [];
    for (let i = 0; i < 2; i++) {
      const c = await begin('ghost');
      salts.push((await serverFirst(c, `n=,r=abc${i}`)).salt.toString('base64'));
      c.destroy();
    }
    expect(salts[0]).toBe(salts[1]);
    const c = await begin('alice');
    const known = await serverFirst(c, 'n=,r=abc');
    c.destroy();
    expect(known.iterations).toBe(4096);
  });

  it('SCRAM-SHA-1 → 08P01 invalid mechanism', async () => {
    const c = await begin();
    c.send(saslInitial('SCRAM-SHA-1', Buffer.from('n,,n=,r=abc')));
    expect(await closedWith(c)).toEqual(fatal('08P01', 'client selected an invalid SASL authentication mechanism'));
  });

  it.each([-2, 0x7fffffff, 100, 0])('inner length %d that does not match → 08P01', async (declared) => {
    const c = await begin();
    c.send(saslInitial('SCRAM-SHA-256', Buffer.from('n,,n=,r=abc'), declared));
    expect(await closedWith(c)).toEqual(fatal('08P01', 'malformed SASLInitialResponse message'));
  });

  it.each([
    ['a NUL in the client-first-message', 'n=\0,r=abc', 'Message length does not match input length.'],
    ['an extension after the nonce that is not x=value', 'n=n=n=,r=abc,,n=', 'Expected attributes "n" and "r".'],
  ])('%s → 08P01 malformed SCRAM message (found by fuzzing)', async (_what, bare, detail) => {
    const c = await begin();
    c.send(saslInitial('SCRAM-SHA-256', Buffer.from(`n,,${bare}`)));
    expect(await closedWith(c)).toEqual([expect.objectContaining({ Severity: 'FATAL', Code: '08P01', Message: 'malformed SCRAM message', Detail: detail })]);
  });

  it('extensions are read as x=value items: after the nonce they sign in, junk before the proof is 08P01', async () => {
    const c = await begin();
    const bare = `n=,r=${randomBytes(18).toString('base64')},x=ext,`;
    const sf = await serverFirst(c, bare);
    c.send(saslResponse(clientFinal('s3cret', sf.salt, sf.iterations, bare, sf.text, sf.nonce)));
    expect(await c.receive()).toMatchObject({ Type: 'Authentication', Code: 12 });
    expect(await c.receive()).toEqual({ Type: 'AuthenticationOk' });
    c.destroy();
    const d = await begin();
    const sf2 = await serverFirst(d, 'n=,r=abc');
    d.send(saslResponse(`c=biws,r=${sf2.nonce},junk,p=AAAA`));
    expect(await closedWith(d)).toEqual([expect.objectContaining({ Severity: 'FATAL', Code: '08P01', Message: 'malformed SCRAM message' })]);
  });

  it('a SCRAM message over 1 024 bytes → 08P01', async () => {
    const c = await begin();
    c.send(saslInitial('SCRAM-SHA-256', Buffer.from(`n,,n=,r=${'a'.repeat(1100)}`)));
    expect(await closedWith(c)).toEqual(fatal('08P01', 'SASL message too long'));
    const c2 = await begin();
    await serverFirst(c2, 'n=,r=abc');
    c2.send(saslResponse(`c=biws,r=abc,p=${'A'.repeat(1100)}`));
    expect(await closedWith(c2)).toEqual(fatal('08P01', 'SASL message too long'));
  });

  it('a Query during SASL → 08P01 expected SASL response', async () => {
    const c = await begin();
    c.send({ Type: 'Query', String: 'select 1' });
    expect(await closedWith(c)).toEqual(fatal('08P01', 'expected SASL response, got message type 81'));
  });

  it('a changed nonce, a bad proof or non-base64 data never reach AuthenticationOk', async () => {
    const bare = 'n=,r=clientnonce';
    let c = await begin();
    let sf = await serverFirst(c, bare);
    c.send(saslResponse(clientFinal('s3cret', sf.salt, sf.iterations, bare, sf.text, sf.nonce).replace(`r=${sf.nonce}`, `r=${sf.nonce}x`)));
    expect(await closedWith(c)).toEqual(fatal('08P01', 'invalid SCRAM response'));

    c = await begin();
    sf = await serverFirst(c, bare);
    c.send(saslResponse(clientFinal('wrong', sf.salt, sf.iterations, bare, sf.text, sf.nonce)));
    expect(await closedWith(c)).toEqual(fatal('28P01', 'password authentication failed for user "alice"'));

    c = await begin();
    sf = await serverFirst(c, bare);
    c.send(saslResponse(`c=biws,r=${sf.nonce},p=not*base64!`));
    expect(await closedWith(c)).toEqual(fatal('08P01', 'malformed SCRAM message'));
  });

  it('GS2 flag y is accepted over plaintext (no -PLUS was offered); p is refused', async () => {
    let c = await begin();
    c.send(saslInitial('SCRAM-SHA-256', Buffer.from('p=tls-server-end-point,,n=,r=abc')));
    expect(await closedWith(c)).toEqual(fatal('08P01', 'malformed SCRAM message'));
    c = await begin();
    c.send(saslInitial('SCRAM-SHA-256', Buffer.from('y,,n=,r=abc')));
    expect(await c.receive()).toMatchObject({ Type: 'Authentication', Code: 11 });
    c.destroy();
  });

  it('over TLS both mechanisms are offered, and flag y (downgrade) is refused', async () => {
    const c = await WireClient.connect(tlsServer.port);
    c.send({ Type: 'SSLRequest' });
    expect(await c.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'S' });
    await c.startTls();
    c.send({ Type: 'StartupMessage', Parameters: { user: 'alice', database: 'd' } } as WireJson);
    expect(await c.receive()).toMatchObject({ Type: 'Authentication', Code: 10, Payload: Buffer.from('SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0').toString('hex') });
    c.send(saslInitial('SCRAM-SHA-256', Buffer.from('y,,n=,r=abc')));
    expect(await closedWith(c)).toEqual(fatal('08P01', 'SCRAM channel binding negotiation error'));
  });
});
