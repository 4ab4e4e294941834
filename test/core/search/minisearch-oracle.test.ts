import fc from 'fast-check';
import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import type { Paper } from '../../../src/core/paper.js';
import { KEYWORDS_BOOST, TITLE_BOOST } from '../../../src/core/search/bm25.js';
import { buildSearchData, type SearchData } from '../../../src/core/search/index-data.js';
import { parseQuery } from '../../../src/core/search/query.js';
import { createScoreBoard, scorePool } from '../../../src/core/search/score.js';
import { forEachBit } from '../../../src/core/search/bitset.js';
import { analyzeText } from '../../../src/core/text-analysis.js';
import { makePaper } from './papers.js';

// Rare terms used to be scored by MiniSearch; the postings that replaced it must give the very same numbers (the
// eval figures and every ranking stay as they were). MiniSearch, fed the rare terms as before, is the oracle.

const WORDS = 'model models quantized sparse attention zebra stripes scaling laws retrieval the of x-ray 10,000 café learning'.split(' ');

function oracleScores(data: SearchData, query: string): Map<number, number> {
  const mini = new MiniSearch<{ id: number; title: string; abstract: string; keywords: string }>({
    fields: ['title', 'abstract', 'keywords'],
    tokenize: (text) => (text ? text.split(' ') : []),
    processTerm: (term) => term,
    searchOptions: {
      tokenize: (text) => (text ? text.split(' ') : []),
      processTerm: (term) => term,
      boost: { title: TITLE_BOOST, keywords: KEYWORDS_BOOST },
    },
  });
  const rare = (text: string) =>
    analyzeText(text)
      .filter((term) => !data.common.has(term))
      .join(' ');
  data.docs.forEach((paper, id) =>
    mini.add({
      id,
      title: rare(paper.title),
      abstract: rare(paper.abstract.slice(0, 4000)),
      keywords: rare((paper.aiKeywords ?? []).join(' · ')),
    }),
  );
  const parsed = parseQuery(query, data.words);
  const selective = [...parsed.terms.keys()].filter((term) => !data.common.has(term));
  const scores = new Map<number, number>();
  if (selective.length === 0) return scores;
  for (const result of mini.search(selective.join(' '), { boostTerm: (term) => parsed.terms.get(term)?.weight ?? 0 })) {
    scores.set(result.id as number, result.score / Math.max(1, result.queryTerms.length));
  }
  return scores;
}

function ourScores(data: SearchData, query: string): Map<number, number> {
  const board = createScoreBoard(data.count);
  const parsed = parseQuery(query, data.words);
  // Only rare terms: a query of common words adds bitset scores on top, which MiniSearch never computed.
  const rare = { ...parsed, terms: new Map([...parsed.terms].filter(([term]) => !data.common.has(term))) };
  const scores = new Map<number, number>();
  forEachBit(scorePool(data, board, rare, 10, false), (index) => scores.set(index, board.scores[index]!));
  return scores;
}

describe('rare-term scores', () => {
  it('given random papers and queries, then every paper scores exactly what MiniSearch scored', () => {
    const paper = fc
      .tuple(
        fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(...WORDS), { maxLength: 30 }),
        fc.array(fc.constantFrom(...WORDS), { maxLength: 3 }),
      )
      .map(([title, abstract, keywords]): Omit<Paper, 'id'> & { keywords: string[] } => ({
        ...makePaper(title.join(' '), abstract.join(' ')),
        keywords,
      }));
    fc.assert(
      fc.property(
        fc.array(paper, { minLength: 1, maxLength: 60 }),
        fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }),
        (drafts, query) => {
          const papers = drafts.map((draft, i) => {
            const { keywords, ...rest } = draft;
            const paper = { ...makePaper(`${rest.title} ${i}`, rest.abstract, null, i) };
            return keywords.length > 0 ? { ...paper, aiKeywords: keywords } : paper;
          });
          const data = buildSearchData(papers);
          const text = `${query.join(' ')} `;
          expect(ourScores(data, text)).toEqual(oracleScores(data, text));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('given common terms in the corpus, then the rare terms still score as MiniSearch scored them over the rare terms', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const some = (count: number) => Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
    // Field lengths vary at random: MiniSearch's running average then differs from a plain mean in its last bits.
    const papers = Array.from({ length: 320 }, (_, i) =>
      makePaper(`Model ${some(1 + Math.floor(random() * 4))} ${i}`, `${some(Math.floor(random() * 25))} zebra${i % 7}`, null, i),
    );
    const data = buildSearchData(papers);
    expect(data.common.size).toBeGreaterThan(0);
    for (const query of ['zebra3 stripes ', 'sparse attention zebra1 ', 'scaling laws ', 'quantized zebra6 x-ray ']) {
      expect(ourScores(data, query)).toEqual(oracleScores(data, query));
    }
  });
});
