/**
 * sslmode=verify-full (CHECKLIST-reliability.md b.2 item 37): a CA and two server certificates
 * it signed, made with the `openssl` CLI in a temp dir: one with SAN `DNS:localhost,
 * IP:127.0.0.1`, one with SAN `DNS:other.test`. psql (libpq) and node-postgres verify the chain
 * and the host name against the SAN: the matching certificate connects by name and by address,
 * the other is refused by the client.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../../engine/types/pg-type.js';
import { silentLogger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import { createFakeEngine } from '../testing/fake-engine.js';

const run = promisify(execFile);
const engine = () => createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

let dir: string;
let ca: string;
/** Servers by the SAN of their certificate. */
const servers: Record<'matching' | 'other', RunningServer> = {} as never;

/** A key and a certificate for `san` signed by the test CA; returns the server using it. */
async function serverWithCertificate(name: string, san: string): Promise<RunningServer> {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  const csr = join(dir, `${name}.csr`);
  await run('openssl', ['req', ...EC, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`, '-addext', `subjectAltName=${san}`]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', join(dir, 'ca.key'), '-copy_extensions', 'copy', '-set_serial', String(Date.now()), '-out', certFile, '-days', '1']);
  return startServer({ engine: engine(), port: 0, log: silentLogger, tls: { certFile, keyFile } });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegate-verify-full-'));
  ca = join(dir, 'ca.pem');
  await run('openssl', ['req', '-x509', ...EC, '-keyout', join(dir, 'ca.key'), '-out', ca, '-days', '1', '-subj', '/CN=lakegate test CA']);
  servers.matching = await serverWithCertificate('matching', 'DNS:localhost,IP:127.0.0.1');
  servers.other = await serverWithCertificate('other', 'DNS:other.test');
}, 30_000);
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

/** psql -c 'select 1' with sslmode=verify-full; resolves to its output, or its error text when it fails. */
async function psql(server: RunningServer, host: string): Promise<string> {
  const conninfo = `host=${host} port=${server.port} user=alice dbname=db sslmode=verify-full sslrootcert=${ca}`;
  try {
    return (await run('psql', [conninfo, '-X', '-A', '-t', '-c', 'select 1'], { env: { ...process.env, PGCONNECT_TIMEOUT: '5' } })).stdout.trim();
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
}

/** node-postgres with TLS verification (rejectUnauthorized and the default checkServerIdentity). */
async function nodePostgres(server: RunningServer, host: string): Promise<unknown> {
  const client = new pg.Client({ host, port: server.port, user: 'alice', database: 'db', ssl: { ca: await readFile(ca, 'utf8'), rejectUnauthorized: true } });
  try {
    await client.connect();
    return (await client.query('select 1')).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('sslmode=verify-full', () => {
  it.each(['localhost', '127.0.0.1'])('psql connects to %s when the SAN names it', async (host) => {
    expect(await psql(servers.matching, host)).toBe('1');
  });

  it.each(['localhost', '127.0.0.1'])('psql refuses %s when the SAN does not name it', async (host) => {
    // by address libpq also counts the subject's CN: 'for "other.test" (and 1 other name) does not match'
    const error = await psql(servers.other, host);
    expect(error).toContain('server certificate for "other.test"');
    expect(error).toContain(`does not match host name "${host}"`);
  });

  it.each(['localhost', '127.0.0.1'])('node-postgres connects to %s when the SAN names it', async (host) => {
    expect(await nodePostgres(servers.matching, host)).toEqual([{ '?column?': 1 }]);
  });

  it.each(['localhost', '127.0.0.1'])('node-postgres refuses %s when the SAN does not name it', async (host) => {
    await expect(nodePostgres(servers.other, host)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});
