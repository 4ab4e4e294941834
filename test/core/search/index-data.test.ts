import { describe, expect, it } from 'vitest';
import { countSetBits, hasBit } from '../../../src/core/search/bitset.js';
import { createSearchIndex } from '../../../src/core/search.js';
import { buildSearchData } from '../../../src/core/search/index-data.js';
import { findSorted } from '../../../src/core/search/lexicon.js';
import { ABSTRACT, TITLE, type FieldPostings } from '../../../src/core/search/postings.js';
import { makeCommonPapers, makePaper } from './papers.js';

describe('buildSearchData: papers', () => {
  it('given a repeated id, then only its first paper is kept, in corpus order', () => {
    const first = makePaper('Sparse Attention', 'First copy.', null, 1);
    const again = { ...makePaper('Sparse Attention', 'Second copy.', null, 2) };
    const other = makePaper('Dense Attention', 'Other.', null, 3);
    const data = buildSearchData([first, again, other]);
    expect(data.docs).toEqual([first, other]);
    expect(data.count).toBe(2);
    expect(data.positions.get(first.id)).toBe(0);
  });

  it('given dates, then recent lists the newest first, undated last, ties in corpus order', () => {
    const old = makePaper('Old', '', '2024-01-01', 1);
    const undated = makePaper('Undated', '', null, 2);
    const newA = makePaper('New A', '', '2025-03-01', 3);
    const newB = makePaper('New B', '', '2025-03-01', 4);
    const data = buildSearchData([old, undated, newA, newB]);
    expect([...data.state.recent].map((index) => data.docs[index]!.title)).toEqual(['New A', 'New B', 'Old', 'Undated']);
  });

  it('given no papers, then the data is empty and averages stay at least 1', () => {
    const data = buildSearchData([]);
    expect(data.count).toBe(0);
    expect(data.avgTitle).toBe(1);
    expect(data.avgAbstract).toBe(1);
  });
});

/** The papers holding a term in a field, and how often. */
function postingsOf(field: FieldPostings, terms: readonly string[], term: string): Array<[number, number]> {
  const id = findSorted(terms, term);
  if (id === -1) return [];
  const found: Array<[number, number]> = [];
  for (let at = field.offsets[id]!; at < field.offsets[id + 1]!; at++) found.push([field.docs[at]!, field.counts[at]!]);
  return found;
}

describe('buildSearchData: index structures', () => {
  it('given a word in fewer than 200 papers, then its postings list the papers per field, with counts, and it is not common', () => {
    const data = buildSearchData([
      makePaper('Zebra Models', 'Zebras everywhere, zebra.', null, 1),
      makePaper('Horse Models', 'No stripes but a zebra.', null, 2),
    ]);
    const { terms } = data.words.lexicon;
    expect(data.common.size).toBe(0);
    expect(postingsOf(data.state.fields[TITLE]!, terms, 'zebra')).toEqual([[0, 1]]);
    expect(postingsOf(data.state.fields[ABSTRACT]!, terms, 'zebra')).toEqual([
      [0, 2],
      [1, 1],
    ]);
  });

  it('given a word in 200 papers or more, then it also lives in bitsets (titles; abstracts and keywords), with its idf', () => {
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
    expect(postingsOf(data.state.fields[ABSTRACT]!, data.words.lexicon.terms, 'transformer')).toEqual([[220, 4]]);
    // The rarer a term, the higher its weight.
    expect(entry!.abstractIdf).toBeGreaterThan(entry!.titleIdf);
  });

  it('given common and rare words, then the rare lengths count only the rare terms of each field', () => {
    const papers = [...makeCommonPapers('Transformer'), makePaper('Transformer Zebra', 'Transformer and zebra stripes.', null, 1)];
    const data = buildSearchData(papers);
    expect(data.titleLength[220]).toBe(2);
    expect(data.rareLength[TITLE]![220]).toBe(1);
    // `plain` and `text` are in every abstract of makeCommonPapers, so they are common too.
    expect(data.rareLength[ABSTRACT]![220]).toBe(2);
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
    expect(findSorted(data.words.lexicon.terms, 'tailword')).toBe(-1);
    expect(findSorted(data.words.lexicon.terms, 'filler')).not.toBe(-1);
  });
});

describe('buildSearchData: words', () => {
  const data = buildSearchData([
    makePaper('Quantized Networks for the Edge', 'We align with Reinforcement Learning from Human Feedback (RLHF).', null, 1),
    makePaper('Quantized Edges', 'Quantized again.', null, 2),
  ]);
  const { lexicon } = data.words;
  const word = (raw: string) => findSorted(lexicon.words, raw);

  it('given analysed papers, then the lexicon holds every folded word with its term and paper count, stop words marked', () => {
    expect(lexicon.terms[lexicon.wordTerm[word('quantized')]!]).toBe('quantiz');
    expect(lexicon.wordPapers[word('quantized')]).toBe(2);
    expect(lexicon.wordStop[word('the')]).toBe(1);
    expect(lexicon.wordStop[word('quantized')]).toBe(0);
    expect(findSorted(lexicon.terms, 'edg')).not.toBe(-1);
    expect(lexicon.termPapers[findSorted(lexicon.terms, 'edg')]).toBe(2);
    expect(findSorted(lexicon.terms, 'cloud')).toBe(-1);
  });

  it('given the lexicon, then its words and terms are sorted', () => {
    expect([...lexicon.words]).toEqual([...lexicon.words].sort());
    expect([...lexicon.terms]).toEqual([...lexicon.terms].sort());
  });

  it('given an acronym defined in an abstract, then the acronym table knows its long form', () => {
    expect(data.words.acronyms.lookup(['reinforcement', 'learn', 'human', 'feedback'])).toBe('rlhf');
    expect(data.words.completions.size).toBe(0);
  });
});

describe('completions remembered for short prefixes', () => {
  it('given more distinct two- and three-letter prefixes typed than it keeps, then the memory is bounded', () => {
    const index = createSearchIndex([makePaper('Zebra Models', 'Stripes.', null, 1)]);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (const a of letters) for (const b of letters) for (const c of letters.slice(0, 10)) index.suggest(`${a}${b}${c}`);
    expect(index.data.words.completions.size).toBeLessThanOrEqual(5000);
    expect(index.data.words.completions.size).toBeGreaterThan(0);
  });
});
