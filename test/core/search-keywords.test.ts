import { describe, expect, it } from 'vitest';
import { type Paper, paperId } from '../../src/core/paper.js';
import { createSearchIndex } from '../../src/core/search.js';

function paper(title: string, abstract: string, aiKeywords?: string[]): Paper {
  return {
    id: paperId(title),
    title,
    abstract,
    authors: null,
    organization: null,
    published: null,
    comments: null,
    links: [],
    source: { file: 'a.json', line: 1 },
    ...(aiKeywords ? { aiKeywords } : {}),
  };
}

// Filler papers so that words are rare enough to be ranked by the full-text index, as in a real corpus.
const filler = Array.from({ length: 40 }, (_, i) =>
  paper(`Filler study number ${i}`, `We report experiment ${i} on benchmark data with several baselines.`),
);

describe('search over AI keywords', () => {
  it('given a paper whose AI keywords hold a word its title and abstract lack, then searching that word finds it', () => {
    const target = paper('Kandinsky Video Models', 'We present a family of foundation models for video generation.', [
      'lip-sync',
      'cross-attention',
    ]);
    const index = createSearchIndex([...filler, target]);
    expect(index.search('lip-sync')[0]?.paper.title).toBe('Kandinsky Video Models');
    expect(index.search('cross attention')[0]?.paper.title).toBe('Kandinsky Video Models');
    expect(index.search('lip sync video')[0]?.paper.title).toBe('Kandinsky Video Models');
  });

  it('given one paper with the word in its title and one with it only as a keyword, then the title match ranks first (the boost is modest)', () => {
    const titled = paper('Diffusion Distillation in One Step', 'We distill a sampler into a single step.');
    const tagged = paper('Fast Image Samplers', 'We make image samplers faster with a new schedule.', ['diffusion', 'distillation']);
    const index = createSearchIndex([...filler, tagged, titled]);
    expect(
      index
        .search('diffusion distillation')
        .map((hit) => hit.paper.title)
        .slice(0, 2),
    ).toEqual(['Diffusion Distillation in One Step', 'Fast Image Samplers']);
  });
});
