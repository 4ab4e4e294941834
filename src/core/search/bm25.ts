// The scoring weights shared by the index build and the ranking.

/** Title words weigh this many times abstract words, for rare and common terms alike. */
export const TITLE_BOOST = 4;
/** Hugging Face's AI keywords weigh a little more than abstract words, far less than the title. */
export const KEYWORDS_BOOST = 1.5;
// MiniSearch's BM25+ defaults: rare terms were scored by MiniSearch before, and scores did not move.
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };

/** The BM25+ term-frequency part, as MiniSearch computes it. */
export function saturate(frequency: number, length: number, averageLength: number): number {
  return BM25.d + (frequency * (BM25.k + 1)) / (frequency + BM25.k * (1 - BM25.b + (BM25.b * length) / averageLength));
}

/** The BM25 inverse document frequency of a term found in `matching` of `total` papers. */
export function computeIdf(total: number, matching: number): number {
  return Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
}
