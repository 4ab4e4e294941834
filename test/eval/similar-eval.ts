import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeTitle, type Paper } from '../../src/core/paper.js';
import { createSearchIndex } from '../../src/core/search.js';
import { createSimilarityIndex } from '../../src/core/search/similar.js';
import { loadDistractorPapers, loadSeedPapers } from './load-corpora.js';

/** One labelled paper: the papers a researcher would call related to it. */
export interface SimilarCase {
  paper: Paper;
  related: Paper[];
}

/** Anything that answers "more like this". */
export type SimilarEngine = (paper: Paper, limit: number) => Paper[];

/** Precision and recall of the top 5, averaged over the labelled papers. */
export interface SimilarReport {
  cases: number;
  precisionAt5: number;
  recallAt5: number;
  /** Labelled papers with at least one related paper in their top 5. */
  hitAt5: number;
}

const K = 5;

/** Finds the one corpus paper whose normalised title starts with the given title start (the set names papers so). */
function findPaper(papers: readonly Paper[], titleStart: string): Paper {
  const start = normalizeTitle(titleStart);
  const found = papers.filter((p) => normalizeTitle(p.title).startsWith(start));
  if (found.length !== 1) throw new Error(`similar-set.json: "${titleStart}" names ${found.length} papers, not one`);
  return found[0]!;
}

/** The eval corpus (seed + real captures) and the labelled set resolved against it. */
export function loadSimilarSet(): { papers: Paper[]; cases: SimilarCase[] } {
  const papers = [...loadSeedPapers(), ...loadDistractorPapers()];
  const file = join(dirname(fileURLToPath(import.meta.url)), 'similar-set.json');
  const items = (JSON.parse(readFileSync(file, 'utf8')) as { items: Array<{ paper: string; related: string[] }> }).items;
  const cases = items.map((item) => ({ paper: findPaper(papers, item.paper), related: item.related.map((t) => findPaper(papers, t)) }));
  return { papers, cases };
}

/** Scores an engine on the labelled set. */
export function evaluateSimilar(engine: SimilarEngine, cases: readonly SimilarCase[]): SimilarReport {
  let precision = 0;
  let recall = 0;
  let hits = 0;
  for (const { paper, related } of cases) {
    const wanted = new Set(related.map((p) => p.id));
    const found = engine(paper, K).filter((p) => wanted.has(p.id)).length;
    precision += found / K;
    recall += found / wanted.size;
    if (found > 0) hits += 1;
  }
  return { cases: cases.length, precisionAt5: precision / cases.length, recallAt5: recall / cases.length, hitAt5: hits / cases.length };
}

/** The engines compared: the shipped tf-idf, BM25 queries through the search index, a title-only query, random. */
export function similarEngines(papers: readonly Paper[]): Record<string, SimilarEngine> {
  const tfidf = createSimilarityIndex(papers);
  const index = createSearchIndex(papers);
  const others = (paper: Paper, hits: Paper[], limit: number) => hits.filter((p) => p.id !== paper.id).slice(0, limit);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return {
    'tf-idf (shipped)': (paper, limit) => tfidf.similar(paper, limit),
    'BM25 query: title + keywords + abstract start': (paper, limit) =>
      others(
        paper,
        index.closest(`${paper.title} ${(paper.aiKeywords ?? []).join(' ')} ${paper.abstract}`, { limit: limit + 1 }).map((h) => h.paper),
        limit,
      ),
    'BM25 query: title only': (paper, limit) =>
      others(
        paper,
        index.closest(paper.title, { limit: limit + 1 }).map((h) => h.paper),
        limit,
      ),
    random: (paper, limit) =>
      others(
        paper,
        [...papers].sort(() => random() - 0.5),
        limit,
      ),
  };
}

/** Prints precision@5, recall@5 and hit@5 of every engine (`npm run eval`). */
export function runSimilarEvaluation(): Record<string, SimilarReport> {
  const { papers, cases } = loadSimilarSet();
  const pairs = cases.reduce((n, c) => n + c.related.length, 0);
  console.log(
    `\nmore like this: ${cases.length} labelled papers, ${pairs} related pairs, over ${papers.length} papers (test/eval/similar-set.json)`,
  );
  const reports: Record<string, SimilarReport> = {};
  for (const [name, engine] of Object.entries(similarEngines(papers))) {
    const report = evaluateSimilar(engine, cases);
    reports[name] = report;
    console.log(
      `  ${name.padEnd(46)} precision@5 ${report.precisionAt5.toFixed(3)}  recall@5 ${report.recallAt5.toFixed(3)}  hit@5 ${report.hitAt5.toFixed(3)}`,
    );
  }
  return reports;
}
