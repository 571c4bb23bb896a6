import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Tests that start the real Go target or a terminal take seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The suite prints why a test is skipped (e.g. no `go`); keep that visible.
    reporters: ['default'],
  },
});
