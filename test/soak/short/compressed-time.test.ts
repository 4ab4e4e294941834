import { describe, expect, it } from 'vitest';
import { isPassing } from '../report.js';
import { run as runCompressedTime } from '../scenarios/compressed-time.js';

// The short version of the soak row (`npm run soak` runs it at full scale); one file per row, so rows run in parallel.
describe('soak, short: compressed-time', () => {
  it('given compressed time with faults and kill -9, then every paper is posted exactly once and subscriptions survive', async () => {
    const report = await runCompressedTime(0.05);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(report.papersPosted).toBe(report.papersExpected);
    expect(report.papersExpected).toBeGreaterThanOrEqual(60);
  }, 240_000);
});
