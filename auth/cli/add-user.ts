/**
 * Adds or replaces a user in a password file:
 *   npm run passwd -- FILE USER            (password read from stdin, or LAKEGATE_NEW_PASSWORD)
 *   node dist/auth/cli/add-user.js FILE USER [--iterations N]
 * Only the SCRAM-SHA-256 verifier is written, never the password.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parsePasswordFile } from '../password-file.js';
import { DEFAULT_ITERATIONS, formatVerifier, makeVerifier } from '../scram/verifier.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The file's text with the user's line set to the verifier (other lines kept as they are). */
export function withUser(text: string, user: string, verifierText: string): string {
  if (user === '' || /[:\s#]/.test(user)) throw new Error('user names must not be empty or contain ":", "#" or spaces');
  parsePasswordFile(text);
  const lines = text.split(/\r?\n/).filter((l, i, all) => !(i === all.length - 1 && l === ''));
  const line = `${user}:${verifierText}`;
  const at = lines.findIndex((l) => l.trim().startsWith(`${user}:`));
  if (at >= 0) lines[at] = line;
  else lines.push(line);
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { iterations: { type: 'string' } } });
  const [file, user] = positionals;
  if (!file || !user) throw new Error('usage: add-user FILE USER [--iterations N]  (password on stdin or in LAKEGATE_NEW_PASSWORD)');
  const iterations = values.iterations ? Number(values.iterations) : DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 4096) throw new Error('--iterations must be an integer ≥ 4096');
  const password = process.env.LAKEGATE_NEW_PASSWORD ?? (await readStdin());
  if (password === '') throw new Error('empty password');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, withUser(text, user, formatVerifier(makeVerifier(password, iterations))), { mode: 0o600 });
  renameSync(tmp, file);
  console.log(`saved ${user} in ${file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
