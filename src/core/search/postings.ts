/** The fields a paper is indexed by, in the order MiniSearch scored them: title, abstract, AI keywords. */
export const FIELDS = ['title', 'abstract', 'keywords'] as const;
export const TITLE = 0;
export const ABSTRACT = 1;
export const KEYWORDS = 2;

/** Occurrences of a term in one field are counted up to this (BM25 saturates long before). */
export const MAX_OCCURRENCES = 65535;

/**
 * One field's inverted index in three flat arrays: for each term, the papers holding it in that field (ascending)
 * and how often. A term is its position in the lexicon's sorted terms.
 */
export interface FieldPostings {
  /** Where each term's papers start in `docs`; one more entry than there are terms. */
  readonly offsets: Uint32Array;
  readonly docs: Uint32Array;
  readonly counts: Uint16Array;
}

/** Postings with no term. */
export function emptyPostings(terms = 0): FieldPostings {
  return { offsets: new Uint32Array(terms + 1), docs: new Uint32Array(0), counts: new Uint16Array(0) };
}

/** How many papers hold the term in the field. */
export function countPapers(field: FieldPostings, term: number): number {
  return field.offsets[term + 1]! - field.offsets[term]!;
}

/** New postings entries gathered while papers are analysed: (term, paper, occurrences), papers in ascending order. */
export class PostingsBuffer {
  terms = new Int32Array(1024);
  docs = new Uint32Array(1024);
  counts = new Uint16Array(1024);
  length = 0;

  push(term: number, doc: number, count: number): void {
    if (this.length === this.terms.length) {
      const size = this.length * 2;
      this.terms = grow(this.terms, size);
      this.docs = grow(this.docs, size);
      this.counts = grow(this.counts, size);
    }
    this.terms[this.length] = term;
    this.docs[this.length] = doc;
    this.counts[this.length] = count;
    this.length += 1;
  }
}

/**
 * The postings of a changed corpus: the previous postings of the papers kept (renumbered, `oldToNew` is -1 for a
 * paper removed), and the new entries, under the new term numbering (`termOf` maps each old and each working term
 * to its new number, or -1). Linear in the number of entries: papers are never analysed again.
 */
export function mergePostings(
  previous: FieldPostings,
  oldToNew: Int32Array,
  oldTermToNew: Int32Array,
  added: PostingsBuffer,
  workingTermToNew: Int32Array,
  termCount: number,
): FieldPostings {
  // The usual change appends papers: every kept paper keeps its number, so kept entries are copied in blocks.
  let removed = 0;
  let unmoved = true;
  for (let doc = 0; doc < oldToNew.length; doc++) {
    if (oldToNew[doc]! < 0) removed++;
    else if (oldToNew[doc] !== doc) unmoved = false;
  }
  const oldTerms = previous.offsets.length - 1;
  const newTermToOld = new Int32Array(termCount).fill(-1);
  for (let term = 0; term < oldTerms; term++) if (oldTermToNew[term]! >= 0) newTermToOld[oldTermToNew[term]!] = term;
  const keptIn = (old: number): number => {
    const start = previous.offsets[old]!;
    const end = previous.offsets[old + 1]!;
    if (removed === 0) return end - start;
    let kept = 0;
    for (let at = start; at < end; at++) if (oldToNew[previous.docs[at]!]! >= 0) kept++;
    return kept;
  };

  // The added entries grouped by new term, keeping their (ascending) paper order: a counting sort.
  const addedStart = new Uint32Array(termCount + 1);
  for (let i = 0; i < added.length; i++) addedStart[workingTermToNew[added.terms[i]!]! + 1]! += 1;
  for (let term = 0; term < termCount; term++) addedStart[term + 1]! += addedStart[term]!;
  const cursor = addedStart.slice(0, termCount);
  const order = new Uint32Array(added.length);
  for (let i = 0; i < added.length; i++) order[cursor[workingTermToNew[added.terms[i]!]!]!++] = i;

  const offsets = new Uint32Array(termCount + 1);
  for (let term = 0; term < termCount; term++) {
    const old = newTermToOld[term]!;
    offsets[term + 1] = offsets[term]! + (old >= 0 ? keptIn(old) : 0) + addedStart[term + 1]! - addedStart[term]!;
  }
  const docs = new Uint32Array(offsets[termCount]!);
  const counts = new Uint16Array(docs.length);
  // Terms with no added entry whose old terms follow each other are copied as one block.
  let runStart = -1;
  let runOld = -1;
  let runEnd = -1;
  const flush = (): void => {
    if (runStart < 0) return;
    copyKept(previous, oldToNew, removed, unmoved, previous.offsets[runOld]!, previous.offsets[runEnd]!, docs, counts, offsets[runStart]!);
    runStart = -1;
  };
  for (let term = 0; term < termCount; term++) {
    const old = newTermToOld[term]!;
    let next = addedStart[term]!;
    const last = addedStart[term + 1]!;
    if (next === last) {
      if (old < 0) continue;
      if (runStart >= 0 && old === runEnd) runEnd = old + 1;
      else {
        flush();
        [runStart, runOld, runEnd] = [term, old, old + 1];
      }
      continue;
    }
    flush();
    let out = offsets[term]!;
    let at = old >= 0 ? previous.offsets[old]! : 0;
    const end = old >= 0 ? previous.offsets[old + 1]! : 0;
    if (removed === 0 && unmoved) {
      // Kept papers keep their numbers: each added entry finds its place by binary search, kept runs are copied whole.
      for (; next < last; next++) {
        const doc = added.docs[order[next]!]!;
        let low = at;
        let high = end;
        while (low < high) {
          const mid = (low + high) >>> 1;
          if (previous.docs[mid]! < doc) low = mid + 1;
          else high = mid;
        }
        docs.set(previous.docs.subarray(at, low), out);
        counts.set(previous.counts.subarray(at, low), out);
        out += low - at;
        at = low;
        docs[out] = doc;
        counts[out++] = added.counts[order[next]!]!;
      }
      docs.set(previous.docs.subarray(at, end), out);
      counts.set(previous.counts.subarray(at, end), out);
      continue;
    }
    // Two ascending runs merged into one.
    for (;;) {
      while (at < end && oldToNew[previous.docs[at]!]! < 0) at++;
      const keptDoc = at < end ? oldToNew[previous.docs[at]!]! : -1;
      const addedDoc = next < last ? added.docs[order[next]!]! : -1;
      if (keptDoc < 0 && addedDoc < 0) break;
      if (addedDoc < 0 || (keptDoc >= 0 && keptDoc < addedDoc)) {
        docs[out] = keptDoc;
        counts[out++] = previous.counts[at++]!;
      } else {
        docs[out] = addedDoc;
        counts[out++] = added.counts[order[next++]!]!;
      }
    }
  }
  flush();
  return { offsets, docs, counts };
}

/** Copies the kept entries of an old range, renumbered, to `out`. */
function copyKept(
  previous: FieldPostings,
  oldToNew: Int32Array,
  removed: number,
  unmoved: boolean,
  start: number,
  end: number,
  docs: Uint32Array,
  counts: Uint16Array,
  out: number,
): void {
  if (removed === 0 && unmoved) {
    docs.set(previous.docs.subarray(start, end), out);
    counts.set(previous.counts.subarray(start, end), out);
    return;
  }
  for (let at = start; at < end; at++) {
    const doc = oldToNew[previous.docs[at]!]!;
    if (doc < 0) continue;
    docs[out] = doc;
    counts[out++] = previous.counts[at]!;
  }
}

/** A copy of a typed array with room for `size` entries. */
export function grow<T extends Int32Array | Uint32Array | Uint16Array | Uint8Array>(array: T, size: number): T {
  const bigger = new (array.constructor as new (size: number) => T)(size);
  bigger.set(array);
  return bigger;
}
