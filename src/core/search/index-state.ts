import type { Paper } from '../paper.js';
import { LexiconChanges, indexedTexts, learnDefinitions, MAX_ABSTRACT_CHARS, titleText } from './analysis.js';
import { EMPTY_LEXICON, type Lexicon } from './lexicon.js';
import { emptyPostings, type FieldPostings, FIELDS, mergePostings, PostingsBuffer } from './postings.js';

/**
 * Everything the search keeps about a list of papers, in flat arrays: what is stored in the cache and what a change
 * of the corpus updates. The rest of the search data is derived from it in linear time ({@link deriveSearchData}).
 * It depends on the papers alone, never on the order of changes that led to them: a corpus updated file by file
 * gives the same state as one built at once.
 */
export interface IndexState {
  readonly count: number;
  readonly lexicon: Lexicon;
  /** Postings of the title, the abstract and the keywords. */
  readonly fields: readonly FieldPostings[];
  /** Distinct meaningful terms of each paper's title, abstract and keywords. */
  readonly distinct: readonly Uint32Array[];
  /** Each paper's normalised title between two spaces. */
  readonly titleTexts: readonly string[];
  /** Papers in normalised title order (ties in corpus order). */
  readonly titleOrder: Int32Array;
  /** Papers newest first (undated last, ties in corpus order). */
  readonly recent: Int32Array;
  /** The acronym definitions the papers teach, in corpus order: paper and definition (`key\0term\0words`). */
  readonly definitionPapers: Int32Array;
  readonly definitionIds: Int32Array;
  readonly definitions: readonly string[];
}

/** The state of no paper. */
export const EMPTY_STATE: IndexState = {
  count: 0,
  lexicon: EMPTY_LEXICON,
  fields: FIELDS.map(() => emptyPostings()),
  distinct: FIELDS.map(() => new Uint32Array(0)),
  titleTexts: [],
  titleOrder: new Int32Array(0),
  recent: new Int32Array(0),
  definitionPapers: new Int32Array(0),
  definitionIds: new Int32Array(0),
  definitions: [],
};

/** The papers an index state was made from, and where each id sits. */
export interface IndexedPapers {
  state: IndexState;
  docs: readonly Paper[];
  positions: ReadonlyMap<string, number>;
}

/**
 * The state for `docs` (distinct ids), from the state of earlier papers: the papers that did not change are not
 * analysed again, so adding a day's file to a large corpus costs that file plus a linear pass over the arrays.
 */
export function updateIndexState(previous: IndexedPapers | null, docs: readonly Paper[], tally?: { analysed: number }): IndexState {
  const before = previous ?? { state: EMPTY_STATE, docs: [], positions: new Map<string, number>() };
  const old = before.state;
  const { oldToNew, newToOld } = alignPapers(before.docs, before.positions, docs);
  const changes = new LexiconChanges(old.lexicon);
  let analysed = 0;
  for (let doc = 0; doc < old.count; doc++) {
    if (oldToNew[doc]! >= 0) continue;
    analysed += 1;
    changes.analyze(before.docs[doc]!, -1);
  }
  const count = docs.length;
  const postings = FIELDS.map(() => new PostingsBuffer());
  const distinct = FIELDS.map((_, field) => {
    const values = new Uint32Array(count);
    for (let doc = 0; doc < count; doc++) if (newToOld[doc]! >= 0) values[doc] = old.distinct[field]![newToOld[doc]!]!;
    return values;
  });
  const added: number[] = [];
  for (let doc = 0; doc < count; doc++) {
    if (newToOld[doc]! >= 0) continue;
    added.push(doc);
    changes.analyze(docs[doc]!, 1, { doc, postings, distinct });
  }
  if (tally) tally.analysed = analysed + added.length;

  const { lexicon, oldTermToNew, workingTermToNew } = finishLexicon(old.lexicon, changes);
  const fields = FIELDS.map((_, field) =>
    mergePostings(old.fields[field]!, oldToNew, oldTermToNew, postings[field]!, workingTermToNew, lexicon.terms.length),
  );

  const titleTexts = docs.map((paper, doc) => (newToOld[doc]! >= 0 ? old.titleTexts[newToOld[doc]!]! : titleText(paper)));
  const byTitle = (a: number, b: number) => compareText(titleTexts[a]!, titleTexts[b]!) || a - b;
  const titleOrder = mergeOrders(old.titleOrder, oldToNew, added, byTitle);
  const recent = mergeOrders(old.recent, oldToNew, added, (a, b) => compareNewest(docs[a]!, docs[b]!) || a - b);
  return { count, lexicon, fields, distinct, titleTexts, titleOrder, recent, ...mergeDefinitions(old, oldToNew, docs, added) };
}

/**
 * Pairs the papers of the previous list with the same papers (same id and same indexed text) in the new one, in
 * order: `oldToNew` is -1 for a paper removed or changed, `newToOld` -1 for a paper added or changed.
 */
function alignPapers(
  oldDocs: readonly Paper[],
  positions: ReadonlyMap<string, number>,
  docs: readonly Paper[],
): { oldToNew: Int32Array; newToOld: Int32Array } {
  const oldToNew = new Int32Array(oldDocs.length).fill(-1);
  const newToOld = new Int32Array(docs.length).fill(-1);
  let next = 0;
  docs.forEach((paper, doc) => {
    let match = next < oldDocs.length && isSameIndexed(oldDocs[next]!, paper) ? next : -1;
    if (match < 0) {
      const at = positions.get(paper.id);
      // Papers between the cursor and a later match were removed (or moved: then they come back as added).
      if (at !== undefined && at > next && isSameIndexed(oldDocs[at]!, paper)) match = at;
    }
    if (match < 0) return;
    oldToNew[match] = doc;
    newToOld[doc] = match;
    next = match + 1;
  });
  return { oldToNew, newToOld };
}

/** True when the search sees no difference between the two lists of papers. */
export function isIndexedAlike(a: readonly Paper[], b: readonly Paper[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!isSameIndexed(a[i]!, b[i]!)) return false;
  return true;
}

/** True when the search sees no difference between the two papers. */
function isSameIndexed(a: Paper, b: Paper): boolean {
  if (a === b) return true;
  if (a.id !== b.id || a.title !== b.title || a.published !== b.published) return false;
  if (a.abstract !== b.abstract && a.abstract.slice(0, MAX_ABSTRACT_CHARS) !== b.abstract.slice(0, MAX_ABSTRACT_CHARS)) return false;
  return indexedTexts(a)[2] === indexedTexts(b)[2];
}

/** The words and terms left once the changes are counted, sorted, and how the old and working terms are renumbered. */
function finishLexicon(
  old: Lexicon,
  changes: LexiconChanges,
): { lexicon: Lexicon; oldTermToNew: Int32Array; workingTermToNew: Int32Array } {
  const oldWords = old.words.length;
  const wordText = (word: number) => (word < oldWords ? old.words[word]! : changes.newWords[word - oldWords]!);
  const wordOrder = mergeNumbering(
    oldWords,
    changes.wordCount,
    (word) => (word < oldWords ? old.wordPapers[word]! : 0) + changes.wordDelta[word]! > 0,
    wordText,
  );
  const oldTerms = old.terms.length;
  const used = new Uint8Array(changes.termCount);
  for (const word of wordOrder) used[changes.wordTerm[word]!] = 1;
  const termText = (term: number) => (term < oldTerms ? old.terms[term]! : changes.newTerms[term - oldTerms]!);
  const termOrder = mergeNumbering(oldTerms, changes.termCount, (term) => used[term] === 1, termText);

  const workingTermToNew = new Int32Array(changes.termCount).fill(-1);
  termOrder.forEach((term, position) => (workingTermToNew[term] = position));
  const words = new Array<string>(wordOrder.length);
  const wordTerm = new Int32Array(wordOrder.length);
  const wordPapers = new Int32Array(wordOrder.length);
  const wordStop = new Uint8Array(wordOrder.length);
  for (let i = 0; i < wordOrder.length; i++) {
    const word = wordOrder[i]!;
    words[i] = wordText(word);
    wordTerm[i] = workingTermToNew[changes.wordTerm[word]!]!;
    wordPapers[i] = (word < oldWords ? old.wordPapers[word]! : 0) + changes.wordDelta[word]!;
    wordStop[i] = changes.wordStop[word]!;
  }
  const terms = new Array<string>(termOrder.length);
  const termPapers = new Int32Array(termOrder.length);
  for (let i = 0; i < termOrder.length; i++) {
    const term = termOrder[i]!;
    terms[i] = termText(term);
    termPapers[i] = (term < oldTerms ? old.termPapers[term]! : 0) + changes.termDelta[term]!;
  }
  const lexicon: Lexicon = { words, wordTerm, wordPapers, wordStop, terms, termPapers };
  return { lexicon, oldTermToNew: workingTermToNew.subarray(0, oldTerms), workingTermToNew };
}

/**
 * The new sorted numbering of a list whose first `oldCount` entries were sorted and whose later ones are new: the
 * entries to keep, in text order. New entries are few at a time, so each finds its place by binary search.
 */
function mergeNumbering(oldCount: number, count: number, keep: (entry: number) => boolean, text: (entry: number) => string): Int32Array {
  const kept = new Int32Array(oldCount);
  let size = 0;
  for (let entry = 0; entry < oldCount; entry++) if (keep(entry)) kept[size++] = entry;
  const fresh: number[] = [];
  for (let entry = oldCount; entry < count; entry++) if (keep(entry)) fresh.push(entry);
  const texts = fresh.map(text);
  const byText = fresh.map((_, i) => i).sort((a, b) => compareText(texts[a]!, texts[b]!));
  const merged = new Int32Array(size + fresh.length);
  let from = 0;
  let out = 0;
  for (const i of byText) {
    let low = from;
    let high = size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (text(kept[mid]!) < texts[i]!) low = mid + 1;
      else high = mid;
    }
    merged.set(kept.subarray(from, low), out);
    out += low - from;
    merged[out++] = fresh[i]!;
    from = low;
  }
  merged.set(kept.subarray(from, size), out);
  return merged;
}

/** The definitions of the kept papers (renumbered) and of the added ones, in corpus order, numbered by first use. */
function mergeDefinitions(
  old: IndexState,
  oldToNew: Int32Array,
  docs: readonly Paper[],
  added: readonly number[],
): Pick<IndexState, 'definitionPapers' | 'definitionIds' | 'definitions'> {
  const kept: Array<[number, string]> = [];
  for (let i = 0; i < old.definitionPapers.length; i++) {
    const doc = oldToNew[old.definitionPapers[i]!]!;
    if (doc >= 0) kept.push([doc, old.definitions[old.definitionIds[i]!]!]);
  }
  const fresh: Array<[number, string]> = added.flatMap((doc) =>
    learnDefinitions(docs[doc]!).map((d): [number, string] => [doc, `${d.key}\u0000${d.term}\u0000${d.words}`]),
  );
  // A paper is either kept or added, so ordering by paper keeps each paper's definitions in their own order.
  const all = mergeSorted(kept, fresh, (a, b) => a[0] - b[0]);
  const ids = new Map<string, number>();
  const definitions: string[] = [];
  const definitionIds = Int32Array.from(all, ([, text]) => {
    let id = ids.get(text);
    if (id === undefined) {
      ids.set(text, (id = definitions.length));
      definitions.push(text);
    }
    return id;
  });
  return { definitionPapers: Int32Array.from(all, ([doc]) => doc), definitionIds, definitions };
}

/** An order of the previous papers, renumbered without the removed ones, with the added papers put in place. */
function mergeOrders(
  order: Int32Array,
  oldToNew: Int32Array,
  added: readonly number[],
  compare: (a: number, b: number) => number,
): Int32Array {
  const kept = new Int32Array(order.length);
  let size = 0;
  for (const doc of order) if (oldToNew[doc]! >= 0) kept[size++] = oldToNew[doc]!;
  const fresh = [...added].sort(compare);
  const merged = new Int32Array(size + fresh.length);
  // Few papers are added at a time: each finds its place by binary search, and the kept runs are copied whole.
  let from = 0;
  let out = 0;
  for (const doc of fresh) {
    let low = from;
    let high = size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(kept[mid]!, doc) <= 0) low = mid + 1;
      else high = mid;
    }
    merged.set(kept.subarray(from, low), out);
    out += low - from;
    merged[out++] = doc;
    from = low;
  }
  merged.set(kept.subarray(from, size), out);
  return merged;
}

/** Two sorted lists as one, ties from the first list first. */
function mergeSorted<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): T[] {
  if (b.length === 0) return [...a];
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compare(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** Code-unit order, as `Array.prototype.sort` orders strings. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Newest first, undated last. */
function compareNewest(a: Paper, b: Paper): number {
  if (a.published === b.published) return 0;
  if (a.published === null) return 1;
  if (b.published === null) return -1;
  return a.published < b.published ? 1 : -1;
}
