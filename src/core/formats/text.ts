import { normalizeArxivId } from '../paper.js';
import { resolvePaperDate } from '../paper-date.js';

/** How much of a text detection reads: the first 256 KB tell the format; scanning a 100 MB corpus would cost more than parsing it. */
export const DETECT_SCAN_LIMIT = 262_144;

/** The lines of the first {@link DETECT_SCAN_LIMIT} characters, split on CR, LF or CRLF (a BOM kept): what detectors read. */
export function splitHeadLines(text: string): string[] {
  return text.slice(0, DETECT_SCAN_LIMIT).split(/\r\n|\r|\n/);
}

/** The lines of a text, split on CR, LF or CRLF, without a leading BOM. */
export function splitLines(text: string): string[] {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return clean.split(clean.includes('\r') ? /\r\n|\r|\n/ : '\n');
}

/** True when no line from `index` on holds anything but spaces: the text ends there. */
export function restIsBlank(lines: readonly string[], index: number): boolean {
  for (let i = index; i < lines.length; i += 1) if (lines[i]!.trim()) return false;
  return true;
}

// Any run of white space except a lone plain space (`\s` covers line breaks, tabs and Unicode spaces); matching
// only those keeps the common case, words separated by single spaces, free of replacements.
const SPACE_RUNS = /[^\S ]\s*| \s+/g;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;

/** Joins wrapped lines: every run of (also non-breaking) spaces and line breaks becomes one space; no outer spaces. */
export function collapseSpaces(text: string): string {
  return text.replace(ZERO_WIDTH, '').replace(SPACE_RUNS, ' ').trim();
}

// A hard line break (`\` + newline, `\\` + newline as the converters write them, `\` + two spaces) or an escape.
const MARKDOWN_ESCAPE = /\\\\\r?\n|\\\r?\n|\\ {2,}|\\([!-/:-@[-`{-~])/g;

/** Undoes markdown escapes (`\_` → `_`, `\\` → `\`) and turns escaped hard line breaks into spaces. */
export function unescapeMarkdown(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(MARKDOWN_ESCAPE, (_match, char: string | undefined) => char ?? ' ');
}

/** A count as pages show it (`106`, `2.3k`, `1,024`), or undefined for `-` or anything else. */
export function parseCount(text: string): number | undefined {
  const match = /^(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*([kKmM])?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]!.replace(/,/g, ''));
  const scale = match[2] ? (match[2].toLowerCase() === 'k' ? 1_000 : 1_000_000) : 1;
  const count = Math.round(value * scale);
  return Number.isSafeInteger(count) ? count : undefined;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_DATE = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2})(?:, ?(\d{4}))?/;

/** A page date at the start of a text (`Oct 7, 2024`, `Feb 3`), with what follows it; null when there is none. */
export function readPageDate(text: string, referenceDate: string): { date: string | null; rest: string } | null {
  const match = MONTH_DATE.exec(text);
  if (!match) return null;
  const month = MONTHS.indexOf(match[1]!.toLowerCase()) + 1;
  if (month === 0) return null;
  const date = resolvePaperDate(month, Number(match[2]), match[3] ? Number(match[3]) : null, referenceDate);
  return { date, rest: text.slice(match[0].length) };
}

/** The `YYYY-MM-DD` day of an ISO timestamp (`2024-10-25T09:30:02.067Z`), or undefined. */
export function isoDay(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(value);
  if (!match) return undefined;
  // With a year, the reference date plays no part: this only checks that the day exists.
  return resolvePaperDate(Number(match[2]), Number(match[3]), Number(match[1]), '2000-01-01') ?? undefined;
}

const MAX_URL_LENGTH = 2048;

/** The URL if it is a well-formed `https` address with a dotted host and no credentials; undefined otherwise. */
export function toHttpsUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text.length > MAX_URL_LENGTH || !/^https:\/\/[^\s/?#]+\.[^\s/?#]+/i.test(text) || /[\s<>"'`\\]/.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password || !url.hostname.includes('.')) return undefined;
  return url.href;
}

const PAPER_PATH = /^https:\/\/(?:www\.)?huggingface\.co\/papers\/([^/?#\s)]+)\/?(?:[?#].*)?$/i;
const ARXIV_PATH = /^https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf)\/([^?#\s)]+?)(?:\.pdf)?\/?(?:[?#].*)?$/i;
const LOGIN_NEXT = /^https:\/\/huggingface\.co\/login\?next=%2Fpapers%2F([^&#\s)]+)/i;

/** The arXiv id a Hugging Face paper page, arXiv page or login-to-upvote link points at, or undefined. */
export function arxivIdFromUrl(url: string): string | undefined {
  const match = PAPER_PATH.exec(url) ?? ARXIV_PATH.exec(url) ?? LOGIN_NEXT.exec(url);
  if (!match) return undefined;
  let id = match[1]!;
  try {
    id = decodeURIComponent(id);
  } catch {
    return undefined;
  }
  return normalizeArxivId(id) ?? undefined;
}

/** The Hugging Face page of a paper with this arXiv id. */
export function paperPageUrl(arxivId: string): string {
  return `https://huggingface.co/papers/${arxivId}`;
}

/** A short quote of a text for warnings. */
export function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}
