import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The lake suite: tests against the real S3 store and Iceberg REST catalog
// (scripts/services/s3.sh, iceberg-rest.sh), run on its own by
// `scripts/test-all.sh lake`, which starts both:
//   npx vitest run --config conformance/lake/vitest.config.ts
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});
