/**
 * Test support: runs testdata/make_fixtures.py with pyarrow (the project's venv python at
 * .tmp/venv/bin/python, else python3) into a folder under .tmp/. Fails with an explanation
 * when pyarrow is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');

/** The python that has pyarrow: the project venv's, or python3. */
export function findPython(): string {
  const candidates = [join(repoRoot, '.tmp/venv/bin/python'), 'python3'];
  for (const py of candidates) {
    if (py.includes('/') && !existsSync(py)) continue;
    try {
      execFileSync(py, ['-c', 'import pyarrow'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'pyarrow is needed to generate the Parquet test files and was not found in .tmp/venv/bin/python or python3. ' +
      'Install it with: .tmp/venv/bin/pip install pyarrow  (scripts/test-all.sh installs it into .tmp/venv)',
  );
}

/** Generates the fixtures (once per generator version) and returns their folder. */
export function parquetFixtures(): string {
  const script = join(here, 'testdata/make_fixtures.py');
  const stamp = Math.floor(statSync(script).mtimeMs).toString(36);
  const dir = join(repoRoot, '.tmp/parquet-fixtures', stamp);
  if (!existsSync(join(dir, 'variants.json'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(findPython(), [script, dir], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
  }
  return dir;
}

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
