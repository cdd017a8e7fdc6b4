// Module hooks for worker threads started from TypeScript sources (vitest runs the engine
// without compiling it): `./x.js` resolves to `./x.ts` when only the source exists, and .ts
// files are stripped of types with oxc (the transformer vitest itself uses, a dev dependency).
// Compiled builds (dist/) never load this file.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'rolldown/experimental';

export async function resolve(specifier, context, next) {
  const local = specifier.startsWith('file:') || (specifier.startsWith('.') && context.parentURL?.startsWith('file:'));
  if (local && specifier.endsWith('.js')) {
    const url = new URL(specifier, context.parentURL);
    const ts = new URL(url.href.replace(/\.js$/, '.ts'));
    if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(ts))) return { url: ts.href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const path = fileURLToPath(url);
  const { code, errors } = transformSync(path, await readFile(path, 'utf8'));
  if (errors?.length) throw new Error(`${path}: ${errors.map((e) => e.message).join('; ')}`);
  return { format: 'module', source: code, shortCircuit: true };
}
