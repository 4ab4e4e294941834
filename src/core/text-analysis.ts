import { foldText } from './paper.js';

/** One searchable form of a typed or indexed word: the folded surface form and its index term. */
export interface TermForm {
  /** Folded surface form (`quantisation`, `zebra-llama`, `10000`). */
  readonly raw: string;
  /** The term stored in and looked up from the index (stemmed for plain words). */
  readonly term: string;
  readonly isStopWord: boolean;
}

/** The forms of one whitespace-separated word: an identifier comes whole first, then by its parts. */
export interface WordGroup {
  readonly forms: readonly TermForm[];
}

/** Words carrying no meaning of their own in a title or abstract (folded, unstemmed). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are aren as at be because been before being below ' +
    'between both but by can cannot could did do does doing down during each either etc e.g eg et al few for from ' +
    'further had has have having he her here hers herself him himself his how however i i.e ie if in into is it its ' +
    'itself just me might more most must my myself no nor not now of off on once only or other our ours ourselves out ' +
    'over own per same she should so some such than that the their theirs them themselves then there these they this ' +
    'those through thus to too toward towards under until up upon us very via vs was we were what when where whereas ' +
    'whether which while who whom why will with within without would yet you your yours http https www'
  ).split(' '),
);

/** Untrusted input as text: nothing (null, undefined) becomes '' and anything else its string form. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a value of another type becomes text, never a crash
  return String(value);
}

/** Longest token kept: longer runs are URLs, hashes or base64, never typed by anyone. */
const MAX_TOKEN_LENGTH = 40;
const JOINERS = /[._\-/+:,']/;
const EDGE_JOINERS = /[._\-/+:]/;
const ATOM_SPLIT = /[._\-/+:]+/;
const MID_SPLIT = /[-/+:_]+/;
const ASCII = /^[\x00-\x7f]*$/;
// Words are runs of letters and digits, possibly joined by `.`, `-`, `_`, `/`, `+`, `:`, `,` or `'` (`LLM.int8`, `10,000`).
const ASCII_SEPARATORS = /[^a-z0-9._\-/+:,']+/;
const UNICODE_SEPARATORS = /[^\p{L}\p{N}._\-/+:,']+/u;

/** Folds text for analysis; ASCII text skips the costly Unicode normalisation. */
export function foldForAnalysis(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  return foldText(text)
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'");
}

/** The normalised text used for phrase and exact-title checks: folded words separated by single spaces. */
export function normalizePhraseText(text: string): string {
  return foldForAnalysis(text)
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/'s\b/g, '')
    .replace(/'/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Splits text into word groups: folded, apostrophes and thousands separators removed, compounds kept whole and split. */
export function splitWordGroups(text: string): WordGroup[] {
  const groups: WordGroup[] = [];
  scanWords(text, (word) => {
    const forms = EDGE_JOINERS.test(word)
      ? compoundForms(word).map(analyzeWord)
      : word.length <= MAX_TOKEN_LENGTH
        ? [analyzeWord(word)]
        : [];
    if (forms.length > 0) groups.push({ forms });
  });
  return groups;
}

/** Calls `visit` with the folded, unstemmed surface form of every word and compound part (the path used for indexing). */
export function forEachRawForm(text: string, visit: (raw: string) => void): void {
  const folded = foldForAnalysis(text);
  for (const piece of folded.split(ASCII.test(folded) ? ASCII_SEPARATORS : UNICODE_SEPARATORS)) {
    // Plain words are the vast majority: they skip the compound handling entirely.
    if (!JOINERS.test(piece)) {
      if (piece && piece.length <= MAX_TOKEN_LENGTH) visit(piece);
      continue;
    }
    for (const word of cleanCompound(piece)) {
      if (!EDGE_JOINERS.test(word)) {
        if (word.length <= MAX_TOKEN_LENGTH) visit(word);
      } else for (const raw of compoundForms(word)) visit(raw);
    }
  }
}

/** The index terms of a text: every form of every word, stemmed, stop words left out. */
export function analyzeText(text: string): string[] {
  const terms: string[] = [];
  forEachRawForm(text, (raw) => {
    const form = analyzeWord(raw);
    if (!form.isStopWord) terms.push(form.term);
  });
  return terms;
}

function scanWords(text: string, onWord: (word: string) => void): void {
  const folded = foldForAnalysis(text);
  for (const piece of folded.split(ASCII.test(folded) ? ASCII_SEPARATORS : UNICODE_SEPARATORS)) {
    if (!JOINERS.test(piece)) {
      if (piece) onWord(piece);
    } else for (const word of cleanCompound(piece)) onWord(word);
  }
}

/** A piece with joiners: numbers lose thousands separators, other commas split, `'s` and apostrophes go, edges are trimmed. */
function cleanCompound(piece: string): string[] {
  const words: string[] = [];
  for (const part of splitCommas(piece)) {
    const clean = trimJoiners(part.replace(/'s$/, '').replace(/'/g, ''));
    if (clean) words.push(clean);
  }
  return words;
}

function splitCommas(word: string): string[] {
  if (!word.includes(',')) return [word];
  // `10,000` is one number; any other comma separates words.
  return word.replace(/(\d),(?=\d{3}(?!\d))/g, '$1').split(',');
}

function trimJoiners(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && EDGE_JOINERS.test(word[start]!)) start++;
  while (end > start && EDGE_JOINERS.test(word[end - 1]!)) end--;
  return word.slice(start, end);
}

/** A compound word whole, then split at hyphens and slashes, then into its letter-and-digit runs. */
function compoundForms(word: string): string[] {
  const forms: string[] = [];
  const add = (raw: string, isWhole: boolean): void => {
    if (!raw || raw.length > MAX_TOKEN_LENGTH || forms.includes(raw)) return;
    // Single letters split off compounds (`k-quantization`, `e.g`) only add noise; single digits stay.
    if (!isWhole && raw.length === 1 && !/\d/.test(raw)) return;
    forms.push(raw);
  };
  add(word, true);
  const mids = word.split(MID_SPLIT);
  if (mids.length > 1) for (const mid of mids) add(trimJoiners(mid), false);
  for (const atom of word.split(ATOM_SPLIT)) add(atom, false);
  return forms;
}

const FORM_CACHE_SIZE = 200_000;
const formCache = new Map<string, TermForm>();

/** The form of one folded word; forms are cached and shared because queries repeat the same words. */
export function analyzeWord(raw: string): TermForm {
  const cached = formCache.get(raw);
  if (cached) return cached;
  const form: TermForm = Object.freeze({ raw, term: stemWord(raw), isStopWord: STOP_WORDS.has(raw) });
  // The bound keeps memory flat on corpora with an endless tail of rare words.
  if (formCache.size >= FORM_CACHE_SIZE) formCache.clear();
  formCache.set(raw, form);
  return form;
}

const BRITISH_OUR = /^(behavi|col|fav|hon|lab|neighb|rum|harb|flav|hum|vap|arm|endeav|sav|vig|rig|tum|od|clam)our/;
const BRITISH_WORDS: ReadonlyMap<string, string> = new Map([
  ['programme', 'program'],
  ['programmes', 'programs'],
  ['catalogue', 'catalog'],
  ['catalogues', 'catalogs'],
  ['dialogue', 'dialog'],
  ['dialogues', 'dialogs'],
  ['analogue', 'analog'],
  ['defence', 'defense'],
  ['licence', 'license'],
  ['offence', 'offense'],
  ['grey', 'gray'],
  ['ageing', 'aging'],
  ['sceptical', 'skeptical'],
  ['judgement', 'judgment'],
  ['judgements', 'judgments'],
  ['maths', 'math'],
  ['aluminium', 'aluminum'],
]);

/** Maps British spellings to American ones so that both meet in the index. */
export function americanize(word: string): string {
  const listed = BRITISH_WORDS.get(word);
  if (listed) return listed;
  let w = word;
  if (BRITISH_OUR.test(w)) w = w.replace('our', 'or');
  w = w.replace(/^(cent|met|fib|lit|theat|calib|spect|lust|somb)re(s|d)?$/, (_m, root: string, end?: string) =>
    end === 'd' ? `${root}ered` : `${root}er${end ?? ''}`,
  );
  w = w.replace(/isation/g, 'ization');
  w = w.replace(/^([a-z]{3,})is(e|es|ed|ing|er|ers)$/, '$1iz$2');
  w = w.replace(/ys(e|es|ed|ing|er|ers)$/, 'yz$1');
  // Doubled l before a suffix is British (`modelling`); roots ending in `ell` (`spell`) have no vowel before it.
  w = w.replace(/^([a-z]*[aeiou][a-z]*?)ell(ed|ing|er|ers)$/, '$1el$2');
  w = w.replace(/^(sign|di|tot|equ|initi|marsh)all(ed|ing)$/, '$1al$2');
  return w;
}

const KEEP_S = new Set([
  'bias',
  'alias',
  'atlas',
  'canvas',
  'gas',
  'has',
  'was',
  'pancreas',
  'whereas',
  'chaos',
  'cosmos',
  'ethos',
  'logos',
  'kudos',
  'lens',
  'news',
  'yes',
  'its',
  'always',
  'perhaps',
  'thanks',
]);
const PLURAL_US_IS = new Set(['gpus', 'cpus', 'tpus', 'npus', 'apis', 'kpis', 'menus', 'gurus']);
const ED_ROOTS = new Set(['embed', 'shred', 'infrared', 'hundred', 'sacred', 'naked', 'wicked', 'kindred', 'hatred']);
const VOWEL = /[aeiouy]/;

/**
 * A light English stemmer: plural, `-ed` and `-ing` endings, `-ization` and `-ation`, and a final `e` are
 * removed after British spellings are mapped to American ones, so `quantization`, `quantized` and
 * `quantisation` all become `quantiz` while unrelated words (`experiment`, `experience`) stay apart.
 */
export function stemWord(word: string): string {
  let w = americanize(word);
  if (w.length <= 3 || !/^[a-z]+$/.test(w)) return w;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(?:ch|sh|x|zz)es$/.test(w)) w = w.slice(0, -2);
  else if (PLURAL_US_IS.has(w)) w = w.slice(0, -1);
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w) && !KEEP_S.has(w)) w = w.slice(0, -1);

  if (w.endsWith('ied') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('eed') || ED_ROOTS.has(w)) {
    // `need`, `speed`, `embed`: the ending belongs to the root.
  } else if (w.endsWith('ed') && w.length >= 5 && VOWEL.test(w.slice(0, -2))) w = undouble(w.slice(0, -2));
  else if (w.endsWith('ing') && w.length >= 6 && VOWEL.test(w.slice(0, -3))) w = undouble(w.slice(0, -3));

  if (w.endsWith('ization')) w = w.slice(0, -5);
  else if (w.endsWith('ation') && w.length > 7) w = w.slice(0, -3);

  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

function undouble(stem: string): string {
  const last = stem[stem.length - 1];
  if (stem.length >= 4 && last === stem[stem.length - 2] && last !== undefined && /[bdgkmnprt]/.test(last)) {
    return stem.slice(0, -1);
  }
  return stem;
}
