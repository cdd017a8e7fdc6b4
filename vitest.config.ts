import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{server,engine,connectors,auth}/**/*.test.ts', 'conformance/wire/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
