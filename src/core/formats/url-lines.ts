import { type CorpusWarning, type Paper, paperId } from '../paper.js';
import { extractLinks } from '../corpus.js';
import { ratePaper } from './confidence.js';
import { arxivIdFromUrl, paperPageUrl, parseCount, preview, readPageDate, splitHeadLines, splitLines } from './text.js';
import type { CorpusFormat, FormatContext, FormatResult, ReadPaper } from './types.js';

interface Line {
  text: string;
  line: number;
}

const URL_LINE = /^https?:\/\/\S+$/;
const LOGIN_LINE = /^https:\/\/huggingface\.co\/login\?next=%2Fpapers%2F[^\s&#]+$/i;
const UPVOTE_LINE = /^\[-\]\s*(\S*)$/;
const AUTHORS_TAIL = /^(?:·\s*)?(\d+) authors?\]\(https?:\/\/[^)\s]*\)$/i;
const ORG_URL = /^https:\/\/huggingface\.co\/[^/?#\s]+$/i;
const COMMUNITY_URL = /^https:\/\/huggingface\.co\/papers\/[^#\s]+#community$/i;
// Lines that end a card: the next card's submitter or upvote line, or the page footer.
const CARD_END = /^(?:Submitted by|Previous|System theme|Company)$/;

/**
 * (b) A web export of a Daily Papers page with each link's URL on its own line (NotebookLM-style): per paper,
 * ` [-] 106` upvotes, the login-to-upvote URL, the title, the paper URL, then an abstract, an author count or an
 * organisation, a date, GitHub stars and a comment count, each followed by the URL it linked to.
 */
export const urlLinesFormat: CorpusFormat = {
  name: 'url-lines',
  description: 'web export with URLs on their own lines',
  detect(text, _fileName, headLines) {
    let lines = 0;
    let urls = 0;
    let logins = 0;
    for (const raw of headLines ?? splitHeadLines(text)) {
      const line = raw.trim();
      if (!line) continue;
      lines += 1;
      if (URL_LINE.test(line)) {
        urls += 1;
        if (LOGIN_LINE.test(line)) logins += 1;
      }
    }
    if (urls < 3 || urls * 10 < lines) return 0;
    return logins > 0 ? 0.9 : 0.3;
  },
  parse: parseUrlLines,
};

function parseUrlLines(text: string, context: FormatContext): FormatResult {
  const warnings: CorpusWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ file: context.file, line, message });
  const lines: Line[] = [];
  splitLines(text).forEach((raw, index) => {
    const line = raw.trim();
    if (line) lines.push({ text: line, line: index + 1 });
  });

  const papers: ReadPaper[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!LOGIN_LINE.test(lines[i]!.text)) continue;
    const card = readCard(lines, i, context, warn);
    if (card) papers.push(ratePaper(card));
  }
  if (papers.length === 0 && warnings.length === 0) {
    warn(1, 'no paper cards found (a login-to-upvote URL, then a title, then the paper URL); nothing was read');
  }
  return { papers, warnings };
}

function readCard(lines: Line[], at: number, context: FormatContext, warn: (line: number, message: string) => void): Paper | null {
  const login = lines[at]!;
  const arxivId = arxivIdFromUrl(login.text);
  const title = lines[at + 1];
  const url = lines[at + 2];
  if (!title || !url) {
    warn(login.line, 'the capture is cut off after an upvote link; the last paper was skipped');
    return null;
  }
  if (URL_LINE.test(title.text) || arxivIdFromUrl(url.text) !== arxivId || !arxivId) {
    warn(login.line, `upvote link is not followed by a title and the same paper's URL ("${preview(title.text)}"); skipped`);
    return null;
  }

  const paper: Paper = {
    id: paperId(title.text),
    title: title.text,
    abstract: '',
    authors: null,
    organization: null,
    published: null,
    comments: null,
    links: [],
    source: { file: context.file, line: title.line },
    arxivId,
    url: paperPageUrl(arxivId),
  };
  const upvotes = at > 0 ? UPVOTE_LINE.exec(lines[at - 1]!.text) : null;
  if (upvotes) {
    const count = parseCount(upvotes[1]!);
    if (count !== undefined) paper.upvotes = count;
  }

  // The export repeats the paper's URL after each part that linked to it, exactly as written after the title.
  const isOwnUrl = (line: Line | undefined) => line?.text === url.text;
  let j = at + 3;
  // The abstract is the line between the paper URL and its repetition.
  const first = lines[j];
  if (first && !URL_LINE.test(first.text) && first.text !== '[' && parseCount(first.text) === undefined && !isCardEnd(first)) {
    if (!isOwnUrl(lines[j + 1])) {
      if (j + 1 >= lines.length) {
        warn(title.line, `the capture is cut off inside the abstract of "${preview(title.text)}"; the paper was skipped`);
        return null;
      }
    } else {
      paper.abstract = first.text;
      paper.links = extractLinks(first.text);
      j += 2;
    }
  }

  let closed = false;
  for (; j < lines.length; j += 1) {
    const line = lines[j]!;
    const next = lines[j + 1];
    if (isCardEnd(line)) {
      closed = true;
      break;
    }
    if (URL_LINE.test(line.text)) {
      if (COMMUNITY_URL.test(line.text)) closed = true;
      continue;
    }
    if (line.text === '[' && next) {
      const authors = AUTHORS_TAIL.exec(next.text);
      if (authors) paper.authors = Number(authors[1]);
      j += 1;
      continue;
    }
    const tail = AUTHORS_TAIL.exec(line.text);
    if (tail) {
      paper.authors = Number(tail[1]);
      continue;
    }
    if (line.text === '·' && next) {
      const date = readPageDate(next.text, context.referenceDate);
      if (date?.date) paper.published = date.date;
      else warn(next.line, `unreadable date "${preview(next.text)}" (expected "Mon D, YYYY" or "Mon D"); the paper is kept without a date`);
      j += 1;
      continue;
    }
    const count = parseCount(line.text);
    if (count !== undefined && next && COMMUNITY_URL.test(next.text)) {
      paper.comments = count;
      continue;
    }
    // A count linked to the paper page is the GitHub star badge.
    if (count !== undefined && isOwnUrl(next)) {
      paper.githubStars = count;
      continue;
    }
    if (count === undefined && next && ORG_URL.test(next.text) && !LOGIN_LINE.test(next.text)) {
      paper.organization = line.text;
      j += 1;
    }
  }
  if (!closed && paper.published === null && paper.authors === null && paper.organization === null) {
    warn(title.line, `the capture is cut off inside the card of "${preview(title.text)}"; the paper was skipped`);
    return null;
  }
  return paper;
}

function isCardEnd(line: Line): boolean {
  return CARD_END.test(line.text) || UPVOTE_LINE.test(line.text) || LOGIN_LINE.test(line.text);
}
