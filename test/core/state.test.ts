import { describe, expect, it } from 'vitest';
import { recordAudience, recordDirectNotice, releaseAudience } from '../../src/core/notices.js';
import type { PostedEntry, PostedLog } from '../../src/core/posted-log.js';
import {
  clearWaiting,
  feedProgressSchema,
  type FeedState,
  finishDigest,
  isBlankProgress,
  markFailed,
  markHeaderPosted,
  markPending,
  markPosted,
  markUnverified,
  markWaiting,
  newerMessageId,
  newestKnownMessage,
  requeueFailed,
  requeueUnverified,
  setNextDue,
  startDigest,
} from '../../src/core/state.js';
import { listUnposted } from '../../src/core/digest.js';
import { makeFeedState } from '../support/feed-state.js';
import { makePapers } from '../support/memory-ports.js';

const AT = '2026-06-22T09:00:00.000Z';
const SNOW = (n: number) => String(1_200_000_000_000_000_000n + BigInt(n));

describe('markPosted', () => {
  it('given an unposted paper, then it returns the row to append, counts it and remembers its message as the newest', () => {
    const s = markPosted(makeFeedState({ posted: ['a', 'b'] }), 'c', SNOW(9), AT);
    expect(s.logChanges).toEqual([{ kind: 'append', entry: { paperId: 'c', messageId: SNOW(9), postedAt: AT, digest: 0, seq: 3 } }]);
    expect(s.progress.postedCount).toBe(3);
    expect(s.progress.lastMessageId).toBe(SNOW(9));
    expect(s.posted.get('c')?.seq).toBe(3);
    expect(s.posted.size).toBe(3);
  });

  it('given a paper already posted, then nothing changes', () => {
    const before = makeFeedState({ posted: ['a'] });
    expect(markPosted(before, 'a', SNOW(1), AT)).toBe(before);
  });

  it('given pending, failed, unverified and waiting marks, then posting clears every one', () => {
    let s = markPending(makeFeedState(), 'a', 'n', AT);
    s = markUnverified(s, 'a', 'no history', AT);
    s = markWaiting(markFailed(s, 'b', 'refused', AT), 'c', AT);
    s = markPosted(markPosted(markPosted(s, 'a', SNOW(1), AT), 'b', SNOW(2), AT), 'c', SNOW(3), AT);
    expect(s.progress).toMatchObject({ pending: {}, failed: {} });
    expect(s.progress.unverified).toBeUndefined();
    expect(s.progress.waiting).toBeUndefined();
    expect(s.logChanges.map((c) => (c.kind === 'append' ? c.entry.seq : null))).toEqual([1, 2, 3]);
  });

  it.each([
    ['an older message id', SNOW(5), SNOW(1), SNOW(5)],
    ['a console message id', SNOW(5), 'console:7', SNOW(5)],
    ['a first snowflake', null, SNOW(3), SNOW(3)],
  ])('given %s, then the newest message stays the newest snowflake', (_name, last, messageId, expected) => {
    const s = markPosted(makeFeedState({ progress: { lastMessageId: last } }), 'x', messageId, AT);
    expect(s.progress.lastMessageId).toBe(expected);
  });
});

describe('the digest under way', () => {
  it('given a digest started after posts, then its anchor is the newest message recorded before it', () => {
    let s = markPosted(makeFeedState(), 'a', SNOW(4), AT);
    s = startDigest(s, { papers: ['b'], remainingAfter: 0, at: AT, headerNonce: 'h' });
    expect(s.progress.inFlight).toMatchObject({ digest: 1, papers: ['b'], after: SNOW(4), header: { nonce: 'h', messageId: null } });
    s = markHeaderPosted(s, SNOW(6));
    expect(s.progress.lastMessageId).toBe(SNOW(6));
    expect(newestKnownMessage(s.progress)).toBe(SNOW(6));
    expect(() => startDigest(s, { papers: [], remainingAfter: 0, at: AT, headerNonce: 'h2' })).toThrow(/already under way/);
    s = finishDigest(s, { at: AT, outcome: 'posted', posted: 1, remaining: 0 });
    expect(s.progress.inFlight).toBeNull();
    expect(s.progress.lastRun?.outcome).toBe('posted');
  });

  it('given a feed that never posted, then a digest has no anchor and the opening message becomes the newest', () => {
    const s = startDigest(makeFeedState(), { papers: ['a'], remainingAfter: 0, at: AT, headerNonce: 'h' });
    expect(s.progress.inFlight?.after).toBeUndefined();
    expect(markHeaderPosted(s, SNOW(1)).progress.lastMessageId).toBe(SNOW(1));
  });
});

describe('marks that hold a paper back', () => {
  it.each<[string, (s: FeedState) => FeedState]>([
    ['pending', (s) => markPending(s, 'a', 'n', AT)],
    ['unverified', (s) => markUnverified(s, 'a', 'why', AT)],
    ['waiting', (s) => markWaiting(s, 'a', AT)],
  ])('given a posted paper, then marking it %s does not resurrect it', (_kind, mark) => {
    const posted = makeFeedState({ posted: ['a'] });
    if (_kind === 'pending') expect(() => mark(posted)).toThrow(/already posted/);
    else expect(mark(posted)).toBe(posted);
  });

  it('given an unverified paper, then a new intent to post it is refused until a trusted read re-queues it', () => {
    const held = markUnverified(markPending(makeFeedState(), 'a', 'n', AT, SNOW(1)), 'a', 'no history', AT);
    expect(held.progress.unverified?.a).toMatchObject({ nonce: 'n', after: SNOW(1), reason: 'no history' });
    expect(() => markPending(held, 'a', 'n', AT)).toThrow(/unverified/);
    const requeued = requeueUnverified(held, 'a');
    expect(requeued.progress.unverified).toBeUndefined();
    expect(markPending(requeued, 'a', 'n', AT).progress.pending.a).toBeDefined();
  });

  it('given waiting papers back in the corpus and refused papers retried, then they are ordinary unposted papers again', () => {
    let s = markFailed(markWaiting(makeFeedState(), 'a', AT), 'b', 'refused', AT);
    s = requeueFailed(clearWaiting(s, ['a']));
    expect(s.progress.waiting).toBeUndefined();
    expect(s.progress.failed).toEqual({});
  });
});

describe('no step copies or scans the posted history', () => {
  /** A large posted log that fails the test if anything iterates it. */
  function untouchableLog(size: number): PostedLog {
    const entry = (id: string): PostedEntry | undefined =>
      /^old-\d+$/.test(id) && Number(id.slice(4)) < size
        ? { paperId: id, messageId: SNOW(Number(id.slice(4))), postedAt: AT, digest: 1, seq: Number(id.slice(4)) + 1 }
        : undefined;
    return {
      has: (id) => entry(id) !== undefined,
      get: entry,
      byMessage: () => undefined,
      size,
      newestFirst: () => {
        throw new Error('a step walked the posted log');
      },
      entries: () => {
        throw new Error('a step walked the posted log');
      },
    };
  }

  it('given 100,000 posted papers, then a whole digest of steps only looks papers up', () => {
    const papers = makePapers(5);
    let s: FeedState = {
      feedId: 'f',
      progress: { ...makeFeedState().progress, postedCount: 100_000, lastMessageId: SNOW(99_999) },
      posted: untouchableLog(100_000),
      logChanges: [],
    };
    expect(listUnposted(papers, s, 'corpus')).toHaveLength(5);
    s = startDigest(s, { papers: papers.map((p) => p.id), remainingAfter: 0, at: AT, headerNonce: 'h' });
    s = markHeaderPosted(s, SNOW(100_000));
    papers.forEach((paper, i) => {
      s = markPending(s, paper.id, `n${i}`, AT, newestKnownMessage(s.progress));
      s = recordAudience(s, paper.id, { title: paper.title, mentions: [], direct: [{ userId: '1', topics: ['x'] }] });
      s = releaseAudience(markPosted(s, paper.id, SNOW(100_001 + i), AT), paper.id, AT);
    });
    s = recordDirectNotice(s, '1', AT);
    s = setNextDue(finishDigest(s, { at: AT, outcome: 'posted', posted: 5, remaining: 0 }), AT);
    expect(s.progress.postedCount).toBe(100_005);
    expect(s.posted.size).toBe(100_005);
    expect(s.posted.has('old-42')).toBe(true);
    expect(s.logChanges).toHaveLength(5);
    expect(feedProgressSchema.safeParse(s.progress).success).toBe(true);
  });
});

describe('helpers', () => {
  it.each([
    [SNOW(1), SNOW(2), SNOW(2)],
    [SNOW(2), undefined, SNOW(2)],
    [null, 'console:1', null],
    ['9', '10', '10'],
  ])('given %s and %s, then the newer is %s', (a, b, expected) => {
    expect(newerMessageId(a, b)).toBe(expected);
  });

  it('given a schedule time or an empty run only, then the progress is blank; given any record, then it is not', () => {
    const blank = setNextDue(makeFeedState(), AT).progress;
    expect(isBlankProgress({ ...blank, lastRun: { at: AT, outcome: 'empty', posted: 0, remaining: 0 } })).toBe(true);
    expect(isBlankProgress(markFailed(makeFeedState(), 'a', 'x', AT).progress)).toBe(false);
    expect(isBlankProgress(markPosted(makeFeedState(), 'a', SNOW(1), AT).progress)).toBe(false);
  });
});
