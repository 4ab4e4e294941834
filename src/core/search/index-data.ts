import { AcronymTable } from '../acronyms.js';
import type { Paper } from '../paper.js';
import { createBitset, countSetBits } from './bitset.js';
import { computeIdf } from './bm25.js';
import { type IndexState, isIndexedAlike, updateIndexState } from './index-state.js';
import type { Lexicon } from './lexicon.js';
import { ABSTRACT, FIELDS, KEYWORDS, TITLE } from './postings.js';
import type { TitleIndex } from './titles.js';

/**
 * A term in at least this many papers (and this share of them) is "common": scoring its whole posting list on every
 * query would be slow, so such terms are also kept as bitsets and scored only for candidates.
 */
const COMMON_MIN_DOCS = 200;
const COMMON_MIN_SHARE = 0.02;
/** Completions remembered for two- and three-letter prefixes; beyond it the memory is cleared (typed text is unbounded). */
const MAX_REMEMBERED_COMPLETIONS = 5000;

/** A term most papers share: bitsets over the papers, beside its postings. */
export interface CommonTerm {
  /** The term's position in the lexicon. */
  term: number;
  title: Uint32Array;
  /** Papers with the term in the abstract or in the keywords. */
  abstract: Uint32Array;
  titleIdf: number;
  abstractIdf: number;
}

/** The corpus words a query is read against: typo fixes, completions and acronyms all come from here. */
export interface SearchWords {
  readonly lexicon: Lexicon;
  /** Long forms the corpus defined an acronym for. */
  readonly acronyms: AcronymTable;
  /** Two- and three-letter prefixes match thousands of words: their best completions are remembered as they are asked for. */
  readonly completions: BoundedMap<string, string[]>;
}

/** Everything the search reads; a paper is its index in `docs` everywhere else. */
export interface SearchData {
  /** The papers in corpus order, the first of each id only. */
  readonly docs: readonly Paper[];
  readonly count: number;
  /** Where each id sits in `docs`. */
  readonly positions: ReadonlyMap<string, number>;
  /** What is stored and updated; everything below is derived from it. */
  readonly state: IndexState;
  readonly derived: DerivedArrays;
  readonly words: SearchWords;
  readonly titles: TitleIndex;
  /** The common terms by term string. */
  readonly common: ReadonlyMap<string, CommonTerm>;
  /**
   * Distinct terms in each paper's title and abstract (capped at 65535), and their averages (at least 1), for the
   * BM25 of common terms.
   */
  readonly titleLength: Uint16Array;
  readonly abstractLength: Uint16Array;
  readonly avgTitle: number;
  readonly avgAbstract: number;
  /** Distinct rare (not common) terms of each paper per field, and their running averages, as MiniSearch scored them. */
  readonly rareLength: readonly Uint32Array[];
  readonly rareAverage: readonly number[];
  /** Papers whose text was analysed to make this data: all for a build, the added, changed and removed for an update, none for a restore. */
  readonly analysed: number;
}

/** Builds the search data for the papers (later duplicates of an id are ignored). */
export function buildSearchData(papers: readonly Paper[]): SearchData {
  return updateSearchData(null, papers);
}

/**
 * The search data for `papers` from the data of an earlier version of the corpus: only the papers that changed are
 * analysed (later duplicates of an id are ignored).
 */
export function updateSearchData(previous: SearchData | null, papers: readonly Paper[]): SearchData {
  const { docs, positions } = dedupePapers(papers);
  // Papers whose indexed text did not change (new upvotes, say) keep the whole index; only the papers shown change.
  if (previous && isIndexedAlike(previous.docs, docs)) return { ...previous, docs, positions, analysed: 0 };
  const tally = { analysed: 0 };
  const state = updateIndexState(previous, docs, tally);
  return { ...deriveSearchData(state, docs, positions), analysed: tally.analysed };
}

/** The papers in order with each id once (the first copy), and where each id sits. */
export function dedupePapers(papers: readonly Paper[]): { docs: Paper[]; positions: Map<string, number> } {
  const docs: Paper[] = [];
  const positions = new Map<string, number>();
  for (const paper of papers) {
    if (positions.has(paper.id)) continue;
    positions.set(paper.id, docs.length);
    docs.push(paper);
  }
  return { docs, positions };
}

/**
 * What the search derives from a state and keeps beside it (also in the cache, to spare recomputing it at start):
 * the common terms as bitsets, and each field's rare-term lengths.
 */
export interface DerivedArrays {
  /** The common terms (lexicon positions), and their papers by title and by abstract or keywords, as bitsets. */
  readonly commonTerms: Int32Array;
  readonly commonTitle: readonly Uint32Array[];
  readonly commonAbstract: readonly Uint32Array[];
  /** Distinct rare (not common) terms of each paper per field, as MiniSearch counted a field's length. */
  readonly rareLength: readonly Uint32Array[];
}

/** The derived arrays of a state: which terms are common, their bitsets, the rare lengths. */
export function deriveArrays(state: IndexState): DerivedArrays {
  const { count, lexicon, fields, distinct } = state;
  const threshold = Math.max(COMMON_MIN_DOCS, Math.ceil(COMMON_MIN_SHARE * count));
  const commonTerms: number[] = [];
  const commonTitle: Uint32Array[] = [];
  const commonAbstract: Uint32Array[] = [];
  // Common terms per paper and field: a field's MiniSearch length counted only its rare terms.
  const commonIn = FIELDS.map(() => new Uint32Array(count));
  for (let term = 0; term < lexicon.terms.length; term++) {
    if (lexicon.termPapers[term]! < threshold) continue;
    const title = createBitset(count);
    const abstract = createBitset(count);
    for (let field = 0; field < FIELDS.length; field++) {
      const { offsets, docs: papers } = fields[field]!;
      const bits = field === TITLE ? title : abstract;
      const counts = commonIn[field]!;
      for (let at = offsets[term]!; at < offsets[term + 1]!; at++) {
        const doc = papers[at]!;
        bits[doc >>> 5]! |= 1 << (doc & 31);
        counts[doc]! += 1;
      }
    }
    commonTerms.push(term);
    commonTitle.push(title);
    commonAbstract.push(abstract);
  }
  const rareLength = FIELDS.map((_, field) => {
    const lengths = distinct[field]!.slice();
    const counts = commonIn[field]!;
    for (let doc = 0; doc < count; doc++) lengths[doc]! -= counts[doc]!;
    return lengths;
  });
  return { commonTerms: Int32Array.from(commonTerms), commonTitle, commonAbstract, rareLength };
}

/** The search data of a state made from `docs` (distinct ids): common-term bitsets, lengths, acronyms. */
export function deriveSearchData(
  state: IndexState,
  docs: readonly Paper[],
  positions: ReadonlyMap<string, number>,
  derived: DerivedArrays = deriveArrays(state),
): SearchData {
  const { count, lexicon, distinct } = state;
  const common = new Map<string, CommonTerm>();
  derived.commonTerms.forEach((term, i) => {
    const title = derived.commonTitle[i]!;
    const abstract = derived.commonAbstract[i]!;
    common.set(lexicon.terms[term]!, {
      term,
      title,
      abstract,
      titleIdf: computeIdf(count, countSetBits(title)),
      abstractIdf: computeIdf(count, countSetBits(abstract)),
    });
  });
  const titleLength = capLengths(distinct[TITLE]!);
  const abstractLength = capLengths(distinct[ABSTRACT]!);
  const acronyms = new AcronymTable();
  for (const id of state.definitionIds) {
    const [key, term, words] = state.definitions[id]!.split('\u0000');
    acronyms.record({ key: key!, term: term!, words: Number(words) });
  }
  const { rareLength } = derived;
  return {
    docs,
    count,
    positions,
    state,
    derived,
    words: { lexicon, acronyms, completions: new BoundedMap(MAX_REMEMBERED_COMPLETIONS) },
    titles: { texts: state.titleTexts, order: state.titleOrder },
    common,
    titleLength,
    abstractLength,
    avgTitle: Math.max(1, computeAverage(titleLength)),
    avgAbstract: Math.max(1, computeAverage(abstractLength)),
    rareLength,
    rareAverage: [averageAsAdded(rareLength[TITLE]!), averageAsAdded(rareLength[ABSTRACT]!), averageAsAdded(rareLength[KEYWORDS]!)],
    analysed: 0,
  };
}

function capLengths(values: Uint32Array): Uint16Array {
  const capped = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) capped[i] = values[i]! > 65535 ? 65535 : values[i]!;
  return capped;
}

function computeAverage(values: Uint16Array): number {
  let total = 0;
  for (const value of values) total += value;
  return values.length > 0 ? total / values.length : 0;
}

/** The average as MiniSearch keeps it, updated paper by paper (its rounding is part of every score). */
function averageAsAdded(values: Uint32Array): number {
  let average = 0;
  for (let i = 0; i < values.length; i++) average = (average * i + values[i]!) / (i + 1);
  return average;
}

/** A map that forgets everything once it holds `max` entries (a cache of what people type must stay bounded). */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) this.clear();
    return super.set(key, value);
  }
}
