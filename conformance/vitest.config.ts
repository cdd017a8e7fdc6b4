import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests of the conformance tools themselves (slt runner, differential
// comparison); run by the slt/postgres suite:
//   npx vitest run --config conformance/vitest.config.ts
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: { include: ['{runner,slt,differential}/**/*.test.ts'] },
});
