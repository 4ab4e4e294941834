import { createRequire } from 'node:module';
import type { Paper } from '../../src/core/paper.js';
import { createSearchIndex, type SearchIndex } from '../../src/core/search.js';
import { parseQuery } from '../../src/core/search/query.js';
import { analyzeText } from '../../src/core/text-analysis.js';
import { evaluateEngine, HARD_SET, loadEvalQueries, type EvalReport, type RankingEngine } from '../eval/evaluate.js';
import { loadDistractorPapers, loadSeedPapers } from '../eval/load-corpora.js';
import { percentile } from '../support/stats.js';
import { generateQueries, generateSearchCorpus } from './search-bench.js';

// SQLite FTS5 as the index, with Paperboy's analysis in front: papers are indexed by the same terms (stems,
// compounds, British spellings), a query is read by the same parser (typo fixes, completions, acronyms), and FTS5
// ranks with its BM25, title 4×, keywords 1.5× (the weights of the in-memory index). What it cannot take is the
// in-memory ranking's own logic (coverage of the typed words, exact titles and phrases first, per-term weights).

type Database = {
  exec(sql: string): void;
  prepare(sql: string): { run(...args: unknown[]): unknown; all(...args: unknown[]): Array<Record<string, unknown>> };
  transaction<T>(fn: () => T): () => T;
  close(): void;
};

/** better-sqlite3, when installed (the SQLite store brings it); null otherwise. */
function openSqlite(): (new (path: string) => Database) | null {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as new (path: string) => Database;
  } catch {
    return null;
  }
}

/** An FTS5 engine over the papers, reading queries with the lexicon of an in-memory index over the same papers. */
function createFts5Engine(
  Sqlite: new (path: string) => Database,
  papers: readonly Paper[],
  lexicon: SearchIndex,
): RankingEngine & { close(): void } {
  const db = new Sqlite(':memory:');
  // Terms are written as opaque tokens (`t12`): FTS5's own tokenizer would split `zebra-llama` or `llm.int8`.
  const tokens = new Map<string, string>();
  const token = (term: string) => {
    let id = tokens.get(term);
    if (!id) tokens.set(term, (id = `t${tokens.size.toString(36)}`));
    return id;
  };
  const field = (text: string) => analyzeText(text).map(token).join(' ');
  db.exec("CREATE VIRTUAL TABLE papers USING fts5(title, abstract, keywords, tokenize = 'ascii')");
  const insert = db.prepare('INSERT INTO papers(rowid, title, abstract, keywords) VALUES (?, ?, ?, ?)');
  db.transaction(() =>
    papers.forEach((paper, i) =>
      insert.run(i, field(paper.title), field(paper.abstract.slice(0, 4000)), field((paper.aiKeywords ?? []).join(' · '))),
    ),
  )();
  const select = db.prepare('SELECT rowid FROM papers WHERE papers MATCH ? ORDER BY bm25(papers, 4.0, 1.0, 1.5) LIMIT ?');
  return {
    search(query, options = {}) {
      const terms = [...parseQuery(query, lexicon.data.words).terms.keys()].filter((term) => tokens.has(term));
      if (terms.length === 0) return [];
      const rows = select.all(terms.map((term) => tokens.get(term)!).join(' OR '), options.limit ?? 10);
      return rows.map((row) => ({ paper: papers[row.rowid as number]! }));
    },
    close: () => db.close(),
  };
}

/** One engine's quality on the evaluation sets. */
export interface Fts5QualityRow {
  engine: string;
  main: EvalReport;
  hard: EvalReport;
}

/** One engine's speed on a generated corpus. */
export interface Fts5SpeedRow {
  engine: string;
  papers: number;
  buildMs: number;
  searchP50: number;
  searchP99: number;
}

/** Quality (eval sets) and speed (generated corpora) of FTS5 beside the in-memory index; null without SQLite. */
export function benchFts5(sizes: readonly number[] = [10_000, 100_000]): { quality: Fts5QualityRow[]; speed: Fts5SpeedRow[] } | null {
  const Sqlite = openSqlite();
  if (!Sqlite) return null;
  const papers = [...loadSeedPapers(), ...loadDistractorPapers()];
  const queries = loadEvalQueries();
  const hard = loadEvalQueries(HARD_SET);
  const index = createSearchIndex(papers);
  const fts5 = createFts5Engine(Sqlite, papers, index);
  const quality = [
    { engine: 'in-memory index', main: evaluateEngine(index, queries, papers), hard: evaluateEngine(index, hard, papers) },
    { engine: 'SQLite FTS5', main: evaluateEngine(fts5, queries, papers), hard: evaluateEngine(fts5, hard, papers) },
  ];
  fts5.close();
  const speed: Fts5SpeedRow[] = [];
  for (const size of sizes) {
    const corpus = generateSearchCorpus(size);
    const { search } = generateQueries(corpus, 2000);
    let started = performance.now();
    const memory = createSearchIndex(corpus);
    const memoryMs = performance.now() - started;
    started = performance.now();
    const engine = createFts5Engine(Sqlite, corpus, memory);
    const ftsMs = performance.now() - started;
    const time = (run: (query: string) => unknown) => {
      for (const query of search.slice(0, 200)) run(query);
      const times = search.map((query) => {
        const at = performance.now();
        run(query);
        return performance.now() - at;
      });
      return { p50: percentile(times, 50) ?? NaN, p99: percentile(times, 99) ?? NaN };
    };
    const ours = time((query) => memory.search(query));
    const theirs = time((query) => engine.search(query));
    speed.push({ engine: 'in-memory index', papers: size, buildMs: memoryMs, searchP50: ours.p50, searchP99: ours.p99 });
    speed.push({ engine: 'SQLite FTS5', papers: size, buildMs: ftsMs, searchP50: theirs.p50, searchP99: theirs.p99 });
    engine.close();
  }
  return { quality, speed };
}

/** Prints both tables, or why they are missing. */
export function printFts5Bench(result: ReturnType<typeof benchFts5>): void {
  console.log('\n## SQLite FTS5 beside the in-memory index (same analysis and query reading in front)');
  if (!result) {
    console.log('skipped: better-sqlite3 is not installed (the SQLite state store brings it).');
    return;
  }
  console.table(
    result.quality.map((r) => ({
      engine: r.engine,
      'hit@1': r.main.hitAt1.toFixed(3),
      'hit@5': r.main.hitAt5.toFixed(3),
      MRR: r.main.mrr.toFixed(3),
      'hard hit@1': r.hard.hitAt1.toFixed(3),
      'hard hit@5': r.hard.hitAt5.toFixed(3),
      'hard MRR': r.hard.mrr.toFixed(3),
    })),
  );
  console.table(
    result.speed.map((r) => ({
      engine: r.engine,
      papers: r.papers,
      'build ms': Math.round(r.buildMs),
      'search p50 ms': r.searchP50.toFixed(2),
      'search p99 ms': r.searchP99.toFixed(2),
    })),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) printFts5Bench(benchFts5());
