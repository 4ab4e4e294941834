import { type CorpusWarning, type Paper, paperId } from '../paper.js';
import { extractLinks } from '../corpus.js';
import { ratePaper } from './confidence.js';
import {
  arxivIdFromUrl,
  collapseSpaces,
  paperPageUrl,
  parseCount,
  preview,
  readPageDate,
  restIsBlank,
  splitHeadLines,
  splitLines,
  unescapeMarkdown,
} from './text.js';
import type { CorpusFormat, FormatContext, FormatResult, ReadPaper } from './types.js';

const HEADING = /^### \[/;
const HEADING_CLOSED = /^### \[([^]*)\]\((https:\/\/[^()\s]+)\)\s*$/;
const UPVOTE_LINK = /^\[([\d.,]+k?|-)\]\((https:\/\/huggingface\.co\/login\?next=%2Fpapers%2F[^)\s]+)\)\s*$/i;
const LINK_END = /\]\((https?:\/\/[^()\s]+)\)\s*$/;
const AVATAR_ORG = /^!\[[^\]]*\]\([^)\s]*\)(.+)$/;
const AUTHOR_BULLETS = /(?:^|\n)\s*-\s*(\d+) authors?\s*$/i;
const COMMENTS_LINK = /^\s*\[\s*(\d[\d,.]*k?)\s*\]\(https:\/\/huggingface\.co\/papers\/[^)\s]*#community\)/i;
const PAGE_END = /^\[(?:Previous|Next)\]\(/;
// A wrapped title or a multi-line link never runs longer than this; past it the markup is broken.
const MAX_LINK_LINES = 400;
const MAX_TITLE_LINES = 6;

/**
 * (c) A markdown copy of a Daily Papers page (firecrawl-style): per paper, `[101](login-to-upvote URL)`, then
 * `### [Title](paper URL)`, the abstract as one link to the paper, the authors (`[- … - 6 authors](url)`) or an
 * organisation (`[![handle](avatar)Name](org URL)`), `·`, and `May 29[6](…#community)`.
 */
export const markdownLinksFormat: CorpusFormat = {
  name: 'markdown-links',
  description: 'markdown copy with ### [Title](url) headings',
  detect(text, _fileName, headLines) {
    let headings = 0;
    let upvotes = 0;
    for (const line of headLines ?? splitHeadLines(text)) {
      if (HEADING.test(line) && line.includes('](https://huggingface.co/papers/')) headings += 1;
      else if (UPVOTE_LINK.test(line)) upvotes += 1;
    }
    if (headings === 0) return 0;
    return upvotes > 0 ? 0.9 : 0.5;
  },
  parse: parseMarkdownLinks,
};

function parseMarkdownLinks(text: string, context: FormatContext): FormatResult {
  const warnings: CorpusWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ file: context.file, line, message });
  const lines = splitLines(text);
  const papers: ReadPaper[] = [];
  let upvotes: number | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const vote = UPVOTE_LINK.exec(line);
    if (vote) {
      upvotes = parseCount(vote[1]!);
      continue;
    }
    if (!HEADING.test(line)) continue;
    const card = readCard(lines, i, context, warn);
    if (card.paper) {
      if (upvotes !== undefined) card.paper.upvotes = upvotes;
      papers.push(ratePaper(card.paper));
    }
    upvotes = undefined;
    i = card.next - 1;
  }
  if (papers.length === 0 && warnings.length === 0) warn(1, 'no paper headings (### [Title](paper URL)) found; nothing was read');
  return { papers, warnings };
}

interface Card {
  paper: Paper | null;
  /** Index of the first line after the card. */
  next: number;
}

function readCard(lines: string[], at: number, context: FormatContext, warn: (line: number, message: string) => void): Card {
  // Long titles wrap onto the next lines before the link closes.
  let heading = lines[at]!;
  let end = at;
  while (!HEADING_CLOSED.test(heading) && end + 1 < lines.length && end - at < MAX_TITLE_LINES && lines[end + 1]!.trim()) {
    end += 1;
    heading += `\n${lines[end]!}`;
  }
  const match = HEADING_CLOSED.exec(heading);
  if (!match) {
    if (restIsBlank(lines, end + 1))
      warn(at + 1, `the capture is cut off inside the heading "${preview(heading.slice(4))}"; the paper was skipped`);
    else warn(at + 1, `heading "${preview(heading.slice(4))}" has no link to the paper; skipped`);
    return { paper: null, next: end + 1 };
  }
  const title = collapseSpaces(unescapeMarkdown(match[1]!));
  const url = match[2]!;
  const arxivId = arxivIdFromUrl(url);
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
  if (arxivId) {
    paper.arxivId = arxivId;
    paper.url = paperPageUrl(arxivId);
  }

  let i = end + 1;
  for (; i < lines.length; i += 1) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (HEADING.test(line) || UPVOTE_LINK.test(line) || PAGE_END.test(line)) break;
    if (trimmed === '·') {
      let d = i + 1;
      while (d < lines.length && !lines[d]!.trim()) d += 1;
      const dateLine = lines[d];
      const date = dateLine === undefined ? null : readPageDate(dateLine.trim(), context.referenceDate);
      if (date) {
        if (date.date) paper.published = date.date;
        else warn(d + 1, `"${preview(dateLine!)}" is not a real date; the paper is kept without a date`);
        const comments = COMMENTS_LINK.exec(date.rest);
        if (comments) paper.comments = parseCount(comments[1]!) ?? null;
        i = d;
      }
      continue;
    }
    if (!trimmed.startsWith('[')) continue;
    const block = readLinkBlock(lines, i);
    if (block === 'cut') {
      warn(i + 1, `the capture is cut off inside the card of "${preview(title)}"; the paper was skipped`);
      return { paper: null, next: lines.length };
    }
    if (block === 'broken') {
      warn(i + 1, `a link in the card of "${preview(title)}" does not close; the rest of the card was skipped`);
      break;
    }
    i = block.end;
    readBlock(block.content, block.url, paper);
  }
  return { paper, next: i };
}

/** A `[` … `](url)` link over one or more lines; `cut` when the text ends inside it, `broken` when a blank line does. */
function readLinkBlock(lines: string[], at: number): { content: string; url: string; end: number } | 'cut' | 'broken' {
  const parts: string[] = [];
  for (let i = at; i < lines.length; i += 1) {
    const line = i === at ? lines[i]!.trimStart().slice(1) : lines[i]!;
    // A blank line ends a markdown paragraph, and with it any link that was open.
    if (i > at && !line.trim()) return restIsBlank(lines, i) ? 'cut' : 'broken';
    const close = LINK_END.exec(line);
    if (close) {
      parts.push(line.slice(0, close.index));
      return { content: parts.join('\n'), url: close[1]!, end: i };
    }
    parts.push(line);
    if (i - at >= MAX_LINK_LINES) return 'broken';
  }
  return 'cut';
}

/** Sorts a link block into the abstract, the author count or the organisation. */
function readBlock(content: string, url: string, paper: Paper): void {
  const authors = /^\s*-/.test(content) ? AUTHOR_BULLETS.exec(content) : null;
  if (authors) {
    paper.authors = Number(authors[1]);
    return;
  }
  const org = AVATAR_ORG.exec(content.trim());
  if (org && !content.includes('\n')) {
    paper.organization = collapseSpaces(unescapeMarkdown(org[1]!));
    return;
  }
  if (paper.abstract === '' && arxivIdFromUrl(url) === paper.arxivId) {
    paper.abstract = collapseSpaces(unescapeMarkdown(content));
    paper.links = extractLinks(paper.abstract);
  }
}
