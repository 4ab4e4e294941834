import { analyzeWord, forEachRawForm } from '../text-analysis.js';
import type { VocabularyEntry } from './words.js';

/** Term ids and per-term counters gathered while analysing the corpus. */
export class TermTable {
  readonly vocabulary = new Map<string, VocabularyEntry>();
  readonly strings: string[] = [];
  readonly df: number[] = [];
  /** Each index term and its id. */
  readonly ids = new Map<string, number>();
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
