import { splitWordGroups, type TermForm, type WordGroup } from './text-analysis.js';

/** An acronym as a paper defines it: `Reinforcement Learning from Human Feedback (RLHF)`. */
export interface AcronymDefinition {
  acronym: string;
  longForm: string;
}

// `(RLHF)`, `(LLMs)`, `(MoE)`, `(ZS-XLT)`: 2 to 10 letters, digits or hyphens, at least two capitals.
const PARENTHESISED = /\(([A-Za-z][A-Za-z0-9-]{1,9})\)/g;
const LOOKBEHIND_CHARS = 160;

/**
 * Finds acronym definitions in a text with the Schwartz–Hearst rule: the words just before `(ACRONYM)` whose
 * letters, read backwards, contain the acronym's letters in order, the first one starting a word.
 */
export function findAcronymDefinitions(text: string): AcronymDefinition[] {
  const found: AcronymDefinition[] = [];
  if (!text.includes('(')) return found;
  for (const match of text.matchAll(PARENTHESISED)) {
    const acronym = match[1]!;
    const capitals = acronym.replace(/[^A-Z]/g, '').length;
    if (capitals < 2) continue;
    // `LLMs`: a plural s after capitals is not one of the letters.
    const letters = (/[A-Z]s$/.test(acronym) ? acronym.slice(0, -1) : acronym).toLowerCase().replace(/[^a-z0-9]/g, '');
    const before = text.slice(Math.max(0, match.index - LOOKBEHIND_CHARS), match.index);
    const words = before.split(/\s+/).filter(Boolean);
    const window = words.slice(-Math.min(letters.length + 5, letters.length * 2)).join(' ');
    const longForm = matchLongForm(letters, window);
    if (longForm) found.push({ acronym, longForm });
  }
  return found;
}

function matchLongForm(letters: string, candidate: string): string | null {
  const text = candidate.toLowerCase();
  let l = text.length - 1;
  for (let s = letters.length - 1; s >= 0; s--) {
    const c = letters[s]!;
    // The first letter must start a word; the others may sit anywhere, in order.
    while (l >= 0 && (text[l] !== c || (s === 0 && l > 0 && /[a-z0-9]/.test(text[l - 1]!)))) l--;
    if (l < 0) return null;
    l--;
  }
  const start = text.lastIndexOf(' ', l) + 1;
  const longForm = candidate.slice(start).trim();
  // A long form is at least two words and is not the acronym itself spelled in capitals.
  return /\s|-/.test(longForm) && longForm.length > letters.length ? longForm : null;
}

/**
 * The key under which a long form is looked up: its meaningful words as index terms (stemmed, folded, stop words
 * and hyphens gone), so `mixture-of-experts`, `Mixture of Experts` and `mixtures of experts` meet.
 */
export function longFormTerms(text: string): string[] {
  return splitWordGroups(text).flatMap((group) => longFormParts(group).map((form) => form.term));
}

/** The meaningful parts of one word as a long form counts them (a compound by its parts). */
export function longFormParts(group: WordGroup): TermForm[] {
  const parts = group.forms.length > 1 ? group.forms.slice(1) : group.forms;
  return parts.filter((form) => !form.isStopWord);
}

/** The index term of an acronym, or null when it is a stop word (`(IT)`, `(US)`). */
export function acronymTerm(acronym: string): string | null {
  const form = splitWordGroups(acronym)[0]?.forms[0];
  return form && !form.isStopWord ? form.term : null;
}

const MAX_LONG_FORMS = 50_000;

/** A definition as the table counts it: the long form's terms joined by spaces, the acronym's term, the term count. */
export interface LearnableDefinition {
  key: string;
  term: string;
  words: number;
}

/** The definitions of a text the table can learn (an acronym that is not a stop word, a long form of two terms or more). */
export function findLearnableDefinitions(text: string): LearnableDefinition[] {
  const found: LearnableDefinition[] = [];
  for (const { acronym, longForm } of findAcronymDefinitions(text)) {
    const term = acronymTerm(acronym);
    const words = longFormTerms(longForm);
    if (term && words.length >= 2) found.push({ key: words.join(' '), term, words: words.length });
  }
  return found;
}

/** Long forms learnt from a corpus, each mapped to the acronym the corpus uses for it most often. */
export class AcronymTable {
  private readonly counts = new Map<string, Map<string, number>>();
  private resolved: Map<string, string> | null = null;
  /** The most words in any long form learnt. */
  longest = 0;

  /** Learns the definitions in one text. */
  learn(text: string): void {
    for (const definition of findLearnableDefinitions(text)) this.record(definition);
  }

  /** Counts one definition (what {@link findLearnableDefinitions} found), as {@link AcronymTable.learn} does. */
  record({ key, term, words }: LearnableDefinition): void {
    let byAcronym = this.counts.get(key);
    if (!byAcronym) {
      if (this.counts.size >= MAX_LONG_FORMS) return;
      this.counts.set(key, (byAcronym = new Map<string, number>()));
    }
    byAcronym.set(term, (byAcronym.get(term) ?? 0) + 1);
    this.longest = Math.max(this.longest, words);
    this.resolved = null;
  }

  /** The acronym term for a sequence of long-form terms, if the corpus defined one. */
  lookup(terms: readonly string[]): string | undefined {
    if (!this.resolved) {
      this.resolved = new Map();
      for (const [key, byAcronym] of this.counts) {
        let best = '';
        let bestCount = 0;
        for (const [term, count] of byAcronym) if (count > bestCount) [best, bestCount] = [term, count];
        this.resolved.set(key, best);
      }
    }
    return this.resolved.get(terms.join(' '));
  }

  get size(): number {
    return this.counts.size;
  }
}
