import { createHash } from 'node:crypto';
import type { Paper } from '../paper.js';
import { indexedTexts } from './analysis.js';

/**
 * A digest of everything the index reads from the papers (ids, titles, indexed abstracts, keywords, dates, in
 * order): a stored index is used only for papers with the same digest.
 */
export function digestIndexedPapers(papers: readonly Paper[]): string {
  const hash = createHash('sha256');
  const seen = new Set<string>();
  for (const paper of papers) {
    // Later copies of an id are not indexed (see dedupePapers).
    if (seen.has(paper.id)) continue;
    seen.add(paper.id);
    const [title, abstract, keywords] = indexedTexts(paper);
    hash.update(`${paper.id}\u0000${title}\u0000${abstract}\u0000${keywords}\u0000${paper.published ?? '\u0001'}\u0000`);
  }
  return hash.digest('hex');
}
