import { describe, expect, it } from 'vitest';
import { buildSearchData } from '../../../src/core/search/index-data.js';
import { rankPapers } from '../../../src/core/search/rank.js';
import { createScoreBoard } from '../../../src/core/search/score.js';
import { suggestPapers, type Ranker } from '../../../src/core/search/suggest.js';

const MAX_CHOICES = 25;
import type { Paper } from '../../../src/core/paper.js';
import { makePaper } from './papers.js';

function createSuggest(papers: readonly Paper[]): { suggest: (text: string) => Array<{ name: string; value: string }>; calls: string[] } {
  const data = buildSearchData(papers);
  const board = createScoreBoard(data.count);
  const calls: string[] = [];
  const rank: Ranker = (query, limit, titlesOnly = false) => {
    calls.push(`${titlesOnly ? 'titles' : 'all'}:${limit}`);
    return rankPapers(data, board, query, limit, titlesOnly);
  };
  // What the Discord adapter shows of a suggestion: the title and the id.
  return { suggest: (text) => suggestPapers(text, data, rank, MAX_CHOICES).map((p) => ({ name: p.title, value: p.id })), calls };
}

const papers = [
  makePaper('Robots in the Kitchen', 'Cooking with robot arms.', '2024-05-01', 1),
  makePaper('All is Not Lost: Recovering Models', 'Robots are not involved.', '2025-01-01', 2),
  makePaper('Kitchen Safety', 'Robots need guards in a kitchen.', null, 3),
  makePaper('Not All Robots Are Equal', 'A survey.', '2023-01-01', 4),
];

describe('suggestPapers', () => {
  it('given empty text, then the newest papers come without ranking anything', () => {
    const { suggest, calls } = createSuggest(papers);
    expect(suggest('  ').map((choice) => choice.name)).toEqual([
      'All is Not Lost: Recovering Models',
      'Robots in the Kitchen',
      'Not All Robots Are Equal',
      'Kitchen Safety',
    ]);
    expect(calls).toEqual([]);
  });

  it('given a paper id, then that paper is the first choice, its value the id', () => {
    const target = papers[2]!;
    const choices = createSuggest(papers).suggest(target.id);
    expect(choices[0]).toEqual({ name: 'Kitchen Safety', value: target.id });
  });

  it('given the start of a title made of stop words, then that title comes first', () => {
    expect(createSuggest(papers).suggest('all is not')[0]?.name).toBe('All is Not Lost: Recovering Models');
  });

  it('given a word, then title matches come first, then papers holding it only in the abstract', () => {
    const { suggest, calls } = createSuggest(papers);
    expect(suggest('robots').map((choice) => choice.name)).toEqual([
      'Robots in the Kitchen',
      'Not All Robots Are Equal',
      'All is Not Lost: Recovering Models',
      'Kitchen Safety',
    ]);
    expect(calls).toEqual([`titles:${MAX_CHOICES}`, `all:${MAX_CHOICES}`]);
  });

  it(`given ${MAX_CHOICES} title matches, then the abstracts are not searched`, () => {
    const many = Array.from({ length: 30 }, (_, i) => makePaper(`Robots Study ${i}`, 'Text.', null, i + 1));
    const { suggest, calls } = createSuggest(many);
    expect(suggest('robots')).toHaveLength(MAX_CHOICES);
    expect(calls).toEqual([`titles:${MAX_CHOICES}`]);
  });
});
