import { defineConfig } from 'vitest/config';
import HeavyFirstSequencer from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The default listing, then one line per skipped test with why it could not run here.
    reporters: ['default', './test/support/skip-reporter.ts'],
    pool: 'forks',
    // The CI machine has 2 cores; end-to-end tests spawn bot processes of their own. Three workers took 342 s instead
    // of 404 s on this machine (the end-to-end tests mostly wait for per-second schedules), but the extra contention
    // broke timing assumptions of tests in one run of two: 2 until a few more runs show no flake.
    maxWorkers: 2,
    // The longest files first, so that the two workers end together (test/support/sequencer.ts).
    sequence: { sequencer: HeavyFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
