/**
 * pg_hba's `cert`: the client certificate, verified during the TLS handshake against the CA
 * given with --tls-ca, is the credential; its subject CN must equal the user named at startup.
 * No password round trip follows. Failures are FATAL 28000 as in PostgreSQL; the CN seen goes
 * only to the server log.
 */
import type { Socket } from 'node:net';
import { SqlState } from '../../engine/errors/index.js';
import type { Authenticator } from '../authenticator.js';
import { authFatal } from '../errors.js';
import { isTls } from '../scram/channel-binding.js';

/**
 * The client certificate's subject CN when the connection is TLS and the certificate verified
 * against the configured CA; '' for a verified certificate without a CN; null when there is no
 * verified certificate.
 */
export function verifiedCertificateName(socket: Socket): string | null {
  if (!isTls(socket) || !socket.authorized) return null;
  const cert = socket.getPeerCertificate();
  if (Object.keys(cert).length === 0) return null;
  const cn: unknown = cert.subject?.CN;
  return typeof cn === 'string' ? cn : '';
}

export const noValidCertificate = () => authFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, 'connection requires a valid client certificate');
export const certificateFailed = (user: string) =>
  authFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, `certificate authentication failed for user "${user}"`);

/** Checks that the verified certificate names `user`; throws 28000 otherwise. */
export function checkCertificateName(socket: Socket, user: string, log?: (message: string) => void): void {
  const name = verifiedCertificateName(socket);
  if (name === null) throw noValidCertificate();
  if (name === '') {
    log?.(`certificate authentication failed for user "${user}": client certificate contains no user name`);
    throw certificateFailed(user);
  }
  if (name !== user) {
    log?.(`provided user name (${user}) and authenticated user name (${name}) do not match`);
    throw certificateFailed(user);
  }
}

export function certAuthenticator(options: { readonly log?: (message: string) => void } = {}): Authenticator {
  return async (startup, exchange) => {
    checkCertificateName(exchange.socket, startup.user, options.log);
    return { user: startup.user, groups: [] };
  };
}
