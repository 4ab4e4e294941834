import { describe, expect, it } from 'vitest';
import { PostError } from '../../src/app/ports.js';
import { createDigestRunner, type DigestDeps } from '../../src/app/run-digest.js';
import { readCompactPaperIds } from '../../src/core/compact-digest.js';
import type { Subscriber } from '../../src/core/state.js';
import {
  audienceOf,
  createFakePoster,
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  createMemoryStore,
  makePapers,
  recordsOf,
} from '../support/memory-ports.js';

const MEMBER = '333333333333333333';
const subscriber: Subscriber = { topics: ['number 2'], dm: false, updatedAt: '2026-01-01T00:00:00.000Z' };

function setup(options: { size?: number; papers?: number; layout?: unknown; subscribed?: boolean } = {}) {
  const store = createMemoryStore({
    feed: { size: options.size ?? 5, options: { layout: options.layout ?? 'compact' } },
    subscriptions: options.subscribed === false ? {} : { [MEMBER]: subscriber },
  });
  const poster = createFakePoster();
  const corpus = createListCorpus(makePapers(options.papers ?? 7));
  const logger = createMemoryLogger();
  const deps: DigestDeps = {
    store,
    feedId: store.feedId,
    poster,
    corpus,
    clock: createManualClock(),
    logger,
    retryDelaysMs: [0, 0],
    audienceFor: audienceOf(store),
  };
  /** A new process on the same state and channel (nothing kept in memory). */
  const runner = () => createDigestRunner(deps);
  /** Every paper the channel shows, by card footer or list marker, in posting order. */
  const shown = () =>
    poster.posts.flatMap(
      (p) => readCompactPaperIds(p.message.content) ?? (p.message.embeds?.[0]?.footer?.text.replace('Paper id: ', '') || []),
    );
  const lists = () => poster.posts.filter((p) => readCompactPaperIds(p.message.content));
  return { store, poster, corpus, logger, runner, shown, lists, dest: () => recordsOf(store) };
}

const id = (n: number) => makePapers(n)[n - 1]!.id;

/** Makes the state unwritable right after a post matching `match` went out: the process dies before recording it. */
function crashAfter(env: ReturnType<typeof setup>, match: (content: string) => boolean): () => void {
  const original = env.poster.post.bind(env.poster);
  env.poster.post = async (message, nonce) => {
    const result = await original(message, nonce);
    if (match(message.content ?? '')) env.store.failWrites = true;
    return result;
  };
  return () => {
    env.poster.post = original;
    env.store.failWrites = false;
  };
}

describe('compact layout', () => {
  it('given a compact feed and a member subscribed to one paper, then one list message opens the digest and only that paper gets a card, with its mention', async () => {
    const env = setup();
    const result = await env.runner().run();
    expect(result.outcome).toBe('posted');
    expect(result.posted.map((p) => p.id)).toEqual([1, 3, 4, 5, 2].map(id));
    const [list, card, ...rest] = env.poster.posts;
    expect(rest).toEqual([]);
    expect(list!.message.content!.split('\n')).toEqual([
      '📰 **Paperboy digest #1** · Monday 22 June 2026 · 5 new papers, 2 still to come',
      `1. **Paper number 1** · ${id(1)} · <https://huggingface.co/papers?q=Paper%20number%201>`,
      `2. **Paper number 3** · ${id(3)} · <https://huggingface.co/papers?q=Paper%20number%203>`,
      `3. **Paper number 4** · ${id(4)} · <https://huggingface.co/papers?q=Paper%20number%204>`,
      `4. **Paper number 5** · ${id(5)} · <https://huggingface.co/papers?q=Paper%20number%205>`,
      `-# Paper ids: \`${id(1)}\` \`${id(3)}\` \`${id(4)}\` \`${id(5)}\``,
    ]);
    expect(list!.message.allowed_mentions).toEqual({ parse: [] });
    expect(card!.message.embeds?.[0]?.footer?.text).toBe(`Paper id: ${id(2)}`);
    expect(card!.message.allowed_mentions.users).toEqual([MEMBER]);
    const dest = env.dest();
    expect(Object.fromEntries(Object.entries(dest.posted).map(([paper, e]) => [paper, e.messageId]))).toEqual({
      [id(1)]: list!.id,
      [id(3)]: list!.id,
      [id(4)]: list!.id,
      [id(5)]: list!.id,
      [id(2)]: card!.id,
    });
    expect(dest.inFlight).toBeNull();
    expect(dest.lastMessageId).toBe(card!.id);

    // The next digest lists the rest; nothing is listed twice.
    await env.runner().run();
    expect(env.shown()).toEqual([1, 3, 4, 5, 2, 6, 7].map(id));
  });

  it('given nobody subscribed, then the whole digest is one message; in the cards layout it is a header and a card each', async () => {
    const compact = setup({ subscribed: false });
    await compact.runner().run();
    expect(compact.poster.posts).toHaveLength(1);
    const cards = setup({ subscribed: false, layout: 'cards' });
    await cards.runner().run();
    expect(cards.poster.posts).toHaveLength(6);
    expect(cards.lists()).toEqual([]);
  });

  it('given a stored layout that is not one, then the feed posts cards and the problem is logged once', async () => {
    const env = setup({ subscribed: false, layout: 'grid', size: 2 });
    await env.runner().run();
    const runner = env.runner();
    await runner.run();
    await runner.run();
    expect(env.lists()).toEqual([]);
    expect(env.poster.postedPaperIds()).toEqual([1, 2, 3, 4, 5, 6].map(id));
    expect(env.logger.lines.filter((l) => l.message.includes('option layout is "grid"'))).toHaveLength(2);
  });

  it('given a crash after the list went out but before it was recorded, then the next run finds it by its marker: its papers are posted once, the card goes out', async () => {
    const env = setup();
    const heal = crashAfter(env, (content) => content.includes('-# Paper ids:'));
    expect((await env.runner().run()).outcome).toBe('failed');
    expect(env.dest().pending[id(1)]).toBeDefined();
    heal();
    // Past Discord's nonce window: only the read-back can tell the list is there.
    env.poster.dedupe = false;
    await env.runner().run();
    expect(env.lists()).toHaveLength(1);
    expect(env.shown()).toEqual([1, 3, 4, 5, 2].map(id));
    const dest = env.dest();
    expect(Object.keys(dest.posted)).toHaveLength(5);
    expect(dest.posted[id(1)]!.messageId).toBe(env.lists()[0]!.id);
    expect(dest.inFlight).toBeNull();
    expect(env.logger.lines.some((l) => l.message.includes('found a compact list a crash left unrecorded'))).toBe(true);
  });

  it('given a list whose create failed before Discord made it, then the next run posts it once with the same nonce', async () => {
    const env = setup();
    env.poster.failNext(new PostError('transient', 'down'), new PostError('transient', 'down'), new PostError('transient', 'down'));
    expect((await env.runner().run()).outcome).toBe('failed');
    const nonce = env.dest().pending[id(1)]!.nonce;
    expect(env.dest().pending[id(3)]!.nonce).toBe(nonce);
    await env.runner().run();
    expect(env.lists().map((p) => p.nonce)).toEqual([nonce]);
    expect(env.shown()).toEqual([1, 3, 4, 5, 2].map(id));
  });

  it('given a crash after the list and a channel history that cannot be read, then its papers are held, never listed again, and the card still goes out', async () => {
    const env = setup();
    const heal = crashAfter(env, (content) => content.includes('-# Paper ids:'));
    await env.runner().run();
    heal();
    env.poster.dedupe = false;
    env.poster.historyProblem = 'no Read Message History';
    await env.runner().run();
    expect(env.lists()).toHaveLength(1);
    expect(Object.keys(env.dest().unverified ?? {}).sort()).toEqual([1, 3, 4, 5].map(id).sort());
    expect(env.poster.postedPaperIds()).toEqual([id(2)]);
  });

  it('given a list Discord refuses as malformed, then its papers are recorded as refused, not posted, and the card still goes out', async () => {
    const env = setup();
    env.poster.failNext(new PostError('invalid-payload', 'content: too long', 400, 50035));
    const result = await env.runner().run();
    expect(result.outcome).toBe('partial');
    expect(result.failed.map((f) => f.paper.id)).toEqual([1, 3, 4, 5].map(id));
    expect(Object.keys(env.dest().failed)).toHaveLength(4);
    expect(env.poster.postedPaperIds()).toEqual([id(2)]);
  });

  it('given a list a crash left pending and the feed switched to cards since, then it is finished as a list, not as cards sharing its nonce', async () => {
    const env = setup();
    const heal = crashAfter(env, (content) => content.includes('-# Paper ids:'));
    await env.runner().run();
    heal();
    env.poster.dedupe = false;
    // The read-back does not find it (deleted by a moderator, say): it is posted again, as the list it was.
    env.poster.posts.splice(0);
    await env.store.saveFeed({ ...env.store.read().feeds.get(env.store.feedId)!, options: { layout: 'cards' } });
    await env.runner().run();
    expect(env.lists()).toHaveLength(1);
    expect(env.shown()).toEqual([1, 3, 4, 5, 2].map(id));
  });

  it('given the preview of a compact feed, then it shows the list and the card, and nothing is posted', async () => {
    const env = setup();
    const preview = await env.runner().preview();
    expect(preview.messages.map((m) => (m.embeds?.length ? 'card' : m.content!.split('\n')[0]))).toEqual([
      '📰 **Paperboy digest #1** · Monday 22 June 2026 · 5 new papers, 2 still to come',
      'card',
    ]);
    expect(env.poster.posts).toEqual([]);
  });
});
