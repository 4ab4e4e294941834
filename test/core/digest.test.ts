import { describe, expect, it } from 'vitest';
import { type DigestOrder, listUnposted, selectNextPapers } from '../../src/core/digest.js';
import type { Paper } from '../../src/core/paper.js';
import type { FeedView } from '../../src/core/state.js';
import { makeFeedState } from '../support/feed-state.js';

/** A paper named by its letter, with the upvotes and publication date given. */
function make(name: string, upvotes: number | undefined, published: string | null = '2024-10-25'): Paper {
  return {
    id: `paper-${name}`,
    title: `Paper ${name}`,
    abstract: 'An abstract.',
    authors: 1,
    organization: null,
    published,
    comments: null,
    links: [],
    source: { file: 'f.json', line: 1 },
    ...(upvotes === undefined ? {} : { upvotes }),
  };
}

const posted = (...names: string[]): FeedView => makeFeedState({ posted: names.map((n) => `paper-${n}`) });
const createEmptyDestination = (): FeedView => makeFeedState();
const names = (papers: Paper[]) => papers.map((p) => p.id.slice('paper-'.length)).join(' ');

describe('listUnposted by upvotes', () => {
  it.each<[string, Paper[], FeedView, string]>([
    ['most upvoted first', [make('a', 3), make('b', 64), make('c', 12)], createEmptyDestination(), 'b c a'],
    ['ties in corpus order', [make('a', 5), make('b', 9), make('c', 5), make('d', 9)], createEmptyDestination(), 'b d a c'],
    [
      'papers without upvotes last, in corpus order',
      [make('a', undefined), make('b', 0), make('c', undefined), make('d', 2)],
      createEmptyDestination(),
      'd b a c',
    ],
    ['zero upvotes before unknown', [make('a', undefined), make('b', 0)], createEmptyDestination(), 'b a'],
    [
      'counts that are not counts as unknown',
      [make('a', -5), make('b', Number.NaN), make('c', 1.5), make('d', 1)],
      createEmptyDestination(),
      'd a b c',
    ],
    ['posted papers left out', [make('a', 3), make('b', 64), make('c', 12)], posted('b'), 'c a'],
    [
      'the publication date plays no part',
      [make('a', 1, '2026-01-01'), make('b', 2, '2020-01-01'), make('c', 3, null)],
      createEmptyDestination(),
      'c b a',
    ],
    ['nothing left', [make('a', 3)], posted('a'), ''],
  ])('given %s, then the order is as expected', (_name, papers, destination, expected) => {
    expect(names(listUnposted(papers, destination, 'upvotes'))).toBe(expected);
  });

  it('given a digest of two by upvotes, then it takes the two most upvoted and counts what remains', () => {
    const papers = [make('a', 3), make('b', 64), make('c', 12), make('d', undefined)];
    const next = selectNextPapers(papers, createEmptyDestination(), 2, 'upvotes');
    expect(names(next.papers)).toBe('b c');
    expect(next.remainingAfter).toBe(2);
  });
});

describe('listUnposted by the other orders (unchanged)', () => {
  const papers = [make('a', 1, '2024-10-25'), make('b', 50, null), make('c', 9, '2026-01-01'), make('d', undefined, '2024-10-25')];
  it.each<[DigestOrder, string]>([
    ['corpus', 'a b c d'],
    ['newest', 'c a d b'],
    ['upvotes', 'b c a d'],
  ])('given the order %s, then the papers come %s', (order, expected) => {
    expect(names(listUnposted(papers, createEmptyDestination(), order))).toBe(expected);
  });
});
