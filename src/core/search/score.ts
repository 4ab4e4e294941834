import { createBitset, countSetBits, forEachBit, hasBit, intersectAll, keepFirstBits, orBitsInto, setBit } from './bitset.js';
import { computeIdf, KEYWORDS_BOOST, saturate, TITLE_BOOST } from './bm25.js';
import type { CommonTerm, SearchData } from './index-data.js';
import { findSorted } from './lexicon.js';
import { ABSTRACT, countPapers, KEYWORDS, TITLE } from './postings.js';
import type { ParsedQuery, QueryTerm } from './query.js';

/**
 * When only common words are typed, at most this many papers (in corpus order) are scored: they all contain every
 * typed word in the title, so the ranking among them hardly matters, and latency stays bounded at any corpus size.
 */
const COMMON_POOL_CAP = 6000;
const TITLE_POOL_CAP = 1500;

/**
 * Per-paper scratch space reused by every query (queries run one at a time); only pooled papers are touched, and
 * whoever reads a pooled paper's entries sets them back to zero.
 */
export interface ScoreBoard {
  /** Each paper's BM25 score for the query so far. */
  readonly scores: Float64Array;
  /** The typed words each paper holds (one bit each), and those it holds as typed rather than through a typo fix. */
  readonly matchedWords: Int32Array;
  readonly matchedSure: Int32Array;
  /** One rare term's score per paper, and the rare terms each paper matched: scratch for {@link scoreRareTerms}. */
  readonly termScores: Float64Array;
  readonly termsMatched: Int32Array;
  readonly touched: Int32Array;
}

interface QueryCommonTerm {
  entry: CommonTerm;
  info: QueryTerm;
}

/** Field boosts: title words weigh most, then AI keywords, then abstract words. */
const FIELD_BOOSTS = [TITLE_BOOST, 1, KEYWORDS_BOOST];

/** A clean score board for `count` papers. */
export function createScoreBoard(count: number): ScoreBoard {
  return {
    scores: new Float64Array(count),
    matchedWords: new Int32Array(count),
    matchedSure: new Int32Array(count),
    termScores: new Float64Array(count),
    termsMatched: new Int32Array(count),
    touched: new Int32Array(count),
  };
}

/**
 * The papers worth ranking for a parsed query, with their BM25 scores and matched words on the board: rarer terms
 * through their postings (titles only for `titlesOnly`), common terms through their bitsets.
 */
export function scorePool(data: SearchData, board: ScoreBoard, parsed: ParsedQuery, limit: number, titlesOnly: boolean): Uint32Array {
  const { count, titleLength, avgTitle } = data;
  const { scores, matchedWords, matchedSure } = board;
  const selective: string[] = [];
  const commonTerms: QueryCommonTerm[] = [];
  for (const [term, info] of parsed.terms) {
    const entry = data.common.get(term);
    if (entry) commonTerms.push({ entry, info });
    else selective.push(term);
  }

  const pool = createBitset(count);
  let pooled = 0;
  if (selective.length > 0 && titlesOnly) {
    const titles = data.state.fields[TITLE]!;
    for (const term of selective) {
      const id = findSorted(data.words.lexicon.terms, term);
      if (id === -1) continue;
      const info = parsed.terms.get(term)!;
      const gain = info.weight * TITLE_BOOST * computeIdf(count, countPapers(titles, id));
      for (let at = titles.offsets[id]!; at < titles.offsets[id + 1]!; at++) {
        const index = titles.docs[at]!;
        if (!hasBit(pool, index)) {
          setBit(pool, index);
          pooled += 1;
        }
        scores[index]! += gain * saturate(1, titleLength[index]!, avgTitle);
        matchedWords[index]! |= info.bits;
        matchedSure[index]! |= info.sure;
      }
    }
  } else if (selective.length > 0) {
    pooled = scoreRareTerms(data, board, parsed, selective, pool);
  }
  if (commonTerms.length > 0) {
    if (pooled < limit) {
      orBitsInto(pool, keepFirstBits(findCommonPool(commonTerms, count, limit, titlesOnly), titlesOnly ? TITLE_POOL_CAP : COMMON_POOL_CAP));
    }
    for (const { entry, info } of commonTerms) {
      accumulate(board, pool, entry.title, null, info.weight * TITLE_BOOST * entry.titleIdf, titleLength, avgTitle, info);
      if (!titlesOnly) {
        const frequency = createOccurrences(data, entry.term);
        accumulate(board, pool, entry.abstract, frequency, info.weight * entry.abstractIdf, data.abstractLength, data.avgAbstract, info);
      }
    }
  }
  return pool;
}

/**
 * Scores the rare terms over all their papers, BM25+ with field boosts, exactly as MiniSearch did when it held
 * them (the same sums in the same order, so rankings did not move): each term's fields summed, then the terms, and
 * the total divided back by the number of terms matched (coverage of typed words is the ranking's job). Pools the
 * papers found and returns how many.
 */
function scoreRareTerms(data: SearchData, board: ScoreBoard, parsed: ParsedQuery, selective: readonly string[], pool: Uint32Array): number {
  const { count, rareLength, rareAverage } = data;
  const { scores, matchedWords, matchedSure, termScores, termsMatched, touched } = board;
  let found = 0;
  for (const term of selective) {
    const id = findSorted(data.words.lexicon.terms, term);
    if (id === -1) continue;
    const info = parsed.terms.get(term)!;
    let touchedCount = 0;
    for (let field = 0; field < FIELD_BOOSTS.length; field++) {
      const { offsets, docs, counts } = data.state.fields[field]!;
      const start = offsets[id]!;
      const end = offsets[id + 1]!;
      if (start === end) continue;
      const idf = computeIdf(count, end - start);
      const boost = info.weight * FIELD_BOOSTS[field]!;
      const lengths = rareLength[field]!;
      const average = rareAverage[field]!;
      for (let at = start; at < end; at++) {
        const index = docs[at]!;
        if (termScores[index] === 0) touched[touchedCount++] = index;
        termScores[index]! += boost * (idf * saturate(counts[at]!, lengths[index]!, average));
      }
    }
    for (let i = 0; i < touchedCount; i++) {
      const index = touched[i]!;
      if (termsMatched[index] === 0) {
        setBit(pool, index);
        found += 1;
      }
      scores[index]! += termScores[index]!;
      termsMatched[index]! += 1;
      matchedWords[index]! |= info.bits;
      matchedSure[index]! |= info.sure;
      termScores[index] = 0;
    }
  }
  forEachBit(pool, (index) => {
    const matched = termsMatched[index]!;
    scores[index] = (scores[index]! * matched) / matched;
    termsMatched[index] = 0;
  });
  return found;
}

/** How often a common term occurs in each pooled paper's abstract and keywords (capped at 255), read from its postings as papers come in ascending order. */
function createOccurrences(data: SearchData, term: number): (index: number) => number {
  const abstract = data.state.fields[ABSTRACT]!;
  const keywords = data.state.fields[KEYWORDS]!;
  let a = abstract.offsets[term]!;
  const aEnd = abstract.offsets[term + 1]!;
  let k = keywords.offsets[term]!;
  const kEnd = keywords.offsets[term + 1]!;
  return (index) => {
    a = seek(abstract.docs, a, aEnd, index);
    k = seek(keywords.docs, k, kEnd, index);
    const inAbstract = a < aEnd && abstract.docs[a] === index ? abstract.counts[a]! : 0;
    const inKeywords = k < kEnd && keywords.docs[k] === index ? keywords.counts[k]! : 0;
    return Math.min(255, inAbstract + inKeywords);
  };
}

/** The first position at or after `from` whose paper is not below `index` (galloping, then binary search). */
function seek(docs: Uint32Array, from: number, end: number, index: number): number {
  if (from >= end || docs[from]! >= index) return from;
  let step = 1;
  let low = from;
  let high = from + 1;
  while (high < end && docs[high]! < index) {
    low = high;
    step *= 2;
    high = Math.min(end, low + step);
  }
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (docs[mid]! < index) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Adds one common term's BM25 score in one field to every pooled paper holding it there. */
function accumulate(
  board: ScoreBoard,
  pool: Uint32Array,
  field: Uint32Array,
  frequency: ((index: number) => number) | null,
  gain: number,
  lengths: Uint16Array,
  avg: number,
  info: QueryTerm,
): void {
  const { scores, matchedWords, matchedSure } = board;
  for (let i = 0; i < pool.length; i++) {
    let word = pool[i]! & field[i]!;
    while (word !== 0) {
      const low = word & -word;
      const index = (i << 5) + 31 - Math.clz32(low);
      scores[index]! += gain * saturate(frequency ? frequency(index) : 1, lengths[index]!, avg);
      matchedWords[index]! |= info.bits;
      matchedSure[index]! |= info.sure;
      word ^= low;
    }
  }
}

/**
 * The papers to score for the common words of a query: those with every such word in the title, else anywhere,
 * else with as many of them as possible (dropping the most frequent word first).
 */
function findCommonPool(terms: readonly QueryCommonTerm[], count: number, wanted: number, titlesOnly: boolean): Uint32Array {
  const byWord = new Map<number, { title: Uint32Array; any: Uint32Array }>();
  for (const { entry, info } of terms) {
    // An acronym standing for several typed words is an alternative for each of them, not one more word to require.
    for (let rest = info.bits; rest !== 0; rest &= rest - 1) {
      const bit = rest & -rest;
      let sets = byWord.get(bit);
      if (!sets) {
        const title = createBitset(count);
        byWord.set(bit, (sets = { title, any: titlesOnly ? title : createBitset(count) }));
      }
      orBitsInto(sets.title, entry.title);
      if (!titlesOnly) {
        orBitsInto(sets.any, entry.title);
        orBitsInto(sets.any, entry.abstract);
      }
    }
  }
  const words = [...byWord.values()];
  let pool = intersectAll(
    words.map((sets) => sets.title),
    count,
  );
  if (countSetBits(pool) < wanted) {
    const anywhere = words.map((sets) => ({ bits: sets.any, size: countSetBits(sets.any) })).sort((a, b) => a.size - b.size);
    pool = intersectAll(
      anywhere.map((word) => word.bits),
      count,
    );
    while (countSetBits(pool) < wanted && anywhere.length > 1) {
      anywhere.pop();
      pool = intersectAll(
        anywhere.map((word) => word.bits),
        count,
      );
    }
  }
  return pool;
}
