import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{server,engine,connectors,auth}/**/*.test.ts', 'conformance/wire/**/*.test.ts'],
    // remote-source connectors need their servers: conformance/federation/vitest.config.ts runs them
    exclude: ['**/node_modules/**', 'connectors/{postgresql,mysql,kafka}/**'],
    testTimeout: 30_000,
  },
});
