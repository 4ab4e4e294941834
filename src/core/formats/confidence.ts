import type { Paper } from '../paper.js';
import type { PaperEvidence, ReadPaper } from './types.js';

/** A paper at or above this confidence is plausible: a title plus at least one of abstract, footer or link. */
export const PLAUSIBLE_CONFIDENCE = 0.55;
/** A file is quarantined when fewer than this share of its papers are plausible. */
export const QUARANTINE_SHARE = 0.5;

const WEIGHTS = { title: 0.4, abstract: 0.3, footer: 0.15, link: 0.15 } as const;
const MAX_TITLE_LENGTH = 300;
// No page chrome line is longer than this; longer texts skip the (lower-casing) lookup.
const MAX_CHROME_LENGTH = 60;

// Words of the Hugging Face pages around the papers (header, navigation, footer, card buttons), lower case.
const PAGE_CHROME = new Set([
  'new',
  'get trending papers in your email inbox!',
  'get trending papers in your email inbox once a day!',
  'get trending papers in your email inbox once a day',
  'subscribe',
  'daily papers',
  'daily papers - hugging face',
  'trending papers',
  'trending papers ranked by github stars activity',
  'byak and the research community',
  'by ak and the research community',
  'by',
  'and the research community',
  'hugging face',
  "hugging face's logo",
  'models',
  'datasets',
  'spaces',
  'buckets new',
  'docs',
  'enterprise',
  'pricing',
  'log in',
  'sign up',
  'website',
  'community',
  'solutions',
  'daily',
  'weekly',
  'monthly',
  'previous',
  'next',
  'load more',
  'system theme',
  'light theme',
  'dark theme',
  'company',
  'tos',
  'privacy',
  'about',
  'careers',
  'submitted by',
  'upvote',
  'arxiv page',
  'github',
]);

const MONTH_DATE = /^(?:published on )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:, ?\d{4})?\b/i;
const NUMBER_LIKE = /^[\s\d.,:%+~≈-]*[km]?$/i;
const UPVOTE_MARK = /^\[?\s*[-–]\s*\]/;
const AUTHOR_COUNT = /^[•·*-]?\s*\d+ authors?$/i;
const IMAGE_PLACEHOLDER = /^\[?(?:图片|image|img)\b/i;
// Markup rather than words: a link, an image, a reference, a bare bracket, a heading mark, a bullet or a URL.
const MARKUP_START = /^(?:!\[|\[\[|\[[^\]]*\][([]|\[\s*$|#{1,6}\s|[*-]\s|[\]<>·•|]|https?:\/\/)/i;
const LETTERS = /\p{L}\P{L}*\p{L}/u;
const SENTENCE_END = /[.!?…。][)"'”’\]]*$/u;

/** True when a line reads as a paper title rather than page chrome, a number, a date, a user name or markup. */
export function isPlausibleTitle(title: string): boolean {
  const text = title.trim();
  if (text.length < 2 || text.length > MAX_TITLE_LENGTH || !LETTERS.test(text)) return false;
  if (PAGE_CHROME.has(text.toLowerCase())) return false;
  if (NUMBER_LIKE.test(text) || UPVOTE_MARK.test(text) || MONTH_DATE.test(text) || AUTHOR_COUNT.test(text)) return false;
  if (IMAGE_PLACEHOLDER.test(text) || MARKUP_START.test(text)) return false;
  // A single lower-case token is a user name (`wchengad`, `k-sobolev`), not a title.
  if (!/\s/.test(text) && !/[\p{Lu}\d]/u.test(text)) return false;
  return true;
}

/** True when a text reads as prose: a sentence, or a paragraph of at least a dozen words. */
export function isPlausibleAbstract(abstract: string): boolean {
  const text = abstract.trim();
  if (!LETTERS.test(text) || MONTH_DATE.test(text)) return false;
  if (text.length <= MAX_CHROME_LENGTH && PAGE_CHROME.has(text.toLowerCase())) return false;
  if (UPVOTE_MARK.test(text) || AUTHOR_COUNT.test(text) || IMAGE_PLACEHOLDER.test(text)) return false;
  let words = 0;
  for (let i = text.indexOf(' '); i !== -1 && words < 12; i = text.indexOf(' ', i + 1)) words += 1;
  return words >= 11 || SENTENCE_END.test(text);
}

/** What a paper's fields show: a title, prose, a footer (date, authors, organisation) and a link or id. */
export function findEvidence(paper: Paper): PaperEvidence {
  return {
    title: isPlausibleTitle(paper.title),
    abstract: paper.abstract.length > 0 && isPlausibleAbstract(paper.abstract),
    footer: paper.published !== null || paper.authors !== null || paper.organization !== null || paper.addedAt !== undefined,
    link: paper.arxivId !== undefined || paper.url !== undefined,
  };
}

/** How sure one can be that these findings make a paper: nothing without a title, then each part adds its weight. */
export function scoreEvidence(evidence: PaperEvidence): number {
  if (!evidence.title) return 0;
  let score = WEIGHTS.title;
  if (evidence.abstract) score += WEIGHTS.abstract;
  if (evidence.footer) score += WEIGHTS.footer;
  if (evidence.link) score += WEIGHTS.link;
  return Math.round(score * 100) / 100;
}

/** Rates a paper a reader built from what its fields show. */
export function ratePaper(paper: Paper): ReadPaper {
  const evidence = findEvidence(paper);
  return { paper, evidence, confidence: scoreEvidence(evidence) };
}

/** True when the rated paper is plausible enough to post. */
export function isPlausible(read: ReadPaper): boolean {
  return read.confidence >= PLAUSIBLE_CONFIDENCE;
}

/** Names what a paper lacks, for a warning (`no abstract, date or author line, or link`). */
export function describeMissing(evidence: PaperEvidence): string {
  if (!evidence.title) return 'its title does not read as a title';
  const missing: string[] = [];
  if (!evidence.abstract) missing.push('no abstract');
  if (!evidence.footer) missing.push('no date or author line');
  if (!evidence.link) missing.push('no id or link');
  return missing.join(', ');
}
