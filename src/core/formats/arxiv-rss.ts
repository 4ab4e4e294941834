import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { extractLinks } from '../corpus.js';
import { type CorpusWarning, type Paper, normalizeArxivId, paperId } from '../paper.js';
import { resolvePaperDate } from '../paper-date.js';
import { ratePaper } from './confidence.js';
import { collapseSpaces, preview } from './text.js';
import type { CorpusFormat, FormatContext, FormatResult, ReadPaper } from './types.js';

const HEAD = 4096;
const MAX_AUTHOR_NAMES = 1000;
// Announce types arXiv documents (arxiv-docs, help/rss_specifications.md). Replacements are new versions of papers
// announced before: posting them would repeat a paper.
const KEPT_TYPES = new Set(['new', 'cross']);
const SKIPPED_TYPES = new Set(['replace', 'replace-cross']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// Item by item, so a feed cut off mid-item keeps the items before the cut. The entity limits are the library's
// defaults, stated here because the text is untrusted: an entity bomb stays small.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- still supported in 5.x; moving to entityDecoder is its own change
  htmlEntities: true,
  processEntities: { enabled: true, maxEntityCount: 100, maxTotalExpansions: 1000, maxExpandedLength: 100_000 },
  isArray: (name) => name === 'item' || name === 'category' || name === 'day',
});

/** What an arXiv listing feed holds, before any paper is judged. */
export interface ArxivFeed {
  /** The channel's announcement day (`pubDate`), `YYYY-MM-DD` as written in arXiv's own time zone, or null. */
  announced: string | null;
  /** Every `<item>` in the feed, kept or not. */
  items: number;
  /** The `new` and `cross` announcements, read as papers. */
  papers: ReadPaper[];
  /** `replace` and `replace-cross` announcements, skipped: they are new versions of papers announced before. */
  replacements: number;
  /** False when the XML is cut off or damaged somewhere. */
  complete: boolean;
  warnings: CorpusWarning[];
}

/**
 * An arXiv listing feed, RSS 2.0 as `https://rss.arxiv.org/rss/<category>` serves it (arxiv-docs
 * `help/rss_specifications.md`): `new` and `cross` announcements become papers linking to their abstract page;
 * replacements are skipped; an empty feed (weekends, holidays) is normal and gives no warning.
 */
export const arxivRssFormat: CorpusFormat = {
  name: 'arxiv-rss',
  description: 'arXiv listing feed (RSS)',
  detect(text) {
    const head = text.slice(0, HEAD);
    if (!/^\uFEFF?\s*(?:<\?xml[^>]*>\s*)?<rss[\s>]/.test(head)) return 0;
    return /xmlns:arxiv=|arxiv\.org/i.test(head) ? 0.95 : 0.2;
  },
  parse(text, context): FormatResult {
    const feed = readArxivFeed(text, context);
    return { papers: feed.papers, warnings: feed.warnings };
  },
};

/** Reads an arXiv RSS feed into its announcement day and papers; never throws on bad input. */
export function readArxivFeed(text: string, context: FormatContext): ArxivFeed {
  const warnings: CorpusWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ file: context.file, line, message });
  const papers: ReadPaper[] = [];
  let replacements = 0;
  let complete = true;

  const firstItem = findItemStart(text, 0);
  const channel = readChannel(text.slice(0, firstItem === -1 ? text.length : firstItem));
  if (firstItem === -1 && !/<\/channel>/.test(text)) {
    complete = false;
    warn(1, 'the feed has no items and does not close (`</channel>` is missing): it looks cut off; nothing was read');
  }

  const found: Array<{ line: number; chunk: string }> = [];
  let cutOffAt: number | null = null;
  let line = 1;
  let lineCountedTo = 0;
  for (let start = firstItem; start !== -1;) {
    line += countNewlines(text, lineCountedTo, start);
    lineCountedTo = start;
    const close = text.indexOf('</item>', start);
    if (close === -1) {
      cutOffAt = line;
      break;
    }
    const end = close + '</item>'.length;
    found.push({ line, chunk: text.slice(start, end) });
    start = findItemStart(text, end);
  }
  const reads = readItems(found.map((f) => f.chunk));
  found.forEach(({ line: at }, index) => {
    const item = reads[index]!;
    const number = index + 1;
    if (typeof item === 'string') {
      complete = false;
      warn(at, `item ${number} ${item}; skipped`);
      return;
    }
    const type = item.announceType;
    if (type && SKIPPED_TYPES.has(type)) replacements += 1;
    else if (!type || !KEPT_TYPES.has(type)) {
      warn(
        at,
        `item ${number} ("${preview(item.title)}") has ${type ? `the announce type "${type}", which` : 'no announce type, so it'} is neither new nor a cross-list; skipped`,
      );
    } else papers.push(ratePaper(toPaper(item, context, at)));
  });
  const items = found.length + (cutOffAt === null ? 0 : 1);
  if (cutOffAt !== null) {
    complete = false;
    warn(cutOffAt, `the feed is cut off inside item ${items}; that item was skipped, the ${items - 1} before it were read`);
  }
  if (items > 0 && complete && !/<\/channel>/.test(text.slice(lineCountedTo))) {
    complete = false;
    warn(line, 'the feed does not close after its last item (`</channel>` is missing): it may be cut off');
  }
  return { announced: channel.announced, items, papers, replacements, complete, warnings };
}

interface FeedItem {
  title: string;
  abstract: string;
  arxivId: string | null;
  announceType: string | null;
  authorNames: string[];
  published: string | null;
}

function toPaper(item: FeedItem, context: FormatContext, line: number): Paper {
  const paper: Paper = {
    id: paperId(item.title),
    title: item.title,
    abstract: item.abstract,
    authors: item.authorNames.length > 0 ? item.authorNames.length : null,
    organization: null,
    published: item.published,
    comments: null,
    links: extractLinks(item.abstract),
    source: { file: context.file, line },
  };
  if (item.arxivId) {
    paper.arxivId = item.arxivId;
    // arXiv's terms ask for links to the abstract page; the id was checked, so the URL is well-formed.
    paper.url = `https://arxiv.org/abs/${item.arxivId}`;
  }
  if (item.authorNames.length > 0) paper.authorNames = item.authorNames;
  return paper;
}

// Items are parsed a batch at a time: the parser's set-up (its entity tables) costs more than parsing an item.
const BATCH = 32;
const BATCH_ROOT = 'paperboy-batch';

/** Each `<item>…</item>` chunk as its fields, or why it cannot be read: exactly what reading each alone gives. */
function readItems(chunks: readonly string[]): Array<FeedItem | string> {
  const reads: Array<FeedItem | string> = [];
  for (let at = 0; at < chunks.length; at += BATCH) {
    const batch = chunks.slice(at, at + BATCH);
    reads.push(...(readBatch(batch) ?? batch.map(readItem)));
  }
  return reads;
}

/**
 * A batch of well-formed items read in one parse, or null when anything is off (an item that is not well-formed, a
 * parse error such as an entity limit, a comment or CDATA running across items): those are read one by one.
 */
function readBatch(chunks: readonly string[]): FeedItem[] | null {
  if (chunks.length < 2) return null;
  const xml = `<${BATCH_ROOT}>${chunks.join('\n')}</${BATCH_ROOT}>`;
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- moving to the separate fast-xml-validator package is its own change
  if (XMLValidator.validate(xml) !== true) return null;
  let items: unknown;
  try {
    items = (parser.parse(xml) as Record<string, { item?: unknown[] } | undefined>)[BATCH_ROOT]?.item;
  } catch {
    return null;
  }
  if (!Array.isArray(items) || items.length !== chunks.length) return null;
  const reads = items.map(readItemFields);
  return reads.every((read): read is FeedItem => typeof read !== 'string') ? reads : null;
}

/** One `<item>…</item>` as its fields, or why it cannot be read. */
function readItem(chunk: string): FeedItem | string {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- moving to the separate fast-xml-validator package is its own change
  const valid = XMLValidator.validate(chunk);
  if (valid !== true) return `is not well-formed XML (${valid.err.msg})`;
  let parsed: unknown;
  try {
    parsed = parser.parse(chunk);
  } catch (error) {
    return `cannot be read (${error instanceof Error ? error.message : String(error)})`;
  }
  return readItemFields((parsed as { item?: unknown[] }).item?.[0]);
}

/** The fields of a parsed item, or why it has none. */
function readItemFields(parsed: unknown): FeedItem | string {
  if (!parsed) return 'is empty';
  const item = parsed as Record<string, unknown>;
  const title = collapseSpaces(text(item.title));
  if (!title) return 'has no title';
  const description = text(item.description);
  const announced = /Announce Type:\s*([A-Za-z-]+)/.exec(description)?.[1];
  const announceType = (text(item['arxiv:announce_type']) || announced || '').trim().toLowerCase() || null;
  const abstractAt = description.search(/Abstract:/);
  const abstract = collapseSpaces(
    abstractAt === -1
      ? description.replace(/^\s*arXiv:\S+\s+Announce Type:\s*\S+/, '')
      : description.slice(abstractAt + 'Abstract:'.length),
  );
  return {
    title,
    abstract,
    arxivId: readArxivId(text(item.guid), description, text(item.link)),
    announceType,
    authorNames: splitAuthors(text(item['dc:creator'])),
    published: readRfc822Day(text(item.pubDate)),
  };
}

/** The feed's announcement day from the channel head (the text before the first item). */
function readChannel(head: string): { announced: string | null } {
  try {
    const parsed = parser.parse(head) as { rss?: { channel?: Record<string, unknown> } };
    return { announced: readRfc822Day(text(parsed.rss?.channel?.pubDate)) };
  } catch {
    return { announced: null };
  }
}

/** The version-less id from `oai:arXiv.org:2203.01250v3`, the description's `arXiv:2203.01250v3`, or the abstract link. */
function readArxivId(guid: string, description: string, link: string): string | null {
  const candidates = [
    /^oai:arXiv\.org:(\S+)$/i.exec(guid.trim())?.[1],
    /^\s*arXiv:(\S+)/.exec(description)?.[1],
    /^https?:\/\/(?:www\.)?arxiv\.org\/abs\/(\S+?)\/?$/i.exec(link.trim())?.[1],
  ];
  for (const candidate of candidates) {
    const id = candidate ? normalizeArxivId(candidate) : null;
    if (id) return id;
  }
  return null;
}

/** `Fri, 23 Aug 2024 00:00:00 -0400` → `2024-08-23`: the day as arXiv wrote it, in its own time zone. */
export function readRfc822Day(value: string): string | null {
  const match = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})/.exec(value);
  if (!match) return null;
  const month = MONTHS.indexOf(match[2]!.toLowerCase()) + 1;
  return month === 0 ? null : resolvePaperDate(month, Number(match[1]), Number(match[3]), '2000-01-01');
}

/** `dc:creator` lists the authors separated by commas (older items: `A, B and C`). */
function splitAuthors(creators: string): string[] {
  const names: string[] = [];
  for (const part of creators.split(/,|\s+and\s+/)) {
    const name = collapseSpaces(part);
    if (name) names.push(name);
    if (names.length === MAX_AUTHOR_NAMES) break;
  }
  return names;
}

/** Where the next `<item>` or `<item …>` tag starts at or after `from`, or -1. */
function findItemStart(text: string, from: number): number {
  for (let at = text.indexOf('<item', from); at !== -1; at = text.indexOf('<item', at + 5)) {
    const next = text[at + 5];
    if (next === '>' || next === ' ' || next === '\n' || next === '\r' || next === '\t') return at;
  }
  return -1;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}
