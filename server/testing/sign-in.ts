/**
 * Test support for servers that require a password: SCRAM-SHA-256 sign-in against a password
 * file in a new temporary folder, and a node-postgres sign-in that runs `select 1`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Authenticator } from '../../auth/authenticator.js';
import { hbaAuthenticator } from '../../auth/hba-authenticator.js';
import { parseHba } from '../../auth/hba.js';
import { scramAuthenticator } from '../../auth/methods/scram-sha-256.js';
import { passwordFileLookup } from '../../auth/password-file.js';
import { formatVerifier, makeVerifier } from '../../auth/scram/verifier.js';

/**
 * SCRAM-SHA-256 for every TCP connection (pg_hba.conf `host all all all scram-sha-256`) against
 * a password file of `users` (name → password) written to a new temporary folder named after
 * `prefix`; `remove` deletes the folder.
 */
export function scramSignIn(users: Readonly<Record<string, string>>, prefix = 'lakegate-scram-'): { readonly authenticate: Authenticator; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const passwords = join(dir, 'passwords');
  writeFileSync(passwords, Object.entries(users).map(([user, password]) => `${user}:${formatVerifier(makeVerifier(password))}\n`).join(''));
  return {
    authenticate: hbaAuthenticator(parseHba('host all all all scram-sha-256', 'test-hba'), {
      'scram-sha-256': scramAuthenticator({ lookup: passwordFileLookup(passwords) }),
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Signs in as `user` with node-postgres (TLS without verifying the certificate when `tls`), runs
 * `select 1` and disconnects: the value the server answered, or the sign-in's error (rejected).
 */
export async function selectOneAs(port: number, user: string, password: string, tls = false): Promise<unknown> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'd', ssl: tls ? { rejectUnauthorized: false } : false });
  try {
    await client.connect();
    return (await client.query('select 1')).rows[0]['?column?'];
  } finally {
    await client.end().catch(() => undefined);
  }
}
