import { describe, expect, it } from 'vitest';
import { createSearchIndex } from '../../src/core/search.js';
import { evaluateEngine, loadEvalQueries } from './evaluate.js';
import { loadDistractorPapers, loadSeedPapers } from './load-corpora.js';

// Measured: hit@1 1.000, hit@5 1.000, MRR 1.000 (95 queries, 51 seed + 487 real distractor papers). The held-out
// hard set (queries-hard.json) is measured by `npm run eval`, not guarded here.
// The floors sit a little below so that a ranking regression fails here rather than in a Discord channel.
const FLOOR = { hitAt1: 0.95, hitAt5: 0.98, mrr: 0.96 };

describe('search quality on the evaluation set', () => {
  const papers = [...loadSeedPapers(), ...loadDistractorPapers()];
  const report = evaluateEngine(createSearchIndex(papers), loadEvalQueries(), papers);
  const misses = report.outcomes.filter((o) => o.rank !== 1).map((o) => `${o.query} → ${o.rank ?? '>10'}`);

  it('given the real captures as distractors, then hundreds of them are read besides the 51 seed papers', () => {
    // Without ../shared (e.g. inside a container build) the set still runs on the seed alone.
    expect(papers.length === 51 || papers.length > 500).toBe(true);
  });

  it('given at least 40 queries as users type them, then hit@1, hit@5 and MRR stay above their floors', () => {
    expect(report.queries).toBeGreaterThanOrEqual(40);
    expect(report.hitAt1, misses.join('\n')).toBeGreaterThanOrEqual(FLOOR.hitAt1);
    expect(report.hitAt5, misses.join('\n')).toBeGreaterThanOrEqual(FLOOR.hitAt5);
    expect(report.mrr, misses.join('\n')).toBeGreaterThanOrEqual(FLOOR.mrr);
  });
});
