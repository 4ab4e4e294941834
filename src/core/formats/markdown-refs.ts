import { type CorpusWarning, type Paper, paperId } from '../paper.js';
import { extractLinks } from '../corpus.js';
import { ratePaper } from './confidence.js';
import { collapseSpaces, parseCount, preview, readPageDate, restIsBlank, splitHeadLines, splitLines, unescapeMarkdown } from './text.js';
import type { CorpusFormat, FormatContext, FormatResult, ReadPaper } from './types.js';

const HEADING = /^### \[/;
const HEADING_END = /\]\[\d+\]\s*$/;
const REF_CLOSE = /^\]\[\d+\]\s*$/;
const OPEN = /^\[\s*$/;
const AUTHORS = /^[*•-]?\s*(\d+) authors?$/i;
const ORG = /^\[\[[^\]]*\]\s*(.+?)\]\[\d+\]\s*$/;
const COMMENTS_REF = /^\s*\[\s*(\d[\d,.]*k?)\s*\]\[\d+\]/i;
// A card (upvotes, heading, abstract, authors, date) spans a few hundred lines at most; past that the markup is broken.
const MAX_BLOCK_LINES = 400;
const MAX_TITLE_LINES = 6;
const WRAP_WIDTH = 120;

/**
 * (c) A reference-style markdown dump of a Daily Papers page (text browser): `[text][N]` links whose definitions
 * may be missing, hard-wrapped at 120 columns (titles included: a wrapped title continues on a `### ` line).
 * Per paper: upvotes `[` / `65` / `][35]`, `### [Title][36]`, the abstract between `[` and `][N]`, then
 * `* 3 authors` or `[[handle] Organisation][N]`, `·`, and `Mar 27 [ 2][180]`.
 */
export const markdownRefsFormat: CorpusFormat = {
  name: 'markdown-refs',
  description: 'reference-style markdown dump ([text][N] links)',
  detect(text, _fileName, headLines) {
    let headings = 0;
    let closers = 0;
    for (const line of headLines ?? splitHeadLines(text)) {
      if (HEADING.test(line)) {
        if (line.includes('](')) return 0;
        headings += 1;
      } else if (REF_CLOSE.test(line)) closers += 1;
    }
    return headings > 0 && closers > 0 ? 0.9 : 0;
  },
  parse: parseMarkdownRefs,
};

function parseMarkdownRefs(text: string, context: FormatContext): FormatResult {
  const warnings: CorpusWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ file: context.file, line, message });
  const lines = splitLines(text);
  const papers: ReadPaper[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!HEADING.test(lines[i]!)) continue;
    const card = readCard(lines, i, context, warn);
    if (card.paper) papers.push(ratePaper(card.paper));
    i = card.next - 1;
  }
  if (papers.length === 0 && warnings.length === 0) warn(1, 'no paper headings (### [Title][N]) found; nothing was read');
  return { papers, warnings };
}

function readCard(
  lines: string[],
  at: number,
  context: FormatContext,
  warn: (line: number, message: string) => void,
): { paper: Paper | null; next: number } {
  let heading = lines[at]!.slice(5);
  let end = at;
  // The dump wraps long titles too: the continuation starts with `### ` again.
  while (!HEADING_END.test(heading) && end + 1 < lines.length && end - at < MAX_TITLE_LINES && lines[end + 1]!.startsWith('### ')) {
    end += 1;
    heading += ` ${lines[end]!.slice(4)}`;
  }
  if (!HEADING_END.test(heading)) {
    warn(
      at + 1,
      restIsBlank(lines, end + 1)
        ? `the capture is cut off inside the heading "${preview(heading)}"; the paper was skipped`
        : `heading "${preview(heading)}" does not close; skipped`,
    );
    return { paper: null, next: end + 1 };
  }
  const title = collapseSpaces(unescapeMarkdown(heading.replace(HEADING_END, '')));
  const paper: Paper = {
    id: paperId(title),
    title,
    abstract: '',
    authors: null,
    organization: null,
    published: null,
    comments: null,
    links: [],
    source: { file: context.file, line: at + 1 },
  };
  const upvotes = readUpvotesBefore(lines, at);
  if (upvotes !== undefined) paper.upvotes = upvotes;

  let i = end + 1;
  for (; i < lines.length; i += 1) {
    const trimmed = lines[i]!.trim();
    if (!trimmed) continue;
    if (HEADING.test(lines[i]!)) break;
    const org = ORG.exec(trimmed);
    if (org) {
      paper.organization = collapseSpaces(unescapeMarkdown(org[1]!));
      continue;
    }
    if (trimmed === '·') {
      let d = i + 1;
      while (d < lines.length && !lines[d]!.trim()) d += 1;
      const date = d < lines.length ? readPageDate(lines[d]!.trim(), context.referenceDate) : null;
      if (date) {
        if (date.date) paper.published = date.date;
        else warn(d + 1, `"${preview(lines[d]!)}" is not a real date; the paper is kept without a date`);
        const comments = COMMENTS_REF.exec(date.rest);
        if (comments) paper.comments = parseCount(comments[1]!) ?? null;
        i = d;
      }
      continue;
    }
    if (!OPEN.test(trimmed)) continue;
    const block = readBlock(lines, i);
    if (block === 'cut') {
      warn(i + 1, `the capture is cut off inside the card of "${preview(title)}"; the paper was skipped`);
      return { paper: null, next: lines.length };
    }
    if (block === 'broken') {
      warn(i + 1, `a link in the card of "${preview(title)}" does not close; the rest of the card was skipped`);
      break;
    }
    i = block.end;
    const authors = AUTHORS.exec(block.content);
    if (authors) paper.authors = Number(authors[1]);
    else if (parseCount(block.content) !== undefined || block.content === '-') {
      // The next paper's upvote button: the card ends here.
      i = block.start;
      break;
    } else if (paper.abstract === '') {
      paper.abstract = collapseSpaces(unescapeMarkdown(block.content));
      paper.links = extractLinks(paper.abstract);
    }
  }
  return { paper, next: i };
}

/** The lines between a lone `[` and its `][N]`; `cut` when the text ends first, `broken` when the block runs on. */
function readBlock(lines: string[], at: number): { content: string; start: number; end: number } | 'cut' | 'broken' {
  const parts: string[] = [];
  for (let i = at + 1; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (REF_CLOSE.test(line)) return { content: collapseSpaces(parts.join('')), start: at, end: i };
    if (HEADING.test(line) || i - at > MAX_BLOCK_LINES) return 'broken';
    const previous = parts.length > 0 ? lines[i - 1]! : '';
    // A token longer than the wrap width (a URL) is cut mid-word: its pieces join without a space.
    parts.push(previous.length >= WRAP_WIDTH && !previous.includes(' ') ? line : `\n${line}`);
  }
  return 'cut';
}

/** `[` / `65` / `][35]` just above a heading (blank lines aside); `-` means no count. */
function readUpvotesBefore(lines: string[], at: number): number | undefined {
  let i = at - 1;
  while (i >= 0 && !lines[i]!.trim()) i -= 1;
  if (i < 2 || !REF_CLOSE.test(lines[i]!) || !OPEN.test(lines[i - 2]!)) return undefined;
  return parseCount(lines[i - 1]!.trim());
}
