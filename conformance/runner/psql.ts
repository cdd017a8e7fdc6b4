/** Streams rows between servers with the real psql (COPY TO STDOUT | COPY FROM STDIN). */
import { spawn } from 'node:child_process';
import type { Endpoint } from './session.js';

const connArgs = (e: Endpoint) => ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', e.host, '-p', String(e.port), '-U', e.user, '-d', e.database];
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface CopyResult {
  readonly ok: boolean;
  readonly rows: number;
  readonly ms: number;
  readonly error: string;
}

/** `\copy (SOURCE_QUERY) to stdout` on `from`, piped into `\copy TARGET_TABLE from stdin` on `to`. */
export function copyBetween(from: Endpoint, sourceQuery: string, to: Endpoint, targetTable: string): Promise<CopyResult> {
  const src = ['psql', ...connArgs(from), '-c', `\\copy (${sourceQuery}) to stdout`].map(quote).join(' ');
  // without -q psql prints "COPY n" for the target side
  const dst = ['psql', ...connArgs(to).filter((a) => a !== '-q'), '-c', `\\copy ${targetTable} from stdin`].map(quote).join(' ');
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${src} | ${dst}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'lakegate-differential-load' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const m = /COPY (\d+)/.exec(out);
      resolve({ ok: code === 0 && m !== null, rows: m ? Number(m[1]) : 0, ms: performance.now() - t0, error: err.trim() || (code === 0 ? '' : `exit ${code}`) });
    });
  });
}
