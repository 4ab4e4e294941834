import { describe, expect, it } from 'vitest';
import { PostError } from '../../src/app/ports.js';
import { createDigestRunner, FatalDigestError, requeueRefused, type DigestDeps } from '../../src/app/run-digest.js';
import { listDigestConcerns } from '../../src/core/health.js';
import type { Feed } from '../../src/core/feed.js';
import {
  createFakePoster,
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  createMemoryStore,
  makePapers,
  recordsOf,
} from '../support/memory-ports.js';

function setup(count = 7, overrides: Partial<DigestDeps> = {}, feed: Partial<Feed> = {}) {
  const store = createMemoryStore({ feed });
  const poster = createFakePoster();
  const corpus = createListCorpus(makePapers(count));
  const logger = createMemoryLogger();
  const deps: DigestDeps = {
    store,
    feedId: store.feedId,
    poster,
    corpus,
    clock: createManualClock(),
    logger,
    retryDelaysMs: [0, 0],
    ...overrides,
  };
  const runner = createDigestRunner(deps);
  const postedIds = () => poster.postedPaperIds();
  /** A new process on the same state and channel (nothing kept in memory). */
  const restart = () => createDigestRunner(deps);
  return { store, poster, corpus, logger, runner, restart, postedIds, dest: () => recordsOf(store) };
}

/** Makes the state unwritable right after the post of `paperId` went out: the process dies before recording it. */
function crashAfterPosting(env: ReturnType<typeof setup>, paperId: string): () => void {
  const { poster, store } = env;
  const original = poster.post.bind(poster);
  poster.post = async (message, nonce) => {
    const result = await original(message, nonce);
    if (message.embeds?.[0]?.footer?.text.includes(paperId)) store.failWrites = true;
    return result;
  };
  return () => {
    poster.post = original;
    store.failWrites = false;
  };
}

const NO_HISTORY =
  "the bot cannot read the digest channel's history (it lacks Read Message History there), so reading it back proves nothing; grant Paperboy Read Message History in the digest channel";

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

  it('given nothing left, then a run posts no paper, and says why in the channel only the first time', async () => {
    const { runner, poster, logger } = setup(2);
    await runner.run();
    const before = poster.posts.length;
    const result = await runner.run();
    expect(result.outcome).toBe('empty');
    expect(poster.posts.slice(before).map((p) => p.message.content?.split('\n')[0])).toEqual([
      'ℹ️ Nothing new: all 2 papers of the corpus were posted; the next digest posts what is added to the corpus folder or fetched by a live source.',
    ]);
    await runner.run();
    expect(poster.posts.length).toBe(before + 1);
    expect(logger.lines.some((l) => l.message.includes('no unposted papers remain'))).toBe(true);
  });

  it('given newest order, then the newest papers go first', async () => {
    const { runner, corpus, postedIds } = setup(7, {}, { order: 'newest' });
    await runner.run();
    const newest = [...corpus.papers]
      .sort((a, b) => b.published!.localeCompare(a.published!))
      .slice(0, 3)
      .map((p) => p.id);
    expect(postedIds()).toEqual(newest);
  });

  it('given a transient failure beyond the retries, then the run stops, the paper stays unposted, and the next run posts it exactly once', async () => {
    const { runner, poster, postedIds, corpus, dest } = setup(6);
    poster.failNext(
      undefined as never,
      new PostError('transient', '500'),
      new PostError('transient', '500'),
      new PostError('transient', '500'),
    );
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
    // The advice comes with the error, from the adapter that knows the destination (here, as the Discord one words it).
    const refusal = () =>
      new PostError(
        'forbidden',
        'Missing Permissions',
        403,
        50013,
        [],
        'cannot post to the digest channel: the bot lacks permissions there (Missing Permissions).',
      );
    poster.failNext(refusal(), refusal());
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

describe('runDigest: posts whose fate is unknown', () => {
  it('given a post a crash left unrecorded and a history the bot cannot read, then it is held as unverified, never posted twice, and the digest goes on', async () => {
    const env = setup(9);
    const { poster, corpus, logger, dest, postedIds } = env;
    const ids = corpus.papers.map((p) => p.id);
    const recover = crashAfterPosting(env, ids[1]!);
    expect((await env.runner.run()).outcome).toBe('failed');
    recover();
    expect(Object.keys(dest().pending)).toEqual([ids[1]]);
    poster.dedupe = false; // Discord's nonce window has passed
    poster.historyProblem = NO_HISTORY;

    const bot = env.restart();
    const resumed = await bot.run();
    expect(resumed.outcome).toBe('partial');
    expect(postedIds()).toEqual(ids.slice(0, 3));
    expect(Object.keys(dest().unverified ?? {})).toEqual([ids[1]]);
    expect(dest().unverified?.[ids[1]!]).toMatchObject({ reason: NO_HISTORY, nonce: expect.any(String), after: poster.posts[1]!.id });
    expect(dest().inFlight).toBeNull();
    const warnings = () => logger.lines.filter((l) => l.level === 'warn' && l.message.includes('cannot be checked'));
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.message).toMatch(
      /^1 paper may already be in the channel but cannot be checked: .*grant Paperboy Read Message History/,
    );
    expect(listDigestConcerns(dest(), { location: '/corpus' })).toEqual([
      expect.stringMatching(
        /^1 paper may already be in the channel but could not be checked, so it is held back \(never posted twice\).*Read Message History/,
      ),
    ]);

    // Still blind: the next digests go on without it, and the warning is not repeated.
    await bot.run();
    expect(postedIds()).toEqual(ids.slice(0, 6));
    expect(warnings()).toHaveLength(1);

    // Readable again: the post is found and recorded, never sent again.
    poster.historyProblem = null;
    await bot.run();
    expect(dest().posted[ids[1]!]?.messageId).toBe(poster.posts[2]!.id);
    expect(dest().unverified).toBeUndefined();
    expect(listDigestConcerns(dest(), {})).toEqual([]);
    await bot.run();
    expect(postedIds().sort()).toEqual([...ids].sort());
    expect(Object.keys(dest().posted).sort()).toEqual([...ids].sort());
  });

  it('given an unverified paper that a readable history shows was never posted, then it is queued again and posted once', async () => {
    const env = setup(6);
    const { poster, corpus, dest, postedIds } = env;
    const ids = corpus.papers.map((p) => p.id);
    // The second paper's create never reaches Discord: three transient failures leave it pending.
    poster.failNext(
      undefined as never,
      undefined as never,
      new PostError('transient', '502'),
      new PostError('transient', '502'),
      new PostError('transient', '502'),
    );
    expect((await env.runner.run()).outcome).toBe('failed');
    expect(Object.keys(dest().pending)).toEqual([ids[1]]);
    poster.historyProblem = NO_HISTORY;
    const bot = env.restart();
    await bot.run();
    expect(Object.keys(dest().unverified ?? {})).toEqual([ids[1]]);
    poster.historyProblem = null;
    await bot.run();
    expect(dest().unverified).toBeUndefined();
    expect(postedIds()).toEqual([ids[0], ids[2], ids[1], ids[3], ids[4]]);
    expect(new Set(postedIds()).size).toBe(postedIds().length);
  });

  it('given the opening message of a digest a crash left unrecorded and a history it cannot read, then it is not posted again', async () => {
    const env = setup(6);
    const { poster, store, dest } = env;
    const original = poster.post.bind(poster);
    poster.post = async (message, nonce) => {
      const result = await original(message, nonce);
      if (!message.embeds) store.failWrites = true;
      return result;
    };
    await env.runner.run();
    poster.post = original;
    store.failWrites = false;
    expect(dest().inFlight?.header.messageId).toBeNull();
    poster.dedupe = false;
    poster.historyProblem = NO_HISTORY;
    await env.restart().run();
    expect(poster.posts.filter((p) => p.message.content?.includes('digest #1'))).toHaveLength(1);
    expect(poster.posts.filter((p) => p.message.embeds)).toHaveLength(3);
  });
});

describe('runDigest: the corpus goes missing', () => {
  it('given a resumed digest whose planned paper left the corpus, then it is not refused: it waits, and is posted when it is back', async () => {
    const env = setup(8);
    const { poster, corpus, dest, postedIds } = env;
    const all = [...corpus.papers];
    const ids = all.map((p) => p.id);
    const controller = new AbortController();
    const original = poster.post.bind(poster);
    poster.post = async (m, n) => {
      const r = await original(m, n);
      controller.abort(); // a shutdown right after the opening message
      return r;
    };
    expect((await env.runner.run({ signal: controller.signal })).outcome).toBe('partial');
    poster.post = original;
    corpus.papers = all.filter((p) => p.id !== ids[1]); // a renamed file, a mount not ready yet

    const resumed = await env.restart().run();
    expect(resumed.outcome).toBe('partial');
    expect(resumed.failed).toEqual([]);
    expect(postedIds()).toEqual([ids[0], ids[2]]);
    expect(dest().failed).toEqual({});
    expect(Object.keys(dest().waiting ?? {})).toEqual([ids[1]]);
    expect(listDigestConcerns(dest(), { location: '/srv/corpus' })).toEqual([
      expect.stringMatching(/^1 paper planned for a digest is missing from the corpus at \/srv\/corpus .*posted when back$/),
    ]);

    await env.runner.run();
    expect(postedIds()).toEqual([ids[0], ids[2], ids[3], ids[4], ids[5]]);
    corpus.papers = all;
    await env.runner.run();
    expect(postedIds()).toEqual([ids[0], ids[2], ids[3], ids[4], ids[5], ids[1], ids[6], ids[7]]);
    expect(dest().waiting).toBeUndefined();
  });

  it('given papers Discord refused, then requeueRefused queues them again and the next digest posts them once', async () => {
    const { runner, poster, store, dest, corpus, postedIds } = setup(4);
    poster.failNext(undefined as never, new PostError('invalid-payload', 'embeds.0.title: too long', 400, 50035));
    await runner.run();
    const refused = corpus.papers[0]!.id;
    expect(Object.keys(dest().failed)).toEqual([refused]);
    expect(await requeueRefused(store, store.feedId)).toEqual([refused]);
    expect(dest().failed).toEqual({});
    expect(await requeueRefused(store, store.feedId)).toEqual([]);
    await runner.run();
    expect(postedIds().filter((id) => id === refused)).toHaveLength(1);
    expect(Object.keys(dest().posted)).toContain(refused);
  });

  it('given a corpus folder that cannot be read, then the run fails with the path and reason, logged once, recorded for status and health', async () => {
    const env = setup(4);
    const { corpus, logger, dest } = env;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- put back below; the fake's load uses no `this`
    const load = corpus.load;
    corpus.load = async () => {
      throw new Error('corpus directory /srv/corpus does not exist; set CORPUS_DIR (or --dir) to a folder of *.txt page copies');
    };
    const first = await env.runner.run();
    await env.runner.run();
    expect(first).toMatchObject({ outcome: 'failed', errorKind: 'corpus' });
    expect(dest().lastRun).toMatchObject({
      outcome: 'failed',
      reason: 'corpus-unavailable',
      error: expect.stringContaining('/srv/corpus does not exist'),
    });
    expect(logger.lines.filter((l) => l.level === 'error' && l.message.includes('/srv/corpus does not exist'))).toHaveLength(1);
    expect(listDigestConcerns(dest(), {})).toEqual([
      expect.stringMatching(/^no digest can be posted: corpus directory \/srv\/corpus does not exist/),
    ]);
    corpus.load = load;
    expect((await env.runner.run()).outcome).toBe('posted');
    expect(listDigestConcerns(dest(), {})).toEqual([]);
  });

  it('given an empty corpus, or one fully posted, then the run records why nothing was posted', async () => {
    const empty = setup(0);
    expect((await empty.runner.run()).outcome).toBe('empty');
    expect(empty.dest().lastRun?.reason).toBe('corpus-empty');
    expect(listDigestConcerns(empty.dest(), { location: '/srv/corpus' })).toEqual([
      expect.stringMatching(/^the corpus at \/srv\/corpus has no papers/),
    ]);
    const done = setup(2);
    await done.runner.run();
    await done.runner.run();
    expect(done.dest().lastRun?.reason).toBe('all-posted');
    expect(listDigestConcerns(done.dest(), { location: '/srv/corpus' })).toEqual([
      expect.stringMatching(/^every paper of the corpus at \/srv\/corpus has been posted/),
    ]);
  });
});

describe('runDigest: the live sources are fetched first', () => {
  it('given a fetch before each run that adds papers to the corpus, then the same digest posts them', async () => {
    const env = setup(3, {
      beforeRun: async () => {
        fetches += 1;
        if (fetches === 2) env.corpus.papers = makePapers(5);
      },
    });
    let fetches = 0;
    await env.runner.run();
    const second = await env.runner.run();
    expect(fetches).toBe(2);
    expect(second.posted.map((p) => p.title)).toEqual(['Paper number 4', 'Paper number 5']);
    expect(env.postedIds()).toEqual(makePapers(5).map((p) => p.id));
  });

  it('given a preview, then nothing is fetched', async () => {
    let fetches = 0;
    const { runner } = setup(7, { beforeRun: async () => void (fetches += 1) });
    await runner.preview();
    expect(fetches).toBe(0);
  });

  it('given a shutdown while the fetch runs, then the run ends busy before anything is recorded or posted, and says it started to nobody', async () => {
    const shutdown = new AbortController();
    const env = setup(7, { beforeRun: async () => shutdown.abort() });
    let started = 0;
    const result = await env.runner.run({ signal: shutdown.signal, onStart: async () => void (started += 1) });
    expect(result.outcome).toBe('busy');
    expect(started).toBe(0);
    expect(env.poster.posts).toEqual([]);
    expect(env.store.saves).toBe(0);
    expect(env.dest().inFlight).toBeNull();
  });

  it('given a run that goes ahead, then onStart runs after the fetch and before the first post; a call while it runs is busy and still told', async () => {
    const order: string[] = [];
    const env = setup(7, { beforeRun: async () => void order.push('fetch') });
    const post = env.poster.post.bind(env.poster);
    env.poster.post = async (message, nonce) => {
      order.push('post');
      return post(message, nonce);
    };
    const first = env.runner.run({ onStart: async () => void order.push('start') });
    const second = await env.runner.run({ onStart: async () => void order.push('busy start') });
    expect(second.outcome).toBe('busy');
    await first;
    expect(order).toContain('busy start');
    expect(order.filter((step) => step !== 'busy start').slice(0, 3)).toEqual(['fetch', 'start', 'post']);
  });
});

describe('a feed with topics and a minimum of upvotes', () => {
  it('given a feed that includes one topic and excludes another, then its digests post only its papers and the rest stay unposted', async () => {
    const papers = makePapers(6).map((p, i) => ({
      ...p,
      title: ['Vision transformers', 'Speech models', 'Vision for robots', 'Protein folding', 'Vision at scale', 'Vision audio'][i]!,
      upvotes: [5, 50, 1, 9, 30, 2][i],
    }));
    const env = setup(0, {}, { include: ['vision'], exclude: ['audio'], minUpvotes: 2, size: 10 });
    env.corpus.papers = papers;
    const result = await env.runner.run();
    expect(env.postedIds()).toEqual([papers[0]!.id, papers[4]!.id]);
    expect(result.remaining).toBe(0);
    const again = await env.runner.run();
    expect(again.outcome).toBe('empty');
    expect(env.dest().lastRun?.reason).toBe('all-posted');
    expect(Object.keys(env.dest().failed)).toEqual([]);
    expect(listDigestConcerns(env.dest(), { filtered: true })[0]).toMatch(/matches this feed's topics/);
    // The papers it left out are not posted, not lost: a feed without the filter posts them.
    await env.store.saveFeed({ ...env.store.read().feeds.get(env.store.feedId)!, include: [], exclude: [], minUpvotes: null });
    await env.runner.run();
    expect(env.postedIds()).toEqual([papers[0]!.id, papers[4]!.id, papers[1]!.id, papers[2]!.id, papers[3]!.id, papers[5]!.id]);
  });

  it('given a filtered feed, then its preview shows the papers its next digest posts', async () => {
    const env = setup(4, {}, { include: ['number 3'] });
    const preview = await env.runner.preview();
    expect(preview.papers.map((p) => p.title)).toEqual(['Paper number 3']);
    expect(preview.remainingAfter).toBe(0);
  });
});
