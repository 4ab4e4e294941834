import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseCorpus } from '../../src/core/corpus.js';
import type { Paper } from '../../src/core/paper.js';
import { createSearchIndex, decodeIndexImage, encodeIndexImage, restoreSearchIndex, updateSearchIndex } from '../../src/core/search.js';
import { formatPage, generatePapers } from '../support/generate-corpus.js';
import { buildPreviousRelease } from './previous-release.js';

// The search index alone, in-process: build, memory, the cached image, and what a corpus change costs. Each
// corpus size and release runs in its own process so that memory figures are clean.

/** This release's index on one corpus size. */
export interface IndexBenchRow {
  papers: number;
  buildMs: number;
  /** Heap and typed arrays the index holds beyond the papers (after a GC). */
  retainedMb: number;
  imageMb: number;
  encodeMs: number;
  /** Reading the image and deriving what the search needs from it (what a restart does instead of building). */
  loadMs: number;
  /** Updates for a new file of 50 papers sorting last (a new day), first (a new folder), and 50 papers changed. */
  appendMs: number;
  insertMs: number;
  changeMs: number;
  /** Whether the updated index is the one a build over the new corpus gives. */
  updateEqualsBuild: boolean;
  previous: { buildMs: number; retainedMb: number };
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
};
const heldMb = (): number => {
  gc();
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.arrayBuffers) / 1e6;
};
const timed = <T>(run: () => T): [T, number] => {
  const started = performance.now();
  const result = run();
  return [result, performance.now() - started];
};

/** Generated papers as the bot reads them (parsed from a page, strings compact as the cache keeps them). */
function papersOf(size: number, seed = 42, file = 'generated.txt'): Paper[] {
  const text = formatPage(generatePapers(size, seed));
  return JSON.parse(JSON.stringify(parseCorpus(text, { file, referenceDate: '2026-06-22' }).papers)) as Paper[];
}

function measureThis(size: number): Omit<IndexBenchRow, 'previous'> {
  const papers = papersOf(size);
  const day = papersOf(50, 7, 'zz-day.txt').map((paper) => ({ ...paper, id: `day-${paper.id}`, title: `${paper.title} (day)` }));
  const before = heldMb();
  const [index, buildMs] = timed(() => createSearchIndex(papers));
  const retainedMb = heldMb() - before;
  const [image, encodeMs] = timed(() => encodeIndexImage(index.data));
  const [, loadMs] = timed(() => restoreSearchIndex(decodeIndexImage(image), papers));
  const [appended, appendMs] = timed(() => updateSearchIndex(index, [...papers, ...day]));
  const [, insertMs] = timed(() => updateSearchIndex(index, [...day, ...papers]));
  const changed = papers.map((paper, i) =>
    i % Math.floor(size / 50) === 0 ? { ...paper, abstract: `${paper.abstract} Revised.` } : paper,
  );
  const [, changeMs] = timed(() => updateSearchIndex(index, changed));
  const rebuilt = createSearchIndex([...papers, ...day]);
  return {
    papers: size,
    buildMs,
    retainedMb,
    imageMb: image.length / 1e6,
    encodeMs,
    loadMs,
    appendMs,
    insertMs,
    changeMs,
    updateEqualsBuild: isDeepStrictEqual(appended.data.state, rebuilt.data.state),
  };
}

/** The previous release's last index, alive until the next measure. */
let _kept: unknown = null;

async function measurePrevious(size: number, root: string): Promise<{ buildMs: number; retainedMb: number }> {
  const { createSearchIndex: build } = (await import(pathToFileURL(join(root, 'dist/core/search.js')).href)) as {
    createSearchIndex: (papers: readonly Paper[]) => unknown;
  };
  const papers = papersOf(size);
  _kept = null;
  const before = heldMb();
  const [index, buildMs] = timed(() => build(papers));
  const retainedMb = heldMb() - before;
  // Held past the measure, so that the collection inside heldMb() cannot take it.
  _kept = index;
  return { buildMs, retainedMb };
}

/** Measures each size for this release and the previous one, each in a fresh process. */
export function benchIndex(sizes: readonly number[] = [10_000, 100_000]): IndexBenchRow[] {
  const self = fileURLToPath(import.meta.url);
  const previous = buildPreviousRelease();
  const child = (...args: string[]) =>
    JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', ...args], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      }),
    ) as unknown;
  return sizes.map((size) => ({
    ...(child('this', String(size)) as Omit<IndexBenchRow, 'previous'>),
    previous: child('previous', String(size), previous.root) as IndexBenchRow['previous'],
  }));
}

/** Prints the index table. */
export function printIndexBench(rows: readonly IndexBenchRow[]): void {
  console.log('\n## Search index (in-process; generated papers as the bot parses them)');
  console.log(`- build: from the papers; retained: heap and typed arrays the index holds beyond the papers, after a GC;
- image: the cached form (cache/search-index.bin); load: reading it back and deriving what the search needs;
- update: a new file of 50 papers sorting last (a new day) or first (a new folder), or 50 papers changed: only
  those papers are analysed; "= build" says the updated index is exactly the one a build gives.`);
  console.table(
    rows.map((r) => ({
      papers: r.papers,
      'build s': (r.buildMs / 1000).toFixed(2),
      'previous: build s': (r.previous.buildMs / 1000).toFixed(2),
      'retained MB': r.retainedMb.toFixed(0),
      'previous: retained MB': r.previous.retainedMb.toFixed(0),
      'image MB': r.imageMb.toFixed(0),
      'load ms': Math.round(r.loadMs),
      'update +50 last ms': Math.round(r.appendMs),
      '+50 first ms': Math.round(r.insertMs),
      '50 changed ms': Math.round(r.changeMs),
      '= build': r.updateEqualsBuild ? 'yes' : 'NO',
    })),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const child = process.argv.indexOf('--child');
  if (child !== -1) {
    const [which, size, root] = process.argv.slice(child + 1);
    const result = which === 'previous' ? await measurePrevious(Number(size), root!) : measureThis(Number(size));
    process.stdout.write(JSON.stringify(result));
  } else {
    const sizes = process.argv
      .slice(2)
      .map(Number)
      .filter((n) => n > 0);
    printIndexBench(benchIndex(sizes.length > 0 ? sizes : undefined));
  }
}
