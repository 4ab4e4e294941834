import { describe, expect, it } from 'vitest';
import { createCorpusCatalog } from '../../src/app/corpus-catalog.js';
import { createListCorpus, createMemoryLogger, makePapers } from '../support/memory-ports.js';

describe('the corpus catalog', () => {
  it('given a newer snapshot that only changes upvotes and stars, then the next load serves the new numbers', async () => {
    const papers = makePapers(3).map((p) => ({ ...p, upvotes: 5, githubStars: 10 }));
    const source = createListCorpus(papers);
    const catalog = await createCorpusCatalog({ source, logger: createMemoryLogger(), now: () => 0 });
    source.papers = papers.map((p) => ({ ...p, upvotes: 50, githubStars: 100 }));
    const { papers: loaded } = await catalog.source.load();
    expect(loaded.map((p) => [p.upvotes, p.githubStars])).toEqual([
      [50, 100],
      [50, 100],
      [50, 100],
    ]);
    expect(catalog.current().index.get(papers[0]!.id)?.upvotes).toBe(50);
  });

  it('given files that give nothing, then their problems are kept from the last load', async () => {
    const source = { papers: makePapers(1), problems: [{ file: 'a.md', problem: 'no corpus format recognises it' }] };
    const catalog = await createCorpusCatalog({
      source: { load: async () => ({ papers: source.papers, warnings: 1, problems: source.problems }) },
      logger: createMemoryLogger(),
      now: () => 0,
    });
    expect(catalog.problems()).toEqual([{ file: 'a.md', problem: 'no corpus format recognises it' }]);
    source.problems = [];
    await catalog.refresh();
    expect(catalog.problems()).toEqual([]);
  });
});
