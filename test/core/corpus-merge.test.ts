import { describe, expect, it } from 'vitest';
import { mergeCorpora } from '../../src/core/corpus-merge.js';
import { type Paper, paperId } from '../../src/core/paper.js';

function paper(title: string, file: string, line: number, extra: Partial<Paper> = {}): Paper {
  return {
    id: paperId(title),
    title,
    abstract: 'An abstract.',
    authors: null,
    organization: null,
    published: null,
    comments: null,
    links: [],
    source: { file, line },
    ...extra,
  };
}

describe('mergeCorpora: which copies are one paper', () => {
  it('given the same arXiv id in two files under different titles, then they are one paper identified by the arXiv id', () => {
    const { papers, warnings } = mergeCorpora([
      { papers: [paper('Densing Law of LLM', 'a.md', 3, { arxivId: '2412.04315' })], warnings: [] },
      { papers: [paper('Densing Law of LLMs', 'b.json', 1, { arxivId: '2412.04315' })], warnings: [] },
    ]);
    expect(papers.map((p) => [p.id, p.title, p.source])).toEqual([['2412.04315', 'Densing Law of LLMs', { file: 'a.md', line: 3 }]]);
    expect(papers[0]!.aliases).toEqual([paperId('Densing Law of LLM'), paperId('Densing Law of LLMs')]);
    expect(warnings).toEqual([
      {
        file: 'b.json',
        line: 1,
        message: 'same paper (by arXiv id 2412.04315) as "Densing Law of LLMs" at a.md:3; the copies were merged field by field',
      },
    ]);
  });

  it('given a title-only copy and an arXiv copy with the same normalised title, then they are one paper with the arXiv id and the old id as alias', () => {
    const { papers, warnings } = mergeCorpora([
      { papers: [paper('Densing law of LLMs!', 'seed.txt', 7)], warnings: [] },
      { papers: [paper('Densing Law of LLMs', 'day.json', 1, { arxivId: '2412.04315', upvotes: 9 })], warnings: [] },
    ]);
    expect(papers).toHaveLength(1);
    expect(papers[0]).toMatchObject({
      id: '2412.04315',
      arxivId: '2412.04315',
      upvotes: 9,
      source: { file: 'seed.txt', line: 7 },
      aliases: [paperId('Densing law of LLMs!')],
    });
    expect(warnings[0]!.message).toBe(
      'same paper (by title) as "Densing Law of LLMs" at seed.txt:7; the copies were merged field by field',
    );
  });

  it('given two different arXiv ids under one title, then they stay two papers and only the first keeps the old title id', () => {
    const { papers, warnings } = mergeCorpora([
      {
        papers: [
          paper('Technical Report', 'a.json', 1, { arxivId: '2401.00001' }),
          paper('Technical Report', 'a.json', 2, { arxivId: '2401.00002' }),
        ],
        warnings: [],
      },
    ]);
    expect(papers.map((p) => [p.id, p.aliases])).toEqual([
      ['2401.00001', [paperId('Technical Report')]],
      ['2401.00002', undefined],
    ]);
    expect(warnings).toEqual([]);
  });

  it('given a title-only paper that a later copy links to an arXiv paper seen under another title, then all three are one paper at the first copy', () => {
    const { papers } = mergeCorpora([
      { papers: [paper('Old Title', 'a.txt', 1), paper('Other Paper', 'a.txt', 5)], warnings: [] },
      { papers: [paper('New Title', 'b.md', 1, { arxivId: '2401.00001' })], warnings: [] },
      { papers: [paper('Old Title', 'c.json', 1, { arxivId: '2401.00001' })], warnings: [] },
    ]);
    expect(papers.map((p) => [p.id, p.source.file])).toEqual([
      ['2401.00001', 'a.txt'],
      [paperId('Other Paper'), 'a.txt'],
    ]);
    expect(papers[0]!.aliases?.sort()).toEqual([paperId('New Title'), paperId('Old Title')].sort());
  });

  it('given papers without arXiv ids and different titles, then every paper stays as it was (the same objects)', () => {
    const parts = [
      { papers: [paper('One', 'a.txt', 1), paper('Two', 'a.txt', 5)], warnings: [{ file: 'a.txt', line: 3, message: 'junk' }] },
    ];
    const { papers, warnings } = mergeCorpora(parts);
    expect(papers[0]).toBe(parts[0]!.papers[0]);
    expect(papers[1]).toBe(parts[0]!.papers[1]);
    expect(warnings).toEqual(parts[0]!.warnings);
  });
});

describe('mergeCorpora: the richer record wins field by field', () => {
  it('given an abstract cut with an ellipsis and a full one, then the full one wins even when shorter', () => {
    const { papers } = mergeCorpora([
      {
        papers: [
          paper('P', 'a.md', 1, {
            arxivId: '2401.00001',
            abstract: 'A long snippet that the page cut off in the middle of a sentence and marked with…',
          }),
        ],
        warnings: [],
      },
      { papers: [paper('P', 'b.json', 1, { arxivId: '2401.00001', abstract: 'The full abstract, which is whole.' })], warnings: [] },
    ]);
    expect(papers[0]!.abstract).toBe('The full abstract, which is whole.');
  });

  it('given two whole abstracts, then the longer wins; given an empty one, then the other', () => {
    const { papers } = mergeCorpora([
      {
        papers: [
          paper('P', 'a.md', 1, {
            arxivId: '2401.00001',
            abstract: 'The longer whole abstract of the paper.',
            links: ['https://a.example/x'],
          }),
        ],
        warnings: [],
      },
      { papers: [paper('P', 'b.json', 1, { arxivId: '2401.00001', abstract: 'Shorter.', links: ['https://b.example/y'] })], warnings: [] },
      { papers: [paper('P', 'c.json', 1, { arxivId: '2401.00001', abstract: '' })], warnings: [] },
    ]);
    expect(papers[0]).toMatchObject({
      abstract: 'The longer whole abstract of the paper.',
      links: ['https://a.example/x', 'https://b.example/y'],
    });
  });

  it("given snapshots in path order, then upvotes, stars and comments are the newest (last read) copy's, and a copy without them does not erase them", () => {
    const { papers } = mergeCorpora([
      {
        papers: [
          paper('P', 'hf-daily/2024-11-26.json', 1, {
            arxivId: '2401.00001',
            upvotes: 5,
            githubStars: 10,
            comments: 1,
            githubRepo: 'https://github.com/a/b',
          }),
        ],
        warnings: [],
      },
      {
        papers: [paper('P', 'hf-daily/2024-11-27.json', 1, { arxivId: '2401.00001', upvotes: 12, githubStars: 30, comments: 4 })],
        warnings: [],
      },
      { papers: [paper('P', 'page.txt', 9, { authors: 6, published: '2024-11-25' })], warnings: [] },
    ]);
    expect(papers[0]).toMatchObject({
      upvotes: 12,
      githubStars: 30,
      comments: 4,
      githubRepo: 'https://github.com/a/b',
      authors: 6,
      published: '2024-11-25',
    });
    expect(papers[0]!.source).toEqual({ file: 'hf-daily/2024-11-26.json', line: 1 });
  });

  it('given author and keyword lists, then the longest list wins', () => {
    const { papers } = mergeCorpora([
      { papers: [paper('P', 'a.json', 1, { arxivId: '2401.00001', authorNames: ['A', 'B', 'C'], aiKeywords: ['x'] })], warnings: [] },
      { papers: [paper('P', 'b.json', 1, { arxivId: '2401.00001', authorNames: ['A'], aiKeywords: ['x', 'y'] })], warnings: [] },
    ]);
    expect(papers[0]).toMatchObject({ authorNames: ['A', 'B', 'C'], aiKeywords: ['x', 'y'] });
  });

  it('given merges and other warnings in one file, then its warnings are in line order and name both copies', () => {
    const { warnings } = mergeCorpora([
      { papers: [paper('One', 'a.txt', 1), paper('Two', 'a.txt', 9)], warnings: [] },
      { papers: [paper('Two', 'b.txt', 4), paper('One', 'b.txt', 20)], warnings: [{ file: 'b.txt', line: 10, message: 'junk' }] },
    ]);
    expect(warnings.map((w) => `${w.file}:${w.line}: ${w.message}`)).toEqual([
      'b.txt:4: same paper (by title) as "Two" at a.txt:9; the copies were merged field by field',
      'b.txt:10: junk',
      'b.txt:20: same paper (by title) as "One" at a.txt:1; the copies were merged field by field',
    ]);
  });
});
