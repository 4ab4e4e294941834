import { describe, expect, it } from 'vitest';
import { isPassing } from '../report.js';
import { run as runFlakySource } from '../scenarios/flaky-source.js';

// The short version of the soak row (`npm run soak` runs it at full scale); one file per row, so rows run in parallel.
describe('soak, short: flaky-source', () => {
  it('given a source that fails in every documented way while its list grows and upvotes change, with kill -9, then after a clean fetch every paper it served is posted once with its last upvotes, and no snapshot was ever damaged', async () => {
    const report = await runFlakySource(0.1);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(report.papersPosted).toBe(report.papersExpected);
    expect(report.papersExpected).toBeGreaterThanOrEqual(60);
  }, 300_000);
});
