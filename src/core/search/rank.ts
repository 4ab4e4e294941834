import type { Paper } from '../paper.js';
import { foldForAnalysis } from '../text-analysis.js';
import { countBits, forEachBit, setBit } from './bitset.js';
import type { SearchData } from './index-data.js';
import { parseQuery, type ParsedQuery } from './query.js';
import { isRelevantMatch } from './relevance.js';
import { scorePool, type ScoreBoard } from './score.js';
import { findExactTitles, findTitleStarts } from './titles.js';

/** Only the best candidates are checked for an abstract phrase: normalising abstracts per query is costly. */
const ABSTRACT_PHRASE_WINDOW = 40;

/** One search result: the paper and its relevance (exact titles score ≥ 3, title phrases ≥ 2, abstract phrases ≥ 1). */
export interface SearchHit {
  paper: Paper;
  score: number;
}

/** A query's best papers, and whether the best one clears the relevance floor. */
export interface Ranking {
  hits: SearchHit[];
  relevant: boolean;
}

interface Candidate {
  index: number;
  final: number;
  /** 3 exact title, 2 title start or phrase in the title, 1 phrase in the abstract, 0 words only. */
  tier: number;
  /** The typed words the paper holds (one bit each), and those it holds as typed rather than through a typo fix. */
  matched: number;
  sure: number;
}

/** Ranks the papers for a query, best first (ties in corpus order); `titlesOnly` reads titles alone, as autocomplete does. */
export function rankPapers(data: SearchData, board: ScoreBoard, query: string, limit: number, titlesOnly = false): Ranking {
  if (limit <= 0) return { hits: [], relevant: false };
  const parsed = parseQuery(query, data.words);
  const pool = scorePool(data, board, parsed, limit, titlesOnly);
  const titleTexts = data.titles.texts;
  const exact = findExactTitles(data.titles, parsed.phrase);
  for (const index of exact) setBit(pool, index);
  // A phrase of numbers alone (`{{7*7}}` → `7 7`) says nothing about a paper.
  const needle = parsed.phrase.includes(' ') && /\p{L}/u.test(parsed.phrase) ? ` ${parsed.phrase}` : null;
  // Words typed from a title's start find it even when they are all stop words (`all is not` → All is Not Lost).
  const starts = new Set(needle ? findTitleStarts(data.titles, parsed.phrase, limit + ABSTRACT_PHRASE_WINDOW) : []);
  for (const index of starts) setBit(pool, index);

  const { scores, matchedWords, matchedSure } = board;
  const top = new TopCandidates(limit + ABSTRACT_PHRASE_WINDOW);
  forEachBit(pool, (index) => {
    const matched = countBits(matchedWords[index]!);
    const coverage = Math.min(1, matched / Math.max(1, parsed.words));
    const final = scores[index]! * coverage * coverage * Math.max(1, matched);
    let tier = 0;
    if (exact.includes(index)) tier = 3;
    else if (starts.has(index)) tier = 2;
    // A title holding the phrase holds all its complete words: skip the string search for papers missing one.
    else if (needle && matched >= parsed.words - 1 && titleTexts[index]!.includes(needle)) tier = 2;
    top.offer(index, final, tier, matchedWords[index]!, matchedSure[index]!);
    scores[index] = 0;
    matchedWords[index] = 0;
    matchedSure[index] = 0;
  });
  const best = top.sorted();
  if (needle && !titlesOnly) {
    const phrase = buildPhrasePattern(parsed.phrase);
    for (const candidate of best.slice(0, ABSTRACT_PHRASE_WINDOW)) {
      if (candidate.tier === 0 && phrase.test(foldForAnalysis(data.docs[candidate.index]!.abstract))) candidate.tier = 1;
    }
    best.sort(compareCandidates);
  }
  return {
    hits: best.slice(0, limit).map((candidate) => ({
      paper: data.docs[candidate.index]!,
      score: candidate.tier + candidate.final / (candidate.final + 1),
    })),
    relevant: isRelevantCandidate(best[0], parsed),
  };
}

/** Whether the best candidate clears the relevance floor, bare small numbers left out of the evidence. */
function isRelevantCandidate(first: Candidate | undefined, parsed: ParsedQuery): boolean {
  return (
    !!first &&
    isRelevantMatch({
      tier: first.tier,
      matched: countBits(first.matched & ~parsed.weak),
      sure: countBits(first.sure & ~parsed.weak),
      words: parsed.words - countBits(parsed.weak),
    })
  );
}

/** Matches the normalised phrase in folded text without normalising the text: any punctuation may separate its words. */
export function buildPhrasePattern(phrase: string): RegExp {
  const words = phrase.split(' ').map((word) =>
    // `10000` in the query also matches `10,000` in the text.
    /^\d{4,}$/.test(word) ? word.replace(/\B(?=(\d{3})+$)/g, ',?') : word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join("(?:'s)?[^\\p{L}\\p{N}]+")}`, 'u');
}

function compareCandidates(a: Candidate, b: Candidate): number {
  return b.tier - a.tier || b.final - a.final || a.index - b.index;
}

/** Keeps the best `k` candidates offered, in order, without sorting everything (pools reach thousands of papers). */
class TopCandidates {
  private readonly items: Candidate[] = [];

  constructor(private readonly k: number) {}

  offer(index: number, final: number, tier: number, matched: number, sure: number): void {
    const items = this.items;
    if (this.k <= 0) return;
    if (items.length === this.k) {
      const worst = items[this.k - 1]!;
      if (tier < worst.tier || (tier === worst.tier && final <= worst.final)) return;
    }
    const candidate: Candidate = { index, final, tier, matched, sure };
    let low = 0;
    let high = items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareCandidates(items[mid]!, candidate) <= 0) low = mid + 1;
      else high = mid;
    }
    items.splice(low, 0, candidate);
    if (items.length > this.k) items.pop();
  }

  sorted(): Candidate[] {
    return this.items;
  }
}
