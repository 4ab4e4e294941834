import { describe, expect, it } from 'vitest';
import { createCorpusCatalog, type SearchIndexStore } from '../../src/app/corpus-catalog.js';
import { digestIndexedPapers, type IndexImage } from '../../src/core/search.js';
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

describe('the corpus catalog with a search index store', () => {
  function createMemoryIndexStore() {
    const saved = new Map<string, IndexImage>();
    const store: SearchIndexStore & { saved: typeof saved; loads: string[] } = {
      saved,
      loads: [],
      load: async (version) => {
        store.loads.push(version);
        return saved.get(version) ?? null;
      },
      save: async (version, image) => void saved.set(version, image),
    };
    return store;
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

  it('given no index kept, then the catalog builds it and keeps it under the corpus digest', async () => {
    const papers = makePapers(5);
    const indexStore = createMemoryIndexStore();
    const logger = createMemoryLogger();
    await createCorpusCatalog({ source: createListCorpus(papers), logger, now: () => 0, indexStore });
    await settle();
    expect([...indexStore.saved.keys()]).toEqual([digestIndexedPapers(papers)]);
    expect(logger.lines.some((line) => /search index built/.test(line.message))).toBe(true);
  });

  it('given the index kept for these papers, then the catalog loads it instead of building it, and it answers', async () => {
    const papers = makePapers(5);
    const indexStore = createMemoryIndexStore();
    await createCorpusCatalog({ source: createListCorpus(papers), logger: createMemoryLogger(), now: () => 0, indexStore });
    await settle();
    const kept = indexStore.saved.get(digestIndexedPapers(papers))!;
    const logger = createMemoryLogger();
    const catalog = await createCorpusCatalog({ source: createListCorpus(papers), logger, now: () => 0, indexStore });
    expect(catalog.current().index.data.state).toBe(kept.state);
    expect(catalog.current().index.search('paper number 3')[0]?.paper.id).toBe(papers[2]!.id);
    expect(logger.lines.some((line) => /search index loaded/.test(line.message))).toBe(true);
  });

  it('given a paper added while running, then the index is updated (not rebuilt) and kept for the new corpus; new upvotes alone keep nothing', async () => {
    const papers = makePapers(5);
    const source = createListCorpus(papers);
    const indexStore = createMemoryIndexStore();
    const logger = createMemoryLogger();
    const catalog = await createCorpusCatalog({ source, logger, now: () => 0, indexStore });
    await settle();
    const added = { ...makePapers(6)[5]!, title: 'Zebra Stripes at Scale' };
    source.papers = [...papers, added];
    await catalog.refresh();
    await settle();
    expect(catalog.current().index.search('zebra stripes')[0]?.paper.id).toBe(added.id);
    expect(logger.lines.some((line) => /search index updated/.test(line.message))).toBe(true);
    expect(indexStore.saved.has(digestIndexedPapers(source.papers))).toBe(true);
    const savedBefore = indexStore.saved.size;
    source.papers = source.papers.map((paper) => ({ ...paper, upvotes: 9 }));
    await catalog.refresh();
    await settle();
    expect(indexStore.saved.size).toBe(savedBefore);
    expect(catalog.current().index.get(added.id)?.upvotes).toBe(9);
  });
});

describe('the corpus catalog when it stops', () => {
  it('given a first start whose index is still being kept, then settle waits until it is kept', async () => {
    const papers = makePapers(5);
    let release: () => void = () => undefined;
    const saved: string[] = [];
    const indexStore: SearchIndexStore = {
      load: async () => null,
      save: (version) =>
        new Promise<void>((resolve) => {
          release = () => {
            saved.push(version);
            resolve();
          };
        }),
    };
    const catalog = await createCorpusCatalog({ source: createListCorpus(papers), logger: createMemoryLogger(), now: () => 0, indexStore });
    const settled = catalog.settle();
    let done = false;
    void settled.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(done).toBe(false);
    release();
    await settled;
    expect(saved).toEqual([digestIndexedPapers(papers)]);
  });
});
