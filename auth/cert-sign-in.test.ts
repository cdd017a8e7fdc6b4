/**
 * Certificate authentication (issue 8, hba method `cert` and clientcert=verify-ca/verify-full):
 * a CA, client certificates and a rogue CA made with the `openssl` CLI in a temp dir; the
 * server asks for a certificate because --tls-ca is given, and the CN must equal the user.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../engine/types/pg-type.js';
import type { Logger } from '../server/log.js';
import { startServer, type RunningServer } from '../server/server.js';
import { createFakeEngine } from '../server/testing/fake-engine.js';
import { WireClient, type WireJson } from '../server/testing/wire-client.js';
import { loadAuthSetup } from './config.js';
import { parseHba } from './hba.js';

const run = promisify(execFile);
const engine = () => createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });
const logged: string[] = [];
const log: Logger = { info: () => {}, warn: (m) => logged.push(m) };
const RULES = [
  'hostssl all alice,bob,nocn all cert',
  'hostssl all carol all trust clientcert=verify-ca',
  'hostssl all dave all trust clientcert=verify-full',
  'host all all all reject',
].join('\n');

let dir: string;
let server: RunningServer;
const pem: Record<string, { cert: string; key: string }> = {};

/** A key and a certificate with `subject`, signed by `ca` (or self-signed CA when ca is null). */
async function issue(name: string, subject: string, ca: string | null): Promise<void> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', subject];
  if (ca === null) {
    await run('openssl', ['req', '-x509', ...ec, '-out', cert, '-days', '1']);
  } else {
    const csr = join(dir, `${name}.csr`);
    await run('openssl', ['req', ...ec, '-out', csr]);
    await run('openssl', ['x509', '-req', '-in', csr, '-CA', join(dir, `${ca}.pem`), '-CAkey', join(dir, `${ca}.key`), '-set_serial', String(Date.now()), '-out', cert, '-days', '1']);
  }
  await chmod(key, 0o600);
  pem[name] = { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegate-cert-test-'));
  await issue('ca', '/CN=lakegate test CA', null);
  await issue('rogue', '/CN=rogue CA', null);
  await Promise.all([
    issue('alice', '/CN=alice', 'ca'),
    issue('bob', '/CN=bob', 'ca'),
    issue('nocn', '/O=no common name', 'ca'),
    issue('alice-rogue', '/CN=alice', 'rogue'),
  ]);
  await writeFile(join(dir, 'hba.conf'), RULES);
  const auth = loadAuthSetup({ hbaFile: join(dir, 'hba.conf'), clientCertificates: true }, (m) => logged.push(m));
  server = await startServer({
    engine: engine(),
    port: 0,
    log,
    tls: 'self-signed',
    tlsClientCaFile: join(dir, 'ca.pem'),
    authenticate: auth.authenticate!,
  });
}, 30_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const user = (name: string) => ({ user: name, database: 'db' });
const fatal = (code: string, message: string) => [{ Type: 'ErrorResponse', Severity: 'FATAL', Code: code, Message: message }];

/** Startup over SSLRequest with the given client certificate; returns every message until close or ReadyForQuery. */
async function signIn(name: string, certificate?: string): Promise<WireJson[]> {
  const c = await WireClient.connect(server.port);
  c.send({ Type: 'SSLRequest' });
  expect(await c.receive()).toEqual({ Type: 'EncryptionResponse', Response: 'S' });
  await c.startTls(certificate ? pem[certificate]! : {});
  c.send({ Type: 'StartupMessage', Parameters: user(name) });
  const got: WireJson[] = [];
  for (let m = await c.receive(); m !== null; m = await c.receive()) {
    got.push(m);
    if (m.Type === 'ReadyForQuery') break;
  }
  c.destroy();
  return got;
}

describe('hba method cert', () => {
  it('signs in when the verified certificate CN equals the user (SSLRequest and direct TLS)', async () => {
    expect((await signIn('alice', 'alice')).map((m) => m.Type)).toContain('ReadyForQuery');
    const c = await WireClient.connectDirectTls(server.port, pem.alice!);
    expect((await c.startup(user('alice'))).at(-1)).toEqual({ Type: 'ReadyForQuery', TxStatus: 'I' });
    c.destroy();
  });

  it('refuses a certificate for another user with 28000, logging both names', async () => {
    logged.length = 0;
    expect(await signIn('bob', 'alice')).toMatchObject(fatal('28000', 'certificate authentication failed for user "bob"'));
    expect(logged).toContain('provided user name (bob) and authenticated user name (alice) do not match');
  });

  it('refuses a connection without a client certificate', async () => {
    expect(await signIn('alice')).toMatchObject(fatal('28000', 'connection requires a valid client certificate'));
  });

  it('refuses a verified certificate without a CN', async () => {
    expect(await signIn('nocn', 'nocn')).toMatchObject(fatal('28000', 'certificate authentication failed for user "nocn"'));
  });

  it('closes a connection whose certificate is signed by another CA, before any startup', async () => {
    logged.length = 0;
    expect(await signIn('alice', 'alice-rogue')).toEqual([]);
    expect(logged.some((m) => m.startsWith('closing connection: 08006 could not accept SSL connection: client certificate'))).toBe(true);
  });

  it('refuses a plaintext connection (cert is hostssl only; the next rule rejects)', async () => {
    const c = await WireClient.connect(server.port);
    c.send({ Type: 'StartupMessage', Parameters: user('alice') });
    expect(await c.untilClosed()).toMatchObject([{ Type: 'ErrorResponse', Code: '28000', Message: expect.stringContaining('pg_hba.conf rejects connection') }]);
  });

  it('works with node-postgres and psql presenting the certificate', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'alice', database: 'db', ssl: { rejectUnauthorized: false, ...pem.alice! } });
    await client.connect();
    expect((await client.query('select 1')).rows).toEqual([{ '?column?': 1 }]);
    await client.end();
    const conninfo = `host=127.0.0.1 port=${server.port} user=alice dbname=db sslmode=require sslcert=${join(dir, 'alice.pem')} sslkey=${join(dir, 'alice.key')}`;
    const { stdout } = await run('psql', ['-X', '-A', '-t', conninfo, '-c', 'select 1'], { env: { ...process.env, PGPASSWORD: '' } });
    expect(stdout.trim()).toBe('1');
  });
});

describe('clientcert option', () => {
  it('verify-ca: any certificate from the CA, then the method (trust)', async () => {
    expect((await signIn('carol', 'bob')).at(-1)).toEqual({ Type: 'ReadyForQuery', TxStatus: 'I' });
    expect(await signIn('carol')).toMatchObject(fatal('28000', 'connection requires a valid client certificate'));
  });

  it('verify-full: the CN must also equal the user', async () => {
    expect(await signIn('dave', 'bob')).toMatchObject(fatal('28000', 'certificate authentication failed for user "dave"'));
    expect(await signIn('dave')).toMatchObject(fatal('28000', 'connection requires a valid client certificate'));
  });
});

describe('configuration', () => {
  it.each([
    ['host all all all cert', 'f:1: cert authentication is only supported on hostssl connections'],
    ['hostssl all all all cert clientcert=verify-ca', 'f:1: clientcert only accepts "verify-full" when using "cert" authentication'],
    ['host all all all trust clientcert=verify-full', 'f:1: clientcert can only be configured for "hostssl" rows'],
    ['hostssl all all all trust clientcert=yes', 'f:1: invalid value for clientcert: "yes"'],
    ['hostssl all all all trust map=x', 'f:1: unrecognized authentication option name: "map"'],
    ['hostssl all all all trust clientcert', 'f:1: authentication option not in name=value format: clientcert'],
  ])('refuses %s', (line, message) => {
    expect(() => parseHba(line, 'f')).toThrow(message);
  });

  it('refuses cert rules and clientcert options when no CA is configured', async () => {
    await writeFile(join(dir, 'cert-only.conf'), 'hostssl all all all cert');
    expect(() => loadAuthSetup({ hbaFile: join(dir, 'cert-only.conf') })).toThrow('method "cert" is not configured (give --tls-ca)');
    await writeFile(join(dir, 'clientcert.conf'), 'hostssl all all all trust clientcert=verify-ca');
    expect(() => loadAuthSetup({ hbaFile: join(dir, 'clientcert.conf') })).toThrow('clientcert needs client certificate verification (give --tls-ca)');
  });
});
