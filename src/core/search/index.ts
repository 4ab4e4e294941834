import type { Paper } from '../paper.js';
import { buildSearchData, dedupePapers, deriveSearchData, type SearchData, updateSearchData } from './index-data.js';
import { type IndexImage, IndexImageError } from './index-image.js';
import { toText } from '../text-analysis.js';
import { rankPapers, type SearchHit } from './rank.js';
import { createScoreBoard } from './score.js';
import { suggestPapers } from './suggest.js';

export { MAX_QUERY_CHARS, MAX_QUERY_WORDS, countAllowedEdits } from './query.js';
export { isRelevantMatch, type MatchEvidence } from './relevance.js';
export type { SearchHit } from './rank.js';
export { truncateAtWord } from './suggest.js';
export type { IndexState } from './index-state.js';
export { decodeIndexImage, encodeIndexImage, IndexImageError, INDEX_IMAGE_VERSION, type IndexImage } from './index-image.js';
export { digestIndexedPapers } from './digest.js';

/** Options of {@link SearchIndex.search}. */
export interface SearchOptions {
  /** Most results returned (default 10, at most 100). */
  limit?: number;
}

/** A ranked, typo-tolerant search over a fixed set of papers. */
export interface SearchIndex {
  readonly size: number;
  /**
   * Papers matching the query, best first (ties in corpus order); empty when even the best paper is below the
   * relevance floor ({@link isRelevantMatch}), so that a poor match is never presented as the answer; never throws.
   */
  search(query: string, options?: SearchOptions): SearchHit[];
  /** The papers closest to a query, best first, floor or not: what to offer, labelled so, when `search` finds nothing. */
  closest(query: string, options?: SearchOptions): SearchHit[];
  /**
   * Papers to suggest as a title is typed, best first: matches for the typed text, or the newest papers when it is
   * empty (default 25, at most 100).
   */
  suggest(text: string, options?: SearchOptions): Paper[];
  get(id: string): Paper | undefined;
  /** What the index is made of: what a cache stores ({@link SearchData.state}) and what an update starts from. */
  readonly data: SearchData;
}

const DEFAULT_LIMIT = 10;
const DEFAULT_SUGGESTIONS = 25;
const MAX_LIMIT = 100;

/** Builds a search index over the papers (later duplicates of an id are ignored). */
export function createSearchIndex(papers: readonly Paper[]): SearchIndex {
  return createIndexOver(buildSearchData(papers));
}

/**
 * The index over a changed corpus, made from the index of the previous one: only the papers that changed are
 * analysed; it answers every query exactly as {@link createSearchIndex} over the same papers would.
 */
export function updateSearchIndex(previous: SearchIndex, papers: readonly Paper[]): SearchIndex {
  return createIndexOver(updateSearchData(previous.data, papers));
}

/**
 * The index over the papers from a stored image (see {@link encodeIndexImage}); throws an {@link IndexImageError}
 * when the image does not hold as many papers (the caller checked that it was made from these papers).
 */
export function restoreSearchIndex(image: IndexImage, papers: readonly Paper[]): SearchIndex {
  const { docs, positions } = dedupePapers(papers);
  const { state, derived } = image;
  if (docs.length !== state.count) throw new IndexImageError(`the stored index holds ${state.count} papers, the corpus ${docs.length}`);
  return createIndexOver(deriveSearchData(state, docs, positions, derived));
}

function createIndexOver(data: SearchData): SearchIndex {
  const board = createScoreBoard(data.count);
  const rank = (query: string, limit: number, titlesOnly = false) => rankPapers(data, board, query, limit, titlesOnly);
  return {
    size: data.count,
    data,
    search(query, options = {}) {
      const { hits, relevant } = rank(toText(query), clampLimit(options.limit));
      return relevant ? hits : [];
    },
    closest(query, options = {}) {
      return rank(toText(query), clampLimit(options.limit)).hits;
    },
    suggest(text, options = {}) {
      return suggestPapers(text, data, rank, clampLimit(options.limit ?? DEFAULT_SUGGESTIONS));
    },
    get(id) {
      const at = data.positions.get(id);
      return at === undefined ? undefined : data.docs[at];
    },
  };
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.max(0, Math.min(MAX_LIMIT, Math.floor(limit)));
}
