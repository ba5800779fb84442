import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Test files share one Temporal dev server and one Postgres server; two cores run two files at a time well.
    maxWorkers: 2,
    pool: 'forks',
  },
});
