import { describe, expect, it } from 'vitest';
import { buildHeaderMessage, buildPaperMessage } from '../../src/app/digest-messages.js';
import { recordPosted, recordPostIntent } from '../../src/app/digest-records.js';
import { createRetrying } from '../../src/app/digest-retry.js';
import { createDigestSteps, type DigestStart } from '../../src/app/digest-steps.js';
import { createNotifier, DEFAULT_DIRECT_MESSAGE_LIMITS } from '../../src/app/notify.js';
import { PostError } from '../../src/app/ports.js';
import { createDigestRunner, FatalDigestError } from '../../src/app/run-digest.js';
import { createPaperNonce } from '../../src/core/digest.js';
import { readPaperIdFromFooter } from '../../src/core/format.js';
import { markPending, type Recipient } from '../../src/core/state.js';
import { scopeToFeed } from '../../src/app/feed-store.js';
import { makeFeedState } from '../support/feed-state.js';
import {
  createFakePoster,
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  createMemoryStore,
  makePapers,
  recordsOf,
} from '../support/memory-ports.js';

const member = (i: number) => String(500000000000000000n + BigInt(i));
const mentions = (n: number): Recipient[] => Array.from({ length: n }, (_, i) => ({ userId: member(i), topics: ['sentences'] }));

/** The steps of one feed on memory ports, with no retries or pauses. */
function stepsOn(count = 5, audienceFor?: () => { mentions: Recipient[]; direct: Recipient[] }) {
  const store = createMemoryStore();
  const poster = createFakePoster();
  const corpus = createListCorpus(makePapers(count));
  const logger = createMemoryLogger();
  const clock = createManualClock();
  const feed = scopeToFeed(store, store.feedId);
  const deps = { feed, poster, corpus, clock, logger, ...(audienceFor ? { audienceFor } : {}) };
  const retrying = createRetrying({ destination: poster.destination, logger, delaysMs: [], sleep: async () => undefined });
  const notifier = createNotifier({
    feed,
    poster,
    clock,
    logger,
    sleep: async () => undefined,
    retrying,
    limits: DEFAULT_DIRECT_MESSAGE_LIMITS,
  });
  const steps = createDigestSteps(deps, { retrying, notifier });
  const byId = new Map(corpus.papers.map((p) => [p.id, p]));
  const dest = () => recordsOf(store);
  const start = async (size = 3) => (await steps.startOrResume(corpus.papers, size)) as Extract<DigestStart, { kind: 'digest' }>;
  return { store, poster, corpus, logger, steps, byId, dest, start };
}

describe('digest steps', () => {
  it('given a fresh corpus, then startOrResume records digest #1 with the next papers before anything is posted', async () => {
    const { steps, corpus, poster, dest } = stepsOn(5);
    const start = await steps.startOrResume(corpus.papers, 3);
    expect(start).toMatchObject({
      kind: 'digest',
      headerUnknown: false,
      inFlight: { digest: 1, papers: corpus.papers.slice(0, 3).map((p) => p.id), remainingAfter: 2 },
    });
    expect(dest().inFlight).toEqual((start as Extract<DigestStart, { kind: 'digest' }>).inFlight);
    expect(poster.posts).toHaveLength(0);
  });

  it('given a digest in flight, then startOrResume resumes it instead of starting another', async () => {
    const { steps, corpus, logger, start } = stepsOn(5);
    const first = await start();
    const again = await steps.startOrResume(corpus.papers, 3);
    expect(again).toMatchObject({ kind: 'digest', inFlight: { digest: first.inFlight.digest, papers: first.inFlight.papers } });
    expect(logger.lines.map((l) => l.message)).toContain('resuming digest #1 that was interrupted');
  });

  it('given an empty corpus, then startOrResume says there is nothing to post and records why', async () => {
    const { steps, dest } = stepsOn(0);
    const start = await steps.startOrResume([], 3);
    expect(start).toEqual({ kind: 'empty', summary: { outcome: 'empty', digest: null, posted: [], failed: [], remaining: 0 } });
    expect(dest()).toMatchObject({ inFlight: null, lastRun: { outcome: 'empty', reason: 'corpus-empty' } });
  });

  it('given the header, then postHeader posts it once and records it; a second call skips it', async () => {
    const { steps, poster, dest, start } = stepsOn(5);
    const started = await start();
    expect(await steps.postHeader(started)).toBe('posted');
    expect(poster.posts[0]!.message.content).toMatch(/^📰 \*\*Paperboy digest #1\*\*/);
    expect(dest().inFlight?.header.messageId).toBe(poster.posts[0]!.id);
    expect(await steps.postHeader({ ...started, inFlight: dest().inFlight! })).toBe('skipped');
    expect(poster.posts).toHaveLength(1);
  });

  it('given a paper of the digest already under way, then postHeader does not post a late opening message', async () => {
    const { steps, poster, byId, start } = stepsOn(5);
    const started = await start();
    await steps.postPaper(started.inFlight.papers[0]!, byId);
    expect(await steps.postHeader(started)).toBe('skipped');
    expect(poster.posts.every((p) => p.message.embeds)).toBe(true);
  });

  it('given each kind of planned paper, then postPaper says what became of it: posted, settled, waiting or refused', async () => {
    const { steps, poster, byId, dest, start } = stepsOn(5);
    const { inFlight } = await start();
    const [a, b, c] = inFlight.papers as [string, string, string];
    const posted = await steps.postPaper(a, byId);
    expect(posted).toEqual({ kind: 'posted', paper: byId.get(a) });
    expect(dest().posted[a]?.messageId).toBe(poster.posts[0]!.id);
    expect(await steps.postPaper(a, byId)).toEqual({ kind: 'settled' });

    expect(await steps.postPaper(b, new Map())).toEqual({ kind: 'waiting' });
    expect(Object.keys(dest().waiting ?? {})).toEqual([b]);

    poster.failNext(new PostError('invalid-payload', 'embeds.0.title: too long', 400, 50035));
    expect(await steps.postPaper(c, byId)).toEqual({ kind: 'refused', paper: byId.get(c), reason: 'embeds.0.title: too long' });
    expect(dest().failed[c]?.reason).toBe('embeds.0.title: too long');
    expect(poster.posts).toHaveLength(1);
  });

  it('given a paper with more subscribers than one message may mention, then postPaper sends its card and then its follow-ups', async () => {
    const { steps, poster, byId, dest, start } = stepsOn(3, () => ({ mentions: mentions(150), direct: [] }));
    const { inFlight } = await start(1);
    await steps.postPaper(inFlight.papers[0]!, byId);
    const [card, ...followUps] = poster.posts.map((p) => p.message);
    expect(card!.embeds).toHaveLength(1);
    expect(followUps.length).toBeGreaterThan(0);
    expect(followUps.every((m) => !m.embeds && m.content?.startsWith('🔔 Also for **Paper number 1**:'))).toBe(true);
    expect(poster.posts.flatMap((p) => p.message.allowed_mentions.users ?? [])).toEqual(mentions(150).map((m) => m.userId));
    expect(dest().notices).toBeUndefined();
  });

  it('given a destination problem, then reportFailure logs the advice the error carries, or its message without one', () => {
    const { steps, logger } = stepsOn();
    const failure = steps.reportFailure(
      new PostError('unknown-channel', 'GET failed with status 404', 404, 10003, [], 'check the channel id'),
    );
    expect(failure).toEqual({ error: 'GET failed with status 404', errorKind: 'unknown-channel' });
    steps.reportFailure(new PostError('transient', 'socket hang up'));
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['check the channel id', 'socket hang up']);
  });

  it('given an invalid token, then the run stops with the advice of the destination', async () => {
    const poster = createFakePoster();
    poster.failNext(new PostError('unauthorized', '401: Unauthorized', 401, 0, [], 'reset the token'));
    const store = createMemoryStore({ feed: { size: 2 } });
    const runner = createDigestRunner({
      store,
      feedId: store.feedId,
      poster,
      corpus: createListCorpus(makePapers(2)),
      clock: createManualClock(),
      logger: createMemoryLogger(),
      retryDelaysMs: [],
    });
    const error = await runner.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalDigestError);
    expect((error as Error).message).toBe('reset the token');
  });
});

describe('digest records', () => {
  const paper = makePapers(1)[0]!;
  const audience = { title: paper.title, mentions: mentions(120), direct: [{ userId: member(900), topics: ['sentences'] }] };

  it('given a paper a crash left pending, then recording the intent again keeps its nonce and adds who it notifies', () => {
    const pending = markPending(makeFeedState(), paper.id, 'first-nonce', '2026-06-22T08:00:00.000Z');
    const next = recordPostIntent(pending, paper.id, { nonce: 'other', at: '2026-06-22T09:00:00.000Z', audience }).progress;
    expect(next.pending[paper.id]).toMatchObject({ nonce: 'first-nonce', since: '2026-06-22T08:00:00.000Z' });
    expect(next.audiences?.[paper.id]).toEqual(audience);
  });

  it('given a paper posted, then the same step releases what it owes: follow-up mentions and a direct message line', () => {
    const intended = recordPostIntent(makeFeedState(), paper.id, { nonce: 'n', at: '2026-06-22T08:00:00.000Z', audience });
    const posted = recordPosted(intended, paper.id, '1000000000000000001', '2026-06-22T08:01:00.000Z');
    const next = posted.progress;
    expect(posted.posted.get(paper.id)?.messageId).toBe('1000000000000000001');
    expect(next.audiences).toBeUndefined();
    const onCard = buildPaperMessage(intended.progress, paper, {}).card.allowed_mentions.users ?? [];
    expect([...onCard, ...Object.values(next.notices ?? {}).flatMap((n) => n.users)]).toEqual(audience.mentions.map((m) => m.userId));
    expect(Object.values(next.notices ?? {}).every((n) => n.kind === 'channel' && n.content.startsWith('🔔 Also for'))).toBe(true);
    expect(next.directDue?.[member(900)]).toEqual([{ paper: paper.id, title: paper.title, topics: ['sentences'] }]);
  });
});

describe('digest messages', () => {
  const paper = makePapers(1)[0]!;

  it('given an audience recorded with the intent, then the card mentions those members, not the ones chosen now', () => {
    const recorded = { title: paper.title, mentions: mentions(2), direct: [] };
    const state = recordPostIntent(makeFeedState(), paper.id, {
      nonce: createPaperNonce('test', paper.id),
      at: '2026-06-22T08:00:00.000Z',
      audience: recorded,
    });
    const now = () => ({ mentions: [{ userId: member(77), topics: ['new'] }], direct: [] });
    const { card, audience } = buildPaperMessage(state.progress, paper, { audienceFor: now });
    expect(audience).toEqual(recorded);
    expect(card.allowed_mentions.users).toEqual([member(0), member(1)]);
    expect(readPaperIdFromFooter(card.embeds?.[0]?.footer?.text)).toBe(paper.id);
    expect(buildPaperMessage(makeFeedState().progress, paper, { audienceFor: now }).card.allowed_mentions.users).toEqual([member(77)]);
  });

  it('given a digest started late in the evening UTC, then its opening message names the day in the configured time zone', () => {
    const inFlight = {
      digest: 4,
      startedAt: '2026-06-22T23:30:00.000Z',
      papers: ['a', 'b'],
      remainingAfter: 0,
      header: { nonce: 'n', messageId: null },
    };
    expect(buildHeaderMessage(inFlight, 'Asia/Tokyo').content).toBe(
      '📰 **Paperboy digest #4** · Tuesday 23 June 2026 · 2 new papers, the last of the corpus',
    );
  });
});
