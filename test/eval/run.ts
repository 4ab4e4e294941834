import { createSearchIndex } from '../../src/core/search.js';
import { evaluateEngine, loadEvalQueries, type EvalReport, type RankingEngine } from './evaluate.js';
import { createFlexSearchEngine } from './flexsearch-engine.js';
import { loadDistractorPapers, loadSeedPapers } from './load-corpora.js';
import type { Paper } from '../../src/core/paper.js';

/** Runs the evaluation set over seed + real distractor papers and prints hit@1, hit@5 and MRR per engine. */
export function runEvaluation(verbose = false): Record<string, EvalReport> {
  const papers: Paper[] = [...loadSeedPapers(), ...loadDistractorPapers()];
  const queries = loadEvalQueries();
  const engines: Record<string, (papers: Paper[]) => RankingEngine> = {
    minisearch: createSearchIndex,
    flexsearch: createFlexSearchEngine,
  };
  console.log(`corpus: ${papers.length} papers (51 seed + distractors), ${queries.length} queries`);
  const reports: Record<string, EvalReport> = {};
  for (const [name, create] of Object.entries(engines)) {
    const started = performance.now();
    const engine = create(papers);
    const built = performance.now();
    const report = evaluateEngine(engine, queries, papers);
    const searched = performance.now();
    reports[name] = report;
    console.log(
      `${name.padEnd(11)} hit@1 ${report.hitAt1.toFixed(3)}  hit@5 ${report.hitAt5.toFixed(3)}  MRR ${report.mrr.toFixed(3)}` +
        `  (build ${(built - started).toFixed(0)} ms, ${((searched - built) / queries.length).toFixed(2)} ms/query)`,
    );
    const kinds = [...new Set(report.outcomes.map((o) => o.kind))];
    console.log(
      '  by kind: ' +
        kinds
          .map((kind) => {
            const of = report.outcomes.filter((o) => o.kind === kind);
            return `${kind} ${of.filter((o) => o.rank === 1).length}/${of.length}`;
          })
          .join(', '),
    );
    for (const miss of report.outcomes.filter((o) => o.rank !== 1)) {
      if (!verbose && name !== 'minisearch') continue;
      console.log(`  miss [${miss.kind}] "${miss.query}" → rank ${miss.rank ?? '>10'}; top: ${miss.top ?? '(none)'}`);
    }
  }
  return reports;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runEvaluation(process.argv.includes('--verbose'));
}
