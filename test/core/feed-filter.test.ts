import { describe, expect, it } from 'vitest';
import { listUnposted, selectNextPapers } from '../../src/core/digest.js';
import { createPaperFilter, isFiltering, NO_FILTER, type PaperFilter } from '../../src/core/feed-filter.js';
import type { Paper } from '../../src/core/paper.js';
import { makeFeedState } from '../support/feed-state.js';

/** A paper named by its letter, with a title, an abstract and the upvotes given. */
function make(name: string, title: string, abstract: string, upvotes?: number): Paper {
  return {
    id: `paper-${name}`,
    title,
    abstract,
    authors: 1,
    organization: null,
    published: '2024-10-25',
    comments: null,
    links: [],
    source: { file: 'f.json', line: 1 },
    ...(upvotes === undefined ? {} : { upvotes }),
  };
}

const papers = [
  make('a', 'Scaling Laws for Vision Transformers', 'We study image models at scale.', 40),
  make('b', 'Quantization of Language Models', 'Low-bit weights for large language models.', 12),
  make('c', 'A Survey of Diffusion Models for Images', 'Image generation with diffusion.', undefined),
  make('d', 'Speech Recognition with Transformers', 'An audio model.', 3),
  make('e', 'Vision-Language Models that Quantize', 'Quantized vision language models for phones.', 0),
];
const names = (list: Paper[]) => list.map((p) => p.id.slice('paper-'.length)).join(' ');
const filter = (f: Partial<PaperFilter>): PaperFilter => ({ ...NO_FILTER, ...f });

describe('a feed filter decides which unposted papers are its own', () => {
  it.each<[string, Partial<PaperFilter>, string]>([
    ['no filter: every paper', {}, 'a b c d e'],
    ['one included topic', { include: ['vision'] }, 'a e'],
    ['several included topics: any one of them', { include: ['vision', 'speech'] }, 'a d e'],
    ['a phrase: every word of it', { include: ['language models'] }, 'b e'],
    ['a stemmed form matches (quantization ~ quantized)', { include: ['quantization'] }, 'b e'],
    ['an excluded topic keeps papers out', { exclude: ['transformers'] }, 'b c e'],
    ['include and exclude together', { include: ['vision'], exclude: ['quantize'] }, 'a'],
    ['case and accents do not matter', { include: ['VISION'] }, 'a e'],
    ['a minimum of upvotes: unknown counts do not meet it', { minUpvotes: 10 }, 'a b'],
    ['a minimum of zero keeps every known count', { minUpvotes: 0 }, 'a b d e'],
    ['a minimum with topics', { include: ['language'], minUpvotes: 5 }, 'b'],
    ['a topic no paper has: nothing', { include: ['protein folding'] }, ''],
  ])('given %s, then the feed posts the papers it names', (_name, f, expected) => {
    expect(names(listUnposted(papers, makeFeedState(), 'corpus', filter(f)))).toBe(expected);
  });

  it('given a filter and posted papers, then posted ones stay out and the rest keep their order', () => {
    const state = makeFeedState({ posted: ['paper-a'] });
    expect(names(listUnposted(papers, state, 'upvotes', filter({ include: ['vision', 'language models'] })))).toBe('b e');
  });

  it('given a digest of one with a filter, then what remains counts only the papers that pass it', () => {
    const next = selectNextPapers(papers, makeFeedState(), 1, 'upvotes', filter({ include: ['vision', 'speech'] }));
    expect(names(next.papers)).toBe('a');
    expect(next.remainingAfter).toBe(2);
  });

  it('given no filter argument, then the selection is as before filters existed', () => {
    expect(names(selectNextPapers(papers, makeFeedState(), 10, 'corpus').papers)).toBe('a b c d e');
  });

  it.each<[Partial<PaperFilter>, boolean]>([
    [{}, false],
    [{ include: ['x'] }, true],
    [{ exclude: ['x'] }, true],
    [{ minUpvotes: 0 }, true],
  ])('given the filter %j, then isFiltering says %s', (f, expected) => {
    expect(isFiltering(filter(f))).toBe(expected);
  });

  it('given the same topics as a member would follow, then the feed and the member match the same papers', () => {
    const passes = createPaperFilter(filter({ include: ['diffusion'] }));
    expect(papers.filter(passes).map((p) => p.id)).toEqual(['paper-c']);
  });
});
