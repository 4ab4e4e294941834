import MiniSearch from 'minisearch';
import { AcronymTable } from '../acronyms.js';
import type { Paper } from '../paper.js';
import { createBitset, countSetBits, setBit } from './bitset.js';
import { computeIdf, TITLE_BOOST } from './bm25.js';
import { TermTable } from './term-table.js';
import { createTitleIndex, type TitleIndex } from './titles.js';
import type { VocabularyEntry } from './words.js';

/** Hugging Face's AI keywords weigh a little more than abstract words, far less than the title (4). */
const KEYWORDS_BOOST = 1.5;

/** Abstracts are indexed up to this length: later text rarely decides relevance and costs build time. */
const MAX_ABSTRACT_CHARS = 4000;
/**
 * A term in at least this many papers (and this share of them) is "common": MiniSearch would walk and score its whole
 * posting list on every query, so such terms live in bitsets and are scored only for candidates.
 */
const COMMON_MIN_DOCS = 200;
const COMMON_MIN_SHARE = 0.02;

/** A term most papers share, kept as bitsets over the papers rather than in MiniSearch. */
export interface CommonTerm {
  title: Uint32Array;
  /** How often the term occurs in each abstract (capped at 255): repetition there is a relevance signal. */
  abstractFrequency: Uint8Array;
  abstract: Uint32Array;
  titleIdf: number;
  abstractIdf: number;
}

/** The corpus words a query is read against: typo fixes, completions and acronyms all come from here. */
export interface SearchWords {
  /** Every folded word of the corpus, stop words included, with its index term. */
  readonly vocabulary: ReadonlyMap<string, VocabularyEntry>;
  /** The vocabulary's words in order, for prefix completion by binary search. */
  readonly sortedWords: readonly string[];
  /** The vocabulary's words in a MiniSearch of their own, for typo search. */
  readonly fuzzyWords: MiniSearch<{ id: string }>;
  /** Every term of the vocabulary (stop words too) and its id: a term not here is in no paper. */
  readonly termIds: ReadonlyMap<string, number>;
  /** Long forms the corpus defined an acronym for. */
  readonly acronyms: AcronymTable;
  /** Two- and three-letter prefixes match thousands of words: their best completions are remembered as they are asked for. */
  readonly completions: Map<string, string[]>;
}

/** Everything the search reads, built once from the papers; a paper is its index in `docs` everywhere else. */
export interface SearchData {
  /** The papers in corpus order, the first of each id only. */
  readonly docs: readonly Paper[];
  readonly byId: ReadonlyMap<string, Paper>;
  readonly count: number;
  /** The papers newest first (undated last, ties in corpus order): autocomplete's answer to empty text. */
  readonly recent: readonly Paper[];
  readonly words: SearchWords;
  readonly titles: TitleIndex;
  /** The terms that are not common, in MiniSearch (titles boosted). */
  readonly mini: MiniSearch<{ id: number; title: string; abstract: string; keywords: string }>;
  readonly common: ReadonlyMap<string, CommonTerm>;
  /** Autocomplete reads titles only, from compact posting lists: MiniSearch's per-result cost is too high for it. */
  readonly titlePostings: ReadonlyMap<string, Int32Array>;
  /** Distinct terms in each paper's title and abstract (capped at 65535), and their averages (at least 1), for BM25. */
  readonly titleLength: Uint16Array;
  readonly abstractLength: Uint16Array;
  readonly avgTitle: number;
  readonly avgAbstract: number;
}

/** Builds the search data for the papers (later duplicates of an id are ignored). */
export function buildSearchData(papers: readonly Paper[]): SearchData {
  const docs: Paper[] = [];
  const byId = new Map<string, Paper>();
  for (const paper of papers) {
    if (byId.has(paper.id)) continue;
    byId.set(paper.id, paper);
    docs.push(paper);
  }
  const count = docs.length;

  // Pass 1: analyse every paper once into term ids, counting document frequencies.
  const table = new TermTable();
  const titleIds: Array<Int32Array | null> = [];
  const abstractIds: Array<Int32Array | null> = [];
  // Hugging Face's AI keywords: their own field with a modest boost (common words among them score as abstract words).
  const keywordIds: Array<Int32Array | null> = [];
  const titleLength = new Uint16Array(count);
  const abstractLength = new Uint16Array(count);
  const acronyms = new AcronymTable();
  docs.forEach((paper, index) => {
    const abstractText = paper.abstract.slice(0, MAX_ABSTRACT_CHARS);
    const title = table.collect(paper.title, index, 0);
    const abstract = table.collect(abstractText, index, 1);
    acronyms.learn(paper.title);
    acronyms.learn(abstractText);
    titleIds.push(title.ids);
    abstractIds.push(abstract.ids);
    keywordIds.push(table.collect((paper.aiKeywords ?? []).join(' · '), index, 1).ids);
    titleLength[index] = Math.min(65535, title.unique);
    abstractLength[index] = Math.min(65535, abstract.unique);
  });
  const titles = createTitleIndex(docs);

  // Pass 2: common terms go to bitsets, all others to MiniSearch.
  const commonThreshold = Math.max(COMMON_MIN_DOCS, Math.ceil(COMMON_MIN_SHARE * count));
  const common = new Map<string, CommonTerm>();
  const commonById: Array<CommonTerm | undefined> = table.df.map((df, id) => {
    if (df < commonThreshold) return undefined;
    const entry: CommonTerm = {
      title: createBitset(count),
      abstract: createBitset(count),
      abstractFrequency: new Uint8Array(count),
      titleIdf: 0,
      abstractIdf: 0,
    };
    common.set(table.strings[id]!, entry);
    return entry;
  });
  const mini = new MiniSearch<{ id: number; title: string; abstract: string; keywords: string }>({
    fields: ['title', 'abstract', 'keywords'],
    tokenize: splitOnSpace,
    processTerm: keepTerm,
    searchOptions: { tokenize: splitOnSpace, processTerm: keepTerm, boost: { title: TITLE_BOOST, keywords: KEYWORDS_BOOST } },
  });
  const titleLists = new Map<string, number[]>();
  for (let index = 0; index < count; index++) {
    const title = keepRare(titleIds[index]!, commonById, table.strings, index, 'title');
    const abstract = keepRare(abstractIds[index]!, commonById, table.strings, index, 'abstract');
    titleIds[index] = null;
    const keywords = keepRare(keywordIds[index]!, commonById, table.strings, index, 'abstract');
    abstractIds[index] = null;
    keywordIds[index] = null;
    mini.add({ id: index, title: title.join(' '), abstract: abstract.join(' '), keywords: keywords.join(' ') });
    for (const term of title) {
      const list = titleLists.get(term);
      if (!list) titleLists.set(term, [index]);
      else if (list[list.length - 1] !== index) list.push(index);
    }
  }
  const titlePostings = new Map<string, Int32Array>();
  for (const [term, list] of titleLists) titlePostings.set(term, Int32Array.from(list));
  titleLists.clear();
  for (const entry of common.values()) {
    entry.titleIdf = computeIdf(count, countSetBits(entry.title));
    entry.abstractIdf = computeIdf(count, countSetBits(entry.abstract));
  }

  const sortedWords = [...table.vocabulary.keys()].sort();
  const fuzzyWords = new MiniSearch<{ id: string }>({
    fields: ['id'],
    tokenize: (text) => [text],
    processTerm: keepTerm,
  });
  fuzzyWords.addAll(sortedWords.map((id) => ({ id })));
  return {
    docs,
    byId,
    count,
    recent: sortNewestFirst(docs),
    words: { vocabulary: table.vocabulary, sortedWords, fuzzyWords, termIds: table.ids, acronyms, completions: new Map() },
    titles,
    mini,
    common,
    titlePostings,
    titleLength,
    abstractLength,
    avgTitle: Math.max(1, computeAverage(titleLength)),
    avgAbstract: Math.max(1, computeAverage(abstractLength)),
  };
}

/** The terms of one field that are not common; the common ones are set in their bitsets instead. */
function keepRare(
  ids: Int32Array,
  commonById: ReadonlyArray<CommonTerm | undefined>,
  strings: readonly string[],
  doc: number,
  field: 'title' | 'abstract',
): string[] {
  const kept: string[] = [];
  for (const id of ids) {
    const entry = commonById[id];
    if (!entry) kept.push(strings[id]!);
    else if (field === 'title') setBit(entry.title, doc);
    else {
      setBit(entry.abstract, doc);
      if (entry.abstractFrequency[doc]! < 255) entry.abstractFrequency[doc]! += 1;
    }
  }
  return kept;
}

function sortNewestFirst(docs: readonly Paper[]): Paper[] {
  return docs
    .map((paper, index) => ({ paper, index }))
    .sort((a, b) => {
      if (a.paper.published !== b.paper.published) {
        if (a.paper.published === null) return 1;
        if (b.paper.published === null) return -1;
        return a.paper.published < b.paper.published ? 1 : -1;
      }
      return a.index - b.index;
    })
    .map(({ paper }) => paper);
}

function computeAverage(values: Uint16Array): number {
  let total = 0;
  for (const value of values) total += value;
  return values.length > 0 ? total / values.length : 0;
}

// Text reaches MiniSearch already analysed: terms joined by single spaces, taken as they are.
function splitOnSpace(text: string): string[] {
  return text ? text.split(' ') : [];
}

function keepTerm(term: string): string {
  return term;
}
