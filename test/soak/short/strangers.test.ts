import { describe, expect, it } from 'vitest';
import { isPassing } from '../report.js';
import { run as runStrangers } from '../scenarios/strangers.js';

// The short version of the soak row (`npm run soak` runs it at full scale); one file per row, so rows run in parallel.
describe('soak, short: strangers', () => {
  it('given strangers trying every command, Read Message History revoked around kill -9, a vanishing corpus and 300 subscribers, then every paper once, nothing for strangers, every subscriber notified once', async () => {
    const report = await runStrangers(0.1);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(report.papersPosted).toBe(report.papersExpected);
    expect(report.foreignActions).toBe(0);
    expect(report.unpinged).toBe(0);
    expect(report.notifiedTwice).toBe(0);
    expect(report.interactionsAnswered).toBe(report.interactionsSent);
  }, 180_000);
});
