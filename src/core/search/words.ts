import { type Lexicon, endOfPrefix, findSorted, lowerBound, wordWeight } from './lexicon.js';

// Typo tolerance and prefix completion over the corpus vocabulary, in front of the index.
const MAX_FUZZY_CANDIDATES = 6;
const MAX_PREFIX_CANDIDATES = 24;

/** A vocabulary word near a typed one. */
export interface NearWord {
  word: string;
  distance: number;
}

/** Vocabulary words within `edits` of a typed word (a swap of neighbours counts as one), closest and most common first. */
export function findNearWords(raw: string, edits: number, lexicon: Lexicon): NearWord[] {
  const near = new Map<number, number>();
  forEachWordWithin(lexicon.words, raw, edits, (word, distance) => near.set(word, distance));
  // A swap of two neighbouring letters is the most common typo and costs two Levenshtein edits.
  for (let i = 0; i + 1 < raw.length; i++) {
    const swapped = raw.slice(0, i) + raw[i + 1]! + raw[i]! + raw.slice(i + 2);
    if (swapped === raw) continue;
    const word = findSorted(lexicon.words, swapped);
    if (word !== -1) near.set(word, 1);
  }
  return [...near.entries()]
    .filter(([, distance]) => distance <= edits)
    .sort(([a, x], [b, y]) => x - y || wordWeight(lexicon, b) - wordWeight(lexicon, a) || a - b)
    .slice(0, MAX_FUZZY_CANDIDATES)
    .map(([word, distance]) => ({ word: lexicon.words[word]!, distance }));
}

/** The most common vocabulary words that complete a half-typed word. */
export function completeWord(raw: string, lexicon: Lexicon): string[] {
  const { words } = lexicon;
  // The most frequent completions, chosen without sorting the (possibly thousands of) words sharing a short prefix.
  const best: Array<{ word: string; df: number }> = [];
  for (let i = lowerBound(words, raw); i < words.length && words[i]!.startsWith(raw); i++) {
    const word = words[i]!;
    if (word === raw || lexicon.wordStop[i]) continue;
    const df = lexicon.wordPapers[i]!;
    if (best.length === MAX_PREFIX_CANDIDATES && df <= best[best.length - 1]!.df) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]!.df < df) at--;
    best.splice(at, 0, { word, df });
    if (best.length > MAX_PREFIX_CANDIDATES) best.pop();
  }
  return best.map((completion) => completion.word);
}

/**
 * Calls `visit` with every word of a sorted list within `max` Levenshtein edits of `query`, and its distance. The
 * sorted list is walked as a trie: words sharing a prefix share the rows of the edit-distance matrix computed for
 * it, and a prefix whose every row entry is already beyond `max` skips all the words that start with it.
 */
export function forEachWordWithin(
  words: readonly string[],
  query: string,
  max: number,
  visit: (word: number, distance: number) => void,
): void {
  const n = query.length;
  const rows: Int32Array[] = [Int32Array.from({ length: n + 1 }, (_, j) => j)];
  let previous = '';
  // Rows 0..valid hold the matrix for the first `valid` code units of `previous`.
  let valid = 0;
  let i = 0;
  while (i < words.length) {
    const word = words[i]!;
    let depth = 0;
    const limit = Math.min(valid, word.length, previous.length);
    while (depth < limit && word.charCodeAt(depth) === previous.charCodeAt(depth)) depth++;
    let pruned = false;
    for (; depth < word.length; depth++) {
      const above = rows[depth]!;
      let row = rows[depth + 1];
      if (!row) rows.push((row = new Int32Array(n + 1)));
      const code = word.charCodeAt(depth);
      row[0] = depth + 1;
      let least = row[0];
      for (let j = 1; j <= n; j++) {
        const replace = above[j - 1]! + (query.charCodeAt(j - 1) === code ? 0 : 1);
        const remove = above[j]! + 1;
        const insert = row[j - 1]! + 1;
        const value = replace < remove ? (replace < insert ? replace : insert) : remove < insert ? remove : insert;
        row[j] = value;
        if (value < least) least = value;
      }
      if (least > max) {
        // No word with this prefix can come back within reach.
        previous = word;
        valid = depth + 1;
        i = endOfPrefix(words, word.slice(0, depth + 1), i + 1);
        pruned = true;
        break;
      }
    }
    if (pruned) continue;
    previous = word;
    valid = word.length;
    const distance = rows[word.length]![n]!;
    if (distance <= max) visit(i, distance);
    i++;
  }
}
