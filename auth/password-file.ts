/**
 * The password file: one `user:SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>` per line
 * (PostgreSQL's rolpassword format after the first colon); `#` comments and blank lines are
 * ignored. It is read again at each sign-in, so users added with `npm run passwd` count at once.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseVerifier, type ScramVerifier } from './scram/verifier.js';

export type PasswordLookup = (user: string) => Promise<ScramVerifier | null>;

/** Parses the file's text; throws naming the first bad line. */
export function parsePasswordFile(text: string, source = 'password file'): Map<string, ScramVerifier> {
  const users = new Map<string, ScramVerifier>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const verifier = colon > 0 ? parseVerifier(line.slice(colon + 1)) : null;
    if (!verifier) throw new Error(`${source}:${i + 1}: expected user:SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`);
    users.set(line.slice(0, colon), verifier);
  });
  return users;
}

/** A lookup over a file, checked once now (so a broken file stops startup) and read at each sign-in. */
export function passwordFileLookup(path: string): PasswordLookup {
  parsePasswordFile(readFileSync(path, 'utf8'), path);
  return async (user) => parsePasswordFile(await readFile(path, 'utf8'), path).get(user) ?? null;
}
