import { describe, expect, it } from 'vitest';
import { createTitleIndex, findExactTitles, findTitleStarts } from '../../../src/core/search/titles.js';
import { makePaper } from './papers.js';

const papers = [
  makePaper('Scaling Laws for Vocabularies', '', null, 1),
  makePaper('All is Not Lost: LLM Recovery', '', null, 2),
  makePaper('Scaling Up Reasoning', '', null, 3),
  makePaper('Scalable Kernels', '', null, 4),
  makePaper('All Is Not Lost', '', null, 5),
];
const titles = createTitleIndex(papers);

describe('createTitleIndex', () => {
  it('given titles, then each is normalised between two spaces, in corpus order', () => {
    expect(titles.texts[1]).toBe(' all is not lost llm recovery ');
  });

  it('given titles, then the order sorts them by normalised text', () => {
    expect([...titles.order].map((index) => papers[index]!.title)).toEqual([
      'All Is Not Lost',
      'All is Not Lost: LLM Recovery',
      'Scalable Kernels',
      'Scaling Laws for Vocabularies',
      'Scaling Up Reasoning',
    ]);
  });

  it('given two titles the same once normalised, then the exact lookup finds both, in corpus order, and no longer title', () => {
    const twins = createTitleIndex([
      makePaper('Densing Law of LLMs', '', null, 1),
      makePaper('Densing law!', '', null, 2),
      makePaper('Densing Law', '', null, 3),
    ]);
    expect(findExactTitles(twins, 'densing law')).toEqual([1, 2]);
    expect(findExactTitles(twins, 'densing')).toEqual([]);
  });
});

describe('findTitleStarts', () => {
  it('given the start of titles, stop words included, then those titles come back in title order', () => {
    expect(findTitleStarts(titles, 'all is not', 10)).toEqual([4, 1]);
  });

  it('given a half-typed word, then titles whose word starts so are found, and only at a word start', () => {
    expect(findTitleStarts(titles, 'scal', 10)).toEqual([3, 0, 2]);
    expect(findTitleStarts(titles, 'caling', 10)).toEqual([]);
  });

  it('given a cap, then at most that many titles come back', () => {
    expect(findTitleStarts(titles, 'scal', 2)).toEqual([3, 0]);
  });
});
