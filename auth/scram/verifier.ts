/**
 * SCRAM-SHA-256 verifiers in PostgreSQL's rolpassword format:
 * `SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>`.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

export const DEFAULT_ITERATIONS = 4096;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const hmac = (key: Buffer, text: string | Buffer) => createHmac('sha256', key).update(text).digest();
export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** Parses a verifier; null when it is not one. */
export function parseVerifier(text: string): ScramVerifier | null {
  const m = /^SCRAM-SHA-256\$(\d{1,9}):([^$:]+)\$([^$:]+):([^$:]+)$/.exec(text.trim());
  if (!m || ![m[2], m[3], m[4]].every((s) => B64.test(s!))) return null;
  const iterations = Number(m[1]);
  const storedKey = Buffer.from(m[3]!, 'base64');
  const serverKey = Buffer.from(m[4]!, 'base64');
  if (iterations < 1 || storedKey.length !== 32 || serverKey.length !== 32) return null;
  return { iterations, salt: Buffer.from(m[2]!, 'base64'), storedKey, serverKey };
}

/** Derives a verifier from a password (SASLprep is not applied: ASCII passwords are unaffected). */
export function makeVerifier(password: string, iterations = DEFAULT_ITERATIONS, salt: Buffer = randomBytes(16)): ScramVerifier {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  return { iterations, salt, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

export const formatVerifier = (v: ScramVerifier) =>
  `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
