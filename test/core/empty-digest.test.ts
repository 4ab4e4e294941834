import { describe, expect, it } from 'vitest';
import { type DigestSupply, explainDigestSupply } from '../../src/core/empty-digest.js';

const none = { include: 0, exclude: 0, minUpvotes: 0 };
const supply = (over: Partial<DigestSupply>): DigestSupply => ({ corpus: 51, posted: 0, filtered: none, waiting: 0, ...over });

describe('explainDigestSupply', () => {
  // [case, supply, reason, text]
  it.each([
    [
      'an empty corpus',
      supply({ corpus: 0 }),
      'empty-corpus',
      'Nothing to post: the corpus holds no paper yet; add page copies to the corpus folder or turn on a live source (SOURCES).',
    ],
    [
      'an empty corpus and a failing source',
      supply({ corpus: 0, failingSource: 'hf-daily, since Mon 5 Oct 2026, 09:00 UTC' }),
      'empty-corpus',
      'Nothing to post: the corpus holds no paper yet (the live source hf-daily, since Mon 5 Oct 2026, 09:00 UTC is failing); add page copies to the corpus folder or turn on a live source (SOURCES).',
    ],
    [
      'everything posted',
      supply({ posted: 51 }),
      'all-posted',
      'Nothing new: all 51 papers of the corpus were posted; the next digest posts what is added to the corpus folder or fetched by a live source.',
    ],
    [
      'every new paper filtered out, mostly by the include topics',
      supply({ posted: 39, filtered: { include: 8, exclude: 3, minUpvotes: 1 } }),
      'all-filtered',
      "Nothing to post: every one of the 12 new papers is filtered out, 8 by the include topics, 3 by the exclude terms and 1 below the minimum upvotes; an admin can widen the feed's include topics to let more through.",
    ],
    [
      'the one new paper below the minimum upvotes, another held back',
      supply({ posted: 49, filtered: { include: 0, exclude: 0, minUpvotes: 1 }, held: 1 }),
      'all-filtered',
      "Nothing to post: every one of the 1 new paper is filtered out, 1 below the minimum upvotes and 1 paper is held back; an admin can lower the feed's minimum upvotes to let more through.",
    ],
    [
      'only held papers left',
      supply({ posted: 49, held: 2 }),
      'held',
      'Nothing to post: the 2 papers left are held back (refused by Discord or awaiting a check); /digest status says which, and /digest retry queues them again.',
    ],
    [
      'a short digest because of the exclude terms',
      supply({ posted: 10, waiting: 2, size: 5, filtered: { include: 0, exclude: 39, minUpvotes: 0 } }),
      'short',
      "Only 2 papers passed the feed's filters, 39 by the exclude terms; an admin can drop some of the feed's exclude terms to let more through.",
    ],
  ])('given %s, then it says why in one sentence', (_case, input, reason, text) => {
    const explanation = explainDigestSupply(input);
    expect(explanation).toEqual({ reason, text });
    // One sentence: a single full stop, at the end.
    expect(text.replace(/\d\.\d/g, '').match(/[.!?](\s|$)/g)).toHaveLength(1);
  });

  it.each([
    ['papers waiting and no size given', supply({ waiting: 3 })],
    ['a full digest waiting', supply({ waiting: 5, size: 5, filtered: { include: 4, exclude: 0, minUpvotes: 0 } })],
    ['fewer than the size waiting but nothing filtered (the corpus simply ends)', supply({ posted: 49, waiting: 2, size: 5 })],
  ])('given %s, then there is nothing to explain', (_case, input) => {
    expect(explainDigestSupply(input)).toBeNull();
  });
});
