/**
 * SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802/7677, tls-server-end-point channel binding)
 * as PostgreSQL implements them. An unknown user goes through the same exchange with a mock
 * salt derived from a per-process secret (a "doomed" exchange), so the answer and its timing
 * cannot tell an unknown user from a wrong password.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SqlState } from '../../engine/errors/index.js';
import type { Authenticator } from '../authenticator.js';
import { authFatal, passwordFailed, protocolViolation } from '../errors.js';
import type { PasswordLookup } from '../password-file.js';
import { AuthRequest, mechanismList, parseSaslInitialResponse } from '../sasl.js';
import { isTls, tlsServerEndPoint } from '../scram/channel-binding.js';
import { DEFAULT_ITERATIONS, hmac, sha256, type ScramVerifier } from '../scram/verifier.js';

/** PostgreSQL's limit on a SCRAM message (PG_MAX_AUTH_TOKEN_LENGTH is larger; 1 024 is ours). */
export const MAX_SCRAM_MESSAGE = 1024;
const PLAIN = 'SCRAM-SHA-256';
const PLUS = 'SCRAM-SHA-256-PLUS';
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;

export interface ScramOptions {
  readonly lookup: PasswordLookup;
  /** Secret for mock salts of unknown users; random per process by default. */
  readonly mockSecret?: Buffer;
  readonly log?: (message: string) => void;
}

const malformed = (detail: string) => protocolViolation('malformed SCRAM message', detail);

function mockVerifier(secret: Buffer, user: string): ScramVerifier {
  return {
    iterations: DEFAULT_ITERATIONS,
    salt: hmac(secret, `salt\0${user}`).subarray(0, 16),
    storedKey: hmac(secret, `stored\0${user}`),
    serverKey: hmac(secret, `server\0${user}`),
  };
}

function decodeB64(text: string, what: string): Buffer {
  if (!B64.test(text)) throw malformed(`Invalid base64 in ${what}.`);
  return Buffer.from(text, 'base64');
}

interface ClientFirst {
  readonly cbFlag: 'n' | 'y' | 'p';
  readonly gs2Header: string;
  readonly bare: string;
  readonly nonce: string;
}

/** A SCRAM message as text; PostgreSQL reads it as a C string, so a NUL inside is malformed. */
function scramText(message: Buffer): string {
  if (message.includes(0)) throw malformed('Message length does not match input length.');
  return message.toString('utf8');
}

function parseClientFirst(text: string): ClientFirst {
  const m = /^(n|y|p=([^,]*)),(a=[^,]*)?,(.*)$/s.exec(text);
  if (!m) throw malformed('Unexpected channel-binding flag or attribute.');
  if (m[2] !== undefined && m[2] !== 'tls-server-end-point') {
    throw malformed(`Unsupported SCRAM channel-binding type "${m[2]}".`);
  }
  if (m[3] !== undefined) throw authFatal(SqlState.FEATURE_NOT_SUPPORTED, 'client uses authorization identity, but it is not supported');
  const bare = m[4]!;
  // Extensions after the nonce are attr=value items, each read with the comma after it, as
  // PostgreSQL's read_any_attr() reads them.
  const attrs = /^n=[^,]*,r=([^,]*)(?:,[A-Za-z]=[^,]*)*,?$/s.exec(bare);
  if (!attrs) throw malformed('Expected attributes "n" and "r".');
  if (!PRINTABLE.test(attrs[1]!)) throw malformed('The client nonce contains invalid characters.');
  const cbFlag = (m[1]!.startsWith('p') ? 'p' : m[1]) as 'n' | 'y' | 'p';
  return { cbFlag, gs2Header: text.slice(0, text.length - bare.length), bare, nonce: attrs[1]! };
}

/** The SCRAM authenticator over a password lookup. */
export function scramAuthenticator(options: ScramOptions): Authenticator {
  const secret = options.mockSecret ?? randomBytes(32);
  return async (startup, exchange) => {
    const user = startup.user;
    const binding = isTls(exchange.socket) ? tlsServerEndPoint(exchange.socket) : null;
    const offered = binding ? [PLUS, PLAIN] : [PLAIN];
    exchange.request(AuthRequest.SASL, mechanismList(offered));

    const initial = parseSaslInitialResponse(await exchange.receive('SASL'), MAX_SCRAM_MESSAGE);
    if (!offered.includes(initial.mechanism)) throw protocolViolation('client selected an invalid SASL authentication mechanism');
    if (initial.data === null) throw malformed('The client sent no initial response.');
    const first = parseClientFirst(scramText(initial.data));
    if (initial.mechanism === PLUS && first.cbFlag !== 'p') {
      throw malformed('The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.');
    }
    if (initial.mechanism === PLAIN && first.cbFlag === 'p') {
      throw malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.');
    }
    if (first.cbFlag === 'y' && binding) {
      throw protocolViolation(
        'SCRAM channel binding negotiation error',
        'The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.',
      );
    }

    let verifier: ScramVerifier | null = null;
    try {
      verifier = await options.lookup(user);
    } catch (err) {
      options.log?.(`password lookup failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const doomed = verifier === null;
    const v = verifier ?? mockVerifier(secret, user);

    const nonce = first.nonce + randomBytes(18).toString('base64');
    const serverFirst = `r=${nonce},s=${v.salt.toString('base64')},i=${v.iterations}`;
    exchange.request(AuthRequest.SASLContinue, Buffer.from(serverFirst));

    const finalBody = await exchange.receive('SASL');
    if (finalBody.length > MAX_SCRAM_MESSAGE) throw protocolViolation('SASL message too long', `The limit is ${MAX_SCRAM_MESSAGE} bytes.`);
    const finalText = scramText(finalBody);
    const fm = /^c=([^,]*),r=([^,]*)(?:,[A-Za-z]=[^,]*)*?,p=([^,]*)$/s.exec(finalText);
    if (!fm) throw malformed('Expected attributes "c", "r" and "p".');
    const expectedCb = first.cbFlag === 'p' ? Buffer.concat([Buffer.from(first.gs2Header), binding!]) : Buffer.from(first.gs2Header);
    const cb = decodeB64(fm[1]!, 'channel binding');
    if (cb.length !== expectedCb.length || !timingSafeEqual(cb, expectedCb)) {
      throw protocolViolation('SCRAM channel binding check failed');
    }
    if (fm[2] !== nonce) throw protocolViolation('invalid SCRAM response', 'Nonce does not match.');
    const proof = decodeB64(fm[3]!, 'client proof');
    if (proof.length !== 32) throw malformed('Malformed proof in client-final-message.');

    const authMessage = `${first.bare},${serverFirst},${finalText.slice(0, finalText.lastIndexOf(',p='))}`;
    const signature = hmac(v.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    const matches = timingSafeEqual(sha256(clientKey), v.storedKey);
    if (!matches || doomed) throw passwordFailed(user);

    const serverSignature = hmac(v.serverKey, authMessage).toString('base64');
    exchange.request(AuthRequest.SASLFinal, Buffer.from(`v=${serverSignature}`));
    return { user, groups: [] };
  };
}
