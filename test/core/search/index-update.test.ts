import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Paper } from '../../../src/core/paper.js';
import { createSearchIndex, updateSearchIndex } from '../../../src/core/search.js';
import { buildSearchData, updateSearchData } from '../../../src/core/search/index-data.js';
import { makePaper } from './papers.js';

const WORDS = (
  'model models modeling quantized quantization sparse attention zebra stripes (ZS) scaling laws for the of and ' +
  'retrieval augmented generation (RAG) reinforcement learning from human feedback (RLHF) 10,000 x-ray café naïve'
).split(' ');

/** A pool of papers sharing words, so that some terms are common (in 200 papers or more) and acronyms are taught. */
function makePool(size: number, seed: number): Paper[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const text = (words: number) => Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  return Array.from({ length: size }, (_, i) => {
    const paper = makePaper(
      `${text(3)} ${i}`,
      text(5 + Math.floor(random() * 20)),
      random() < 0.8 ? `2025-0${1 + (i % 9)}-1${i % 10}` : null,
      i,
    );
    return random() < 0.3 ? { ...paper, aiKeywords: [text(1), text(2)] } : paper;
  });
}

const POOL = makePool(700, 3);
const QUERIES = [
  'model',
  'quantization sparse',
  'zebra stripes',
  'rag',
  'reinforcement learning from human feedback',
  'laws 12',
  'mod',
  'cafe',
  'modle',
];

/** A corpus made from the pool: which papers, in which order, some with a changed abstract or title. */
const corpusArbitrary = fc.record({
  picks: fc.uniqueArray(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 0, maxLength: 450 }),
  changed: fc.array(fc.integer({ min: 0, max: POOL.length - 1 }), { maxLength: 8 }),
});

function makeCorpus({ picks, changed }: { picks: number[]; changed: number[] }, version: string): Paper[] {
  const edits = new Set(changed);
  return picks.map((i) =>
    edits.has(i) ? { ...POOL[i]!, abstract: `${POOL[i]!.abstract} revised ${version} zebra`, aiKeywords: [`kw ${version}`] } : POOL[i]!,
  );
}

describe('updateSearchData', () => {
  it('given any corpus changed into any other (papers added, removed, moved, edited), then the state is the one a build gives', () => {
    fc.assert(
      fc.property(corpusArbitrary, corpusArbitrary, (before, after) => {
        const first = makeCorpus(before, 'a');
        const second = makeCorpus(after, 'b');
        const updated = updateSearchData(buildSearchData(first), second);
        expect(updated.state).toEqual(buildSearchData(second).state);
      }),
      { numRuns: 25 },
    );
  });

  it('given a day appended to a corpus, then search, closest and suggest answer as an index built over the whole corpus', () => {
    const base = POOL.slice(0, 600);
    const day = POOL.slice(600);
    const updated = updateSearchIndex(createSearchIndex(base), [...base, ...day]);
    const built = createSearchIndex([...base, ...day]);
    for (const query of QUERIES) {
      expect(updated.search(query)).toEqual(built.search(query));
      expect(updated.closest(query)).toEqual(built.closest(query));
      expect(updated.suggest(query)).toEqual(built.suggest(query));
    }
    expect(updated.get(day[0]!.id)).toBe(day[0]);
  });

  it('given new upvotes only, then the index keeps its state and shows the new copies of the papers', () => {
    const base = POOL.slice(0, 50);
    const index = createSearchIndex(base);
    const upvoted = base.map((paper) => ({ ...paper, upvotes: 7 }));
    const updated = updateSearchIndex(index, upvoted);
    expect(updated.data.state).toBe(index.data.state);
    expect(updated.get(base[3]!.id)?.upvotes).toBe(7);
    expect(updated.search(base[3]!.title)[0]?.paper.upvotes).toBe(7);
  });
});
