import { describe, expect, it } from 'vitest';
import { PostError } from '../../src/app/ports.js';
import { createDigestRunner, FatalDigestError, type DigestDeps } from '../../src/app/run-digest.js';
import { getDestination } from '../../src/core/state.js';
import { createFakePoster, createListCorpus, createManualClock, createMemoryLogger, createMemoryStore, makePapers } from '../support/memory-ports.js';

function setup(count = 7, overrides: Partial<DigestDeps> = {}) {
  const store = createMemoryStore();
  const poster = createFakePoster();
  const corpus = createListCorpus(makePapers(count));
  const logger = createMemoryLogger();
  const runner = createDigestRunner({ store, poster, corpus, clock: createManualClock(), logger, size: 3, order: 'corpus', timezone: 'UTC', retryDelaysMs: [0, 0], ...overrides });
  const postedIds = () => poster.posts.map((p) => p.message.embeds?.[0]?.footer?.text.replace('Paper id: ', '')).filter(Boolean);
  return { store, poster, corpus, logger, runner, postedIds, dest: () => getDestination(store.read(), poster.destination) };
}

describe('runDigest', () => {
  it('given a fresh corpus, then a run posts a header and the first three papers, and records them', async () => {
    const { runner, poster, postedIds, dest, corpus } = setup();
    const result = await runner.run();
    expect(result.outcome).toBe('posted');
    expect(poster.posts[0]!.message.content).toMatch(/Paperboy digest #1.*3 new papers, 4 still to come/);
    expect(postedIds()).toEqual(corpus.papers.slice(0, 3).map((p) => p.id));
    expect(Object.keys(dest().posted)).toEqual(corpus.papers.slice(0, 3).map((p) => p.id));
    expect(dest().inFlight).toBeNull();
    expect(dest().lastRun).toMatchObject({ outcome: 'posted', posted: 3, remaining: 4 });
  });

  it('given three runs, then the papers go out in corpus order and the last run says nothing remains', async () => {
    const { runner, postedIds, corpus, dest } = setup(7);
    await runner.run();
    await runner.run();
    const third = await runner.run();
    expect(postedIds()).toEqual(corpus.papers.map((p) => p.id));
    expect(third.remaining).toBe(0);
    expect(Object.values(dest().posted).map((p) => p.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('given nothing left, then a run posts nothing and says so', async () => {
    const { runner, poster, logger } = setup(2);
    await runner.run();
    const before = poster.posts.length;
    const result = await runner.run();
    expect(result.outcome).toBe('empty');
    expect(poster.posts.length).toBe(before);
    expect(logger.lines.some((l) => l.message.includes('no unposted papers remain'))).toBe(true);
  });

  it('given newest order, then the newest papers go first', async () => {
    const { runner, corpus, postedIds } = setup(7, { order: 'newest' });
    await runner.run();
    const newest = [...corpus.papers].sort((a, b) => b.published!.localeCompare(a.published!)).slice(0, 3).map((p) => p.id);
    expect(postedIds()).toEqual(newest);
  });

  it('given a transient failure beyond the retries, then the run stops, the paper stays unposted, and the next run posts it exactly once', async () => {
    const { runner, poster, postedIds, corpus, dest } = setup(6);
    poster.failNext(undefined as never, new PostError('transient', '500'), new PostError('transient', '500'), new PostError('transient', '500'));
    const first = await runner.run();
    expect(first.outcome).toBe('failed');
    expect(dest().inFlight).not.toBeNull();
    const second = await runner.run();
    expect(second.outcome).toBe('posted');
    expect(postedIds()).toEqual(corpus.papers.slice(0, 3).map((p) => p.id));
  });

  it('given a create that succeeded but answered with an error, then the retry with the same nonce does not duplicate it', async () => {
    const { runner, poster, postedIds, corpus } = setup(3);
    poster.failNext(undefined as never, 'commit-then-fail');
    await runner.run();
    expect(postedIds()).toEqual(corpus.papers.map((p) => p.id));
  });

  it('given a malformed payload refused by Discord, then that paper is recorded as failed and the others are posted', async () => {
    const { runner, poster, dest, corpus } = setup(4);
    poster.failNext(undefined as never, new PostError('invalid-payload', 'embeds.0.title: too long', 400, 50035));
    const result = await runner.run();
    expect(result.outcome).toBe('partial');
    expect(Object.keys(dest().failed)).toEqual([corpus.papers[0]!.id]);
    expect(Object.keys(dest().posted)).toEqual(corpus.papers.slice(1, 3).map((p) => p.id));
    expect(result.remaining).toBe(1);
  });

  it('given missing permissions, then the run fails, the problem is logged once, and nothing is lost', async () => {
    const { runner, poster, logger, dest } = setup(4);
    poster.failNext(new PostError('forbidden', 'Missing Permissions', 403, 50013), new PostError('forbidden', 'Missing Permissions', 403, 50013));
    await runner.run();
    await runner.run();
    expect(logger.lines.filter((l) => l.level === 'error' && l.message.includes('lacks permissions'))).toHaveLength(1);
    expect(Object.keys(dest().posted)).toHaveLength(0);
    await runner.run();
    expect(Object.keys(dest().posted)).toHaveLength(3);
  });

  it('given an invalid token, then the run throws a fatal error', async () => {
    const { runner, poster } = setup(2);
    poster.failNext(new PostError('unauthorized', '401', 401, 0));
    await expect(runner.run()).rejects.toThrow(FatalDigestError);
  });

  it('given a state that cannot be saved, then nothing is posted past the failed save', async () => {
    const { runner, poster, store } = setup(4);
    store.failWrites = true;
    const result = await runner.run();
    expect(result.outcome).toBe('failed');
    expect(poster.posts).toHaveLength(0);
    store.failWrites = false;
    await runner.run();
    expect(poster.posts).toHaveLength(4);
  });

  it('given a shutdown signal, then the run stops between papers and the next run finishes the same digest', async () => {
    const { runner, poster, corpus, postedIds, dest } = setup(5);
    const controller = new AbortController();
    const original = poster.post.bind(poster);
    poster.post = async (m, n) => {
      const r = await original(m, n);
      if (m.embeds) controller.abort();
      return r;
    };
    const first = await runner.run({ signal: controller.signal });
    expect(first.outcome).toBe('partial');
    expect(dest().inFlight?.digest).toBe(1);
    await runner.run();
    expect(postedIds()).toEqual(corpus.papers.slice(0, 3).map((p) => p.id));
    expect(poster.posts.filter((p) => p.message.content?.includes('digest #1'))).toHaveLength(1);
  });

  it('given a run under way, then a second run is refused as busy', async () => {
    const { runner } = setup(3);
    const [a, b] = await Promise.all([runner.run(), runner.run()]);
    expect([a.outcome, b.outcome].sort()).toEqual(['busy', 'posted']);
  });

  it('given a preview, then it shows the next papers without posting or saving', async () => {
    const { runner, poster, store } = setup(5);
    const preview = await runner.preview();
    expect(preview.papers).toHaveLength(3);
    expect(preview.messages).toHaveLength(4);
    expect(poster.posts).toHaveLength(0);
    expect(store.saves).toBe(0);
  });
});
