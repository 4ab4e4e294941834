import type { CorpusWarning, Paper } from '../../../../src/core/paper.js';

// What the parts of the bad-input scenario share: the findings list, the hostile strings and a few helpers.

/** A JSON object (an interaction payload, a message body). */
export type Json = Record<string, unknown>;
/** A seeded random source in [0, 1) (see test/support/random.ts). */
export type Random = () => number;

/** Characters in a "megabyte" of text. */
export const MB = 1_048_576;
const PAPER_ID = /^[a-z0-9-]{1,64}$/;
/** Member permissions holding Manage Server, which `/digest` needs. */
export const MANAGE_GUILD = '32';

/** Strings that would format, link, mention, hide or fake a footer if they reached Discord unescaped. */
export const HOSTILE = [
  '@everyone',
  '@here',
  '<@123456789012345678>',
  '<@!123456789012345678>',
  '<@&223456789012345678>',
  '<#323456789012345678>',
  '[click](https://evil.example)',
  '[x](<https://evil>)',
  '**bold**',
  '__u__',
  '~~s~~',
  '||spoiler||',
  '# H',
  '-# subtext',
  '> quote',
  '```js\nboom()\n```',
  '`code`',
  'every\u200Bone',
  '\u202Eevil',
  '\u0000',
  '\u001b[31m',
  '\uFEFF',
  '·',
  '• 3 authors',
  'Nov 26, 2024 5',
  '😀',
  '👩‍👩‍👧‍👦',
  'e\u0301',
  '\u200D',
  '﷽',
  'https://a.example/__init__',
  '\\',
  '</paper:1>',
  '<t:0:R>',
];
/** Strings of only emoji, zero-width, direction, control or combining characters. */
export const ODD_ONLY = [
  '😀🎉🔥💯',
  '\u200B\u200C\u200D\u2060\uFEFF',
  '\u202E\u202D\u2066\u2069',
  '\u0001\u0002\u0007\u001b\u007f',
  '\u0301\u0302\u0303',
  '　 \u00A0\u2003',
];

/** Groups failures by what went wrong, with how often and a first example of each. */
export class Findings {
  private readonly byKey = new Map<string, { count: number; example: string }>();

  add(key: string, example: string): void {
    const found = this.byKey.get(key);
    if (found) found.count += 1;
    else this.byKey.set(key, { count: 1, example });
  }

  list(): string[] {
    return [...this.byKey].map(([key, { count, example }]) => `${key} (${count}×; e.g. ${example})`);
  }
}

/** One item of a list, chosen by `random`. */
export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
/** A text cut to `max` characters (never half a character), quoted, for a finding's example. */
export const short = (text: string, max = 60): string =>
  JSON.stringify(text.length > max ? `${text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '')}…` : text);
/** A size in characters as KB or MB. */
export const kb = (chars: number): string => (chars >= MB ? `${(chars / MB).toFixed(1)} MB` : `${(chars / 1024).toFixed(1)} KB`);
/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Notes warnings without a line at or after `minLine`, or without a message. */
export function checkWarnings(warnings: readonly CorpusWarning[], minLine: number, where: string, findings: Findings): void {
  for (const w of warnings) {
    if (!Number.isInteger(w.line) || w.line < minLine) findings.add(`a warning has line ${w.line}`, `${where}: ${short(w.message)}`);
    if (typeof w.message !== 'string' || w.message.trim() === '') findings.add('a warning has an empty message', where);
  }
}

/** Notes papers with an empty title or an id outside [a-z0-9-]{1,64}. */
export function checkPapers(papers: readonly Paper[], where: string, findings: Findings): void {
  for (const p of papers) {
    if (p.title.trim() === '') findings.add('a paper has an empty title', where);
    if (!PAPER_ID.test(p.id)) findings.add(`a paper id is not [a-z0-9-]{1,64}`, `${where}: ${short(p.id)}`);
  }
}
