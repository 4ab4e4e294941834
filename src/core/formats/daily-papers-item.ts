import { type Paper, normalizeArxivId, paperId } from '../paper.js';
import { extractLinks } from '../corpus.js';
import { collapseSpaces, isoDay, paperPageUrl, toHttpsUrl } from './text.js';
import type { FormatContext } from './types.js';

type Json = Record<string, unknown>;

const MAX_KEYWORDS = 32;
const MAX_KEYWORD_LENGTH = 80;
const MAX_AUTHOR_NAMES = 1000;

/**
 * One element of `GET /api/daily_papers` as a paper, or the reason it is not one. Reads the 2024 shape
 * (`{ paper: { id, authors, publishedAt, title, summary, upvotes }, publishedAt, title, numComments }`) and the
 * current one (the same plus `submittedOnDailyAt`, `ai_summary`, `ai_keywords`, `githubRepo`, `githubStars`,
 * `projectPage`, `organization` on the paper), and a bare paper object (`GET /api/papers/{id}`); unknown keys are
 * ignored and every enrichment field is optional.
 */
export function readDailyPaperItem(item: unknown, context: FormatContext, line: number): Paper | string {
  if (!isObject(item)) return `is ${describe(item)}, not an object`;
  const inner = isObject(item.paper) ? item.paper : null;
  const paper = inner ?? item;
  // The outer title is unwrapped; the paper's keeps arXiv's hard line wraps.
  const title = collapseSpaces(text(item.title) ?? text(paper.title) ?? '');
  if (!title) return 'has no title';
  const abstract = collapseSpaces(text(paper.summary) ?? text(item.summary) ?? '');
  const authors = Array.isArray(paper.authors) ? paper.authors : null;

  const result: Paper = {
    id: paperId(title),
    title,
    abstract,
    authors: authors ? authors.length : null,
    organization: organizationName(paper.organization) ?? organizationName(item.organization),
    published: isoDay(paper.publishedAt) ?? null,
    comments: count(item.numComments) ?? count(paper.numComments) ?? null,
    links: extractLinks(abstract),
    source: { file: context.file, line },
  };
  const arxivId = typeof paper.id === 'string' ? normalizeArxivId(paper.id) : null;
  if (arxivId) {
    result.arxivId = arxivId;
    result.url = paperPageUrl(arxivId);
  }
  const upvotes = count(paper.upvotes) ?? count(item.upvotes);
  if (upvotes !== undefined) result.upvotes = upvotes;
  const githubRepo = toHttpsUrl(paper.githubRepo ?? item.githubRepo);
  if (githubRepo) result.githubRepo = githubRepo;
  const githubStars = count(paper.githubStars) ?? count(item.githubStars);
  if (githubStars !== undefined) result.githubStars = githubStars;
  const projectPage = toHttpsUrl(paper.projectPage ?? item.projectPage);
  if (projectPage) result.projectPage = projectPage;
  const aiSummary = collapseSpaces(text(paper.ai_summary) ?? text(item.ai_summary) ?? '');
  if (aiSummary) result.aiSummary = aiSummary;
  const aiKeywords = keywords(paper.ai_keywords ?? item.ai_keywords);
  if (aiKeywords.length > 0) result.aiKeywords = aiKeywords;
  const authorNames = authors ? names(authors) : [];
  if (authorNames.length > 0) result.authorNames = authorNames;
  // In the 2024 shape the outer `publishedAt` is when the paper was added to the daily list.
  const addedAt = isoDay(paper.submittedOnDailyAt) ?? (inner ? isoDay(item.publishedAt) : undefined);
  if (addedAt) result.addedAt = addedAt;
  return result;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** An organisation is a name or `{ fullname, name }`; the display name wins. */
function organizationName(value: unknown): string | null {
  if (typeof value === 'string') return collapseSpaces(value) || null;
  if (!isObject(value)) return null;
  return collapseSpaces(text(value.fullname) ?? text(value.name) ?? '') || null;
}

function keywords(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const seen = new Set<string>();
  for (const entry of value) {
    const keyword = typeof entry === 'string' ? collapseSpaces(entry) : '';
    if (keyword && keyword.length <= MAX_KEYWORD_LENGTH) seen.add(keyword);
    if (seen.size === MAX_KEYWORDS) break;
  }
  return [...seen];
}

/** Author names in order; the page hides `hidden` authors, and so does Paperboy. */
function names(authors: unknown[]): string[] {
  const result: string[] = [];
  for (const author of authors) {
    if (!isObject(author) || author.hidden === true) continue;
    const name = collapseSpaces(text(author.name) ?? '');
    if (name) result.push(name);
    if (result.length === MAX_AUTHOR_NAMES) break;
  }
  return result;
}
