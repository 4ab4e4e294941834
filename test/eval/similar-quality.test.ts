import { describe, expect, it } from 'vitest';
import { evaluateSimilar, loadSimilarSet, similarEngines } from './similar-eval.js';

// Measured (npm run eval): tf-idf precision@5 0.341, recall@5 0.546, hit@5 0.882 on 34 labelled papers (106 pairs);
// BM25 title-only query 0.282 / 0.439; random 0.006. The floors sit a little below so a regression fails here.
const FLOOR = { precisionAt5: 0.3, recallAt5: 0.48, hitAt5: 0.8 };

describe('"more like this" on the labelled set', () => {
  const { papers, cases } = loadSimilarSet();
  const engines = similarEngines(papers);
  const shipped = evaluateSimilar(engines['tf-idf (shipped)']!, cases);

  it('given at least 30 labelled papers with 2–5 related papers each, then every title names exactly one paper of the corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const c of cases) expect(c.related.length).toBeGreaterThanOrEqual(2);
    for (const c of cases) expect(c.related.length).toBeLessThanOrEqual(5);
  });

  it('given the shipped tf-idf, then precision@5, recall@5 and hit@5 stay above their floors', () => {
    expect(shipped.precisionAt5).toBeGreaterThanOrEqual(FLOOR.precisionAt5);
    expect(shipped.recallAt5).toBeGreaterThanOrEqual(FLOOR.recallAt5);
    expect(shipped.hitAt5).toBeGreaterThanOrEqual(FLOOR.hitAt5);
  });

  it('given the baselines, then the shipped engine beats a title-only query and random by a clear margin', () => {
    const titleOnly = evaluateSimilar(engines['BM25 query: title only']!, cases);
    const random = evaluateSimilar(engines.random!, cases);
    expect(shipped.precisionAt5).toBeGreaterThan(titleOnly.precisionAt5);
    expect(shipped.precisionAt5).toBeGreaterThan(random.precisionAt5 * 10);
  });
});
