import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Database-backed suites each create their own SQLite file or PostgreSQL schema,
    // so files can run in parallel; two cores make more workers pointless.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    allowOnly: false,
    globalSetup: ['test/support/global-setup.ts'],
    // Low password-hashing cost in every test file (test/support/fast-hashing.ts).
    setupFiles: ['test/support/fast-hashing.ts'],
  },
});
