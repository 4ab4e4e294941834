import { formatCount, readCount, readPaperLinks, TLDR_LABEL } from './format.js';
import { readSafeUrl } from './markdown.js';
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

// Terminal control sequences (ESC, BEL, C1) and invisible characters in corpus text must not reach a terminal.
const UNPRINTABLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/g;
const NAMES_SHOWN = 10;

/** Corpus text as a terminal may print it: no control or invisible characters, one line. */
function plain(text: string): string {
  return text.replace(UNPRINTABLE, ' ').replace(/\s+/g, ' ').trim();
}

/** One line of what a paper's footer says: date, authors or organisation, upvotes, comments. */
export function describePaperMeta(paper: Paper): string {
  const parts: string[] = [];
  parts.push(paper.published ?? 'no date');
  if (paper.authors !== null) parts.push(`${paper.authors} ${paper.authors === 1 ? 'author' : 'authors'}`);
  if (paper.organization !== null) parts.push(plain(paper.organization));
  const upvotes = readCount(paper.upvotes);
  if (upvotes !== null) parts.push(`${formatCount(upvotes)} ${upvotes === 1 ? 'upvote' : 'upvotes'}`);
  if (paper.comments !== null) parts.push(`${paper.comments} ${paper.comments === 1 ? 'comment' : 'comments'}`);
  return parts.join(' · ');
}

/**
 * A paper in full as plain text for a terminal: title, metadata, authors, links (paper page, arXiv, PDF, code with
 * stars, project page), keywords, the AI summary labelled as such, and the wrapped abstract.
 */
export function formatPaperText(paper: Paper, width = 80): string {
  const links = readPaperLinks(paper);
  const line = (label: string, value: string) => wrapText(value, width, ' '.repeat(12)).replace(/^ {12}/, `  ${`${label}:`.padEnd(10)}`);
  const lines = [wrapText(plain(paper.title), width), '', line('id', paper.id), line('meta', describePaperMeta(paper))];
  const names = Array.isArray(paper.authorNames)
    ? paper.authorNames
        .filter((n): n is string => typeof n === 'string')
        .map(plain)
        .filter(Boolean)
    : [];
  if (names.length > 0) {
    const more = Math.max(readCount(paper.authors) ?? 0, names.length) - Math.min(names.length, NAMES_SHOWN);
    lines.push(line('authors', `${names.slice(0, NAMES_SHOWN).join(', ')}${more > 0 ? ` +${more} more` : ''}`));
  }
  if (typeof paper.addedAt === 'string') lines.push(line('added', `${plain(paper.addedAt)} (to Daily Papers)`));
  // The search fallback is no address of the paper: only a page the paper really has is listed.
  if (links.abstract || readSafeUrl(paper.url)) lines.push(line('page', links.page));
  if (links.abstract) lines.push(line('arXiv', links.abstract));
  if (links.pdf) lines.push(line('PDF', links.pdf));
  if (links.code) {
    const stars = readCount(paper.githubStars);
    lines.push(line('code', `${links.code}${stars === null ? '' : ` (★ ${formatCount(stars)})`}`));
  }
  if (links.project) lines.push(line('project', links.project));
  const keywords = Array.isArray(paper.aiKeywords)
    ? paper.aiKeywords
        .filter((k): k is string => typeof k === 'string')
        .map(plain)
        .filter(Boolean)
    : [];
  if (keywords.length > 0) lines.push(line('keywords', `${keywords.join(', ')} (AI-generated)`));
  lines.push(line('source', `${paper.source.file}:${paper.source.line}`));
  const shown = new Set([links.code, links.project]);
  const others = paper.links.filter((link) => !shown.has(readSafeUrl(link, { allowHttp: true }) ?? undefined));
  for (const [i, link] of others.entries()) lines.push(`  ${(i === 0 ? 'links:' : '').padEnd(10)}${plain(link)}`);
  const summary = typeof paper.aiSummary === 'string' ? plain(paper.aiSummary) : '';
  if (summary) lines.push('', wrapText(`${TLDR_LABEL} ${summary}`, width, '  '));
  lines.push('', wrapText(plain(paper.abstract), width, '  ') || '  (no abstract)');
  return lines.join('\n');
}
