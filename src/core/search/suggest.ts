import { isPaperIdShape, type Paper } from '../paper.js';
import { normalizePhraseText } from '../text-analysis.js';
import type { SearchData } from './index-data.js';
import { capQuery } from './query.js';
import type { Ranking } from './rank.js';
import { findTitleStarts } from './titles.js';

/** One Discord autocomplete choice: a name of at most 100 characters and the paper id as value. */
export interface Choice {
  name: string;
  value: string;
}

/** Discord accepts at most 25 autocomplete choices. */
export const MAX_CHOICES = 25;
/** Discord accepts choice names and values of at most 100 characters. */
export const MAX_CHOICE_LENGTH = 100;

/** Ranks a query against the index: `titlesOnly` reads titles alone. */
export type Ranker = (query: string, limit: number, titlesOnly?: boolean) => Ranking;

/** Autocomplete choices for `/paper`: matches for the typed text, or the newest papers when it is empty. */
export function suggestChoices(text: string, data: SearchData, rank: Ranker): Choice[] {
  const typed = String(text ?? '').trim();
  if (!typed) return data.recent.slice(0, MAX_CHOICES).map(makeChoice);
  const found = new Set<Paper>();
  const picked = isPaperIdShape(typed) ? data.byId.get(typed) : undefined;
  if (picked) found.add(picked);
  // Titles first: that is what people type into `/paper`, and it is the fast path on large corpora.
  const titleHits = rank(typed, MAX_CHOICES, true).hits;
  // A typed text that starts a title puts that title first, stop words or not; best ranked first.
  const phrase = normalizePhraseText(capQuery(typed));
  const starts = new Set(phrase.length >= 2 ? findTitleStarts(data.titles, phrase, MAX_CHOICES).map((index) => data.docs[index]!) : []);
  for (const hit of titleHits) if (starts.has(hit.paper)) found.add(hit.paper);
  for (const paper of starts) found.add(paper);
  for (const hit of titleHits) found.add(hit.paper);
  if (found.size < MAX_CHOICES) for (const hit of rank(typed, MAX_CHOICES).hits) found.add(hit.paper);
  return [...found].slice(0, MAX_CHOICES).map(makeChoice);
}

/** Cuts a text to at most `max` characters at a word boundary, ending it with `…` when something was cut. */
export function truncateAtWord(text: string, max: number = MAX_CHOICE_LENGTH): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  let cut = clean.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  if (space >= max / 2) cut = cut.slice(0, space);
  // Never leave half of a surrogate pair before the ellipsis.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/[\s,;:.\-–—(]+$/u, '')}…`;
}

function makeChoice(paper: Paper): Choice {
  return { name: truncateAtWord(paper.title) || paper.id, value: paper.id };
}
