import { describe, expect, it } from 'vitest';
import { isPassing } from './report.js';
import { run as runCompressedTime } from './scenarios/compressed-time.js';
import { run as runDiscussion } from './scenarios/discussion.js';
import { run as runDiskTrouble } from './scenarios/disk-trouble.js';
import { run as runFlakySource } from './scenarios/flaky-source.js';
import { run as runLoad } from './scenarios/load.js';
import { run as runStrangers } from './scenarios/strangers.js';

// Short versions of the soak scenarios (`npm run soak` runs them at full scale).
describe('soak scenarios, short', () => {
  it('given compressed time with faults and kill -9, then every paper is posted exactly once and subscriptions survive', async () => {
    const report = await runCompressedTime(0.05);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(report.papersPosted).toBe(report.papersExpected);
    expect(report.papersExpected).toBeGreaterThanOrEqual(60);
  }, 240_000);

  it('given a full then read-only data disk, then nothing unrecorded is posted, and the bot recovers by itself from the full disk and after a repair and restart from the read-only one', async (context) => {
    const report = await runDiskTrouble(0.2);
    // Without a tmpfs there is no disk to fill: the test says so in the run's summary instead of passing.
    if (report.skipped) context.skip(report.skipped);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(report.papersPosted).toBe(report.papersExpected);
  }, 240_000);

  it('given a burst of 200 concurrent interactions during a digest, then all are answered within 3 s', async () => {
    const report = await runLoad(0.1);
    expect(report.problems).toEqual([]);
    expect(report.interactionsAnswered).toBe(200);
  }, 120_000);

  it('given a source that fails in every documented way while its list grows and upvotes change, with kill -9, then after a clean fetch every paper it served is posted once with its last upvotes, and no snapshot was ever damaged', async () => {
    const report = await runFlakySource(0.1);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(report.papersPosted).toBe(report.papersExpected);
    expect(report.papersExpected).toBeGreaterThanOrEqual(60);
  }, 300_000);

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

  it('given a threads feed and a forum feed killed at random instants, then each paper has one card, one thread and one forum post, and its subscribers are mentioned once in its thread', async () => {
    const report = await runDiscussion(0.1);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(report.papersPosted).toBe(report.papersExpected);
    expect(report.unpinged).toBe(0);
    expect(report.notifiedTwice).toBe(0);
  }, 180_000);
});
