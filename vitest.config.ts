import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The default listing, then one line per skipped test with why it could not run here.
    reporters: ['default', './test/support/skip-reporter.ts'],
    pool: 'forks',
    // The CI machine has 2 cores; end-to-end tests spawn bot processes of their own.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
