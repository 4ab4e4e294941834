import { describe, expect, it } from 'vitest';
import { createDigestRunner, type DigestDeps } from '../../src/app/run-digest.js';
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

function setup(feed: Partial<Feed> = {}, papers = 4, failing: { source: string | null } = { source: null }) {
  const store = createMemoryStore({ feed: { size: 3, ...feed } });
  const poster = createFakePoster();
  const corpus = createListCorpus(makePapers(papers));
  const logger = createMemoryLogger();
  const deps: DigestDeps = {
    store,
    feedId: store.feedId,
    poster,
    corpus,
    clock: createManualClock(),
    logger,
    retryDelaysMs: [0, 0],
    failingSource: () => failing.source,
  };
  /** A new process on the same state and channel. */
  const runner = () => createDigestRunner(deps);
  /** The explanations the channel shows, their first line. */
  const notes = () => poster.posts.filter((p) => p.message.content?.startsWith('ℹ️')).map((p) => p.message.content!.split('\n')[0]);
  return { store, poster, corpus, logger, runner, notes, dest: () => recordsOf(store) };
}

describe('empty and short digests explain themselves', () => {
  it('given every paper posted, then two empty runs tell the channel once why, pinging nobody, and the reason is recorded', async () => {
    const env = setup({}, 3);
    const runner = env.runner();
    await runner.run();
    expect(env.notes()).toEqual([]);
    await runner.run();
    await env.runner().run();
    expect(env.notes()).toEqual([
      'ℹ️ Nothing new: all 3 papers of the corpus were posted; the next digest posts what is added to the corpus folder or fetched by a live source.',
    ]);
    const note = env.poster.posts.at(-1)!;
    expect(note.message.allowed_mentions).toEqual({ parse: [] });
    expect(note.message.content!.split('\n')[1]).toBe('-# Paperboy note: all-posted');
    expect(env.dest().explained).toMatchObject({ key: 'all-posted', messageId: note.id });
  });

  it('given topics no paper matches, then the first run says every new paper is filtered out by them, once', async () => {
    const env = setup({ include: ['quantum chromodynamics'] });
    await env.runner().run();
    await env.runner().run();
    expect(env.notes()).toEqual([
      "ℹ️ Nothing to post: every one of the 4 new papers is filtered out, 4 by the include topics; an admin can widen the feed's include topics to let more through.",
    ]);
  });

  it('given topics only two papers match and a size of 3, then the short digest says why, then the empty one says its new reason, then nothing more', async () => {
    const env = setup({ include: ['number 1', 'number 2'] });
    const first = await env.runner().run();
    expect(first.posted).toHaveLength(2);
    await env.runner().run();
    await env.runner().run();
    expect(env.notes()).toEqual([
      "ℹ️ Only 2 papers passed the feed's filters, 2 by the include topics; an admin can widen the feed's include topics to let more through.",
      "ℹ️ Nothing to post: every one of the 2 new papers is filtered out, 2 by the include topics; an admin can widen the feed's include topics to let more through.",
    ]);
  });

  it('given a live source failing since a given time, then the explanation names it; once it fetches again, that is a new reason said once', async () => {
    const failing = { source: 'hf-daily, since Mon 22 Jun 2026, 08:00 UTC' as string | null };
    const env = setup({}, 0, failing);
    await env.runner().run();
    await env.runner().run();
    failing.source = null;
    await env.runner().run();
    await env.runner().run();
    expect(env.notes()).toEqual([
      'ℹ️ Nothing to post: the corpus holds no paper yet (the live source hf-daily, since Mon 22 Jun 2026, 08:00 UTC is failing); add page copies to the corpus folder or turn on a live source (SOURCES).',
      'ℹ️ Nothing to post: the corpus holds no paper yet; add page copies to the corpus folder or turn on a live source (SOURCES).',
    ]);
  });

  it('given the preview of a feed with nothing left, then it shows no message: the explanation belongs to the run', async () => {
    const env = setup({}, 3);
    await env.runner().run();
    expect((await env.runner().preview()).messages).toEqual([]);
    expect(env.notes()).toEqual([]);
  });

  it('given a full digest after an explanation, then the reason is forgotten and said again when it comes back', async () => {
    const env = setup({}, 3);
    await env.runner().run();
    await env.runner().run();
    expect(env.dest().explained?.key).toBe('all-posted');
    env.corpus.papers = makePapers(6);
    await env.runner().run();
    expect(env.dest().explained).toBeUndefined();
    await env.runner().run();
    expect(env.notes()).toHaveLength(2);
  });

  it('given a crash after the explanation went out but before its id was recorded, then the next run finds it by its marker and does not say it twice', async () => {
    const env = setup({}, 3);
    await env.runner().run();
    const original = env.poster.post.bind(env.poster);
    env.poster.post = async (message, nonce) => {
      const result = await original(message, nonce);
      if (message.content?.startsWith('ℹ️')) env.store.failWrites = true;
      return result;
    };
    await env.runner().run();
    env.poster.post = original;
    env.store.failWrites = false;
    expect(env.dest().explained).toMatchObject({ key: 'all-posted', messageId: null });
    // Past Discord's nonce window: only the read-back can tell.
    env.poster.dedupe = false;
    await env.runner().run();
    expect(env.notes()).toHaveLength(1);
    expect(env.dest().explained?.messageId).toBe(env.poster.posts.at(-1)!.id);
  });

  it('given a crash before the explanation went out, then the next run sends it, once; an unreadable history never sends it twice', async () => {
    const env = setup({}, 3);
    await env.runner().run();
    env.store.failWrites = false;
    const original = env.poster.post.bind(env.poster);
    env.poster.post = async () => {
      env.store.failWrites = true;
      throw new Error('killed');
    };
    await env.runner().run();
    env.poster.post = original;
    env.store.failWrites = false;
    env.poster.dedupe = false;
    await env.runner().run();
    await env.runner().run();
    expect(env.notes()).toHaveLength(1);

    const held = setup({}, 3);
    await held.runner().run();
    const post = held.poster.post.bind(held.poster);
    held.poster.post = async (message, nonce) => {
      const result = await post(message, nonce);
      if (message.content?.startsWith('ℹ️')) held.store.failWrites = true;
      return result;
    };
    await held.runner().run();
    held.poster.post = post;
    held.store.failWrites = false;
    held.poster.dedupe = false;
    held.poster.historyProblem = 'no Read Message History';
    await held.runner().run();
    expect(held.notes()).toHaveLength(1);
    expect(held.dest().explained?.messageId).toBe('unchecked');
  });
});
