import type { CorpusWarning, Paper } from './paper.js';
import type { ParsedCorpus } from './corpus.js';

/**
 * Joins the papers of several files in order; the same paper (same id) twice is one paper: the first occurrence
 * wins and every later one becomes a warning that names where the kept copy is.
 */
export function mergeCorpora(parts: readonly ParsedCorpus[]): ParsedCorpus {
  const seen = new Map<string, Paper>();
  const papers: Paper[] = [];
  const warnings: CorpusWarning[] = [];
  for (const part of parts) {
    const partWarnings = [...part.warnings];
    for (const paper of part.papers) {
      const kept = seen.get(paper.id);
      if (kept) {
        partWarnings.push({
          file: paper.source.file,
          line: paper.source.line,
          message: `duplicate of "${kept.title}" (${kept.source.file}:${kept.source.line}); the first copy is kept`,
        });
        continue;
      }
      seen.set(paper.id, paper);
      papers.push(paper);
    }
    warnings.push(...partWarnings.sort((a, b) => a.line - b.line));
  }
  return { papers, warnings };
}
