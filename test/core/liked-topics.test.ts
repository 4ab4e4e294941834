import { describe, expect, it } from 'vitest';
import { suggestLikedTopics } from '../../src/core/liked-topics.js';
import { makePapers } from '../support/memory-ports.js';

const base = makePapers(3);
const paper = (i: number, title: string) => ({ ...base[i]!, title, abstract: 'We study it.' });
const quant = paper(0, 'Quantization of language models');
const quant2 = paper(1, 'Faster quantization kernels');
const sparse = paper(2, 'Sparse attention for language models');
const candidates = [
  { topic: 'language models', papers: 40 },
  { topic: 'quantization', papers: 12 },
  { topic: 'sparse attention', papers: 5 },
  { topic: 'robotics', papers: 30 },
];

describe('suggestLikedTopics', () => {
  it('given liked papers, then the topics most of them match come first, each naming the newest liked paper it matches', () => {
    expect(suggestLikedTopics([quant, quant2, sparse], candidates, []).map((s) => [s.topic, s.because.title, s.liked])).toEqual([
      ['language models', 'Quantization of language models', 2],
      ['quantization', 'Quantization of language models', 2],
      ['sparse attention', 'Sparse attention for language models', 1],
    ]);
  });

  it('given topics already followed (plain, or with left-out terms), then they are not suggested again', () => {
    const topics = suggestLikedTopics([quant, quant2, sparse], candidates, ['language models -robotics', 'quantization']).map(
      (s) => s.topic,
    );
    expect(topics).toEqual(['sparse attention']);
  });

  it('given no liked paper, or none matching a corpus topic, then nothing is suggested', () => {
    expect(suggestLikedTopics([], candidates, [])).toEqual([]);
    expect(suggestLikedTopics([paper(0, 'Protein folding')], candidates, [])).toEqual([]);
  });

  it('given a limit, then at most that many', () => {
    expect(suggestLikedTopics([quant, quant2, sparse], candidates, [], 1)).toHaveLength(1);
  });
});
