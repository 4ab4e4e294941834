import { describe, expect, it } from 'vitest';
import {
  giveUpThread,
  isWaitingForThread,
  listOwedThreads,
  markThreadStarted,
  moveNoticeToChannel,
  recordThreadIntent,
} from '../../src/core/discussion.js';
import { isThreadsOn, parseThreadsInput, readDiscussionOptions } from '../../src/core/feed-options.js';
import { recordAudience, releaseAudience } from '../../src/core/notices.js';
import { feedProgressSchema, isBlankProgress, markFailed, markPosted } from '../../src/core/state.js';
import { makeFeedState } from '../support/feed-state.js';

const AT = '2026-06-22T09:00:00.000Z';
const LATER = '2026-06-22T09:00:05.000Z';
const ALICE = '700000000000000001';

describe('thread intents', () => {
  it('given intents for a posted, a refused and an unposted paper, then each is listed with what to do, oldest first', () => {
    let s = makeFeedState();
    s = recordThreadIntent(s, 'b', 'Paper B', LATER);
    s = recordThreadIntent(s, 'a', 'Paper A', AT);
    s = recordThreadIntent(s, 'c', 'Paper C', LATER);
    s = markPosted(s, 'a', '900', AT);
    s = markFailed(s, 'b', 'malformed', AT);
    expect(listOwedThreads(s)).toEqual([
      { paperId: 'a', name: 'Paper A', messageId: '900', status: 'posted' },
      { paperId: 'b', name: 'Paper B', messageId: null, status: 'refused' },
      { paperId: 'c', name: 'Paper C', messageId: null, status: 'waiting' },
    ]);
    // Recorded twice (a resumed intent), it keeps its first name and time.
    expect(recordThreadIntent(s, 'a', 'Other', LATER).progress.threads?.a).toEqual({ name: 'Paper A', at: AT });
    expect(isBlankProgress(recordThreadIntent(makeFeedState(), 'a', 'A', AT).progress)).toBe(false);
  });

  it('given a thread started, then its intent is gone, the field left out when empty, and a past unavailability cleared', () => {
    let s = makeFeedState({ progress: { threadsUnavailable: { reason: 'no permission', at: AT } } });
    s = recordThreadIntent(s, 'a', 'Paper A', AT);
    s = markThreadStarted(s, 'a');
    expect(s.progress.threads).toBeUndefined();
    expect(s.progress.threadsUnavailable).toBeUndefined();
    expect(feedProgressSchema.parse(s.progress)).toEqual(s.progress);
  });

  it('given a thread given up for missing permissions, then its mentions go to the channel and the reason is kept; for one paper only, no reason', () => {
    let s = makeFeedState();
    s = recordThreadIntent(s, 'a', 'Paper A', AT);
    s = recordAudience(s, 'a', { title: 'Paper A', mentions: [{ userId: ALICE, topics: ['agents'] }], direct: [], inThread: true });
    s = releaseAudience(markPosted(s, 'a', '900', AT), 'a', AT);
    const [nonce, notice] = Object.entries(s.progress.notices ?? {})[0]!;
    expect(notice).toMatchObject({ kind: 'channel', thread: 'a', users: [ALICE] });
    expect(notice.content).toBe(`🔔 **Paper A** matches your topics: <@${ALICE}> (agents)`);
    expect(isWaitingForThread(s, notice.thread)).toBe(true);

    const given = giveUpThread(s, 'a', LATER, 'lacks Create Public Threads');
    expect(given.progress.threads).toBeUndefined();
    expect(given.progress.notices?.[nonce]?.thread).toBeUndefined();
    expect(given.progress.threadsUnavailable).toEqual({ reason: 'lacks Create Public Threads', at: LATER });
    expect(giveUpThread(s, 'a', LATER).progress.threadsUnavailable).toBeUndefined();

    const started = markThreadStarted(s, 'a');
    expect(isWaitingForThread(started, 'a')).toBe(false);
    expect(moveNoticeToChannel(started, nonce).progress.notices?.[nonce]?.thread).toBeUndefined();
  });

  it('given an audience without threads, then the first mentions ride on the card as before (no thread notice)', () => {
    let s = recordAudience(makeFeedState(), 'a', { title: 'Paper A', mentions: [{ userId: ALICE, topics: ['x'] }], direct: [] });
    s = releaseAudience(markPosted(s, 'a', '900', AT), 'a', AT);
    expect(s.progress.notices).toBeUndefined();
  });
});

describe('the threads option', () => {
  it.each([
    [{}, false, undefined],
    [{ threads: 'on' }, true, undefined],
    [{ threads: 'off' }, false, undefined],
    [{ threads: 'yes' }, false, '"threads" must be one of on, off'],
    [{ threads: true, layout: 'compact' }, false, '"threads" must be one of on, off'],
  ])('given options %j, then threads are on: %s (problem: %s)', (options, on, problem) => {
    expect(isThreadsOn({ options })).toBe(on);
    expect(readDiscussionOptions(options).problem).toBe(problem);
  });

  it.each([
    ['on', { ok: true, value: 'on' }],
    [' OFF ', { ok: true, value: 'off' }],
    ['*maybe*', { ok: false, reason: '`threads`: "\\*maybe\\*" is not a choice; use on or off.' }],
  ])('given %j typed, then it reads %j', (raw, expected) => {
    expect(parseThreadsInput(raw)).toEqual(expected);
  });
});
