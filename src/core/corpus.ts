import { type CorpusWarning, type Paper, paperId } from './paper.js';
import { resolvePaperDate } from './paper-date.js';
import { detectForeignFormat } from './corpus-format.js';

/** Options for {@link parseCorpus}: where the text comes from and the date that yearless dates are read against. */
export interface ParseOptions {
  /** File name used in `source` and warnings. */
  file: string;
  /** `YYYY-MM-DD`: a date without a year is the latest such date not after this one. */
  referenceDate: string;
}

/** The papers of one corpus text, in page order, and everything that could not be read as a paper. */
export interface ParsedCorpus {
  papers: Paper[];
  warnings: CorpusWarning[];
}

interface Block {
  line: number;
  lines: string[];
}

interface Footer {
  authors: number | null;
  organization: string | null;
  published: string | null;
  comments: number | null;
}

// A title is one line. Without a footer to place it, a line longer than this is taken for a paragraph that lost
// its title; where the page structure places it (title, abstract, then a footer), a title may be any length.
const MAX_TITLE_LENGTH = 300;
const PAGE_CHROME = new Set([
  'new',
  'get trending papers in your email inbox!',
  'subscribe',
  'daily papers',
  'byak and the research community',
  'by ak and the research community',
]);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DATE_LINE = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2})(?:, ?(\d{4}))?(?: +(\d+))?$/;
const AUTHOR_LINE = /^(?:[•·*-] *)?(\d+) authors?$/i;
const LINK = /https?:\/\/[^\s<>"'`\]]+/g;

/**
 * Parses one Hugging Face "Daily Papers" page copy (plain text) into papers.
 * Never throws on bad records: whatever cannot be read becomes a warning with its line.
 */
export function parseCorpus(text: string, options: ParseOptions): ParsedCorpus {
  const warnings: CorpusWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ file: options.file, line, message });

  const foreign = detectForeignFormat(text);
  if (foreign) {
    warn(1, `${foreign}; this version reads only the plain-text page copy, so the file was skipped`);
    return { papers: [], warnings };
  }

  const blocks = splitBlocks(splitLines(text));
  const placed = placeTitles(blocks);
  const isTitleAt = (j: number) => isTitleLike(blocks[j]!) || placed[j]!;
  const papers: Paper[] = [];
  let i = skipPageHeader(blocks);

  while (i < blocks.length) {
    const block = blocks[i]!;
    const first = block.lines[0]!;
    if (isFooterBlock(block)) {
      warn(block.line, `footer "${preview(block.lines.join(' '))}" does not follow a paper's title and abstract`);
      i += 1;
      continue;
    }
    if (block.lines.length === 1 && PAGE_CHROME.has(first.toLowerCase())) {
      i += 1;
      continue;
    }
    if (!isTitleAt(i)) {
      warn(block.line, `expected a paper title (one line), found a paragraph "${preview(block.lines.join(' '))}"`);
      i += 1;
      continue;
    }
    const next = blocks[i + 1];
    if (!next || isFooterBlock(next)) {
      warn(block.line, `title "${preview(first)}" has no abstract; skipped`);
      i += next ? 2 : 1;
      continue;
    }
    // A stray line before a real title: the line after it is the title, and the block after that its abstract
    // (a paragraph, or followed by a footer, which a stray line's "paper" would not have). A line the page
    // structure places as a title is not stray, however long the blocks after it.
    const after = blocks[i + 2];
    const afterAfter = blocks[i + 3];
    if (
      !placed[i] &&
      isTitleAt(i + 1) &&
      after &&
      !isFooterBlock(after) &&
      (isAbstractLike(after) || (!!afterAfter && isFooterBlock(afterAfter)))
    ) {
      warn(block.line, `line "${preview(first)}" is not part of any paper; skipped`);
      i += 1;
      continue;
    }

    const { abstractLines, footerBlock } = splitGluedFooter(next, after);
    const footer = footerBlock ? readFooter(footerBlock, options.referenceDate, warn) : null;
    const joined = abstractLines.join(' ');
    const abstract = joined.includes('  ') ? joined.replace(/ {2,}/g, ' ') : joined;
    papers.push({
      id: paperId(first),
      title: first,
      abstract,
      authors: footer?.authors ?? null,
      organization: footer?.organization ?? null,
      published: footer?.published ?? null,
      comments: footer?.comments ?? null,
      links: extractLinks(abstract),
      source: { file: options.file, line: block.line },
    });
    i += footerBlock === after ? 3 : 2;
  }
  return { papers, warnings };
}

// Links longer than this are not addresses anyone follows (and would not fit a Discord field anyway).
const MAX_LINK_LENGTH = 2048;
const MAX_LINKS = 50;
const TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', '*', '_', '~']);

/** Finds the `http(s)://` links of a text, without trailing punctuation, each once, in order (linear time). */
export function extractLinks(text: string): string[] {
  const links = new Set<string>();
  for (const match of text.matchAll(LINK)) {
    const link = trimLink(match[0]);
    if (link.length <= MAX_LINK_LENGTH && /^https?:\/\/[^/?#\s]+\.[^/?#\s]+/.test(link)) links.add(link);
    if (links.size === MAX_LINKS) break;
  }
  return [...links];
}

/**
 * Drops trailing punctuation, and a closing bracket unless the link opened it (Wikipedia-style URLs),
 * scanning from the end once with running bracket counts.
 */
function trimLink(link: string): string {
  let open = 0;
  let close = 0;
  for (const c of link) {
    if (c === '(' || c === '{') open += 1;
    else if (c === ')' || c === '}') close += 1;
  }
  let end = link.length;
  while (end > 0) {
    const c = link[end - 1]!;
    if (TRAILING_PUNCTUATION.has(c)) end -= 1;
    else if ((c === ')' || c === '}') && close > open) {
      close -= 1;
      end -= 1;
    } else break;
  }
  return link.slice(0, end);
}

const ODD_SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\t]/g;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const NOT_ASCII_OR_TAB = /[^\x00-\x08\x0a-\x7f]/;

/** Splits on CR, LF or CRLF, without a leading BOM. */
function splitLines(text: string): string[] {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return clean.split(clean.includes('\r') ? /\r\n|\r|\n/ : '\n');
}

/** Non-breaking and thin spaces become plain spaces and zero-width marks vanish; outer spaces carry no meaning. */
function cleanLine(raw: string): string {
  // Most lines are ASCII: the costly Unicode passes run only on the others.
  if (!NOT_ASCII_OR_TAB.test(raw)) return raw.trim();
  return raw.replace(ODD_SPACES, ' ').replace(ZERO_WIDTH, '').trim();
}

function splitBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index]!;
    const line = raw.length === 0 ? raw : cleanLine(raw);
    if (!line) {
      current = null;
      continue;
    }
    if (!current) {
      current = { line: index + 1, lines: [line] };
      blocks.push(current);
    } else current.lines.push(line);
  }
  return blocks;
}

/** The page header (`new`, `Subscribe`, `Daily Papers`, a bare date...) comes before the first title. */
function skipPageHeader(blocks: Block[]): number {
  let i = 0;
  while (i < blocks.length) {
    const block = blocks[i]!;
    const line = block.lines[0]!;
    const isChrome = block.lines.length === 1 && (PAGE_CHROME.has(line.toLowerCase()) || isBareDate(line));
    if (!isChrome) break;
    i += 1;
  }
  return i;
}

function isBareDate(line: string): boolean {
  const match = DATE_LINE.exec(line);
  return !!match && MONTHS.includes(match[1]!.toLowerCase()) && match[4] === undefined;
}

function isTitleLike(block: Block): boolean {
  return block.lines.length === 1 && block.lines[0]!.length <= MAX_TITLE_LENGTH && !isFooterLine(block.lines[0]!);
}

/**
 * Marks the blocks that the page structure places as titles, whatever their length: one line, then a block that
 * is not a footer, then a footer, the end of the text, or another such title (papers without a footer). Computed
 * from the end in one pass, so a long chain of footerless papers costs linear time.
 */
function placeTitles(blocks: Block[]): boolean[] {
  const placed = new Array<boolean>(blocks.length + 2).fill(false);
  for (let j = blocks.length - 2; j >= 0; j -= 1) {
    const block = blocks[j]!;
    if (block.lines.length !== 1 || isFooterLine(block.lines[0]!) || isFooterBlock(blocks[j + 1]!)) continue;
    const after = blocks[j + 2];
    placed[j] = !after || isFooterBlock(after) || placed[j + 2]!;
  }
  return placed;
}

function isAbstractLike(block: Block): boolean {
  return block.lines.length > 1 || block.lines[0]!.length > MAX_TITLE_LENGTH;
}

function isFooterLine(line: string): boolean {
  return line === '·' || AUTHOR_LINE.test(line);
}

/** A footer is `author-or-organisation`, `·`, `date`; a partial one (no `·`, or only an author line) still counts. */
function isFooterBlock(block: Block): boolean {
  const { lines } = block;
  if (lines.length > 3) return false;
  if (lines.includes('·')) return lines.every((l) => l.length <= MAX_TITLE_LENGTH);
  return lines.length <= 2 && AUTHOR_LINE.test(lines[0]!) && (lines.length === 1 || isDateLine(lines[1]!));
}

function isDateLine(line: string): boolean {
  const match = DATE_LINE.exec(line);
  return !!match && MONTHS.includes(match[1]!.toLowerCase());
}

/** Some copies lose the blank line before the footer: the abstract block then ends with `·` and a date. */
function splitGluedFooter(abstract: Block, after: Block | undefined): { abstractLines: string[]; footerBlock: Block | null } {
  if (after && isFooterBlock(after)) return { abstractLines: abstract.lines, footerBlock: after };
  const { lines } = abstract;
  const dot = lines.lastIndexOf('·');
  if (lines.length >= 3 && dot >= 1 && dot >= lines.length - 2) {
    const start = dot - 1;
    if (start >= 1) {
      return {
        abstractLines: lines.slice(0, start),
        footerBlock: { line: abstract.line + start, lines: lines.slice(start) },
      };
    }
  }
  return { abstractLines: lines, footerBlock: null };
}

function readFooter(block: Block, referenceDate: string, warn: (line: number, message: string) => void): Footer {
  const footer: Footer = { authors: null, organization: null, published: null, comments: null };
  const dot = block.lines.indexOf('·');
  const byLine = dot === -1 ? block.lines[0] : dot > 0 ? block.lines[dot - 1] : undefined;
  const dateLine = dot === -1 ? block.lines[1] : block.lines[dot + 1];
  if (byLine !== undefined) {
    const authors = AUTHOR_LINE.exec(byLine);
    if (authors) footer.authors = Number(authors[1]);
    else footer.organization = readOrganization(byLine);
  }
  if (dateLine === undefined) {
    warn(block.line, 'footer has no date line; the paper is kept without a date');
    return footer;
  }
  const dateLineNumber = block.line + block.lines.indexOf(dateLine);
  const match = DATE_LINE.exec(dateLine);
  const month = match ? MONTHS.indexOf(match[1]!.toLowerCase()) + 1 : 0;
  if (!match || month === 0) {
    warn(dateLineNumber, `unreadable date "${preview(dateLine)}" (expected "Mon D, YYYY" or "Mon D"); the paper is kept without a date`);
    return footer;
  }
  const published = resolvePaperDate(month, Number(match[2]), match[3] ? Number(match[3]) : null, referenceDate);
  if (!published) warn(dateLineNumber, `"${dateLine}" is not a real date; the paper is kept without a date`);
  footer.published = published;
  if (match[4] !== undefined) footer.comments = Number(match[4]);
  return footer;
}

/** `<handle> <Display name>` → the display name; a single word is both. */
function readOrganization(line: string): string {
  const space = line.indexOf(' ');
  return space === -1 ? line : line.slice(space + 1).trim();
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
