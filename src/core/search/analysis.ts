import { findLearnableDefinitions, type LearnableDefinition } from '../acronyms.js';
import type { Paper } from '../paper.js';
import { forEachRawForm, normalizePhraseText, STOP_WORDS, stemWord } from '../text-analysis.js';
import { type Lexicon, findSorted } from './lexicon.js';
import { grow, MAX_OCCURRENCES, PostingsBuffer } from './postings.js';

/** Abstracts are indexed up to this length: later text rarely decides relevance and costs build time. */
export const MAX_ABSTRACT_CHARS = 4000;

/** The three indexed texts of a paper: title, abstract (cut), and Hugging Face's AI keywords. */
export function indexedTexts(paper: Paper): [string, string, string] {
  return [paper.title, paper.abstract.slice(0, MAX_ABSTRACT_CHARS), (paper.aiKeywords ?? []).join(' · ')];
}

/** The normalised title between two spaces, so that a phrase matches whole words only. */
export function titleText(paper: Paper): string {
  return ` ${normalizePhraseText(paper.title)} `;
}

/** The acronym definitions a paper teaches, title first. */
export function learnDefinitions(paper: Paper): LearnableDefinition[] {
  const [title, abstract] = indexedTexts(paper);
  return [...findLearnableDefinitions(title), ...findLearnableDefinitions(abstract)];
}

/**
 * Words and terms met while papers are added or removed, numbered after the previous lexicon's (a word or term of
 * the previous lexicon keeps its position), with how many papers each gained or lost.
 */
export class LexiconChanges {
  readonly newWords: string[] = [];
  readonly newTerms: string[] = [];
  wordTerm: Int32Array;
  wordStop: Uint8Array;
  wordDelta: Int32Array;
  termDelta: Int32Array;
  private wordLast: Int32Array;
  private termLast: Int32Array;
  private fieldLast: Int32Array;
  private fieldCount: Int32Array;
  private readonly wordIds = new Map<string, number>();
  private readonly termIds = new Map<string, number>();
  private touched = new Int32Array(256);
  private serial = 0;

  constructor(private readonly previous: Lexicon) {
    const words = previous.words.length + 1024;
    const terms = previous.terms.length + 1024;
    this.wordTerm = new Int32Array(words);
    this.wordTerm.set(previous.wordTerm);
    this.wordStop = new Uint8Array(words);
    this.wordStop.set(previous.wordStop);
    this.wordDelta = new Int32Array(words);
    this.wordLast = new Int32Array(words).fill(-1);
    this.termDelta = new Int32Array(terms);
    this.termLast = new Int32Array(terms).fill(-1);
    this.fieldLast = new Int32Array(terms).fill(-1);
    this.fieldCount = new Int32Array(terms);
  }

  get wordCount(): number {
    return this.previous.words.length + this.newWords.length;
  }

  get termCount(): number {
    return this.previous.terms.length + this.newTerms.length;
  }

  /**
   * Counts a paper's words and terms in (`sign` 1) or out (-1). Added papers also give their postings entries,
   * numbered `doc`, and their distinct terms per field.
   */
  analyze(paper: Paper, sign: 1 | -1, output?: { doc: number; postings: PostingsBuffer[]; distinct: Uint32Array[] }): void {
    const serial = this.serial++;
    indexedTexts(paper).forEach((text, field) => {
      const key = serial * 3 + field;
      let touched = 0;
      forEachRawForm(text, (raw) => {
        const word = this.wordIds.get(raw) ?? this.addWord(raw);
        if (this.wordLast[word] !== serial) {
          this.wordLast[word] = serial;
          this.wordDelta[word]! += sign;
        }
        if (this.wordStop[word]) return;
        const term = this.wordTerm[word]!;
        if (this.termLast[term] !== serial) {
          this.termLast[term] = serial;
          this.termDelta[term]! += sign;
        }
        if (!output) return;
        if (this.fieldLast[term] !== key) {
          this.fieldLast[term] = key;
          this.fieldCount[term] = 1;
          if (touched === this.touched.length) this.touched = grow(this.touched, touched * 2);
          this.touched[touched++] = term;
        } else this.fieldCount[term]! += 1;
      });
      if (!output) return;
      const postings = output.postings[field]!;
      for (let i = 0; i < touched; i++) {
        const term = this.touched[i]!;
        postings.push(term, output.doc, Math.min(MAX_OCCURRENCES, this.fieldCount[term]!));
      }
      output.distinct[field]![output.doc] = touched;
    });
  }

  private addWord(raw: string): number {
    let word = findSorted(this.previous.words, raw);
    if (word === -1) {
      word = this.wordCount;
      this.newWords.push(raw);
      if (word === this.wordTerm.length) this.growWords(word * 2);
      // The same analysis as analyzeWord, without filling its query-time cache with the whole corpus.
      this.wordTerm[word] = this.termIdOf(stemWord(raw));
      this.wordStop[word] = STOP_WORDS.has(raw) ? 1 : 0;
    }
    this.wordIds.set(raw, word);
    return word;
  }

  private termIdOf(term: string): number {
    const known = this.termIds.get(term) ?? findSorted(this.previous.terms, term);
    if (known !== -1) {
      this.termIds.set(term, known);
      return known;
    }
    const id = this.termCount;
    this.newTerms.push(term);
    this.termIds.set(term, id);
    if (id === this.termDelta.length) {
      const size = id * 2;
      this.termDelta = grow(this.termDelta, size);
      this.termLast = grow(this.termLast, size).fill(-1, id);
      this.fieldLast = grow(this.fieldLast, size).fill(-1, id);
      this.fieldCount = grow(this.fieldCount, size);
    }
    return id;
  }

  private growWords(size: number): void {
    const from = this.wordLast.length;
    this.wordTerm = grow(this.wordTerm, size);
    this.wordStop = grow(this.wordStop, size);
    this.wordDelta = grow(this.wordDelta, size);
    this.wordLast = grow(this.wordLast, size).fill(-1, from);
  }
}
