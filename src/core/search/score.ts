import { createBitset, countSetBits, hasBit, intersectAll, keepFirstBits, orBitsInto, setBit } from './bitset.js';
import { computeIdf, saturate, TITLE_BOOST } from './bm25.js';
import type { CommonTerm, SearchData } from './index-data.js';
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
}

interface QueryCommonTerm {
  entry: CommonTerm;
  info: QueryTerm;
}

/** A clean score board for `count` papers. */
export function createScoreBoard(count: number): ScoreBoard {
  return { scores: new Float64Array(count), matchedWords: new Int32Array(count), matchedSure: new Int32Array(count) };
}

/**
 * The papers worth ranking for a parsed query, with their BM25 scores and matched words on the board: rarer terms
 * through MiniSearch (or the title postings for `titlesOnly`), common terms through their bitsets.
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
    for (const term of selective) {
      const postings = data.titlePostings.get(term);
      if (!postings) continue;
      const info = parsed.terms.get(term)!;
      const gain = info.weight * TITLE_BOOST * computeIdf(count, postings.length);
      for (const index of postings) {
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
    const results = data.mini.search(selective.join(' '), { boostTerm: (term) => parsed.terms.get(term)?.weight ?? 0 });
    for (const result of results) {
      const index = result.id as number;
      let words = 0;
      let sure = 0;
      for (const term of result.queryTerms) {
        words |= parsed.terms.get(term)?.bits ?? 1;
        sure |= parsed.terms.get(term)?.sure ?? 0;
      }
      matchedSure[index] = sure;
      // MiniSearch multiplies by the number of matched terms; coverage of typed words is applied by the ranking
      // instead, so that the parts of `Zebra-Llama` or several completions of one prefix do not add up.
      scores[index] = result.score / Math.max(1, result.queryTerms.length);
      matchedWords[index] = words;
      setBit(pool, index);
      pooled += 1;
    }
  }
  if (commonTerms.length > 0) {
    if (pooled < limit) {
      orBitsInto(pool, keepFirstBits(findCommonPool(commonTerms, count, limit, titlesOnly), titlesOnly ? TITLE_POOL_CAP : COMMON_POOL_CAP));
    }
    for (const { entry, info } of commonTerms) {
      accumulate(board, pool, entry.title, null, info.weight * TITLE_BOOST * entry.titleIdf, titleLength, avgTitle, info);
      if (!titlesOnly) {
        accumulate(
          board,
          pool,
          entry.abstract,
          entry.abstractFrequency,
          info.weight * entry.abstractIdf,
          data.abstractLength,
          data.avgAbstract,
          info,
        );
      }
    }
  }
  return pool;
}

/** Adds one common term's BM25 score in one field to every pooled paper holding it there. */
function accumulate(
  board: ScoreBoard,
  pool: Uint32Array,
  field: Uint32Array,
  frequency: Uint8Array | null,
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
      scores[index]! += gain * saturate(frequency ? frequency[index]! : 1, lengths[index]!, avg);
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
