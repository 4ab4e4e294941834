import { describe, expect, it } from 'vitest';
import { createLeasedRunner } from '../../src/app/leased-runner.js';
import { createMemoryStore } from '../../src/app/memory-store.js';
import { LeaseLostError } from '../../src/app/ports.js';
import { createDigestRunner } from '../../src/app/run-digest.js';
import { createStoreMemory } from '../../src/app/store-memory.js';
import {
  createFakePoster,
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  makeFeed,
  makePapers,
  TEST_FEED,
} from '../support/memory-ports.js';

/** Two processes' runners of the same feed over one store (the shared database), posting to one channel. */
async function setup(options: { size?: number } = {}) {
  let now = 0;
  const store = createMemoryStore(createStoreMemory(), { now: () => now });
  await store.saveFeed(makeFeed({ size: options.size ?? 3 }));
  const poster = createFakePoster();
  const corpus = createListCorpus(makePapers(9));
  const clock = createManualClock();
  const logger = createMemoryLogger();
  const processOf = (owner: string, post = poster.post.bind(poster)) =>
    createLeasedRunner({
      store,
      feedId: TEST_FEED,
      owner,
      logger,
      ttlMs: 30_000,
      build: (fenced) =>
        createDigestRunner({
          store: fenced,
          feedId: TEST_FEED,
          poster: { ...poster, post },
          corpus,
          clock,
          logger,
          retryDelaysMs: [0, 0],
        }),
    });
  return { store, poster, logger, processOf, advance: (ms: number) => (now += ms) };
}

describe('runs that hold the feed’s lease', () => {
  it('given two processes that both run the feed at once, then one posts the digest and the other is busy: nothing twice', async () => {
    const env = await setup();
    const [a, b] = [env.processOf('host-a:1'), env.processOf('host-b:1')];
    const results = await Promise.all([a.run(), b.run()]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['busy', 'posted']);
    expect(env.poster.postedPaperIds()).toEqual(makePapers(3).map((p) => p.id));
    // Released after the run: the other process takes the next digest, from where the first left off.
    expect((await b.run()).outcome).toBe('posted');
    expect(env.poster.postedPaperIds()).toEqual(makePapers(6).map((p) => p.id));
  });

  it('given a process paused past its lease in the middle of a post, then the process that took the feed over finishes the digest, and the paused one records and posts nothing more after that post', async () => {
    const env = await setup({ size: 3 });
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    let arrived!: () => void;
    const atSecondPost = new Promise<void>((r) => (arrived = r));
    let posts = 0;
    // Process A stalls (a long GC pause, a partition) just before its second card.
    const a = env.processOf('host-a:1', async (message, nonce) => {
      posts += 1;
      if (posts === 3) {
        arrived();
        await paused;
      }
      return env.poster.post(message, nonce);
    });
    // Long enough that Discord's nonce no longer deduplicates.
    env.poster.dedupe = false;
    const running = a.run();
    await atSecondPost;
    env.advance(31_000);
    const b = env.processOf('host-b:1');
    const taken = await b.run();
    expect(taken.outcome).not.toBe('busy');
    resume();
    const stale = await running.then(
      (result) => result.outcome,
      (error: unknown) => error,
    );
    expect(taken.outcome).toBe('posted');
    // A's record of its post was refused, so its run stops there: it never posts its third card.
    expect(stale).toBe('failed');
    expect(env.logger.lines.some((l) => l.fields.err instanceof LeaseLostError || /lease/.test(l.message))).toBe(true);
    const [p1, p2, p3] = makePapers(3).map((p) => p.id);
    // Past the nonce window, the one post under way when the lease was lost is the only repeat (ADR 0007); without the
    // fence, A would go on and post its third card again too.
    expect(env.poster.postedPaperIds()).toEqual([p1, p2, p3, p2]);
    expect([...env.store.posted(TEST_FEED).entries()].map((e) => e.paperId)).toEqual([p1, p2, p3]);
  });
});
