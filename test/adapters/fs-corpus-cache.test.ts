import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheDirFor, createFsCorpusCache } from '../../src/adapters/fs-corpus-cache.js';
import { type CorpusRecord, loadCorpus, type StoredCorpus } from '../../src/adapters/fs-corpus.js';
import { createFsCorpusSource } from '../../src/adapters/fs-corpus-source.js';
import { createCorpusCatalog } from '../../src/app/corpus-catalog.js';
import { createSearchIndex } from '../../src/core/search.js';
import { formatPage, generatePapers } from '../support/generate-corpus.js';
import { createMemoryLogger } from '../support/memory-ports.js';

const MIXED = new URL('../fixtures/corpus/mixed/', import.meta.url).pathname;
const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-cache-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A store that counts what passes through it. */
function counting(store: StoredCorpus): StoredCorpus & { reads: number; writes: number; last: CorpusRecord | null } {
  const counted = {
    reads: 0,
    writes: 0,
    last: null as CorpusRecord | null,
    async read() {
      counted.reads += 1;
      return (counted.last = await store.read());
    },
    async write(record: CorpusRecord) {
      counted.writes += 1;
      await store.write(record);
    },
  };
  return counted;
}

async function setUp() {
  const corpus = await tempDir();
  await cp(MIXED, corpus, { recursive: true });
  const cacheDir = join(await tempDir(), 'cache');
  const logger = createMemoryLogger();
  return { corpus, cacheDir, logger, open: () => counting(createFsCorpusCache(cacheDir, logger).corpus) };
}

describe('the parsed corpus kept on disk', () => {
  it('given a corpus loaded once, then a restart reads the kept corpus: the same papers, its very objects, nothing parsed or written', async () => {
    const { corpus, open } = await setUp();
    const first = await loadCorpus(corpus, { cache: new Map(), stored: open() });
    const store = open();
    const second = await loadCorpus(corpus, { cache: new Map(), stored: store });
    expect(second.papers).toEqual(first.papers);
    expect(second.warnings).toEqual(first.warnings);
    expect(second.files).toEqual(first.files);
    expect(second.version).toBe(first.version);
    expect(store.writes).toBe(0);
    // The merged corpus of the record itself: not merged again, not parsed again.
    expect(second.papers).toBe(store.last!.merged.papers);
    // Kept once: a paper with a single copy is its file's own object (the fixture merges two copies of one paper).
    const filePapers = new Set(store.last!.files.flatMap((f) => f.part.read.papers));
    expect(second.papers.filter((paper) => filePapers.has(paper))).toHaveLength(second.papers.length - 1);
  });

  it('given one file changed while the bot was down, then only that file is parsed again and the corpus is kept anew', async () => {
    const { corpus, open } = await setUp();
    const first = await loadCorpus(corpus, { cache: new Map(), stored: open() });
    const page = await readFile(join(corpus, '02-wrapped-missing-footer.txt'), 'utf8');
    await writeFile(
      join(corpus, '02-wrapped-missing-footer.txt'),
      page.replace('Wrapped Abstracts Are Joined', 'Wrapped Abstracts Are Joined Again'),
    );
    const store = open();
    const second = await loadCorpus(corpus, { cache: new Map(), stored: store });
    expect(second.papers.map((p) => p.title)).toContain('Wrapped Abstracts Are Joined Again');
    expect(second.version).not.toBe(first.version);
    expect(store.writes).toBe(1);
    // The unchanged files' papers come from the kept corpus.
    const kept = store.last!.files.find((f) => f.key.file === '05-latin1.txt')!.part.read.papers[0];
    expect(second.papers).toContain(kept);
  });

  it('given the same cache between loads, then an unchanged corpus is neither read from disk again nor merged again', async () => {
    const { corpus, open } = await setUp();
    const cache = new Map();
    const store = open();
    const first = await loadCorpus(corpus, { cache, stored: store });
    const second = await loadCorpus(corpus, { cache, stored: store });
    expect(second.papers).toBe(first.papers);
    expect([store.reads, store.writes]).toEqual([1, 1]);
  });

  it('given a kept corpus that is damaged, cut short or from another release, then it is not used, the log says why, and it is rebuilt', async () => {
    const { corpus, cacheDir, logger, open } = await setUp();
    const expected = (await loadCorpus(corpus, { cache: new Map(), stored: open() })).papers;
    const file = join(cacheDir, 'corpus.bin');
    const bytes = await readFile(file);
    const damages: Array<[string, Buffer, RegExp]> = [
      ['damaged', Buffer.from(bytes.map((b, i) => (i === bytes.length - 20 ? b ^ 0xff : b))), /damaged/],
      ['cut short', bytes.subarray(0, bytes.length - 50), /damaged/],
      ['no header', Buffer.from('garbage'), /damaged/],
      [
        'another release',
        Buffer.from(bytes.toString('latin1').replace(/"code":"[0-9a-f]+"/, `"code":"${'0'.repeat(64)}"`), 'latin1'),
        /another release/,
      ],
    ];
    for (const [, damaged, reason] of damages) {
      await writeFile(file, damaged);
      logger.lines.length = 0;
      const store = open();
      const loaded = await loadCorpus(corpus, { cache: new Map(), stored: store });
      expect(loaded.papers).toEqual(expected);
      expect(store.writes).toBe(1);
      expect(logger.lines.find((line) => line.level === 'warn')?.message).toMatch(reason);
    }
  });
});

describe('the search index kept on disk', () => {
  it('given an index kept for a version, then it loads back for that version only, else the log says why', async () => {
    const { corpus, cacheDir, logger } = await setUp();
    const { papers, version } = await loadCorpus(corpus);
    const index = createSearchIndex(papers);
    const store = createFsCorpusCache(cacheDir, logger).index;
    await store.save('v1', index.data);
    const image = await store.load('v1');
    expect(image?.state).toEqual(index.data.state);
    expect(image?.derived).toEqual(index.data.derived);
    expect(await store.load('v2')).toBeNull();
    expect(logger.lines.at(-1)?.message).toMatch(/made for another corpus/);
    expect(version).toBeUndefined();
    expect(await readdir(cacheDir)).toEqual(['search-index.bin']);
  });

  it('given DATA_DIR, then the cache sits in a cache folder in it, beside the database', () => {
    expect(cacheDirFor('/app/data')).toBe('/app/data/cache');
  });
});

describe('a 100,000-paper corpus kept on disk, and one new daily file', () => {
  it('given a corpus kept by a first start, when a day is added while the bot is down, then the restart parses only that file and analyses only its papers', async () => {
    const corpus = await tempDir();
    const dataDir = await tempDir();
    const papers = generatePapers(100_000, 7);
    // A hundred daily files of a thousand papers, in folders by month as a fetcher writes them.
    await mkdir(join(corpus, '2025'));
    await Promise.all(
      Array.from({ length: 100 }, (_, day) =>
        writeFile(join(corpus, '2025', `day-${String(day).padStart(3, '0')}.txt`), formatPage(papers.slice(day * 1000, (day + 1) * 1000))),
      ),
    );
    const start = async () => {
      const logger = createMemoryLogger();
      const cache = createFsCorpusCache(cacheDirFor(dataDir), logger);
      const catalog = await createCorpusCatalog({
        source: createFsCorpusSource(corpus, logger, { stored: cache.corpus }),
        logger,
        now: () => 0,
        indexStore: cache.index,
      });
      await catalog.settle();
      const fields = (pattern: RegExp) => logger.lines.find((line) => pattern.test(line.message))?.fields;
      return { catalog, parsed: fields(/^corpus read/)?.parsed ?? 0, index: fields(/^search index/), logger };
    };

    const first = await start();
    expect(first.parsed).toBe(100);
    expect(first.index).toMatchObject({ analysed: 100_000, restored: false });

    const day = generatePapers(40, 8).map((paper, i) => ({ ...paper, title: `Zeolite Sieves Revisited by Daily Probes ${i}` }));
    await writeFile(join(corpus, '2025', 'day-100.txt'), formatPage(day));
    const again = await start();
    expect(again.parsed).toBe(1);
    expect(again.index).toMatchObject({ analysed: 40, papers: 100_040 });
    expect(again.logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
    expect(again.catalog.current().index.search('zeolite sieves revisited')[0]?.paper.title).toMatch(/^Zeolite Sieves Revisited/);

    // What the restart kept is the new corpus: the next start parses and analyses nothing.
    const third = await start();
    expect(third.parsed).toBe(0);
    expect(third.index).toMatchObject({ analysed: 0, restored: true, papers: 100_040 });
  }, 300_000);
});
