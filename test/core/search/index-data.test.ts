import { describe, expect, it } from 'vitest';
import { countSetBits, hasBit } from '../../../src/core/search/bitset.js';
import { buildSearchData } from '../../../src/core/search/index-data.js';
import { makeCommonPapers, makePaper } from './papers.js';

describe('buildSearchData: papers', () => {
  it('given a repeated id, then only its first paper is kept, in corpus order', () => {
    const first = makePaper('Sparse Attention', 'First copy.', null, 1);
    const again = { ...makePaper('Sparse Attention', 'Second copy.', null, 2) };
    const other = makePaper('Dense Attention', 'Other.', null, 3);
    const data = buildSearchData([first, again, other]);
    expect(data.docs).toEqual([first, other]);
    expect(data.count).toBe(2);
    expect(data.byId.get(first.id)).toBe(first);
  });

  it('given dates, then recent lists the newest first, undated last, ties in corpus order', () => {
    const old = makePaper('Old', '', '2024-01-01', 1);
    const undated = makePaper('Undated', '', null, 2);
    const newA = makePaper('New A', '', '2025-03-01', 3);
    const newB = makePaper('New B', '', '2025-03-01', 4);
    expect(buildSearchData([old, undated, newA, newB]).recent.map((paper) => paper.title)).toEqual(['New A', 'New B', 'Old', 'Undated']);
  });

  it('given no papers, then the data is empty and averages stay at least 1', () => {
    const data = buildSearchData([]);
    expect(data.count).toBe(0);
    expect(data.avgTitle).toBe(1);
    expect(data.avgAbstract).toBe(1);
  });
});

describe('buildSearchData: index structures', () => {
  it('given a word in fewer than 200 papers, then it is in MiniSearch and, from titles, in the title postings', () => {
    const data = buildSearchData([
      makePaper('Zebra Models', 'Zebras everywhere.', null, 1),
      makePaper('Horse Models', 'No stripes but a zebra.', null, 2),
    ]);
    expect(data.common.size).toBe(0);
    expect([...(data.titlePostings.get('zebra') ?? [])]).toEqual([0]);
    expect(data.mini.search('zebra').map((result) => result.id)).toEqual(expect.arrayContaining([0, 1]));
  });

  it('given a word in 200 papers or more, then it lives in bitsets (titles, abstracts, abstract counts) and not in MiniSearch', () => {
    const papers = [
      ...makeCommonPapers('Transformer'),
      makePaper('Other Title', 'transformer transformer transformer, again a transformer.', null, 1),
    ];
    const data = buildSearchData(papers);
    const entry = data.common.get('transformer');
    expect(entry).toBeDefined();
    expect(countSetBits(entry!.title)).toBe(220);
    expect(hasBit(entry!.abstract, 220)).toBe(true);
    expect(hasBit(entry!.title, 220)).toBe(false);
    expect(entry!.abstractFrequency[220]).toBe(4);
    // The rarer a term, the higher its weight.
    expect(entry!.abstractIdf).toBeGreaterThan(entry!.titleIdf);
    expect(data.mini.search('transformer')).toEqual([]);
    expect(data.titlePostings.has('transformer')).toBe(false);
  });

  it('given titles and abstracts, then their lengths count distinct terms, stop words left out', () => {
    const data = buildSearchData([makePaper('The Scaling of Scaling Laws', 'Laws and laws.', null, 1), makePaper('Tiny', '', null, 2)]);
    expect([...data.titleLength]).toEqual([2, 1]);
    expect([...data.abstractLength]).toEqual([1, 0]);
    expect(data.avgTitle).toBe(1.5);
    expect(data.avgAbstract).toBe(1);
  });

  it('given an abstract longer than 4,000 characters, then the words after that are not indexed', () => {
    const data = buildSearchData([makePaper('Long Read', `${'filler '.repeat(600)} tailword`, null, 1)]);
    expect(data.words.termIds.has('tailword')).toBe(false);
    expect(data.words.termIds.has('filler')).toBe(true);
  });
});

describe('buildSearchData: words', () => {
  const data = buildSearchData([
    makePaper('Quantized Networks for the Edge', 'We align with Reinforcement Learning from Human Feedback (RLHF).', null, 1),
  ]);

  it('given analysed papers, then the vocabulary holds every folded word with its term, stop words marked', () => {
    expect(data.words.vocabulary.get('quantized')?.term).toBe('quantiz');
    expect(data.words.vocabulary.get('the')?.isStopWord).toBe(true);
    expect(data.words.termIds.has('quantiz')).toBe(true);
    expect(data.words.termIds.has('edg')).toBe(true);
    expect(data.words.termIds.has('cloud')).toBe(false);
    // Stop words are known words, but no paper is found by them.
    expect(data.mini.search('the')).toEqual([]);
  });

  it('given the vocabulary, then its sorted words are in order and typo search knows them', () => {
    const sorted = [...data.words.sortedWords];
    expect(sorted).toEqual([...sorted].sort());
    expect(sorted).toContain('networks');
    expect(data.words.fuzzyWords.search('netwroks', { fuzzy: 2 }).map((result) => result.id)).toContain('networks');
  });

  it('given an acronym defined in an abstract, then the acronym table knows its long form', () => {
    expect(data.words.acronyms.lookup(['reinforcement', 'learn', 'human', 'feedback'])).toBe('rlhf');
    expect(data.words.completions.size).toBe(0);
  });
});
