import { describe, expect, it } from 'vitest';
import { run as runLoad } from '../scenarios/load.js';

// The short version of the soak row (`npm run soak` runs it at full scale); one file per row, so rows run in parallel.
describe('soak, short: load', () => {
  it('given a burst of 200 concurrent interactions during a digest, then all are answered within 3 s', async () => {
    const report = await runLoad(0.1);
    expect(report.problems).toEqual([]);
    expect(report.interactionsAnswered).toBe(200);
  }, 120_000);
});
