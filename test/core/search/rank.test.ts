import { describe, expect, it } from 'vitest';
import { buildSearchData } from '../../../src/core/search/index-data.js';
import { buildPhrasePattern, rankPapers } from '../../../src/core/search/rank.js';
import { createScoreBoard } from '../../../src/core/search/score.js';
import { makeCommonPapers, makePaper } from './papers.js';

const data = buildSearchData([
  makePaper('Scaling Laws', 'A short note.', null, 1),
  makePaper('Scaling Laws for Vocabularies', 'Larger models deserve larger vocabularies.', null, 2),
  makePaper('Neural Scaling Laws Revisited', 'We revisit them.', null, 3),
  makePaper('Laws of Motion for Robots', 'Robots follow scaling laws too.', null, 4),
  makePaper('Laws and Scaling Apart', 'Scaling robots needs laws; laws and scaling.', null, 5),
  makePaper('Top 7 Models', 'Seven models.', null, 6),
]);
const board = createScoreBoard(data.count);
const rank = (query: string, limit = 10, titlesOnly = false) => rankPapers(data, board, query, limit, titlesOnly);
const titles = (query: string, limit = 10, titlesOnly = false) => rank(query, limit, titlesOnly).hits.map((hit) => hit.paper.title);

describe('rankPapers: tiers', () => {
  it('given a phrase, then exact title, title start, phrase in a title, phrase in an abstract, then words apart', () => {
    expect(titles('scaling laws')).toEqual([
      'Scaling Laws',
      'Scaling Laws for Vocabularies',
      'Neural Scaling Laws Revisited',
      'Laws of Motion for Robots',
      'Laws and Scaling Apart',
    ]);
  });

  it('given each tier, then the score is the tier plus a BM25 share below 1', () => {
    const scores = rank('scaling laws').hits.map((hit) => hit.score);
    expect(scores.map(Math.floor)).toEqual([3, 2, 2, 1, 0]);
    for (const score of scores) expect(score % 1).toBeGreaterThan(0);
  });

  it('given titlesOnly, then abstracts are not read: no abstract phrase tier', () => {
    const hits = rank('scaling laws', 10, true).hits;
    expect(hits.map((hit) => Math.floor(hit.score))).toEqual([3, 2, 2, 0, 0]);
  });

  it('given a limit, then at most that many hits, the best ones', () => {
    expect(titles('scaling laws', 2)).toEqual(['Scaling Laws', 'Scaling Laws for Vocabularies']);
    expect(rank('scaling laws', 0)).toEqual({ hits: [], relevant: false });
  });

  it('given papers that score the same, then they come in corpus order', () => {
    const twins = buildSearchData([makePaper('Robots One', 'same', null, 1), makePaper('Robots Two', 'same', null, 2)]);
    const hits = rankPapers(twins, createScoreBoard(twins.count), 'robots ', 10).hits;
    expect(hits.map((hit) => hit.paper.title)).toEqual(['Robots One', 'Robots Two']);
    expect(hits[0]!.score).toBe(hits[1]!.score);
  });
});

describe('rankPapers: relevance floor', () => {
  it('given a query the best paper answers, then it is relevant', () => {
    expect(rank('vocabularies models').relevant).toBe(true);
  });

  it('given one typed word of two found, then the hits are there but not relevant', () => {
    const ranking = rank('robots pizza ');
    expect(ranking.hits.length).toBeGreaterThan(0);
    expect(ranking.relevant).toBe(false);
  });

  it('given only a bare small number, then it does not vouch for the paper that holds it', () => {
    const ranking = rank('7 ');
    expect(ranking.hits[0]?.paper.title).toBe('Top 7 Models');
    expect(ranking.relevant).toBe(false);
  });
});

describe('rankPapers: the score board', () => {
  it('given a ranking, then every paper entry of the board is back to zero for the next query', () => {
    const papers = [...makeCommonPapers('Scaling'), makePaper('Scaling Robots', 'Laws of robots.', null, 1)];
    const big = buildSearchData(papers);
    const fresh = createScoreBoard(big.count);
    for (const query of ['scaling robots', 'scaling', 'robts', 'scal', 'laws of robots']) {
      rankPapers(big, fresh, query, 10);
      rankPapers(big, fresh, query, 25, true);
      expect(fresh.scores.every((value) => value === 0)).toBe(true);
      expect(fresh.matchedWords.every((value) => value === 0)).toBe(true);
      expect(fresh.matchedSure.every((value) => value === 0)).toBe(true);
    }
  });

  it('given the same query twice, then it ranks the same', () => {
    expect(rank('scaling laws')).toEqual(rank('scaling laws'));
  });
});

describe('buildPhrasePattern', () => {
  it.each([
    ['scaling laws', 'we study scaling-laws here', true],
    ['scaling laws', "the scaling's laws", true],
    ['scaling laws', 'rescaling laws', false],
    ['scaling laws', 'scaling the laws', false],
    ['10000 tokens', 'over 10,000 tokens', true],
    ['10000 tokens', 'over 10000 tokens', true],
    ['c++ code', 'c++ code', true],
  ])('given the phrase "%s" and the text "%s", then it matches: %s', (phrase, text, matches) => {
    expect(buildPhrasePattern(phrase).test(text)).toBe(matches);
  });
});
