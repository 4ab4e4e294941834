import { DISCORD_LIMITS } from '../discord-limits.js';
import { isPaperIdShape, type Paper } from '../paper.js';
import { normalizePhraseText, toText } from '../text-analysis.js';
import type { SearchData } from './index-data.js';
import { capQuery } from './query.js';
import type { Ranking } from './rank.js';
import { findTitleStarts } from './titles.js';

/** Ranks a query against the index: `titlesOnly` reads titles alone. */
export type Ranker = (query: string, limit: number, titlesOnly?: boolean) => Ranking;

/**
 * Papers to suggest as a title is typed, best first: matches for the typed text, or the newest papers when it is
 * empty. Turning them into Discord choices is the Discord adapter's job.
 */
export function suggestPapers(text: string, data: SearchData, rank: Ranker, limit: number): Paper[] {
  const typed = toText(text).trim();
  if (!typed) return Array.from(data.state.recent.subarray(0, limit), (index) => data.docs[index]!);
  const found = new Set<Paper>();
  const at = isPaperIdShape(typed) ? data.positions.get(typed) : undefined;
  const picked = at === undefined ? undefined : data.docs[at];
  if (picked) found.add(picked);
  // Titles first: that is what people type into `/paper`, and it is the fast path on large corpora.
  const titleHits = rank(typed, limit, true).hits;
  // A typed text that starts a title puts that title first, stop words or not; best ranked first.
  const phrase = normalizePhraseText(capQuery(typed));
  const starts = new Set(phrase.length >= 2 ? findTitleStarts(data.titles, phrase, limit).map((index) => data.docs[index]!) : []);
  for (const hit of titleHits) if (starts.has(hit.paper)) found.add(hit.paper);
  for (const paper of starts) found.add(paper);
  for (const hit of titleHits) found.add(hit.paper);
  if (found.size < limit) for (const hit of rank(typed, limit).hits) found.add(hit.paper);
  return [...found].slice(0, limit);
}

/** Cuts a text to at most `max` characters at a word boundary, ending it with `…` when something was cut. */
export function truncateAtWord(text: string, max: number = DISCORD_LIMITS.choiceName): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  let cut = clean.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  if (space >= max / 2) cut = cut.slice(0, space);
  // Never leave half of a surrogate pair before the ellipsis.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/[\s,;:.\-–—(]+$/u, '')}…`;
}
