import { describe, expect, it } from 'vitest';
import { isPassing } from '../report.js';
import { run as runDiscussion } from '../scenarios/discussion.js';

// The short version of the soak row (`npm run soak` runs it at full scale); one file per row, so rows run in parallel.
describe('soak, short: discussion', () => {
  it('given a threads feed and a forum feed killed at random instants, then each paper has one card, one thread and one forum post, and its subscribers are mentioned once in its thread', async () => {
    const report = await runDiscussion(0.1);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(report.papersPosted).toBe(report.papersExpected);
    expect(report.unpinged).toBe(0);
    expect(report.notifiedTwice).toBe(0);
  }, 180_000);
});
