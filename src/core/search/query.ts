import { longFormParts } from '../acronyms.js';
import { analyzeWord, normalizePhraseText, splitWordGroups } from '../text-analysis.js';
import { countBits } from './bitset.js';
import type { SearchWords } from './index-data.js';
import { findSorted } from './lexicon.js';
import { completeWord, findNearWords } from './words.js';

/** Queries are cut to this many characters and words so that latency stays bounded. */
export const MAX_QUERY_CHARS = 300;
export const MAX_QUERY_WORDS = 32;

const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;

/** One index term a query looks for, and the typed words it stands for. */
export interface QueryTerm {
  weight: number;
  /** The typed words this term stands for, one bit each (several for an acronym standing for its long form). */
  bits: number;
  /** The typed words it stands for as typed (the word, its stem, a completion or an acronym), not as a typo fix. */
  sure: number;
}

/** A query read against the corpus words: the index terms to look for, and what the relevance floor counts. */
export interface ParsedQuery {
  terms: Map<string, QueryTerm>;
  /** Typed words, stop words aside (a word typed twice, or an acronym typed beside its long form, counts once). */
  words: number;
  /** Typed words too weak to vouch for a match on their own (bare one- and two-digit numbers: `alert(1)`). */
  weak: number;
  /** The query as normalised phrase text, for the exact-title, title-start and phrase checks. */
  phrase: string;
}

/** Reads a query into index terms: each typed word, its typo fixes, the completions of the word being typed, acronyms. */
export function parseQuery(query: string, lexicon: SearchWords): ParsedQuery {
  const text = capQuery(query);
  const groups = splitWordGroups(text).slice(0, MAX_QUERY_WORDS);
  const typing = /[\p{L}\p{N}]$/u.test(text);
  const terms = new Map<string, QueryTerm>();
  const sequence: Array<{ term: string; bit: number }> = [];
  let words = 0;
  let weak = 0;
  const seen = new Map<string, number>();
  groups.forEach((group, position) => {
    // The word being typed may look like a stop word (`an` on the way to `analysis`): it is only completed.
    const completing = typing && position === groups.length - 1;
    const meaningful = group.forms.some((form) => !form.isStopWord);
    if (!meaningful && !completing) return;
    // A word typed twice (`word for word`) is one word of the query, not two that every paper must cover.
    const key = group.forms.map((form) => form.raw).join(' ');
    const earlier = meaningful ? seen.get(key) : undefined;
    if (earlier !== undefined) {
      if (completing) for (const form of group.forms) expandWord(form.raw, true, earlier, !form.isStopWord, terms, lexicon);
      for (const form of longFormParts(group)) sequence.push({ term: form.term, bit: 1 << earlier });
      return;
    }
    if (meaningful) seen.set(key, words);
    for (const form of group.forms) {
      if (form.isStopWord && !completing) continue;
      expandWord(form.raw, completing, words, !form.isStopWord, terms, lexicon);
    }
    if (meaningful) {
      for (const form of longFormParts(group)) sequence.push({ term: form.term, bit: 1 << words });
      if (group.forms.every((form) => /^\d{1,2}$/.test(form.raw))) weak |= 1 << words;
      words += 1;
    }
  });
  words -= addAcronyms(sequence, terms, lexicon);
  return { terms, words, weak, phrase: normalizePhraseText(text) };
}

/** Typo tolerance grows with word length: none up to 3 letters, 1 edit up to 7, then 2. */
export function countAllowedEdits(word: string): number {
  if (word.length <= 3) return 0;
  return word.length <= 7 ? 1 : 2;
}

/** The query cut to {@link MAX_QUERY_CHARS} characters, never inside a surrogate pair. */
export function capQuery(query: string): string {
  let text = query.slice(0, MAX_QUERY_CHARS);
  if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
  return text;
}

/** Adds the terms one typed form stands for: itself when indexed, else its typo fixes; its completions while typed. */
function expandWord(
  raw: string,
  completing: boolean,
  word: number,
  exact: boolean,
  terms: Map<string, QueryTerm>,
  lexicon: SearchWords,
): void {
  const { lexicon: words, completions: cache } = lexicon;
  // Another form of the same stem may be indexed (`quantization` typed, only `quantized` written): no typo then.
  const typed = findSorted(words.words, raw);
  const term = typed !== -1 ? words.terms[words.wordTerm[typed]!]! : analyzeWord(raw).term;
  const known = typed !== -1 || findSorted(words.terms, term) !== -1;
  if (known && exact) addTerm(terms, term, 1, 1 << word, true);
  const edits = countAllowedEdits(raw);
  if (!known && exact && edits > 0) {
    for (const candidate of findNearWords(raw, edits, words)) {
      const found = findSorted(words.words, candidate.word);
      addTerm(
        terms,
        words.terms[words.wordTerm[found]!]!,
        (FUZZY_WEIGHT * raw.length) / (raw.length + candidate.distance),
        1 << word,
        false,
      );
    }
  }
  if (completing && raw.length >= 2) {
    let completions = cache.get(raw);
    if (!completions) {
      completions = completeWord(raw, words);
      // Two- and three-letter prefixes match thousands of words: remember their best completions.
      if (raw.length <= 3) cache.set(raw, completions);
    }
    for (const completion of completions) {
      const found = findSorted(words.words, completion);
      if (found === -1) continue;
      const extra = completion.length - raw.length;
      addTerm(
        terms,
        words.terms[words.wordTerm[found]!]!,
        (PREFIX_WEIGHT * completion.length) / (completion.length + 0.3 * extra),
        1 << word,
        true,
      );
    }
  }
}

// A long form typed out (`reinforcement learning from human feedback`) also finds papers that only write the
// acronym the corpus defined for it (`RLHF`); the acronym then counts for every word of the long form.
// Returns how many typed words were folded into a long form typed beside them.
function addAcronyms(sequence: ReadonlyArray<{ term: string; bit: number }>, terms: Map<string, QueryTerm>, lexicon: SearchWords): number {
  const { acronyms, lexicon: words } = lexicon;
  if (acronyms.size === 0) return 0;
  let folded = 0;
  for (let start = 0; start < sequence.length - 1; start++) {
    const end = Math.min(sequence.length, start + acronyms.longest);
    for (let stop = start + 2; stop <= end; stop++) {
      const window = sequence.slice(start, stop);
      const acronym = acronyms.lookup(window.map((part) => part.term));
      if (!acronym || findSorted(words.terms, acronym) === -1) continue;
      const long = window.reduce((bits, part) => bits | part.bit, 0);
      // `RLHF reinforcement learning from human feedback` names one thing twice: the typed acronym is folded into
      // the long form's words, so that a paper writing either one covers the whole query.
      const typed = (terms.get(acronym)?.bits ?? 0) & ~long;
      if (typed !== 0) {
        for (const info of terms.values()) {
          if ((info.bits & typed) !== 0) info.bits = (info.bits & ~typed) | long;
          if ((info.sure & typed) !== 0) info.sure = (info.sure & ~typed) | long;
        }
        folded += countBits(typed);
      }
      addTerm(terms, acronym, 1, long, true);
    }
  }
  return folded;
}

/**
 * Adds a term for the typed words in `bits`; a term reached again (`RLHF` typed and also standing for its long form
 * typed beside it) covers the words of both, so a paper holding it is not counted as missing half the query.
 */
function addTerm(terms: Map<string, QueryTerm>, term: string, weight: number, bits: number, sure: boolean): void {
  const known = terms.get(term);
  if (!known) terms.set(term, { weight, bits, sure: sure ? bits : 0 });
  else {
    if (weight > known.weight) known.weight = weight;
    known.bits |= bits;
    if (sure) known.sure |= bits;
  }
}
