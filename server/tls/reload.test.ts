// Certificate rotation without a restart (RunningServer.reloadTls, what SIGHUP calls): after the
// certificate and key files are replaced, new TLS connections get the new certificate while a
// session opened before keeps working; files that cannot be used leave the old pair in force.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { T } from '../../engine/types/pg-type.js';
import { silentLogger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import { createFakeEngine } from '../testing/fake-engine.js';

const dir = mkdtempSync(join(tmpdir(), 'lakegate-tls-reload-'));
const certFile = join(dir, 'server.crt');
const keyFile = join(dir, 'server.key');
let server: RunningServer;

/** A self-signed certificate with this CN, written over the server's files; returns its PEM. */
function writeCertificate(cn: string): string {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${cn}`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return readFileSync(certFile, 'utf8');
}

/** The CN of the certificate a new TLS session is given, checked through a query over it. */
async function servedCn(): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'd', ssl: { rejectUnauthorized: false } });
  await client.connect();
  expect((await client.query('select 1')).rows).toEqual([{ '?column?': 1 }]);
  // node-postgres keeps the TLS socket as its connection's stream (not in its type declarations)
  const cn = (client as unknown as { connection: { stream: TLSSocket } }).connection.stream.getPeerCertificate().subject.CN;
  await client.end();
  return cn;
}

beforeAll(async () => {
  writeCertificate('first.test');
  server = await startServer({
    engine: createFakeEngine({ 'select 1': { columns: [{ name: '?column?', type: T.int4 }], rows: [[1]] } }),
    port: 0, log: silentLogger, tls: { certFile, keyFile },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

it('new connections get the new certificate; an open session keeps working; unusable files keep the old one', async () => {
  expect(await servedCn()).toBe('first.test');
  const open = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'd', ssl: { rejectUnauthorized: false } });
  await open.connect();

  writeCertificate('second.test');
  await server.reloadTls();
  expect(await servedCn()).toBe('second.test');
  expect((await open.query('select 1')).rows).toEqual([{ '?column?': 1 }]);

  const key = readFileSync(keyFile, 'utf8');
  writeFileSync(keyFile, 'not a key');
  await expect(server.reloadTls()).rejects.toThrow();
  expect(await servedCn()).toBe('second.test');
  writeFileSync(keyFile, key);
  await open.end();
});
