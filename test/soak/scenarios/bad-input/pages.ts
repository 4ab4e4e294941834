import fc from 'fast-check';
import { parseCorpus } from '../../../../src/core/corpus.js';
import { createRandom } from '../../../support/generate-corpus.js';
import { checkPapers, checkWarnings, type Findings, HOSTILE, kb, MB, pick, type Random, short } from './common.js';

// Pages: the corpus parser fuzzed in-process with random strings, broken copies of the seed page, floods of footer
// markers and chrome, control characters, and inputs of a megabyte and more.

const REFERENCE_DATE = '2025-06-22';
// Parsing may cost at most this much per MB (plus a fixed slack for GC pauses on tiny inputs): linear, not quadratic.
const BUDGET_MS_PER_MB = 2000;
const BUDGET_SLACK_MS = 100;

interface CorpusInput {
  family: string;
  text: string;
}

/** Random strings from fast-check: every code point, graphemes, lone surrogates, control characters, many lines. */
function randomStringPool(count: number, seed: number): string[] {
  const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c));
  const lines = fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 120 }), { maxLength: 200, size: 'max' }).map((l) => l.join('\n'));
  const arbitrary = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 3000, size: 'max' }),
    fc.string({ unit: 'grapheme', maxLength: 800, size: 'max' }),
    fc.string({ unit: anyCodePoint, maxLength: 2000, size: 'max' }),
    fc.string({ unit: 'binary-ascii', maxLength: 3000, size: 'max' }),
    lines,
  );
  return fc.sample(arbitrary, { numRuns: count, seed });
}

const JUNK = [
  '\u0000',
  '\u0001',
  '\u007f',
  '\uFFFD',
  '\uFEFF',
  '\uD800',
  '\uDC00',
  '\r',
  '\n',
  '\r\n',
  '·',
  '•',
  '\u2028',
  '\u0085',
  '\t',
  '\u200B',
];

/** Copies of the seed page broken the ways page copies break (one to four damages each). */
function mutateSeed(seed: string, random: Random): string {
  let text = seed;
  for (let n = 1 + Math.floor(random() * 4); n > 0; n -= 1) {
    const lines = text.split('\n');
    const at = Math.floor(random() * lines.length);
    switch (Math.floor(random() * 8)) {
      case 0:
        text = text.slice(0, Math.floor(random() * text.length));
        break;
      case 1:
        for (let k = 1 + Math.floor(random() * 20); k > 0; k -= 1) {
          const i = Math.floor(random() * text.length);
          text =
            text.slice(0, i) +
            (random() < 0.5 ? pick(random, JUNK) : String.fromCodePoint(Math.floor(random() * 0x110000))) +
            text.slice(i);
        }
        break;
      case 2:
        lines.splice(at, 0, ...Array<string>(1 + Math.floor(random() * 50)).fill(lines[at] ?? ''));
        text = lines.join('\n');
        break;
      case 3: {
        const window = lines.splice(at, 2 + Math.floor(random() * 30));
        window.sort(() => random() - 0.5);
        lines.splice(at, 0, ...window);
        text = lines.join('\n');
        break;
      }
      case 4:
        text = lines.filter((l) => l.trim() !== '' || random() < 0.2).join('\n');
        break;
      case 5:
        text = lines.map((l) => l + pick(random, ['\n', '\r\n', '\r'])).join('');
        break;
      case 6:
        text = lines
          .map((l) => (random() < 0.1 ? `\uFEFF${l}` : random() < 0.05 ? `${l.slice(0, l.length >> 1)}\uFEFF${l.slice(l.length >> 1)}` : l))
          .join('\n');
        break;
      default:
        lines[at] = pick(random, HOSTILE);
        text = lines.join('\n');
    }
  }
  return text;
}

const MARKERS = [
  '·',
  '  • 3 authors',
  '• 1 author',
  'Nov 26, 2024 5',
  'Jun 22',
  'Feb 30, 2024',
  'Gensyn Gensyn',
  'new',
  'Daily Papers',
  'Subscribe',
  'A Title',
  'x'.repeat(301),
  '',
  '*** 7 authors',
];

/** Footer markers, chrome and dates repeated hundreds to thousands of times, with every kind of line end. */
function markerFlood(random: Random): string {
  const pattern = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, MARKERS));
  const times = pick(random, [10, 100, 1000, 5000]);
  const separator = pick(random, ['\n', '\n\n', '\r\n', '\r']);
  const parts: string[] = [];
  for (let i = 0; i < times; i += 1) parts.push(...pattern);
  return parts.join(separator);
}

/** NUL bytes and control characters sprinkled through a slice of the page. */
function controlCharacters(seed: string, random: Random): string {
  const start = Math.floor(random() * seed.length);
  const slice = seed.slice(start, start + 2000 + Math.floor(random() * 20_000));
  return slice.replace(/./g, (c) => (random() < 0.05 ? String.fromCharCode(Math.floor(random() * 32)) : random() < 0.01 ? '\u0000' : c));
}

/** Inputs of a megabyte and more; the largest ones only at full scale. */
function enormousInputs(full: boolean): CorpusInput[] {
  const hundredK = (sep: string, line: (i: number) => string) => Array.from({ length: 100_000 }, (_, i) => line(i)).join(sep);
  const inputs: CorpusInput[] = [
    { family: 'one 1 MB line', text: 'x'.repeat(1_100_000) },
    { family: '100k lines, blank-separated', text: hundredK('\n\n', (i) => `line ${i}`) },
  ];
  if (!full) return inputs;
  return [
    ...inputs,
    { family: '1 MB abstract line', text: `A Title\n\n${'word '.repeat(220_000)}\n` },
    { family: '1 MB hostile line', text: `A Title\n\n${HOSTILE.join(' ').replace(/\n/g, ' ').repeat(2000)}\n` },
    { family: '1 MB line of ·', text: '·'.repeat(1_100_000) },
    { family: '1 MB URL', text: `A Title\n\nsee https://example.org/${'a'.repeat(1_100_000)}\nend\n` },
    { family: '100k lines, one block', text: hundredK('\n', (i) => `line ${i}`) },
    { family: '100k CRLF footer lines', text: hundredK('\r\n', (i) => MARKERS[i % 4]!) },
  ];
}

/** Link-heavy texts a quadratic link extractor chokes on: many links in one abstract, a link ending in a run of brackets. */
function linkInputs(): CorpusInput[] {
  const links = Array.from({ length: 6000 }, (_, i) => `https://example.org/${i}`).join(' ');
  return [
    { family: 'abstract with 6,000 distinct links', text: `A Title\n\n${links}\nsecond line\n` },
    { family: "a link followed by 8,000 ')'", text: `A Title\n\nsee https://example.org/x${')'.repeat(8000)} and more\nsecond line\n` },
  ];
}

function checkParsed(input: CorpusInput, findings: Findings): number | null {
  const started = performance.now();
  let parsed: ReturnType<typeof parseCorpus>;
  try {
    parsed = parseCorpus(input.text, { file: 'fuzz.txt', referenceDate: REFERENCE_DATE });
  } catch (error) {
    findings.add(`parseCorpus threw (${String(error).slice(0, 80)})`, `${input.family}: ${short(input.text)}`);
    return null;
  }
  let ms = performance.now() - started;
  const mb = input.text.length / MB;
  const budget = BUDGET_SLACK_MS + BUDGET_MS_PER_MB * mb;
  // Over budget once may be the machine (a GC, another process on a 2-core box): a superlinear parse is over budget
  // every time, so the fastest of three runs is what counts.
  for (let retry = 0; retry < 2 && ms > budget; retry++) {
    const again = performance.now();
    parseCorpus(input.text, { file: 'fuzz.txt', referenceDate: REFERENCE_DATE });
    ms = Math.min(ms, performance.now() - again);
  }
  if (ms > budget) {
    findings.add(
      `parseCorpus is superlinear: ${Math.round(ms)} ms on ${kb(input.text.length)} (budget ${Math.round(budget)} ms)`,
      input.family,
    );
  }
  checkWarnings(parsed.warnings, 1, input.family, findings);
  checkPapers(parsed.papers, input.family, findings);
  // Tiny inputs measure the timer, not the parser: below 50 KB the rate is taken over 50 KB.
  return ms / Math.max(mb, 0.05);
}

/** Fuzzes `parseCorpus` in-process; returns how many inputs ran and the slowest rate in ms per MB. */
export function fuzzParser(count: number, full: boolean, seed: string, findings: Findings): { inputs: number; maxMsPerMb: number } {
  const random = createRandom(101);
  const fixed = [...enormousInputs(full), ...linkInputs()];
  const pool = randomStringPool(Math.ceil((count - fixed.length) * 0.3), 7);
  const inputs: CorpusInput[] = [...fixed, ...pool.map((text) => ({ family: 'random string', text }))];
  while (inputs.length < count) {
    const roll = random();
    if (roll < 0.65) {
      const start = random() < 0.5 ? 0 : Math.floor(random() * seed.length);
      inputs.push({ family: 'mutated seed page', text: mutateSeed(start === 0 ? seed : seed.slice(start, start + 30_000), random) });
    } else if (roll < 0.85) inputs.push({ family: 'footer/date/chrome flood', text: markerFlood(random) });
    else inputs.push({ family: 'NUL and control characters', text: controlCharacters(seed, random) });
  }
  let maxMsPerMb = 0;
  for (const input of inputs) maxMsPerMb = Math.max(maxMsPerMb, checkParsed(input, findings) ?? 0);
  return { inputs: inputs.length, maxMsPerMb };
}
