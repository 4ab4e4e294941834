import { type Paper, foldText, normalizeTitle } from './paper.js';

/**
 * The papers a person means by an id or some words of a title, best first: the exact id, then the exact title,
 * then titles holding every word (earlier and shorter titles first).
 */
export function findPaper(papers: readonly Paper[], query: string): Paper[] {
  const text = query.trim();
  const byId = papers.find((p) => p.id === text);
  if (byId) return [byId];
  const wanted = normalizeTitle(text);
  if (!wanted) return [];
  const exact = papers.filter((p) => normalizeTitle(p.title) === wanted);
  if (exact.length > 0) return exact;
  const words = wanted.split(' ');
  return papers
    .map((paper) => ({ paper, title: ` ${normalizeTitle(paper.title)} `, abstract: foldText(paper.abstract) }))
    .filter(({ title, abstract }) => words.every((w) => title.includes(w) || abstract.includes(w)))
    .map(({ paper, title }) => ({ paper, inTitle: words.filter((w) => title.includes(` ${w}`)).length }))
    .sort((a, b) => b.inTitle - a.inTitle || a.paper.title.length - b.paper.title.length)
    .map(({ paper }) => paper);
}
