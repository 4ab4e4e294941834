/**
 * Corpus text is untrusted: these helpers make it display literally in Discord, so it can neither format
 * (bold, headings, code, spoilers), nor link (masked links), nor look like a mention.
 */

// Characters Discord's markdown acts on anywhere in a line: emphasis, code, spoilers, masked links, mentions.
const MARKDOWN_CHARS = /[\\*_~`|[\]<>]/g;
// Constructs that only act at the start of a line: headings, quotes, lists, subtext.
const LINE_START = /^(\s*)(#|>|-|\+|\d+\.)/;
// Invisible characters that could split a word a filter is looking for, or reverse text direction.
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class -- each combining mark is matched on its own, to strip it
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/g;
// A URL stops at anything markdown could act on; Discord's own autolink takes the rest of it literally.
const URL_PATTERN = /https?:\/\/[^\s<>"'`[\]()|*~\\]+/g;
// Every line break Discord could render: a lone CR, the Unicode line and paragraph separators, NEL, VT and FF too.
const LINE_BREAKS = /\r\n|[\n\r\u000B\u000C\u0085\u2028\u2029]/g;
// Longest link a card shows: paper, code and project addresses are short; a longer one is more likely junk or a trick.
const MAX_URL_LENGTH = 512;
// A character that no address a person could check contains: white space, C0/C1 controls, invisible characters.
// eslint-disable-next-line no-misleading-character-class -- the same invisible characters, each on its own
const URL_FORBIDDEN = new RegExp(`[\\s\\u0000-\\u001F\\u007F-\\u009F]|${INVISIBLE.source}`);
// Characters that would end or re-open the markdown around a link (`<url>`, `[text](url)`) are percent-encoded.
const URL_MARKUP = /[()[\]<>"'`|\\]/g;

/** The first `max` UTF-16 units of a text, one fewer when the cut would split a surrogate pair (an emoji). */
export function sliceText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** Removes zero-width and direction-changing characters. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/**
 * Escapes a plain text so Discord shows it as written: markdown characters get a backslash, `@everyone` and
 * `@here` get a zero-width space so they can never be read as mentions, and bare URLs stay clickable
 * (Discord's autolink reads them literally, so their characters need no escape).
 */
export function escapeMarkdown(text: string): string {
  const clean = toOneLine(text);
  let out = '';
  let last = 0;
  for (const match of clean.matchAll(URL_PATTERN)) {
    out += escapePlain(clean.slice(last, match.index));
    out += match[0];
    last = match.index + match[0].length;
  }
  out += escapePlain(clean.slice(last));
  return neutralizeMentions(out.replace(LINE_START, (_m, space: string, mark: string) => `${space}\\${mark}`));
}

/** A text on one line: invisible characters removed, every kind of line break a space. */
function toOneLine(text: string): string {
  return stripInvisible(text).replace(LINE_BREAKS, ' ');
}

function escapePlain(text: string): string {
  return text.replace(MARKDOWN_CHARS, (c) => `\\${c}`);
}

/** `@everyone`, `@here` and `<@…>`-style mentions can never resolve: a zero-width space breaks the token. */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here)/gi, '@\u200B$1').replace(/<(@[!&]?|#|\/)(?=[\w\d])/g, '<\u200B$1');
}

/**
 * Cuts a text to at most `max` characters at a sentence end, else a word boundary, adding `…` when cut.
 * `measure` gives the length the text will have once escaped, so escaping never pushes it over a limit.
 */
export function truncateText(text: string, max: number, options: { sentences?: boolean; measure?: (s: string) => number } = {}): string {
  const measure = options.measure ?? ((s: string) => s.length);
  if (measure(text) <= max) return text;
  // Binary search the longest raw prefix whose measured length (plus the ellipsis) fits.
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(sliceText(text, mid)) + 1 <= max) lo = mid;
    else hi = mid - 1;
  }
  const prefix = sliceText(text, lo);
  if (options.sentences) {
    const sentenceEnd = Math.max(prefix.lastIndexOf('. '), prefix.lastIndexOf('! '), prefix.lastIndexOf('? '));
    // Only when it keeps most of the room: a tiny first sentence would waste the excerpt.
    if (sentenceEnd > lo * 0.6) return prefix.slice(0, sentenceEnd + 1);
  }
  const space = prefix.lastIndexOf(' ');
  const cut = space > lo * 0.5 ? prefix.slice(0, space) : prefix;
  return `${cut.replace(/[\s,;:]+$/, '')}…`;
}

/** Escapes a text and cuts it so the escaped result fits in `max` characters. */
export function escapeAndFit(text: string, max: number, options: { sentences?: boolean } = {}): string {
  const escaped = escapeMarkdown(text);
  if (escaped.length <= max) return escaped;
  const fitted = truncateText(toOneLine(text), max, { ...options, measure: (s) => escapeMarkdown(s).length });
  // The ellipsis is added after escaping would double-escape nothing: `…` has no markdown meaning.
  return fitted.endsWith('…') ? `${escapeMarkdown(fitted.slice(0, -1))}…` : escapeMarkdown(fitted);
}

/**
 * The address as a card may show it: a well-formed `https` URL (`http` too with `allowHttp`) with a host name, no
 * credentials (`https://github.com@evil.example` shows one host and opens another), no white space, control or
 * invisible characters, at most 512 characters, and markdown-closing characters (and the `@` of `@everyone`)
 * percent-encoded; otherwise null.
 */
export function readSafeUrl(raw: unknown, options: { allowHttp?: boolean } = {}): string | null {
  if (typeof raw !== 'string' || raw.length > MAX_URL_LENGTH || URL_FORBIDDEN.test(raw)) return null;
  // Written out in full: no scheme-relative `//host`, no `https:host` that the URL parser would still accept.
  if (!(options.allowHttp ? /^https?:\/\/[^/]/i : /^https:\/\/[^/]/i).test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:')) return null;
  // An IPv6 literal would need its brackets, which markdown reads; no paper lives at one.
  if (url.username || url.password || !/[a-z0-9]/i.test(url.hostname) || url.hostname.startsWith('[')) return null;
  // `@everyone` in a path is still `@everyone` to a reader skimming for pings; `%40` is the same address.
  const href = url.href
    .replace(URL_MARKUP, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(/@(?=everyone|here)/gi, '%40');
  return href.length <= MAX_URL_LENGTH ? href : null;
}
