import type { Paper } from './paper.js';

/** Wraps a paragraph at spaces so no line is longer than `width` (a longer word stands on its own line). */
export function wrapText(text: string, width: number, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width - indent.length) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

/** One line of what a paper's footer says: date, authors or organisation, comments. */
export function describePaperMeta(paper: Paper): string {
  const parts: string[] = [];
  parts.push(paper.published ?? 'no date');
  if (paper.authors !== null) parts.push(`${paper.authors} ${paper.authors === 1 ? 'author' : 'authors'}`);
  if (paper.organization !== null) parts.push(paper.organization);
  if (paper.comments !== null) parts.push(`${paper.comments} ${paper.comments === 1 ? 'comment' : 'comments'}`);
  return parts.join(' · ');
}

/** A paper in full as plain text for a terminal: title, metadata, links and the wrapped abstract. */
export function formatPaperText(paper: Paper, width = 80): string {
  const lines = [
    wrapText(paper.title, width),
    '',
    `  id:      ${paper.id}`,
    `  meta:    ${describePaperMeta(paper)}`,
    `  source:  ${paper.source.file}:${paper.source.line}`,
  ];
  for (const [i, link] of paper.links.entries()) lines.push(`  ${i === 0 ? 'links:' : '      '}   ${link}`);
  lines.push('', wrapText(paper.abstract, width, '  ') || '  (no abstract)');
  return lines.join('\n');
}
