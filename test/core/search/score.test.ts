import { describe, expect, it } from 'vitest';
import { countSetBits, hasBit } from '../../../src/core/search/bitset.js';
import { computeIdf, saturate } from '../../../src/core/search/bm25.js';
import { buildSearchData } from '../../../src/core/search/index-data.js';
import { parseQuery } from '../../../src/core/search/query.js';
import { createScoreBoard, scorePool } from '../../../src/core/search/score.js';
import { makeCommonPapers, makePaper } from './papers.js';

describe('BM25 parts', () => {
  it('given a longer field, then the same word counts less; given it more often, then more', () => {
    expect(saturate(1, 20, 10)).toBeLessThan(saturate(1, 5, 10));
    expect(saturate(3, 10, 10)).toBeGreaterThan(saturate(1, 10, 10));
  });

  it('given a word in more papers, then its idf is lower, and never negative', () => {
    expect(computeIdf(1000, 900)).toBeLessThan(computeIdf(1000, 10));
    expect(computeIdf(1000, 1000)).toBeGreaterThan(0);
  });
});

describe('scorePool with rare words (MiniSearch and title postings)', () => {
  const data = buildSearchData([
    makePaper('Zebra Stripes', 'Patterns on animals.', null, 1),
    makePaper('Animal Patterns', 'Stripes of a zebra.', null, 2),
    makePaper('Unrelated', 'Nothing here.', null, 3),
  ]);

  it('given a word in a title and in an abstract, then both papers are pooled, the title match scoring higher', () => {
    const board = createScoreBoard(data.count);
    const pool = scorePool(data, board, parseQuery('zebra ', data.words), 10, false);
    expect([hasBit(pool, 0), hasBit(pool, 1), hasBit(pool, 2)]).toEqual([true, true, false]);
    expect(board.scores[0]).toBeGreaterThan(board.scores[1]!);
    expect([board.matchedWords[0], board.matchedSure[0]]).toEqual([1, 1]);
  });

  it('given titlesOnly, then only papers with the word in the title are pooled', () => {
    const board = createScoreBoard(data.count);
    const pool = scorePool(data, board, parseQuery('zebra ', data.words), 10, true);
    expect([hasBit(pool, 0), hasBit(pool, 1)]).toEqual([true, false]);
    expect(board.scores[0]).toBeGreaterThan(0);
    expect(board.scores[1]).toBe(0);
  });

  it('given a typo, then the paper is pooled with the word matched but not as typed', () => {
    const board = createScoreBoard(data.count);
    scorePool(data, board, parseQuery('zebar stripes ', data.words), 10, false);
    expect([board.matchedWords[0], board.matchedSure[0]]).toEqual([0b11, 0b10]);
  });
});

describe('scorePool with common words (bitsets)', () => {
  it('given only a common word, then the pool is the papers with it in the title, scored from the bitsets', () => {
    const papers = [...makeCommonPapers('Transformer'), makePaper('Attention Study', 'A transformer, in the abstract only.', null, 1)];
    const data = buildSearchData(papers);
    const board = createScoreBoard(data.count);
    const pool = scorePool(data, board, parseQuery('transformer ', data.words), 10, false);
    expect(countSetBits(pool)).toBe(220);
    expect(hasBit(pool, 220)).toBe(false);
    expect(board.scores[0]).toBeGreaterThan(0);
    expect(board.matchedWords[0]).toBe(1);
  });

  it('given common words no title holds together, then papers holding them anywhere, else the rarer ones, are pooled', () => {
    const papers = [
      ...makeCommonPapers('Transformer', 220, 100),
      ...makeCommonPapers('Diffusion', 230, 400),
      makePaper('Mixed Study', 'A transformer trained by diffusion.', null, 1),
    ];
    const data = buildSearchData(papers);
    const board = createScoreBoard(data.count);
    const pool = scorePool(data, board, parseQuery('transformer diffusion ', data.words), 10, false);
    // Only one paper holds both: the most frequent word (diffusion) is dropped, so every transformer paper is pooled.
    expect(countSetBits(pool)).toBe(221);
    expect(hasBit(pool, 450)).toBe(true);
    expect(hasBit(pool, 220)).toBe(false);
    expect(board.matchedWords[450]).toBe(0b11);
    expect(board.matchedWords[0]).toBe(0b01);
  });

  it('given rare words that already fill the limit, then common words only add to the pooled papers', () => {
    const papers = [
      ...makeCommonPapers('Transformer'),
      ...Array.from({ length: 12 }, (_, i) => makePaper(`Zebra Transformer ${i}`, '', null, 500 + i)),
    ];
    const data = buildSearchData(papers);
    const board = createScoreBoard(data.count);
    const pool = scorePool(data, board, parseQuery('zebra transformer ', data.words), 10, false);
    expect(countSetBits(pool)).toBe(12);
    expect(board.matchedWords[220]).toBe(0b11);
  });
});
