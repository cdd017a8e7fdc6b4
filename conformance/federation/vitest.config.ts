import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The federation suite: the remote-source connectors' tests and the cross-source queries,
// against real PostgreSQL, MariaDB, an Apache Kafka broker and the S3 store, which
// `scripts/test-all.sh federation` starts:
//   npx vitest run --config conformance/federation/vitest.config.ts
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['connectors/{postgresql,mysql,kafka}/**/*.test.ts', 'conformance/federation/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
