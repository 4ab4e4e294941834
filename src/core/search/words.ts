import type MiniSearch from 'minisearch';

// Typo tolerance and prefix completion over the corpus vocabulary, in front of the index.
const MAX_FUZZY_CANDIDATES = 6;
const MAX_PREFIX_CANDIDATES = 24;

/** What the index knows of one folded word of the corpus. */
export interface VocabularyEntry {
  term: string;
  termId: number;
  isStopWord: boolean;
  /** Papers containing the word, so prefix completions and corrections favour common words. */
  df: number;
  lastDoc: number;
}

/** A vocabulary word near a typed one. */
export interface NearWord {
  word: string;
  distance: number;
}

/** Vocabulary words within `edits` of a typed word (a swap of neighbours counts as one), closest and most common first. */
export function findNearWords(
  raw: string,
  edits: number,
  vocabulary: ReadonlyMap<string, VocabularyEntry>,
  fuzzyWords: MiniSearch<{ id: string }>,
): NearWord[] {
  const near = new Map<string, number>();
  for (const result of fuzzyWords.search(raw, { fuzzy: edits, maxFuzzy: edits })) {
    const word = result.id as string;
    near.set(word, measureEditDistance(raw, word, edits));
  }
  // A swap of two neighbouring letters is the most common typo and costs two Levenshtein edits.
  for (let i = 0; i + 1 < raw.length; i++) {
    const swapped = raw.slice(0, i) + raw[i + 1]! + raw[i]! + raw.slice(i + 2);
    if (swapped !== raw && vocabulary.has(swapped)) near.set(swapped, 1);
  }
  return [...near.entries()]
    .map(([word, distance]) => ({ word, distance }))
    .filter((candidate) => candidate.distance <= edits)
    .sort(
      (a, b) =>
        a.distance - b.distance || (vocabulary.get(b.word)?.df ?? 0) - (vocabulary.get(a.word)?.df ?? 0) || (a.word < b.word ? -1 : 1),
    )
    .slice(0, MAX_FUZZY_CANDIDATES);
}

/** The most common vocabulary words that complete a half-typed word. */
export function completeWord(raw: string, sortedWords: readonly string[], vocabulary: ReadonlyMap<string, VocabularyEntry>): string[] {
  let low = 0;
  let high = sortedWords.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sortedWords[mid]! < raw) low = mid + 1;
    else high = mid;
  }
  // The most frequent completions, chosen without sorting the (possibly thousands of) words sharing a short prefix.
  const best: Array<{ word: string; df: number }> = [];
  for (let i = low; i < sortedWords.length && sortedWords[i]!.startsWith(raw); i++) {
    const word = sortedWords[i]!;
    if (word === raw) continue;
    const entry = vocabulary.get(word);
    if (!entry || entry.isStopWord) continue;
    const df = entry.df;
    if (best.length === MAX_PREFIX_CANDIDATES && df <= best[best.length - 1]!.df) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]!.df < df) at--;
    best.splice(at, 0, { word, df });
    if (best.length > MAX_PREFIX_CANDIDATES) best.pop();
  }
  return best.map((completion) => completion.word);
}

/** Levenshtein distance, or `max + 1` as soon as it must exceed `max`. */
function measureEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      if (value < best) best = value;
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}
