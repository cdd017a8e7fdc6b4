import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import type { Logger } from '../log.js';

/** Where the TLS certificate comes from: PEM files, a self-signed one made at startup, or no TLS. */
export type TlsSetting = { readonly certFile: string; readonly keyFile: string } | 'self-signed' | 'off';

interface PemPair {
  readonly cert: string;
  readonly key: string;
}

/**
 * A self-signed certificate for localhost (EC P-256, 10 years), made once with the
 * `openssl` CLI in a private temporary directory that is removed right away; the key only
 * ever lives in memory. Node has no certificate generator, and a CLI call at startup keeps
 * the dependency list empty.
 */
async function selfSignedCertificate(): Promise<PemPair> {
  const dir = await mkdtemp(join(tmpdir(), 'lakegate-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '3650',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The TLS context for SSLRequest, or null (answer 'N') when TLS is off or no certificate could be made. */
export async function createTlsContext(setting: TlsSetting, log: Logger): Promise<SecureContext | null> {
  if (setting === 'off') return null;
  if (setting !== 'self-signed') {
    const [cert, key] = await Promise.all([readFile(setting.certFile, 'utf8'), readFile(setting.keyFile, 'utf8')]);
    return createSecureContext({ cert, key });
  }
  try {
    return createSecureContext(await selfSignedCertificate());
  } catch (err) {
    log.warn(`TLS disabled: could not generate a self-signed certificate with openssl (${err instanceof Error ? err.message : String(err)})`);
    return null;
  }
}
