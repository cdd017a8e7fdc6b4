/**
 * tls-server-end-point channel binding (RFC 5929 §4.1): the hash of the server's certificate,
 * with SHA-256 when the certificate's signature uses MD5, SHA-1 or SHA-256, else its own hash.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export const isTls = (socket: Socket): socket is TLSSocket => (socket as TLSSocket).encrypted === true;

/** Reads one DER TLV header at `at`: [content start, content length]. */
function tlv(der: Buffer, at: number): [number, number] {
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  return [start, len];
}

const SHA384 = new Set(['2a864886f70d01010c', '2a8648ce3d040303']); // sha384WithRSA, ecdsa-with-SHA384
const SHA512 = new Set(['2a864886f70d01010d', '2a8648ce3d040304']); // sha512WithRSA, ecdsa-with-SHA512

/** The hash named by the certificate's signatureAlgorithm, per RFC 5929. */
function bindingHash(der: Buffer): string {
  try {
    const [certStart] = tlv(der, 0);
    const [tbsStart, tbsLen] = tlv(der, certStart);
    const [algStart] = tlv(der, tbsStart + tbsLen);
    const [oidStart, oidLen] = tlv(der, algStart);
    const oid = der.subarray(oidStart, oidStart + oidLen).toString('hex');
    return SHA384.has(oid) ? 'sha384' : SHA512.has(oid) ? 'sha512' : 'sha256';
  } catch {
    return 'sha256';
  }
}

/** The channel-binding data for this TLS socket, or null when there is no server certificate. */
export function tlsServerEndPoint(socket: TLSSocket): Buffer | null {
  const cert = socket.getCertificate();
  const raw = cert && 'raw' in cert ? (cert.raw as Buffer | undefined) : undefined;
  if (!raw) return null;
  return createHash(bindingHash(raw)).update(raw).digest();
}
