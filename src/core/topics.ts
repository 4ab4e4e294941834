import { foldText, type Paper } from './paper.js';
import { DISCORD_LIMITS } from './discord-limits.js';
import { truncateAtWord as truncate } from './search.js';
import { STOP_WORDS, forEachRawForm, splitWordGroups, analyzeWord, toText, type WordGroup } from './text-analysis.js';

/** A normalised topic, or why the text cannot be one. */
export type TopicResult = { ok: true; topic: string } | { ok: false; reason: string };

/** A topic suggested for `/subscribe` and how many papers of the corpus it matches. */
export interface TopicSuggestion {
  /** True when `papers` was estimated from a sample of a large corpus. */
  approximate?: boolean;
  topic: string;
  papers: number;
}

/** An autocomplete choice of a topic: a name and the topic as value, both within Discord's 100 characters. */
export interface TopicChoice {
  name: string;
  value: string;
}

/** Options of {@link suggestTopics}. */
export interface SuggestTopicsOptions {
  /** Most suggestions returned (default 100). */
  limit?: number;
}

/** Matches many papers against a fixed list of topics, analysing each topic once. */
export interface TopicMatcher {
  /** The topics this matcher was built from, normalised (those that failed normalisation are left out). */
  readonly topics: readonly string[];
  /** The topics the paper matches, in the order the topics were given. */
  match(paper: Pick<Paper, 'title' | 'abstract'>): string[];
}

/** The shortest and longest topic a member can follow (the longest fits a Discord choice value). */
export const TOPIC_MIN_LENGTH = 2;
export const TOPIC_MAX_LENGTH = DISCORD_LIMITS.choiceValue;
const DEFAULT_SUGGESTIONS = 100;
/** A word or phrase in more than this share of papers describes the corpus, not a topic within it. */
const MAX_TOPIC_SHARE = 0.6;
/** Below this many papers, shares and title counts say little: every word is in half of three papers. */
const MIN_PAPERS_FOR_SHARE = 20;
/** Titles say what papers are about: on a real corpus a topic must appear in this many titles (one on a tiny corpus). */
const MIN_TITLES = 2;
/** A word seen in this share of its papers only inside one phrase is left to that phrase (`laws` → `scaling laws`). */
const ABSORBED_SHARE = 0.8;

/** Words every paper uses: never a topic on their own, though they may end a phrase (`language models`). */
const GENERIC_WORDS: ReadonlySet<string> = new Set(
  (
    'paper papers propose proposed proposes proposing present presents presented introduce introduces introduced ' +
    'approach approaches method methods result results show shows showed shown demonstrate demonstrates demonstrated ' +
    'achieve achieves achieved outperform outperforms outperforming work works study studies model models based using ' +
    'use uses used performance experiment experiments experimental finding findings task tasks art state including ' +
    'include includes provide provides provided however further furthermore moreover improve improves improved ' +
    'improvement improvements code available github com org arxiv huggingface data framework frameworks evaluate ' +
    'evaluated evaluation analysis setting settings problem problems way ways number across terms ability abilities ' +
    'even still often specific given compared compare comparison respectively significantly particular since yet ' +
    'make makes making reduce reduces reducing reduced enable enables enabling enabled allow allows allowing apply ' +
    'applies applying applied require requires required remain remains lead leads yield yields offer offers explore ' +
    'explores explored investigate investigates investigated identify identifies address addresses highlight ' +
    'highlights reveal reveals suggest suggests support supports enhance enhances obtain perform performs called ' +
    'named challenge challenges challenging understanding towards toward beyond revisited part measure measures ' +
    'measuring systematic empirical empirically evaluating impact impacts open one process focus limited test tests ' +
    'research information strategy strategies domain domains output outputs feature features accuracy ' +
    'scalable predictable navigate navigating hidden potential level levels'
  ).split(' '),
);
/** Vague qualifiers: not a topic alone and never the start or end of a suggested phrase (`large language`). */
const WEAK_MODIFIERS: ReadonlySet<string> = new Set(
  (
    'large small high low new novel different various multiple significant better best efficient effective existing ' +
    'recent first second third several many main key important simple strong general overall current prior ' +
    'previous single standard typical common diverse additional extensive comprehensive wide widely less fewer ' +
    'larger smaller higher lower faster slower stronger weaker longer shorter greater'
  ).split(' '),
);

/** Normalises a topic typed by a member: trimmed, folded, single-spaced, 2–100 characters, with a meaningful word. */
export function normalizeTopic(raw: string): TopicResult {
  const topic = foldText(toText(raw))
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!topic) return { ok: false, reason: 'Please give a topic: a word or a short phrase, like "scaling laws".' };
  if (!/[\p{L}\p{N}]/u.test(topic)) return { ok: false, reason: 'A topic needs letters or digits; punctuation alone matches no paper.' };
  if (topic.length < TOPIC_MIN_LENGTH) return { ok: false, reason: `A topic needs at least ${TOPIC_MIN_LENGTH} characters.` };
  if (topic.length > TOPIC_MAX_LENGTH) {
    return { ok: false, reason: `A topic can be at most ${TOPIC_MAX_LENGTH} characters; keep it to a few words.` };
  }
  if (keepMeaningfulGroups(splitWordGroups(topic)).length === 0) {
    return { ok: false, reason: 'A topic needs a word less common than "the" or "of", like "quantization".' };
  }
  return { ok: true, topic };
}

/** The topics (from `topics`) that the paper matches: every word of a topic, stemmed and folded, is in its title or abstract. */
export function matchTopics(paper: Pick<Paper, 'title' | 'abstract'>, topics: readonly string[]): string[] {
  if (topics.length === 0) return [];
  const terms = getPaperTerms(paper);
  return topics.filter((topic) => {
    let groups = compiledTopics.get(topic);
    if (!groups) {
      groups = compileTopic(topic);
      if (compiledTopics.size >= COMPILED_TOPICS_CACHE) compiledTopics.clear();
      compiledTopics.set(topic, groups);
    }
    return groups !== null && groups.every((group) => matchesGroup(group, terms));
  });
}

const COMPILED_TOPICS_CACHE = 10_000;
const compiledTopics = new Map<string, string[][] | null>();
// Callers often test one paper against several topics, or every paper against a new topic: a paper's terms are
// kept while the paper object lives.
const paperTermsCache = new WeakMap<object, ReadonlySet<string>>();

function getPaperTerms(paper: Pick<Paper, 'title' | 'abstract'>): ReadonlySet<string> {
  let terms = paperTermsCache.get(paper);
  if (!terms) {
    terms = collectPaperTerms(paper);
    paperTermsCache.set(paper, terms);
  }
  return terms;
}

/** A topic's words as term alternatives, or null when the text is not a valid topic (so it matches nothing). */
function compileTopic(raw: string): string[][] | null {
  const normal = normalizeTopic(raw);
  return normal.ok ? keepMeaningfulGroups(splitWordGroups(normal.topic)).map(listGroupTerms) : null;
}

/** Builds a matcher for many papers × many topics: each topic is analysed once, and a paper only checks topics sharing a term with it. */
export function createTopicMatcher(topics: readonly string[]): TopicMatcher {
  const compiled: Array<{ topic: string; groups: string[][] }> = [];
  const byFirstTerm = new Map<string, number[]>();
  for (const raw of topics) {
    const normal = normalizeTopic(raw);
    const groups = compileTopic(raw);
    if (!normal.ok || !groups) continue;
    const position = compiled.length;
    compiled.push({ topic: normal.topic, groups });
    // Every alternative of the first word may be what a paper contains.
    for (const term of new Set(groups[0])) {
      const list = byFirstTerm.get(term);
      if (list) list.push(position);
      else byFirstTerm.set(term, [position]);
    }
  }
  return {
    topics: compiled.map((entry) => entry.topic),
    match(paper) {
      const terms = collectPaperTerms(paper);
      const candidates = new Set<number>();
      for (const term of terms) for (const position of byFirstTerm.get(term) ?? []) candidates.add(position);
      return [...candidates]
        .sort((a, b) => a - b)
        .filter((position) => compiled[position]!.groups.every((group) => matchesGroup(group, terms)))
        .map((position) => compiled[position]!.topic);
    },
  };
}

/**
 * The corpus's distinctive words and two-word phrases, ranked by how many papers they cover (ties alphabetically):
 * no stop words, no words every paper uses, nothing in most papers, and only what titles say (two of them on a real corpus).
 */
export function suggestTopics(papers: readonly Paper[], options: SuggestTopicsOptions = {}): TopicSuggestion[] {
  const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_SUGGESTIONS));
  const counts = new Map<string, { papers: number; last: number; forms: Map<string, number>; phrase: boolean }>();
  const titleCounts = new Map<string, number>();
  papers.forEach((paper, index) => {
    for (const key of new Set(extractTopicKeys(toText(paper.title)).map((entry) => entry.key))) {
      titleCounts.set(key, (titleCounts.get(key) ?? 0) + 1);
    }
    for (const { key, form, phrase } of extractTopicKeys(`${toText(paper.title)}\n${toText(paper.abstract)}`)) {
      let entry = counts.get(key);
      if (!entry) counts.set(key, (entry = { papers: 0, last: -1, forms: new Map(), phrase }));
      if (entry.last !== index) {
        entry.papers += 1;
        entry.last = index;
      }
      entry.forms.set(form, (entry.forms.get(form) ?? 0) + 1);
    }
  });

  const large = papers.length >= MIN_PAPERS_FOR_SHARE;
  const maxPapers = large ? Math.floor(papers.length * MAX_TOPIC_SHARE) : Infinity;
  const minTitles = large ? MIN_TITLES : 1;
  const absorbed = new Set<string>();
  for (const [key, entry] of counts) {
    if (!entry.phrase || entry.papers < 2) continue;
    for (const part of key.split(' ')) {
      const single = counts.get(part);
      if (single && entry.papers >= single.papers * ABSORBED_SHARE) absorbed.add(part);
    }
  }
  const suggestions: Array<TopicSuggestion & { phrase: boolean }> = [];
  for (const [key, entry] of counts) {
    if (entry.papers < 2 || entry.papers > maxPapers || absorbed.has(key) || (titleCounts.get(key) ?? 0) < minTitles) continue;
    const topic = pickMostFrequent(entry.forms);
    if (topic.length < TOPIC_MIN_LENGTH || topic.length > TOPIC_MAX_LENGTH) continue;
    suggestions.push({ topic, papers: entry.papers, phrase: entry.phrase });
  }
  return suggestions
    .sort((a, b) => b.papers - a.papers || Number(b.phrase) - Number(a.phrase) || (a.topic < b.topic ? -1 : 1))
    .slice(0, limit)
    .map(({ topic, papers: covered }) => ({ topic, papers: covered }));
}

/**
 * Autocomplete choices for `/subscribe` (at most 25, names and values ≤ 100): the typed topic first, so any phrase can
 * be followed, then suggestions starting with it, then those with words starting with the typed words.
 */
export function filterTopicSuggestions(suggestions: readonly TopicSuggestion[], typed: string): TopicChoice[] {
  const normal = normalizeTopic(toText(typed).slice(0, TOPIC_MAX_LENGTH * 4));
  const query = normal.ok ? normal.topic : '';
  const typedWords = query ? query.split(' ') : [];
  const ranked = suggestions
    .map((suggestion, position) => ({ suggestion, position, rank: rankTopic(suggestion.topic, query, typedWords) }))
    .filter((entry) => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank || b.suggestion.papers - a.suggestion.papers || a.position - b.position)
    .map((entry) => entry.suggestion);
  if (query && ranked[0]?.topic !== query) ranked.unshift({ topic: query, papers: -1 });
  return ranked.slice(0, DISCORD_LIMITS.autocompleteChoices).map(({ topic, papers, approximate }) => ({
    name: truncate(papers < 0 ? topic : `${topic} (${approximate ? '~' : ''}${papers} ${papers === 1 ? 'paper' : 'papers'})`),
    value: truncate(topic),
  }));
}

/** 0 for the typed topic itself, 1 when the topic starts with the text, 2 when each typed word starts a topic word; -1 otherwise. */
function rankTopic(topic: string, query: string, typedWords: readonly string[]): number {
  if (!query || topic === query) return 0;
  if (topic.startsWith(query)) return 1;
  const words = topic.split(' ');
  return typedWords.every((typedWord) => words.some((word) => word.startsWith(typedWord))) ? 2 : -1;
}

function keepMeaningfulGroups(groups: readonly WordGroup[]): WordGroup[] {
  return groups.filter((group) => group.forms.some((form) => !form.isStopWord));
}

/** The terms a paper offers to topics: every form of every word of its title and abstract. */
function collectPaperTerms(paper: Pick<Paper, 'title' | 'abstract'>): Set<string> {
  const terms = new Set<string>();
  const add = (raw: string) => {
    terms.add(analyzeWord(raw).term);
  };
  forEachRawForm(toText(paper.title), add);
  forEachRawForm(toText(paper.abstract), add);
  return terms;
}

/** A topic word's terms: the whole word first, then its parts (`zebra-llama` → `zebra-llama`, `zebra`, `llama`). */
function listGroupTerms(group: WordGroup): string[] {
  return group.forms.filter((form) => !form.isStopWord).map((form) => form.term);
}

/** A word matches when the paper has it whole, or has every one of its parts (`zebra llama` for `zebra-llama`). */
function matchesGroup(terms: readonly string[], paper: ReadonlySet<string>): boolean {
  if (paper.has(terms[0]!)) return true;
  return terms.length > 1 && terms.slice(1).every((term) => paper.has(term));
}

/**
 * The topic keys of a text: each content word (stemmed) and each pair of neighbouring content words within a clause,
 * with the folded form as written. Stop words, numbers and punctuation break phrases; compounds count as one word.
 */
function extractTopicKeys(text: string): Array<{ key: string; form: string; phrase: boolean }> {
  const keys: Array<{ key: string; form: string; phrase: boolean }> = [];
  for (const clause of foldText(text).split(/[.,;:!?()[\]{}"\n]+(?=\s|$)|[()[\]{}";\n]/)) {
    let previous: { raw: string; term: string } | null = null;
    for (const group of splitWordGroups(clause)) {
      const word = group.forms[0]!;
      if (!isTopicWord(word.raw)) {
        previous = null;
        continue;
      }
      if (!GENERIC_WORDS.has(word.raw) && !WEAK_MODIFIERS.has(word.raw)) keys.push({ key: word.term, form: word.raw, phrase: false });
      const pairs = previous && !WEAK_MODIFIERS.has(previous.raw) && !WEAK_MODIFIERS.has(word.raw);
      if (previous && pairs && !(GENERIC_WORDS.has(previous.raw) && GENERIC_WORDS.has(word.raw))) {
        keys.push({ key: `${previous.term} ${word.term}`, form: `${previous.raw} ${word.raw}`, phrase: true });
      }
      previous = { raw: word.raw, term: word.term };
    }
  }
  return keys;
}

function isTopicWord(raw: string): boolean {
  return raw.length >= 3 && raw.length <= 40 && !STOP_WORDS.has(raw) && /\p{L}/u.test(raw) && !/^\p{L}\d*$/u.test(raw);
}

function pickMostFrequent(forms: Map<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [form, seen] of forms) {
    if (seen > bestCount || (seen === bestCount && form < best)) {
      best = form;
      bestCount = seen;
    }
  }
  return best;
}
