import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Test files share one Temporal dev server and one Postgres server; two cores run two files at a time well.
    maxWorkers: 2,
    pool: 'forks',
  },
});
