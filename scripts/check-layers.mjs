// Fails when an import points up a layer (ARCHITECTURE.md §1):
//   server → auth, engine (and connectors/registry, from the composition root only)
//   auth   → engine/errors, engine/types
//   engine → engine, connectors/spi
//   connectors/spi and connectors/<name> → connectors/spi, connectors/lib (shared formats and
//   stores), engine/{errors,types,execution/batch}; connectors/lib → connectors/spi, itself and
//   the same engine parts; no connector imports another; connectors/registry.ts may import every connector.
// Tests (*.test.ts) may import across layers to assemble what they test.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const sharedValueModel = ['engine/errors/', 'engine/types/', 'engine/execution/batch/'];

function allowed(from, to) {
  const [fromTop, fromSub] = from.split('/');
  if (to.startsWith('node_modules') || !/^(server|engine|connectors|auth)\//.test(to)) return true;
  switch (fromTop) {
    case 'server':
      if (to === 'connectors/registry.ts') return from === 'server/main.ts';
      return /^(server|auth|engine)\//.test(to);
    case 'auth':
      return to.startsWith('auth/') || to.startsWith('engine/errors/') || to.startsWith('engine/types/');
    case 'engine':
      return to.startsWith('engine/') || to.startsWith('connectors/spi/');
    case 'connectors': {
      if (from === 'connectors/registry.ts') return to.startsWith('connectors/');
      const own = `connectors/${fromSub}/`;
      // connectors/lib/ holds what several connectors share (Parquet, file stores, pruning); it is
      // not a connector and imports none.
      const shared = fromSub === 'lib' ? [] : ['connectors/lib/'];
      return to.startsWith(own) || to.startsWith('connectors/spi/') || shared.some((p) => to.startsWith(p)) || sharedValueModel.some((p) => to.startsWith(p));
    }
    default:
      return true;
  }
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield path;
  }
}

const violations = [];
for (const top of ['server', 'engine', 'connectors', 'auth']) {
  for (const file of sourceFiles(join(root, top))) {
    const from = relative(root, file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"`;]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      const to = relative(root, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
      if (!allowed(from, to)) violations.push(`${from} imports ${to}`);
    }
  }
}
if (violations.length) {
  console.error('Imports that point up a layer:\n  ' + violations.join('\n  '));
  process.exit(1);
}
console.log('layers ok');
