import { type CorpusWarning, type Paper, normalizeTitle, paperId } from '../paper.js';
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
  toHttpsUrl,
  unescapeMarkdown,
} from './text.js';
import type { CorpusFormat, FormatContext, FormatResult, ReadPaper } from './types.js';

const HEADING = /^### \[/;
const HEADING_CLOSED = /^### \[([^]*)\]\((https:\/\/[^()\s]+)\)\s*$/;
// Lines that end a card: the next card's submitter block, anchor or heading.
const CARD_END = /^(?:Submitted by\s*$|<a id=|### \[)/;
// Lines after the abstract: author bullets, organisation, date, upvote button, links, image placeholders.
const FOOTER_START = /^(?:-(?:\s|$)|\[\[|·|\[Upvote|\[GitHub|\[arXiv Page\]|\[图片|\[image)/i;
const AUTHORS = /^-\s*(\d+) authors?\s*$/i;
const ORG = /^\[\[[^\]]*\]\s*([^\]]*)\]\((https:\/\/[^)\s]+)\)\s*(?:·\s*(.*))?$/;
const DATE = /^·\s*(.*)$/;
const UPVOTE_COUNT = /^([\d.,]+k?|-)\]\(https:\/\/huggingface\.co\/login\?next=%2Fpapers%2F[^)\s]+\)/i;
const GITHUB = /\[GitHub\s*([\d.,]*k?)\]\((https:\/\/[^)\s]+)\)/i;
const ARXIV_PAGE = /\[arXiv Page\]\((https?:\/\/[^)\s]+)\)/i;
const MAX_TITLE_LINES = 6;

/**
 * (d) An HTML page converted to markdown (`structured-html-v2`-style), as the trending page gives it: every card
 * twice (desktop and mobile), `### [Title](paper URL)`, an abstract snippet, `- N authors` or an organisation with
 * `· Published on Oct 4, 2026`, `[Upvote` / `117](login URL)`, and `[GitHub 131](repo) [arXiv Page](abs URL)`.
 * Image placeholders (`[图片：无替代文本]`) and anchors are ignored; the two copies of a card become one paper.
 */
export const htmlMarkdownFormat: CorpusFormat = {
  name: 'html-markdown',
  description: 'HTML page converted to markdown (trending cards)',
  detect(text, _fileName, headLines) {
    let headings = 0;
    let buttons = 0;
    for (const line of headLines ?? splitHeadLines(text)) {
      if (HEADING.test(line)) headings += 1;
      else if (line.startsWith('[Upvote') || line.includes('[arXiv Page](')) buttons += 1;
    }
    return headings > 0 && buttons > 0 ? 0.95 : 0;
  },
  parse: parseHtmlMarkdown,
};

function parseHtmlMarkdown(text: string, context: FormatContext): FormatResult {
  const warnings: CorpusWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ file: context.file, line, message });
  const lines = splitLines(text);
  const papers: Paper[] = [];
  const byKey = new Map<string, Paper>();
  for (let i = 0; i < lines.length; i += 1) {
    if (!HEADING.test(lines[i]!)) continue;
    const card = readCard(lines, i, context, warn);
    i = card.next - 1;
    if (!card.paper) continue;
    const key = card.paper.arxivId ?? normalizeTitle(card.paper.title);
    const kept = byKey.get(key);
    if (kept) mergeInto(kept, card.paper);
    else {
      byKey.set(key, card.paper);
      papers.push(card.paper);
    }
  }
  if (papers.length === 0 && warnings.length === 0) warn(1, 'no paper headings (### [Title](paper URL)) found; nothing was read');
  return { papers: papers.map((paper): ReadPaper => ratePaper(paper)), warnings };
}

function readCard(
  lines: string[],
  at: number,
  context: FormatContext,
  warn: (line: number, message: string) => void,
): { paper: Paper | null; next: number } {
  let heading = lines[at]!;
  let end = at;
  while (!HEADING_CLOSED.test(heading) && end + 1 < lines.length && end - at < MAX_TITLE_LINES && lines[end + 1]!.trim()) {
    end += 1;
    heading += `\n${lines[end]!}`;
  }
  const match = HEADING_CLOSED.exec(heading);
  if (!match) {
    warn(
      at + 1,
      restIsBlank(lines, end + 1)
        ? `the capture is cut off inside the heading "${preview(heading.slice(4))}"; the paper was skipped`
        : `heading "${preview(heading.slice(4))}" has no link to the paper; skipped`,
    );
    return { paper: null, next: end + 1 };
  }
  const title = collapseSpaces(unescapeMarkdown(match[1]!));
  const arxivId = arxivIdFromUrl(match[2]!);
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

  const abstract: string[] = [];
  let i = end + 1;
  while (i < lines.length && !CARD_END.test(lines[i]!) && !FOOTER_START.test(lines[i]!.trim())) {
    if (lines[i]!.trim()) abstract.push(lines[i]!);
    i += 1;
  }
  if (abstract.length > 0) {
    paper.abstract = collapseSpaces(unescapeMarkdown(abstract.join('\n')));
    paper.links = extractLinks(paper.abstract);
  }

  let footer = false;
  for (; i < lines.length && !CARD_END.test(lines[i]!); i += 1) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const authors = AUTHORS.exec(line);
    if (authors) {
      paper.authors = Number(authors[1]);
      footer = true;
      continue;
    }
    const org = ORG.exec(line);
    const date = org ? org[3] : DATE.exec(line)?.[1];
    if (org && org[1]!.trim()) {
      paper.organization = collapseSpaces(unescapeMarkdown(org[1]!));
      footer = true;
    }
    if (date !== undefined) {
      const read = readPageDate(date.replace(/^Published on\s+/i, ''), context.referenceDate);
      if (read?.date) paper.published = read.date;
      else warn(i + 1, `unreadable date "${preview(date)}"; the paper is kept without a date`);
      footer = true;
      continue;
    }
    if (line.startsWith('[Upvote')) {
      let n = i + 1;
      while (n < lines.length && !lines[n]!.trim()) n += 1;
      const count = n < lines.length ? UPVOTE_COUNT.exec(lines[n]!.trim()) : null;
      if (count) {
        const upvotes = parseCount(count[1]!);
        if (upvotes !== undefined) paper.upvotes = upvotes;
        footer = true;
        i = n;
      }
      continue;
    }
    readLinks(line, paper);
  }
  if (!footer && restIsBlank(lines, i)) {
    warn(at + 1, `the capture is cut off inside the card of "${preview(title)}"; the paper was skipped`);
    return { paper: null, next: i };
  }
  return { paper, next: i };
}

/** `[GitHub 131](repo) [arXiv Page](https://arxiv.org/abs/<id>)`: the code repository, its stars, the arXiv id. */
function readLinks(line: string, paper: Paper): void {
  const github = GITHUB.exec(line);
  if (github) {
    const repo = toHttpsUrl(github[2]);
    if (repo) paper.githubRepo = repo;
    const stars = parseCount(github[1]!);
    if (stars !== undefined) paper.githubStars = stars;
  }
  const arxiv = ARXIV_PAGE.exec(line);
  const arxivId = arxiv ? arxivIdFromUrl(arxiv[1]!) : undefined;
  if (arxivId && !paper.arxivId) {
    paper.arxivId = arxivId;
    paper.url ??= paperPageUrl(arxivId);
  }
}

/** The second copy of a card fills what the first one lacks; the longer abstract wins. */
function mergeInto(kept: Paper, copy: Paper): void {
  if (copy.abstract.length > kept.abstract.length) {
    kept.abstract = copy.abstract;
    kept.links = copy.links;
  }
  kept.authors ??= copy.authors;
  kept.organization ??= copy.organization;
  kept.published ??= copy.published;
  kept.comments ??= copy.comments;
  kept.arxivId ??= copy.arxivId;
  kept.url ??= copy.url;
  kept.upvotes ??= copy.upvotes;
  kept.githubRepo ??= copy.githubRepo;
  kept.githubStars ??= copy.githubStars;
}
