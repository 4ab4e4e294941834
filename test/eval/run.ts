import { createSearchIndex } from '../../src/core/search.js';
import {
  evaluateEngine,
  findAnswered,
  HARD_SET,
  loadEvalQueries,
  loadGarbageQueries,
  type EvalQuery,
  type EvalReport,
  type RankingEngine,
} from './evaluate.js';
import { createFlexSearchEngine } from './flexsearch-engine.js';
import { loadDistractorPapers, loadSeedPapers } from './load-corpora.js';
import { runSimilarEvaluation } from './similar-eval.js';
import { paperId, type Paper } from '../../src/core/paper.js';

/** One engine's reports: the main set, and the held-out hard set (null when its papers are not in the corpus). */
export interface EngineReports {
  main: EvalReport;
  hard: EvalReport | null;
  /** Real queries (both sets) answered at all, and garbage queries answered: the two sides of the relevance floor. */
  realAnswered: number;
  garbageAnswered: number;
}

/**
 * Runs the main evaluation set, then the held-out hard set, over seed + real distractor papers and prints
 * hit@1, hit@5 and MRR per engine. Misses are listed for our engine (for every engine with `verbose`).
 */
export function runEvaluation(verbose = false): Record<string, EngineReports> {
  const seed = loadSeedPapers();
  const papers: Paper[] = [...seed, ...loadDistractorPapers()];
  const queries = loadEvalQueries();
  const hardQueries = loadEvalQueries(HARD_SET);
  const garbage = loadGarbageQueries();
  const ids = new Set(papers.map((paper) => paper.id));
  const seedIds = new Set(seed.map((paper) => paper.id));
  const absent = hardQueries.filter((query) => !ids.has(paperId(query.title)));
  // Most of the hard set targets the real captures (test/fixtures/real): it runs only when all its papers are there.
  const hard = absent.length === 0 ? hardQueries : null;
  const engines: Record<string, (papers: Paper[]) => RankingEngine> = {
    minisearch: createSearchIndex,
    flexsearch: createFlexSearchEngine,
  };
  console.log(`corpus: ${papers.length} papers (51 seed + distractors), ${queries.length} queries`);
  if (hard) {
    const onSeed = hard.filter((query) => seedIds.has(paperId(query.title))).length;
    console.log(`hard set: ${hard.length} held-out queries (${hard.length - onSeed} on real distractor papers, ${onSeed} on seed papers)`);
  } else {
    console.log(`hard set: skipped, ${absent.length} of its ${hardQueries.length} expected papers are not in the corpus`);
  }
  const reports: Record<string, EngineReports> = {};
  for (const [name, create] of Object.entries(engines)) {
    const listMisses = verbose || name === 'minisearch';
    const started = performance.now();
    const engine = create(papers);
    const built = performance.now();
    const report = evaluateEngine(engine, queries, papers);
    const searched = performance.now();
    printReport(
      `${name.padEnd(11)} `,
      report,
      `(build ${(built - started).toFixed(0)} ms, ${((searched - built) / queries.length).toFixed(2)} ms/query)`,
      listMisses,
    );
    let hardReport: EvalReport | null = null;
    if (hard) {
      const hardStarted = performance.now();
      hardReport = evaluateEngine(engine, hard, papers);
      const hardSearched = performance.now();
      printReport(
        `${name.padEnd(11)} hard set  `,
        hardReport,
        `(${((hardSearched - hardStarted) / hard.length).toFixed(2)} ms/query)`,
        listMisses,
      );
    }
    const real = [...queries, ...(hard ?? [])];
    const realAnswered = findAnswered(engine, real).length;
    const garbageAnswered = findAnswered(engine, garbage);
    console.log(
      `${name.padEnd(11)} relevance floor: answers ${realAnswered}/${real.length} real queries, ${garbageAnswered.length}/${garbage.length} garbage queries (test/eval/queries-garbage.json)`,
    );
    if (listMisses) for (const answered of garbageAnswered) console.log(`  answered garbage "${answered.query}" → ${answered.top}`);
    reports[name] = { main: report, hard: hardReport, realAnswered, garbageAnswered: garbageAnswered.length };
  }
  return reports;
}

/** Prints one engine's numbers on one set: the summary line, hit@1 per kind, then (optionally) every query not ranked first. */
function printReport(label: string, report: EvalReport, timing: string, listMisses: boolean): void {
  console.log(`${label}hit@1 ${report.hitAt1.toFixed(3)}  hit@5 ${report.hitAt5.toFixed(3)}  MRR ${report.mrr.toFixed(3)}  ${timing}`);
  console.log(`  by kind: ${byKind(report.outcomes)}`);
  if (!listMisses) return;
  for (const miss of report.outcomes.filter((o) => o.rank !== 1)) {
    console.log(`  miss [${miss.kind}] "${miss.query}" → rank ${miss.rank ?? '>10'}; top: ${miss.top ?? '(none)'}`);
  }
}

function byKind(outcomes: ReadonlyArray<EvalQuery & { rank: number | null }>): string {
  const kinds = [...new Set(outcomes.map((o) => o.kind))];
  return kinds
    .map((kind) => {
      const of = outcomes.filter((o) => o.kind === kind);
      return `${kind} ${of.filter((o) => o.rank === 1).length}/${of.length}`;
    })
    .join(', ');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runEvaluation(process.argv.includes('--verbose'));
  runSimilarEvaluation();
}
