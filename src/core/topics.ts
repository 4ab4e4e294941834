import { foldText, type Paper } from './paper.js';
import { analyzeText, STOP_WORDS } from './text-analysis.js';

/** The shortest and longest topic a member can follow. */
export const TOPIC_MIN_LENGTH = 2;
export const TOPIC_MAX_LENGTH = 100;

/** A topic as typed, made comparable (or the reason it cannot be one). */
export type TopicResult = { ok: true; topic: string } | { ok: false; reason: string };

/** A topic the corpus suggests, with how many papers it covers. */
export interface TopicSuggestion {
  topic: string;
  papers: number;
}

// Words every abstract uses: as topics they would match nearly everything.
const GENERIC_WORDS = new Set(
  (
    'paper papers propose proposed proposes present presents presented show shows shown result results method methods ' +
    'approach approaches work works study studies use used uses using based new novel also well however first one two ' +
    'three different various several many large small high low better best significant significantly existing current ' +
    'recent recently further demonstrate demonstrates experiment experiments experimental evaluate evaluation introduce ' +
    'introduces provide provides across while may can find finds found achieve achieves achieving improve improves ' +
    'improved improvement including key task tasks way ways allow allows given make makes making data model models ' +
    'larger smaller reduce reduces state simple apply combined critical guide measure measuring systematic empirical ' +
    'towards beyond revisited unveiling challenge challenging part analysis'
  ).split(' '),
);

/**
 * Makes a typed topic comparable: trimmed, case and diacritics folded, spaces collapsed, 2–100 characters,
 * with at least one letter or digit.
 */
export function normalizeTopic(raw: string): TopicResult {
  const topic = foldText(raw.normalize('NFKC'))
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!topic) return { ok: false, reason: 'Please give a topic: a word or a short phrase, like "scaling laws".' };
  if (!/[\p{L}\p{N}]/u.test(topic)) return { ok: false, reason: 'A topic needs letters or digits; punctuation alone matches no paper.' };
  if ([...topic].length < TOPIC_MIN_LENGTH) return { ok: false, reason: `A topic needs at least ${TOPIC_MIN_LENGTH} characters.` };
  if ([...topic].length > TOPIC_MAX_LENGTH) return { ok: false, reason: `A topic can be at most ${TOPIC_MAX_LENGTH} characters; keep it to a few words.` };
  return { ok: true, topic };
}

const paperTerms = new WeakMap<Paper, ReadonlySet<string>>();
const topicTerms = new Map<string, readonly string[]>();

function termsOfPaper(paper: Paper): ReadonlySet<string> {
  let terms = paperTerms.get(paper);
  if (!terms) {
    terms = new Set(analyzeText(`${paper.title} ${paper.abstract}`));
    paperTerms.set(paper, terms);
  }
  return terms;
}

function termsOfTopic(topic: string): readonly string[] {
  let terms = topicTerms.get(topic);
  if (!terms) {
    const analyzed = [...new Set(analyzeText(topic))];
    // A topic made only of stop words ("the") would match everything: it matches nothing instead.
    terms = analyzed;
    if (topicTerms.size > 10_000) topicTerms.clear();
    topicTerms.set(topic, terms);
  }
  return terms;
}

/**
 * The topics a paper matches: those whose every word occurs (stemmed and folded) in its title or abstract, so
 * `scaling laws` matches a paper about scaling laws and not one that only mentions a law.
 */
export function matchTopics(paper: Paper, topics: readonly string[]): string[] {
  if (topics.length === 0) return [];
  const terms = termsOfPaper(paper);
  return topics.filter((topic) => {
    const wanted = termsOfTopic(topic);
    return wanted.length > 0 && wanted.every((term) => terms.has(term));
  });
}

/**
 * The corpus's distinctive words and two-word phrases, ranked by how many papers they cover: what `/subscribe`
 * suggests. Words nearly every paper uses, stop words and numbers are left out.
 */
export function suggestTopics(papers: readonly Paper[], options: { limit?: number } = {}): TopicSuggestion[] {
  const limit = options.limit ?? 200;
  const coverage = new Map<string, Set<number>>();
  const inTitles = new Set<string>();
  const surface = new Map<string, Map<string, number>>();
  const note = (key: string, form: string, paper: number) => {
    let set = coverage.get(key);
    if (!set) coverage.set(key, (set = new Set()));
    set.add(paper);
    let forms = surface.get(key);
    if (!forms) surface.set(key, (forms = new Map()));
    forms.set(form, (forms.get(form) ?? 0) + 1);
  };

  papers.forEach((paper, index) => {
    // Titles say what papers are about: only words and phrases found in some title are offered as topics.
    for (const key of titleKeys(paper.title)) inTitles.add(key);
    // Phrases never cross sentence or clause punctuation.
    for (const clause of foldText(`${paper.title}. ${paper.abstract}`).split(/[.,;:!?()[\]{}"]+/)) {
      const words = clause.split(/[^\p{L}\p{N}-]+/u).filter(Boolean);
      let previous: { word: string; stem: string } | null = null;
      for (const word of words) {
        const stem = isTopicWord(word) ? analyzeText(word)[0] : undefined;
        if (!stem) {
          previous = null;
          continue;
        }
        note(stem, word, index);
        if (previous) note(`${previous.stem} ${stem}`, `${previous.word} ${word}`, index);
        previous = { word, stem };
      }
    }
  });

  // A word in more than half the papers is not distinctive (when there are enough papers to tell).
  const ceiling = papers.length >= 20 ? papers.length / 2 : Infinity;
  const suggestions: TopicSuggestion[] = [];
  for (const [key, set] of coverage) {
    const isPhrase = key.includes(' ');
    if (set.size < 2 || (!isPhrase && set.size > ceiling) || !inTitles.has(key)) continue;
    const forms = [...surface.get(key)!.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    suggestions.push({ topic: forms[0]![0], papers: set.size });
  }
  return suggestions.sort((a, b) => b.papers - a.papers || a.topic.localeCompare(b.topic)).slice(0, limit);
}

/** The word and phrase keys of a title, as {@link suggestTopics} counts them. */
function titleKeys(title: string): string[] {
  const keys: string[] = [];
  for (const clause of foldText(title).split(/[.,;:!?()[\]{}"]+/)) {
    let previous: string | null = null;
    for (const word of clause.split(/[^\p{L}\p{N}-]+/u).filter(Boolean)) {
      const stem = isTopicWord(word) ? analyzeText(word)[0] : undefined;
      if (!stem) {
        previous = null;
        continue;
      }
      keys.push(stem);
      if (previous) keys.push(`${previous} ${stem}`);
      previous = stem;
    }
  }
  return keys;
}

function isTopicWord(word: string): boolean {
  return word.length >= 3 && !/^[\d-]+$/.test(word) && !STOP_WORDS.has(word) && !GENERIC_WORDS.has(word) && word.length <= 40;
}

/**
 * Autocomplete choices for `/subscribe`: what the member typed first (so any phrase can be followed), then the
 * corpus topics that start with it or have a word starting with it; at most 25, names and values ≤ 100.
 */
export function filterTopicSuggestions(suggestions: readonly TopicSuggestion[], typed: string): Array<{ name: string; value: string }> {
  const normalized = normalizeTopic(typed);
  const query = normalized.ok ? normalized.topic : '';
  const choices: Array<{ name: string; value: string }> = [];
  const seen = new Set<string>();
  const push = (topic: string, papers: number | null) => {
    if (seen.has(topic) || choices.length >= 25) return;
    seen.add(topic);
    const count = papers === null ? '' : ` (${papers} paper${papers === 1 ? '' : 's'})`;
    choices.push({ name: `${topic.slice(0, 100 - count.length)}${count}`, value: topic.slice(0, 100) });
  };
  if (!query) {
    for (const s of suggestions) push(s.topic, s.papers);
    return choices;
  }
  const exact = suggestions.find((s) => s.topic === query);
  push(query, exact ? exact.papers : null);
  const starts = suggestions.filter((s) => s.topic.startsWith(query));
  const inner = suggestions.filter((s) => !s.topic.startsWith(query) && s.topic.split(' ').some((w) => w.startsWith(query)));
  for (const s of [...starts, ...inner]) push(s.topic, s.papers);
  return choices;
}
