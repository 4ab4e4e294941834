import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paperId, type Paper } from '../../src/core/paper.js';

/** One evaluation query: what a user types and the title of the paper it should find. */
export interface EvalQuery {
  query: string;
  kind: string;
  title: string;
}

/** Anything that ranks papers for a query (the production engine and the comparison variants). */
export interface RankingEngine {
  search(query: string, options?: { limit?: number }): Array<{ paper: Paper }>;
}

/** Where each query's expected paper landed (1-based rank, or null when not in the top 10). */
export interface QueryOutcome extends EvalQuery {
  rank: number | null;
  top: string | null;
}

/** The summary numbers of one engine over the evaluation set. */
export interface EvalReport {
  queries: number;
  hitAt1: number;
  hitAt5: number;
  mrr: number;
  outcomes: QueryOutcome[];
}

const CUTOFF = 10;

/** The main evaluation set (seed papers only; the vitest floors guard it). */
export const MAIN_SET = 'queries.json';
/** The held-out harder set (paraphrases, typos, questions; mostly real distractor papers); measured, not guarded. */
export const HARD_SET = 'queries-hard.json';

/** Queries that no paper answers (hostile strings, off-topic words, random letters): the relevance floor's other side. */
export const GARBAGE_SET = 'queries-garbage.json';

/** A query that should get no answer, and what kind of garbage it is. */
export interface GarbageQuery {
  query: string;
  kind: string;
}

/** Reads the garbage set kept next to this file. */
export function loadGarbageQueries(): GarbageQuery[] {
  return JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), GARBAGE_SET), 'utf8')) as GarbageQuery[];
}

/** The queries an engine answers with at least one paper, each with the paper it puts first. */
export function findAnswered(engine: RankingEngine, queries: ReadonlyArray<{ query: string }>): Array<{ query: string; top: string }> {
  return queries.flatMap(({ query }) => {
    const [best] = engine.search(query, { limit: 1 });
    return best ? [{ query, top: best.paper.title }] : [];
  });
}

/** Reads an evaluation set kept next to this file (the main set unless another file name is given). */
export function loadEvalQueries(name: string = MAIN_SET): EvalQuery[] {
  const file = join(dirname(fileURLToPath(import.meta.url)), name);
  return JSON.parse(readFileSync(file, 'utf8')) as EvalQuery[];
}

/** Runs every query through the engine and scores hit@1, hit@5 and MRR (cut off at rank 10). */
export function evaluateEngine(engine: RankingEngine, queries: readonly EvalQuery[], papers: readonly Paper[]): EvalReport {
  const ids = new Set(papers.map((paper) => paper.id));
  const outcomes = queries.map((query): QueryOutcome => {
    const expected = paperId(query.title);
    if (!ids.has(expected)) throw new Error(`evaluation title not in corpus: ${query.title}`);
    const hits = engine.search(query.query, { limit: CUTOFF });
    const position = hits.findIndex((hit) => hit.paper.id === expected);
    return { ...query, rank: position >= 0 ? position + 1 : null, top: hits[0]?.paper.title ?? null };
  });
  const count = outcomes.length;
  const hitAt = (k: number) => outcomes.filter((o) => o.rank !== null && o.rank <= k).length / count;
  const mrr = outcomes.reduce((sum, o) => sum + (o.rank ? 1 / o.rank : 0), 0) / count;
  return { queries: count, hitAt1: hitAt(1), hitAt5: hitAt(5), mrr, outcomes };
}
