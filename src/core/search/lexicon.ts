/**
 * The corpus vocabulary in sorted arrays rather than a map of objects: every folded word with its index term, how
 * many papers hold it and whether it is a stop word, and every index term with how many papers hold it. A word or a
 * term is its position in its sorted list.
 */
export interface Lexicon {
  /** Every folded word of the corpus (stop words too), in code-unit order. */
  readonly words: readonly string[];
  /** The index term of each word (a position in {@link Lexicon.terms}). */
  readonly wordTerm: Int32Array;
  /** Papers holding each word anywhere (title, abstract or keywords). */
  readonly wordPapers: Int32Array;
  /** 1 for a stop word. */
  readonly wordStop: Uint8Array;
  /** Every index term of the vocabulary's words, in code-unit order. */
  readonly terms: readonly string[];
  /** Papers holding each term as a meaningful word (stop words aside), which decides whether it is common. */
  readonly termPapers: Int32Array;
}

/** A lexicon without words. */
export const EMPTY_LEXICON: Lexicon = {
  words: [],
  wordTerm: new Int32Array(0),
  wordPapers: new Int32Array(0),
  wordStop: new Uint8Array(0),
  terms: [],
  termPapers: new Int32Array(0),
};

/** The position of a string in a sorted list, or -1. */
export function findSorted(sorted: readonly string[], key: string): number {
  const at = lowerBound(sorted, key);
  return at < sorted.length && sorted[at] === key ? at : -1;
}

/** The first position whose string is not below `key`. */
export function lowerBound(sorted: readonly string[], key: string, from = 0, to = sorted.length): number {
  let low = from;
  let high = to;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first position at or after `from` whose string does not start with `prefix`. */
export function endOfPrefix(sorted: readonly string[], prefix: string, from: number): number {
  if (prefix === '') return sorted.length;
  // Every string starting with the prefix sorts below the prefix with its last code unit raised by one.
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last === 0xffff) {
    let at = from;
    while (at < sorted.length && sorted[at]!.startsWith(prefix)) at++;
    return at;
  }
  return lowerBound(sorted, prefix.slice(0, -1) + String.fromCharCode(last + 1), from);
}

/** How many papers a word counts for when completions and typo fixes are ranked (stop words: none). */
export function wordWeight(lexicon: Lexicon, word: number): number {
  return lexicon.wordStop[word] ? 0 : lexicon.wordPapers[word]!;
}
