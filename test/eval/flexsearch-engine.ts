import FlexSearch, { type Id } from 'flexsearch';
import type { Paper } from '../../src/core/paper.js';
import { analyzeText } from '../../src/core/text-analysis.js';
import type { RankingEngine } from './evaluate.js';

const TITLE_WEIGHT = 3;

/**
 * The comparison variant: FlexSearch indexes over title and abstract with the same tokenizer and stemmer,
 * forward (prefix) tokenization, and rank fusion because FlexSearch returns ranked ids without scores.
 */
export function createFlexSearchEngine(papers: readonly Paper[]): RankingEngine {
  const options = { tokenize: 'forward', resolution: 9, encode: analyzeText } as const;
  const titles = new FlexSearch.Index(options);
  const abstracts = new FlexSearch.Index(options);
  papers.forEach((paper, index) => {
    titles.add(index, paper.title);
    abstracts.add(index, paper.abstract);
  });
  return {
    search(query, { limit = 10 } = {}) {
      const text = query.slice(0, 300);
      const scores = new Map<number, number>();
      const fuse = (ids: readonly Id[], weight: number) =>
        ids.forEach((id, rank) => scores.set(Number(id), (scores.get(Number(id)) ?? 0) + weight / (rank + 1)));
      fuse(titles.search(text, { limit: 100, suggest: true }), TITLE_WEIGHT);
      fuse(abstracts.search(text, { limit: 100, suggest: true }), 1);
      return [...scores.entries()]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, limit)
        .map(([index, score]) => ({ paper: papers[index]!, score }));
    },
  };
}
