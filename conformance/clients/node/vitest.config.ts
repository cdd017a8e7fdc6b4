import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The repo's vitest.config.ts only includes unit tests beside the code; this
// suite is run on its own: npx vitest run --config conformance/clients/node/vitest.config.ts
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
