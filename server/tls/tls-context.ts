import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';
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

/** The ALPN protocol of PostgreSQL 17 (required with direct TLS, accepted after SSLRequest). */
export const ALPN_PROTOCOL = 'postgresql';

/** The oldest TLS version the server accepts (PostgreSQL's default ssl_min_protocol_version). */
export const MIN_TLS_VERSION = 'TLSv1.2';

/** `address|port` of the client, the same on the raw socket and on the TLS socket wrapping it. */
const peerOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;

/**
 * The server side of TLS handshakes. A `tls.Server` that never listens drives them (connections
 * are handed to it), because only sockets accepted by a `tls.Server` get `authorized` and
 * `authorizationError` filled in after client certificate verification.
 */
export class ServerTls {
  private readonly server: TlsServer;
  private readonly pending = new Map<string, (result: TLSSocket | Error) => void>();

  /**
   * @param verifiesClientCertificates true when a CA file was given (PostgreSQL's ssl_ca_file):
   * clients are asked for a certificate, verified against that CA (TLSSocket.authorized).
   */
  constructor(
    pem: PemPair & { readonly ca?: string },
    readonly verifiesClientCertificates: boolean,
  ) {
    // TLS 1.2 at least, as PostgreSQL's ssl_min_protocol_version: stated, so a runtime default cannot lower it
    this.server = new TlsServer({
      ...pem, minVersion: MIN_TLS_VERSION, ALPNProtocols: [ALPN_PROTOCOL], requestCert: verifiesClientCertificates, rejectUnauthorized: false,
    });
    this.server.on('secureConnection', (socket: TLSSocket) => this.settle(peerOf(socket), socket));
    this.server.on('tlsClientError', (err: Error, socket: TLSSocket) => this.settle(peerOf(socket), err));
  }

  /** New certificate, key and CA for the handshakes that start from now on (SIGHUP); open connections keep theirs. */
  replace(pem: PemPair & { readonly ca?: string }): void {
    this.server.setSecureContext({ ...pem, minVersion: MIN_TLS_VERSION });
  }

  /**
   * Runs the handshake on `socket`. `clientHello`: bytes of it already read (direct TLS), put
   * back to be read first. Resolves to the encrypted socket; rejects when the handshake fails
   * or the connection closes first. A client offering ALPN without `postgresql` fails it.
   */
  handshake(socket: Socket, clientHello?: Buffer): Promise<TLSSocket> {
    const peer = peerOf(socket);
    return new Promise((resolve, reject) => {
      this.pending.set(peer, (result) => (result instanceof Error ? reject(result) : resolve(result)));
      socket.once('close', () => this.settle(peer, new Error('connection closed')));
      if (clientHello) {
        socket.pause();
        socket.unshift(clientHello);
      }
      this.server.emit('connection', socket);
    });
  }

  private settle(peer: string, result: TLSSocket | Error): void {
    const done = this.pending.get(peer);
    this.pending.delete(peer);
    done?.(result);
  }
}

/**
 * The TLS setup for SSLRequest and direct TLS, or null (answer 'N') when TLS is off or no
 * certificate could be made. `clientCaFile` (PEM) turns on client certificate verification.
 */
export async function createTlsContext(setting: TlsSetting, log: Logger, clientCaFile?: string): Promise<ServerTls | null> {
  if (setting === 'off') return null;
  let pair: PemPair;
  if (setting !== 'self-signed') {
    pair = await readPemPair(setting);
  } else {
    try {
      pair = await selfSignedCertificate();
    } catch (err) {
      log.warn(`TLS disabled: could not generate a self-signed certificate with openssl (${err instanceof Error ? err.message : String(err)})`);
      return null;
    }
  }
  return new ServerTls(await withClientCa(pair, clientCaFile), clientCaFile !== undefined);
}

/**
 * Reads the certificate, key and client CA files again and uses them for new handshakes, as
 * PostgreSQL does on SIGHUP; a self-signed certificate stays. Throws (keeping the old ones) when
 * a file cannot be read or the pair is not usable.
 */
export async function reloadTlsContext(tls: ServerTls, setting: TlsSetting, clientCaFile?: string): Promise<void> {
  if (setting === 'off' || setting === 'self-signed') return;
  tls.replace(await withClientCa(await readPemPair(setting), clientCaFile));
}

async function readPemPair(files: { readonly certFile: string; readonly keyFile: string }): Promise<PemPair> {
  const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  return { cert, key };
}

async function withClientCa(pair: PemPair, clientCaFile: string | undefined): Promise<PemPair & { readonly ca?: string }> {
  return clientCaFile === undefined ? pair : { ...pair, ca: await readFile(clientCaFile, 'utf8') };
}
