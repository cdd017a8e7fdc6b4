/** SASL framing of PostgreSQL's authentication exchange (protocol §53.3). */
import { protocolViolation } from './errors.js';

export const AuthRequest = { Ok: 0, CleartextPassword: 3, SASL: 10, SASLContinue: 11, SASLFinal: 12 } as const;

/** The payload of AuthenticationSASL: each mechanism name NUL-terminated, then a final NUL. */
export const mechanismList = (names: readonly string[]) => Buffer.from(names.map((n) => `${n}\0`).join('') + '\0');

export interface SaslInitialResponse {
  readonly mechanism: string;
  /** null when the client sent length −1 (no initial response). */
  readonly data: Buffer | null;
}

/** Decodes SASLInitialResponse (mechanism cstring, Int32 length, bytes); every length is checked. */
export function parseSaslInitialResponse(body: Buffer, maxData: number): SaslInitialResponse {
  const nul = body.indexOf(0);
  if (nul < 0 || body.length < nul + 5) throw protocolViolation('malformed SASLInitialResponse message');
  const mechanism = body.subarray(0, nul).toString('utf8');
  const length = body.readInt32BE(nul + 1);
  const rest = body.length - (nul + 5);
  if (length === -1 && rest === 0) return { mechanism, data: null };
  if (length < 0 || length !== rest) throw protocolViolation('malformed SASLInitialResponse message', 'The declared length does not match the message length.');
  if (length > maxData) throw protocolViolation('SASL message too long', `The limit is ${maxData} bytes.`);
  return { mechanism, data: body.subarray(nul + 5) };
}

/** Decodes a PasswordMessage body (one NUL-terminated string, nothing after it). */
export function parsePasswordMessage(body: Buffer): string {
  const nul = body.indexOf(0);
  if (nul !== body.length - 1) throw protocolViolation('invalid password packet size');
  return body.subarray(0, nul).toString('utf8');
}
