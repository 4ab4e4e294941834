import MiniSearch from 'minisearch';
import { DISCORD_LIMITS } from './discord-limits.js';
import { countBits, createBitset, setBit, hasBit, orBitsInto, intersectAll, keepFirstBits, countSetBits, forEachBit } from './bitset.js';
import { AcronymTable, longFormParts } from './acronyms.js';
import { isPaperIdShape, type Paper } from './paper.js';
import { completeWord, findNearWords, type VocabularyEntry } from './search-words.js';
import { foldForAnalysis, forEachRawForm, normalizePhraseText, splitWordGroups, analyzeWord } from './text-analysis.js';

/** One search result: the paper and its relevance (exact titles score ≥ 3, title phrases ≥ 2, abstract phrases ≥ 1). */
export interface SearchHit {
  paper: Paper;
  score: number;
}

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
}

/** Queries are cut to this many characters and words so that latency stays bounded. */
export const MAX_QUERY_CHARS = 300;
export const MAX_QUERY_WORDS = 32;

const DEFAULT_LIMIT = 10;
const DEFAULT_SUGGESTIONS = 25;
const MAX_LIMIT = 100;
/** Abstracts are indexed up to this length: later text rarely decides relevance and costs build time. */
const MAX_ABSTRACT_CHARS = 4000;
const TITLE_BOOST = 4;
const KEYWORDS_BOOST = 1.5;
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;
/** Only the best candidates are checked for an abstract phrase: normalising abstracts per query is costly. */
const ABSTRACT_PHRASE_WINDOW = 40;
/**
 * A term in at least this many papers (and this share of them) is "common": MiniSearch would walk and score its whole
 * posting list on every query, so such terms live in bitsets and are scored only for candidates.
 */
const COMMON_MIN_DOCS = 200;
const COMMON_MIN_SHARE = 0.02;
/**
 * When only common words are typed, at most this many papers (in corpus order) are scored: they all contain every
 * typed word in the title, so the ranking among them hardly matters, and latency stays bounded at any corpus size.
 */
const COMMON_POOL_CAP = 6000;
const TITLE_POOL_CAP = 1500;
// MiniSearch's BM25+ defaults, so that bitset-scored terms weigh like MiniSearch-scored ones.
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };

interface CommonTerm {
  title: Uint32Array;
  /** How often the term occurs in each abstract (capped at 255): repetition there is a relevance signal. */
  abstractFrequency: Uint8Array;
  abstract: Uint32Array;
  titleIdf: number;
  abstractIdf: number;
}

interface QueryTerm {
  weight: number;
  /** The typed words this term stands for, one bit each (several for an acronym standing for its long form). */
  bits: number;
  /** The typed words it stands for as typed (the word, its stem, a completion or an acronym), not as a typo fix. */
  sure: number;
}

interface ParsedQuery {
  terms: Map<string, QueryTerm>;
  words: number;
  /** Typed words too weak to vouch for a match on their own (bare one- and two-digit numbers: `alert(1)`). */
  weak: number;
  phrase: string;
}

interface Candidate {
  index: number;
  final: number;
  tier: number;
  /** The typed words the paper holds (one bit each), and those it holds as typed rather than through a typo fix. */
  matched: number;
  sure: number;
}

interface QueryCommonTerm {
  entry: CommonTerm;
  info: QueryTerm;
}

/** Term ids and per-term counters gathered while analysing the corpus. */
class TermTable {
  readonly vocabulary = new Map<string, VocabularyEntry>();
  readonly strings: string[] = [];
  readonly df: number[] = [];
  private readonly ids = new Map<string, number>();

  hasTerm(term: string): boolean {
    return this.ids.has(term);
  }
  private readonly lastDoc: number[] = [];
  private readonly lastField: number[] = [];
  private scratch = new Int32Array(1024);

  /** The term ids of a text (stop words left out) and how many distinct terms it has. */
  collect(text: string, doc: number, field: number): { ids: Int32Array; unique: number } {
    let length = 0;
    let unique = 0;
    const key = doc * 2 + field;
    forEachRawForm(text, (raw) => {
      const entry = this.vocabulary.get(raw) ?? this.addWord(raw);
      if (entry.isStopWord) return;
      if (entry.lastDoc !== doc) {
        entry.df += 1;
        entry.lastDoc = doc;
      }
      const id = entry.termId;
      if (this.lastDoc[id] !== doc) {
        this.df[id]! += 1;
        this.lastDoc[id] = doc;
      }
      if (this.lastField[id] !== key) {
        unique += 1;
        this.lastField[id] = key;
      }
      if (length === this.scratch.length) {
        const grown = new Int32Array(length * 2);
        grown.set(this.scratch);
        this.scratch = grown;
      }
      this.scratch[length++] = id;
    });
    return { ids: this.scratch.slice(0, length), unique };
  }

  private addWord(raw: string): VocabularyEntry {
    const form = analyzeWord(raw);
    let termId = this.ids.get(form.term);
    if (termId === undefined) {
      termId = this.strings.length;
      this.ids.set(form.term, termId);
      this.strings.push(form.term);
      this.df.push(0);
      this.lastDoc.push(-1);
      this.lastField.push(-1);
    }
    const entry: VocabularyEntry = { term: form.term, termId, isStopWord: form.isStopWord, df: 0, lastDoc: -1 };
    this.vocabulary.set(raw, entry);
    return entry;
  }
}

/** Builds a search index over the papers (later duplicates of an id are ignored). */
export function createSearchIndex(papers: readonly Paper[]): SearchIndex {
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
  const vocabulary = table.vocabulary;
  const titleIds: Array<Int32Array | null> = [];
  const abstractIds: Array<Int32Array | null> = [];
  // Hugging Face's AI keywords: their own field with a modest boost (common words among them score as abstract words).
  const keywordIds: Array<Int32Array | null> = [];
  const titleLength = new Uint16Array(count);
  const abstractLength = new Uint16Array(count);
  const titleTexts: string[] = [];
  const exactTitles = new Map<string, number[]>();
  const acronyms = new AcronymTable();
  docs.forEach((paper, index) => {
    const abstractText = paper.abstract.slice(0, MAX_ABSTRACT_CHARS);
    const title = table.collect(paper.title, index, 0);
    const abstract = table.collect(abstractText, index, 1);
    keywordIds.push(table.collect((paper.aiKeywords ?? []).join(' · '), index, 1).ids);
    acronyms.learn(paper.title);
    acronyms.learn(abstractText);
    titleIds.push(title.ids);
    abstractIds.push(abstract.ids);
    titleLength[index] = Math.min(65535, title.unique);
    abstractLength[index] = Math.min(65535, abstract.unique);
    const normalTitle = normalizePhraseText(paper.title);
    titleTexts.push(` ${normalTitle} `);
    const same = exactTitles.get(normalTitle);
    if (same) same.push(index);
    else exactTitles.set(normalTitle, [index]);
  });
  // Titles in normalised alphabetical order: the titles that start with a typed text are one binary search away.
  const titleOrder = Int32Array.from({ length: count }, (_, index) => index).sort((a, b) => {
    const x = titleTexts[a]!;
    const y = titleTexts[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const findTitleStarts = (phrase: string, cap: number): number[] => {
    const prefix = ` ${phrase}`;
    let low = 0;
    let high = count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (titleTexts[titleOrder[mid]!]! < prefix) low = mid + 1;
      else high = mid;
    }
    const found: number[] = [];
    for (let i = low; i < count && found.length < cap && titleTexts[titleOrder[i]!]!.startsWith(prefix); i++) found.push(titleOrder[i]!);
    return found;
  };
  const avgTitle = Math.max(1, computeAverage(titleLength));
  const avgAbstract = Math.max(1, computeAverage(abstractLength));

  // Pass 2: common terms go to bitsets, all others to MiniSearch.
  const commonThreshold = Math.max(COMMON_MIN_DOCS, Math.ceil(COMMON_MIN_SHARE * count));
  const common = new Map<string, CommonTerm>();
  const commonById: Array<CommonTerm | undefined> = table.df.map((df, id) => {
    if (df < commonThreshold) return undefined;
    const entry: CommonTerm = { title: createBitset(count), abstract: createBitset(count), abstractFrequency: new Uint8Array(count), titleIdf: 0, abstractIdf: 0 };
    common.set(table.strings[id]!, entry);
    return entry;
  });
  const mini = new MiniSearch<{ id: number; title: string; abstract: string; keywords: string }>({
    fields: ['title', 'abstract', 'keywords'],
    tokenize: splitOnSpace,
    processTerm: keepTerm,
    searchOptions: { tokenize: splitOnSpace, processTerm: keepTerm, boost: { title: TITLE_BOOST, keywords: KEYWORDS_BOOST } },
  });
  // Autocomplete reads titles only, from compact posting lists: MiniSearch's per-result cost is too high for it.
  const titleLists = new Map<string, number[]>();
  for (let index = 0; index < count; index++) {
    const title = keepRare(titleIds[index]!, commonById, table.strings, index, 'title');
    const abstract = keepRare(abstractIds[index]!, commonById, table.strings, index, 'abstract');
    const keywords = keepRare(keywordIds[index]!, commonById, table.strings, index, 'abstract');
    titleIds[index] = null;
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

  const sortedWords = [...vocabulary.keys()].sort();
  const fuzzyWords = new MiniSearch<{ id: string }>({
    fields: ['id'],
    tokenize: (text) => [text],
    processTerm: keepTerm,
  });
  fuzzyWords.addAll(sortedWords.map((id) => ({ id })));
  const recent = sortNewestFirst(docs);
  const shortPrefixes = new Map<string, string[]>();

  const expandWord = (raw: string, completing: boolean, word: number, exact: boolean, terms: Map<string, QueryTerm>): void => {
    // Another form of the same stem may be indexed (`quantization` typed, only `quantized` written): no typo then.
    const term = vocabulary.get(raw)?.term ?? analyzeWord(raw).term;
    const known = table.hasTerm(term);
    if (known && exact) addTerm(terms, term, 1, 1 << word, true);
    const edits = countAllowedEdits(raw);
    if (!known && exact && edits > 0) {
      for (const candidate of findNearWords(raw, edits, vocabulary, fuzzyWords)) {
        const found = vocabulary.get(candidate.word);
        if (found) addTerm(terms, found.term, (FUZZY_WEIGHT * raw.length) / (raw.length + candidate.distance), 1 << word, false);
      }
    }
    if (completing && raw.length >= 2) {
      let completions = shortPrefixes.get(raw);
      if (!completions) {
        completions = completeWord(raw, sortedWords, vocabulary);
        // Two- and three-letter prefixes match thousands of words: remember their best completions.
        if (raw.length <= 3) shortPrefixes.set(raw, completions);
      }
      for (const completion of completions) {
        const found = vocabulary.get(completion);
        if (!found) continue;
        const extra = completion.length - raw.length;
        addTerm(terms, found.term, (PREFIX_WEIGHT * completion.length) / (completion.length + 0.3 * extra), 1 << word, true);
      }
    }
  };

  // A long form typed out (`reinforcement learning from human feedback`) also finds papers that only write the
  // acronym the corpus defined for it (`RLHF`); the acronym then counts for every word of the long form.
  // Returns how many typed words were folded into a long form typed beside them.
  const addAcronyms = (sequence: ReadonlyArray<{ term: string; bit: number }>, terms: Map<string, QueryTerm>): number => {
    if (acronyms.size === 0) return 0;
    let folded = 0;
    for (let start = 0; start < sequence.length - 1; start++) {
      const end = Math.min(sequence.length, start + acronyms.longest);
      for (let stop = start + 2; stop <= end; stop++) {
        const window = sequence.slice(start, stop);
        const acronym = acronyms.lookup(window.map((part) => part.term));
        if (!acronym || !table.hasTerm(acronym)) continue;
        const long = window.reduce((bits, part) => bits | part.bit, 0);
        // `RLHF reinforcement learning from human feedback` names one thing twice: the typed acronym is folded into
        // the long form's words, so that a paper writing either one covers the whole query.
        const typed = (terms.get(acronym)?.bits ?? 0) & ~long;
        if (typed !== 0) {
          for (const info of terms.values()) {
            if ((info.bits & typed) !== 0) info.bits = (info.bits & ~typed) | long;
            if ((info.sure & typed) !== 0) info.sure = (info.sure & ~typed) | long;
          }
          folded += countBits(typed);
        }
        addTerm(terms, acronym, 1, long, true);
      }
    }
    return folded;
  };

  const parseQuery = (query: string): ParsedQuery => {
    const text = capQuery(query);
    const groups = splitWordGroups(text).slice(0, MAX_QUERY_WORDS);
    const typing = /[\p{L}\p{N}]$/u.test(text);
    const terms = new Map<string, QueryTerm>();
    const sequence: Array<{ term: string; bit: number }> = [];
    let words = 0;
    let weak = 0;
    const seen = new Map<string, number>();
    groups.forEach((group, position) => {
      // The word being typed may look like a stop word (`an` on the way to `analysis`): it is only completed.
      const completing = typing && position === groups.length - 1;
      const meaningful = group.forms.some((form) => !form.isStopWord);
      if (!meaningful && !completing) return;
      // A word typed twice (`word for word`) is one word of the query, not two that every paper must cover.
      const key = group.forms.map((form) => form.raw).join(' ');
      const earlier = meaningful ? seen.get(key) : undefined;
      if (earlier !== undefined) {
        if (completing) for (const form of group.forms) expandWord(form.raw, true, earlier, !form.isStopWord, terms);
        for (const form of longFormParts(group)) sequence.push({ term: form.term, bit: 1 << earlier });
        return;
      }
      if (meaningful) seen.set(key, words);
      for (const form of group.forms) {
        if (form.isStopWord && !completing) continue;
        expandWord(form.raw, completing, words, !form.isStopWord, terms);
      }
      if (meaningful) {
        for (const form of longFormParts(group)) sequence.push({ term: form.term, bit: 1 << words });
        if (group.forms.every((form) => /^\d{1,2}$/.test(form.raw))) weak |= 1 << words;
        words += 1;
      }
    });
    words -= addAcronyms(sequence, terms);
    return { terms, words, weak, phrase: normalizePhraseText(text) };
  };

  // Per-paper scratch space reused by every query (queries run one at a time); only pooled papers are touched.
  const scores = new Float64Array(count);
  const matchedWords = new Int32Array(count);
  const matchedSure = new Int32Array(count);

  const accumulate = (
    pool: Uint32Array,
    field: Uint32Array,
    frequency: Uint8Array | null,
    gain: number,
    lengths: Uint16Array,
    avg: number,
    info: QueryTerm,
  ): void => {
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
  };

  /** The best papers for a query, and whether the best one clears the relevance floor. */
  const rank = (query: string, limit: number, titlesOnly = false): { hits: SearchHit[]; relevant: boolean } => {
    if (limit <= 0) return { hits: [], relevant: false };
    const parsed = parseQuery(query);
    const selective: string[] = [];
    const commonTerms: QueryCommonTerm[] = [];
    for (const [term, info] of parsed.terms) {
      const entry = common.get(term);
      if (entry) commonTerms.push({ entry, info });
      else selective.push(term);
    }

    const pool = createBitset(count);
    let pooled = 0;
    if (selective.length > 0 && titlesOnly) {
      for (const term of selective) {
        const postings = titlePostings.get(term);
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
      const results = mini.search(selective.join(' '), { boostTerm: (term) => parsed.terms.get(term)?.weight ?? 0 });
      for (const result of results) {
        const index = result.id as number;
        let words = 0;
        let sure = 0;
        for (const term of result.queryTerms) {
          words |= parsed.terms.get(term)?.bits ?? 1;
          sure |= parsed.terms.get(term)?.sure ?? 0;
        }
        matchedSure[index] = sure;
        // MiniSearch multiplies by the number of matched terms; coverage of typed words is applied below instead,
        // so that the parts of `Zebra-Llama` or several completions of one prefix do not add up.
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
        accumulate(pool, entry.title, null, info.weight * TITLE_BOOST * entry.titleIdf, titleLength, avgTitle, info);
        if (!titlesOnly) accumulate(pool, entry.abstract, entry.abstractFrequency, info.weight * entry.abstractIdf, abstractLength, avgAbstract, info);
      }
    }
    const exact = exactTitles.get(parsed.phrase) ?? [];
    for (const index of exact) setBit(pool, index);
    // A phrase of numbers alone (`{{7*7}}` → `7 7`) says nothing about a paper.
    const needle = parsed.phrase.includes(' ') && /\p{L}/u.test(parsed.phrase) ? ` ${parsed.phrase}` : null;
    // Words typed from a title's start find it even when they are all stop words (`all is not` → All is Not Lost).
    const starts = new Set(needle ? findTitleStarts(parsed.phrase, limit + ABSTRACT_PHRASE_WINDOW) : []);
    for (const index of starts) setBit(pool, index);

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
        if (candidate.tier === 0 && phrase.test(foldForAnalysis(docs[candidate.index]!.abstract))) candidate.tier = 1;
      }
      best.sort(compareCandidates);
    }
    const first = best[0];
    return {
      hits: best.slice(0, limit).map((candidate) => ({
        paper: docs[candidate.index]!,
        score: candidate.tier + candidate.final / (candidate.final + 1),
      })),
      relevant:
        !!first &&
        isRelevantMatch({
          tier: first.tier,
          matched: countBits(first.matched & ~parsed.weak),
          sure: countBits(first.sure & ~parsed.weak),
          words: parsed.words - countBits(parsed.weak),
        }),
    };
  };

  return {
    size: count,
    search(query, options = {}) {
      const { hits, relevant } = rank(String(query ?? ''), clampLimit(options.limit));
      return relevant ? hits : [];
    },
    closest(query, options = {}) {
      return rank(String(query ?? ''), clampLimit(options.limit)).hits;
    },
    suggest(text, options = {}) {
      const limit = clampLimit(options.limit ?? DEFAULT_SUGGESTIONS);
      const typed = String(text ?? '').trim();
      if (!typed) return recent.slice(0, limit);
      const found = new Set<Paper>();
      const picked = isPaperIdShape(typed) ? byId.get(typed) : undefined;
      if (picked) found.add(picked);
      // Titles first: that is what people type into `/paper`, and it is the fast path on large corpora.
      const titleHits = rank(typed, limit, true).hits;
      // A typed text that starts a title puts that title first, stop words or not; best ranked first.
      const phrase = normalizePhraseText(capQuery(typed));
      const starts = new Set(phrase.length >= 2 ? findTitleStarts(phrase, limit).map((index) => docs[index]!) : []);
      for (const hit of titleHits) if (starts.has(hit.paper)) found.add(hit.paper);
      for (const paper of starts) found.add(paper);
      for (const hit of titleHits) found.add(hit.paper);
      if (found.size < limit) for (const hit of rank(typed, limit).hits) found.add(hit.paper);
      return [...found].slice(0, limit);
    },
    get(id) {
      return byId.get(id);
    },
  };
}

/** What the relevance floor looks at in a query's best paper. */
export interface MatchEvidence {
  /** 3 exact title, 2 title start or phrase in the title, 1 phrase in the abstract, 0 words only. */
  tier: number;
  /** Typed words (stop words aside) the paper holds, and how many of them as typed rather than as a typo fix. */
  matched: number;
  sure: number;
  /** Typed words, stop words aside (a word typed twice counts once). */
  words: number;
}

/**
 * The relevance floor: whether a query's best paper is an answer or only the closest thing the corpus has.
 * Chosen from data, which `npm run eval` prints. On the 174 real queries of the two evaluation sets, the best paper
 * always held at least one typed word as typed, and more than half of the typed words, or exactly half when at least
 * three were found (long questions whose filler words no paper holds: 3 of 6, 4 of 8). The garbage that used to be
 * answered sat just below that line: one word of two (`@everyone <script>`, `pizza recipe`, `hello world`), one of
 * three, words reached only through typo fixes (`cake` → "make"), a bare `1` or `7`. So a word found only through a
 * typo fix counts half, bare one- and two-digit numbers do not count, and the best paper must hold more than half of
 * the typed words (half, when that is at least three). Measured: all 174 real queries still answered, garbage
 * answered 5 of 51 instead of 29 (those 5 hold most of their words, e.g. `football match results`). The score
 * cannot draw this line: it is relative to the corpus, and garbage outscored real one-word queries (0.92 for
 * `@everyone <script>`, 0.89 for `nanoparticle`). Typed words side by side in a title or abstract are an answer.
 */
export function isRelevantMatch(evidence: MatchEvidence): boolean {
  if (evidence.tier >= 1) return true;
  const { sure, words } = evidence;
  if (sure === 0 || words === 0) return false;
  // A word found only through a typo fix is half the evidence of a word found as typed.
  const found = sure + (evidence.matched - sure) / 2;
  return 2 * found > words || (2 * found === words && found >= 3);
}

/** Cuts a text to at most `max` characters at a word boundary, ending it with `…` when something was cut. */
export function truncateAtWord(text: string, max: number = DISCORD_LIMITS.choiceName): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  let cut = clean.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  if (space >= max / 2) cut = cut.slice(0, space);
  // Never leave half of a surrogate pair before the ellipsis.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/[\s,;:.\-–—(]+$/u, '')}…`;
}

/** Typo tolerance grows with word length: none up to 3 letters, 1 edit up to 7, then 2. */
export function countAllowedEdits(word: string): number {
  if (word.length <= 3) return 0;
  return word.length <= 7 ? 1 : 2;
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

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.max(0, Math.min(MAX_LIMIT, Math.floor(limit)));
}

function capQuery(query: string): string {
  let text = query.slice(0, MAX_QUERY_CHARS);
  if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
  return text;
}

/** Matches the normalised phrase in folded text without normalising the text: any punctuation may separate its words. */
function buildPhrasePattern(phrase: string): RegExp {
  const words = phrase.split(' ').map((word) =>
    // `10000` in the query also matches `10,000` in the text.
    /^\d{4,}$/.test(word) ? word.replace(/\B(?=(\d{3})+$)/g, ',?') : word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join("(?:'s)?[^\\p{L}\\p{N}]+")}`, 'u');
}

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
  let pool = intersectAll(words.map((sets) => sets.title), count);
  if (countSetBits(pool) < wanted) {
    const anywhere = words.map((sets) => ({ bits: sets.any, size: countSetBits(sets.any) })).sort((a, b) => a.size - b.size);
    pool = intersectAll(anywhere.map((word) => word.bits), count);
    while (countSetBits(pool) < wanted && anywhere.length > 1) {
      anywhere.pop();
      pool = intersectAll(anywhere.map((word) => word.bits), count);
    }
  }
  return pool;
}

/** The BM25+ term-frequency part, as MiniSearch computes it. */
function saturate(frequency: number, length: number, averageLength: number): number {
  return BM25.d + (frequency * (BM25.k + 1)) / (frequency + BM25.k * (1 - BM25.b + (BM25.b * length) / averageLength));
}

function computeIdf(total: number, matching: number): number {
  return Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
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

/**
 * Adds a term for the typed words in `bits`; a term reached again (`RLHF` typed and also standing for its long form
 * typed beside it) covers the words of both, so a paper holding it is not counted as missing half the query.
 */
function addTerm(terms: Map<string, QueryTerm>, term: string, weight: number, bits: number, sure: boolean): void {
  const known = terms.get(term);
  if (!known) terms.set(term, { weight, bits, sure: sure ? bits : 0 });
  else {
    if (weight > known.weight) known.weight = weight;
    known.bits |= bits;
    if (sure) known.sure |= bits;
  }
}

function computeAverage(values: Uint16Array): number {
  let total = 0;
  for (const value of values) total += value;
  return values.length > 0 ? total / values.length : 0;
}

function splitOnSpace(text: string): string[] {
  return text ? text.split(' ') : [];
}

function keepTerm(term: string): string {
  return term;
}
