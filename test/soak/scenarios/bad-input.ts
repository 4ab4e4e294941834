import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { parseCorpus } from '../../../src/core/corpus.js';
import { formatPaperEmbed, formatPaperMessage, type Mention } from '../../../src/core/format.js';
import { paperId, type CorpusWarning, type Paper } from '../../../src/core/paper.js';
import { spawnBot, type BotProcess, discordEnv } from '../../support/bot-process.js';
import { startFakeDiscord, type FakeDiscord, type InteractInput, type InteractionOutcome } from '../../support/fake-discord/index.js';
import { computePinged, validateMessageBody } from '../../support/fake-discord/validate-message.js';
import { createRandom } from '../../support/generate-corpus.js';
import { ROOT } from '../../support/run-cli.js';
import { percentile, readPeakRssMb, type ScenarioReport } from '../report.js';

type Json = Record<string, unknown>;
type Random = () => number;

const SEED_PAGE = join(ROOT, 'seeds', '000_ccff3ae36fc46473.txt');
const REFERENCE_DATE = '2025-06-22';
const MANAGE_GUILD = '32';
const PAPER_ID = /^[a-z0-9-]{1,64}$/;
const MB = 1_048_576;
// Parsing may cost at most this much per MB (plus a fixed slack for GC pauses on tiny inputs): linear, not quadratic.
const BUDGET_MS_PER_MB = 2000;
const BUDGET_SLACK_MS = 100;
const STACK_TRACE = /\n\s+at \S|\bat .+:\d+:\d+|node:internal|node_modules|\b(?:Type|Range|Reference|Syntax)Error\b|DiscordjsError|\.[jt]s:\d+/;
const INTERNAL_ERROR = /Something went wrong on Paperboy's side/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const HOSTILE = [
  '@everyone', '@here', '<@123456789012345678>', '<@!123456789012345678>', '<@&223456789012345678>', '<#323456789012345678>',
  '[click](https://evil.example)', '[x](<https://evil>)', '**bold**', '__u__', '~~s~~', '||spoiler||', '# H', '-# subtext', '> quote',
  '```js\nboom()\n```', '`code`', 'every\u200Bone', '\u202Eevil', '\u0000', '\u001b[31m', '\uFEFF', '·', '• 3 authors', 'Nov 26, 2024 5',
  '😀', '👩‍👩‍👧‍👦', 'e\u0301', '\u200D', '﷽', 'https://a.example/__init__', '\\', '</paper:1>', '<t:0:R>',
];
const ODD_ONLY = ['😀🎉🔥💯', '\u200B\u200C\u200D\u2060\uFEFF', '\u202E\u202D\u2066\u2069', '\u0001\u0002\u0007\u001b\u007f', '\u0301\u0302\u0303', '　 \u00A0\u2003'];

/** The counts `run(scale)` promises for each part of the scenario (the short test checks them). */
export function badInputPlan(scale: number) {
  return {
    corpusInputs: Math.max(300, Math.round(10_000 * scale)),
    corpusDirs: Math.max(30, Math.round(300 * scale)),
    papers: Math.max(250, Math.round(5_000 * scale)),
    valueLevel: Math.max(40, Math.round(700 * scale)),
    structural: Math.max(10, Math.round(300 * scale)),
    valid: Math.max(20, Math.round(300 * scale)),
  };
}

/** Groups failures by what went wrong, with how often and a first example of each. */
class Findings {
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

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const short = (text: string, max = 60): string => JSON.stringify(text.length > max ? `${text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '')}…` : text);
const kb = (chars: number): string => (chars >= MB ? `${(chars / MB).toFixed(1)} MB` : `${(chars / 1024).toFixed(1)} KB`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------- corpus parser

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

const JUNK = ['\u0000', '\u0001', '\u007f', '\uFFFD', '\uFEFF', '\uD800', '\uDC00', '\r', '\n', '\r\n', '·', '•', '\u2028', '\u0085', '\t', '\u200B'];

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
          text = text.slice(0, i) + (random() < 0.5 ? pick(random, JUNK) : String.fromCodePoint(Math.floor(random() * 0x110000))) + text.slice(i);
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
        text = lines.map((l) => (random() < 0.1 ? `\uFEFF${l}` : random() < 0.05 ? `${l.slice(0, l.length >> 1)}\uFEFF${l.slice(l.length >> 1)}` : l)).join('\n');
        break;
      default:
        lines[at] = pick(random, HOSTILE);
        text = lines.join('\n');
    }
  }
  return text;
}

const MARKERS = ['·', '  • 3 authors', '• 1 author', 'Nov 26, 2024 5', 'Jun 22', 'Feb 30, 2024', 'Gensyn Gensyn', 'new', 'Daily Papers', 'Subscribe', 'A Title', 'x'.repeat(301), '', '*** 7 authors'];

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
  const ms = performance.now() - started;
  const mb = input.text.length / MB;
  if (ms > BUDGET_SLACK_MS + BUDGET_MS_PER_MB * mb) {
    findings.add(`parseCorpus is superlinear: ${Math.round(ms)} ms on ${kb(input.text.length)} (budget ${Math.round(BUDGET_SLACK_MS + BUDGET_MS_PER_MB * mb)} ms)`, input.family);
  }
  checkWarnings(parsed.warnings, 1, input.family, findings);
  checkPapers(parsed.papers, input.family, findings);
  // Tiny inputs measure the timer, not the parser: below 50 KB the rate is taken over 50 KB.
  return ms / Math.max(mb, 0.05);
}

function checkWarnings(warnings: readonly CorpusWarning[], minLine: number, where: string, findings: Findings): void {
  for (const w of warnings) {
    if (!Number.isInteger(w.line) || w.line < minLine) findings.add(`a warning has line ${w.line}`, `${where}: ${short(w.message)}`);
    if (typeof w.message !== 'string' || w.message.trim() === '') findings.add('a warning has an empty message', where);
  }
}

function checkPapers(papers: readonly Paper[], where: string, findings: Findings): void {
  for (const p of papers) {
    if (p.title.trim() === '') findings.add('a paper has an empty title', where);
    if (!PAPER_ID.test(p.id)) findings.add(`a paper id is not [a-z0-9-]{1,64}`, `${where}: ${short(p.id)}`);
  }
}

/** Fuzzes `parseCorpus` in-process; returns how many inputs ran and the slowest rate in ms per MB. */
function fuzzParser(count: number, full: boolean, seed: string, findings: Findings): { inputs: number; maxMsPerMb: number } {
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

// ------------------------------------------------------------------------------------------- corpus files

interface FileCase {
  name: string;
  bytes: Buffer | 'directory' | 'dangling symlink';
  /** `bad`: not UTF-8 text, must end in a warning naming it; `text`: must give papers or warnings; `quiet`: may give nothing. */
  expect: 'bad' | 'text' | 'quiet';
}

function fileCase(random: Random, seed: string, i: number): FileCase {
  const slice = seed.slice(0, 500 + Math.floor(random() * 6000));
  const withBytes = (bytes: number[]) => {
    const buffer = Buffer.from(slice, 'utf8');
    const at = Math.floor(random() * buffer.length);
    return Buffer.concat([buffer.subarray(0, at), Buffer.from(bytes), buffer.subarray(at)]);
  };
  const name = `${String(i).padStart(2, '0')}-${pick(random, ['page', 'Ünïcödé name', 'with space', 'UPPER'])}${random() < 0.1 ? '.TXT' : '.txt'}`;
  switch (Math.floor(random() * 10)) {
    case 0: return { name, bytes: withBytes(pick(random, [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]])), expect: 'bad' };
    case 1: return { name, bytes: withBytes([0]), expect: 'bad' };
    // UTF-16 with a byte-order mark is text the corpus reader decodes: it must give papers or warnings.
    case 2: return { name, bytes: Buffer.from(`\uFEFF${slice}`, 'utf16le'), expect: 'text' };
    case 3: return { name, bytes: Buffer.from(slice.replace(/e/g, 'é'), 'latin1'), expect: 'bad' };
    case 4: return { name, bytes: Buffer.from(pick(random, ['', '\uFEFF', '\n\n \n', '\r\n\r\n'])), expect: 'quiet' };
    case 5: return { name, bytes: 'directory', expect: 'quiet' };
    case 6: return { name, bytes: 'dangling symlink', expect: 'quiet' };
    case 7: return { name, bytes: Buffer.from(Array.from({ length: 1 + Math.floor(random() * 4000) }, () => Math.floor(random() * 256))), expect: 'bad' };
    default: {
      // The start of the page (chrome, then at least one title and abstract), with the line ends a copy may have.
      const text = slice.split('\n').map((l) => l + pick(random, ['\n', '\r\n', '\r'])).join('');
      return { name, bytes: Buffer.from(random() < 0.3 ? `\uFEFF${text}` : text, 'utf8'), expect: 'text' };
    }
  }
}

function isStrictText(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return !bytes.includes(0);
  } catch {
    return false;
  }
}

/** Runs `loadCorpus` on temporary directories of broken files; returns how many directories were read. */
async function fuzzCorpusFiles(count: number, seed: string, findings: Findings): Promise<number> {
  const random = createRandom(202);
  const base = await mkdtemp(join(tmpdir(), 'paperboy-soak-files-'));
  try {
    for (let d = 0; d < count; d += 1) {
      const dir = join(base, `dir-${d}`);
      await mkdir(dir);
      const cases = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => fileCase(random, seed, i));
      for (const c of cases) {
        if (c.bytes === 'directory') await mkdir(join(dir, c.name));
        else if (c.bytes === 'dangling symlink') await symlink(join(dir, 'gone'), join(dir, c.name));
        else await writeFile(join(dir, c.name), c.bytes);
        // Random bytes are sometimes valid UTF-8 text after all.
        if (c.expect === 'bad' && Buffer.isBuffer(c.bytes) && isStrictText(c.bytes)) c.expect = 'quiet';
      }
      const where = `dir of ${cases.map((c) => `${c.name} (${Buffer.isBuffer(c.bytes) ? kb(c.bytes.length) : c.bytes})`).join(', ')}`;
      let loaded: Awaited<ReturnType<typeof loadCorpus>>;
      try {
        loaded = await loadCorpus(dir);
      } catch (error) {
        findings.add(`loadCorpus threw (${String(error).slice(0, 80)})`, where);
        continue;
      }
      checkWarnings(loaded.warnings, 0, where, findings);
      checkPapers(loaded.papers, where, findings);
      for (const c of cases) {
        const warned = loaded.warnings.some((w) => w.file === c.name);
        const gave = warned || loaded.papers.some((p) => p.source.file === c.name);
        if (c.expect === 'bad' && !warned) findings.add('a file that is not UTF-8 text was skipped without a warning', `${c.name} in ${where}`);
        if (c.expect === 'text' && !gave) findings.add('a text file gave neither papers nor warnings', `${c.name} in ${where}`);
      }
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  return count;
}

// ---------------------------------------------------------------------------------------------- formatter

function snowflake(random: Random): string {
  const digits = 17 + Math.floor(random() * 3);
  let id = String(1 + Math.floor(random() * 9));
  while (id.length < digits) id += String(Math.floor(random() * 10));
  return id;
}

function fuzzText(random: Random, pool: readonly string[], max: number): string {
  const target = random() < 0.2 ? max : Math.floor(random() * random() * max);
  let text = '';
  while (text.length < target) {
    const roll = random();
    text += roll < 0.3 ? pick(random, HOSTILE) : roll < 0.35 ? '😀'.repeat(Math.floor(random() * 200)) : roll < 0.7 ? `${pick(random, pool)} ` : 'word ';
  }
  // Corpus text is well-formed (it is decoded strictly): never cut a character in half here.
  return text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '');
}

function fuzzPaper(random: Random, pool: readonly string[]): Paper {
  const title = fuzzText(random, pool, 2000);
  const links = Array.from({ length: random() < 0.5 ? 0 : Math.floor(random() * 40) }, () =>
    pick(random, ['https://evil.example/[x](y)', 'https://a.example/@everyone', `https://long.example/${'a'.repeat(Math.floor(random() * 2000))}`, 'https://a.example/<@123456789012345678>', 'https://a.example/||x||']),
  );
  return {
    id: paperId(title),
    title,
    abstract: fuzzText(random, pool, 20_000),
    authors: random() < 0.3 ? Math.floor(random() * 5000) : null,
    organization: random() < 0.4 ? fuzzText(random, pool, 300) : null,
    published: random() < 0.7 ? `20${10 + Math.floor(random() * 16)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 10)}` : null,
    comments: random() < 0.3 ? Math.floor(random() * 1000) : null,
    links,
    source: { file: 'fuzz.txt', line: 1 },
  };
}

function fuzzMentions(random: Random, pool: readonly string[]): Mention[] {
  const roll = random();
  const count = roll < 0.4 ? 0 : roll < 0.9 ? 1 + Math.floor(random() * 5) : 95 + Math.floor(random() * 60);
  return Array.from({ length: count }, () => ({ userId: snowflake(random), topics: Array.from({ length: 1 + Math.floor(random() * 3) }, () => fuzzText(random, pool, 120)) }));
}

/** Every string in a payload, with its path (`embeds.0.title`). */
function strings(value: unknown, path = '', out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}.${i}`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  return out;
}

function checkPayload(body: Json, what: string, where: string, findings: Findings): void {
  for (const issue of validateMessageBody(body)) findings.add(`${what} fails Discord validation at ${issue.path.join('.')} (${issue.code})`, where);
  for (const [path, text] of strings(body)) {
    const at = LONE_SURROGATE.exec(text)?.index;
    if (at === undefined) continue;
    const around = text.slice(Math.max(0, at - 8), at + 2).replace(/^[\uDC00-\uDFFF]/, '');
    findings.add(`${what} has a lone UTF-16 surrogate (a character cut in half) in ${path.replace(/\.\d+(?=\.|$)/g, '[]')}`, `${where}: …${JSON.stringify(around)}`);
  }
}

/** Formats fuzzed papers with mentions; every payload must be valid and ping only the mentioned members. */
function fuzzFormatter(count: number, findings: Findings): number {
  const random = createRandom(303);
  const pool = fc.sample(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: 'binary-ascii', maxLength: 200 })), { numRuns: 3000, seed: 11 });
  for (let i = 0; i < count; i += 1) {
    const paper = fuzzPaper(random, pool);
    const mentions = fuzzMentions(random, pool);
    const where = `title ${short(paper.title, 40)}, ${paper.abstract.length} chars of abstract, ${mentions.length} mentions`;
    try {
      const message = formatPaperMessage(paper, { mentions });
      checkPayload(message as unknown as Json, 'formatPaperMessage', where, findings);
      const pinged = computePinged(message.content ?? '', message.allowed_mentions, null);
      const allowed = new Set(mentions.map((m) => m.userId));
      if (pinged.everyone) findings.add('a digest card pings @everyone', where);
      if (pinged.roles.length) findings.add('a digest card pings a role', where);
      if (pinged.users.some((u) => !allowed.has(u))) findings.add('a digest card pings a member who was not mentioned', where);
      const embed = formatPaperEmbed(paper, { fullAbstract: true });
      checkPayload({ embeds: [embed], allowed_mentions: { parse: [] } }, 'formatPaperEmbed (full abstract)', where, findings);
    } catch (error) {
      findings.add(`the formatter threw (${String(error).slice(0, 80)})`, where);
    }
  }
  return count;
}

// ------------------------------------------------------------------------------------------ interactions

const QUERIES = ['scaling laws', 'quantization', 'checkpoint', 'densing law', 'benchmark', 'mixture of experts', 'llm'];
const TOPICS = ['scaling laws', 'quantization', 'checkpointing', 'benchmarks', 'pretraining'];
const USERS = Array.from({ length: 40 }, (_, i) => ({ id: String(500000000000000000n + BigInt(i)) }));

/** A valid interaction, as a member could really send it. */
function validInput(random: Random): InteractInput {
  const user = pick(random, USERS);
  const query = pick(random, QUERIES);
  const topic = pick(random, TOPICS);
  switch (Math.floor(random() * 8)) {
    case 0: return { type: 'command', name: 'paper', options: random() < 0.5 ? { query } : { query, public: random() < 0.5 }, user };
    case 1: return { type: 'autocomplete', name: 'paper', options: { query: query.slice(0, 1 + Math.floor(random() * 6)) }, focused: 'query', user };
    case 2: return { type: 'command', name: 'subscribe', options: random() < 0.5 ? { topic } : { topic, dm: false }, user };
    case 3: return { type: 'autocomplete', name: 'subscribe', options: { topic: topic.slice(0, 3) }, focused: 'topic', user };
    case 4: return { type: 'command', name: 'unsubscribe', options: { topic }, user };
    case 5: return { type: 'autocomplete', name: 'unsubscribe', options: { topic: '' }, focused: 'topic', user };
    case 6: return { type: 'command', name: 'subscriptions', user };
    default: return { type: 'command', name: 'digest', subcommand: random() < 0.1 ? 'now' : pick(random, ['preview', 'status']), user, memberPermissions: MANAGE_GUILD };
  }
}

const data = (p: Json): Json => p.data as Json;

function leafOptions(p: Json): Json[] {
  let options = data(p).options as Json[] | undefined;
  while (options?.length === 1 && (options[0]!.type === 1 || options[0]!.type === 2)) options = options[0]!.options as Json[] | undefined;
  return options ?? [];
}

const stringOption = (p: Json): Json | undefined => leafOptions(p).find((o) => o.type === 3);
const hasString = (i: InteractInput) => ['paper', 'subscribe', 'unsubscribe'].includes(i.name);
const isCommand = (i: InteractInput) => i.type === 'command';

interface Corruption {
  name: string;
  fits: (input: InteractInput) => boolean;
  mutate: (payload: Json, random: Random) => Json;
}

function setString(value: (random: Random) => unknown): Corruption['mutate'] {
  return (p, random) => {
    stringOption(p)!.value = value(random);
    return p;
  };
}

function asDirectMessage(p: Json): Json {
  const { guild_id: _g, guild: _guild, guild_locale: _l, member, ...rest } = p;
  return { ...rest, user: (member as Json).user, context: 1 };
}

/** Value-level corruptions: discord.js still parses them, so each must get a clean answer. */
const VALUE_CORRUPTIONS: Corruption[] = [
  { name: 'string option holds a number, boolean, object or array', fits: hasString, mutate: setString((r) => pick(r, [42, -1, 3.5, true, false, { a: 1 }, [1, 'x'], null])) },
  { name: 'string option of 10,000 characters', fits: hasString, mutate: setString((r) => Array.from({ length: 400 }, () => pick(r, HOSTILE)).join('').padEnd(10_000, 'x').slice(0, 10_000)) },
  { name: 'empty string option', fits: hasString, mutate: setString(() => '') },
  { name: 'string option of only emoji, zero-width, RTL or control characters', fits: hasString, mutate: setString((r) => pick(r, ODD_ONLY)) },
  { name: 'string option with mentions, masked links or code fences', fits: hasString, mutate: setString((r) => pick(r, HOSTILE.slice(0, 17))) },
  {
    name: 'boolean option of the wrong type', fits: (i) => isCommand(i) && (i.name === 'paper' || i.name === 'subscribe'),
    mutate: (p, r) => {
      const name = data(p).name === 'paper' ? 'public' : 'dm';
      const rest = leafOptions(p).filter((o) => o.name !== name);
      data(p).options = [...rest, { name, type: 5, value: pick(r, ['yes', 1, { on: true }, null]) }];
      return p;
    },
  },
  { name: 'option type changed', fits: hasString, mutate: (p, r) => { stringOption(p)!.type = pick(r, [4, 5, 10, 6]); return p; } },
  { name: 'unknown option name', fits: hasString, mutate: (p) => { stringOption(p)!.name = 'qwerty'; return p; } },
  { name: 'required option missing', fits: (i) => isCommand(i) && hasString(i), mutate: (p) => { delete data(p).options; return p; } },
  {
    name: 'extra and duplicate options', fits: hasString,
    mutate: (p) => {
      const s = stringOption(p)!;
      data(p).options = [...leafOptions(p), { name: 'bogus', type: 3, value: 'x' }, { ...s, value: 'second copy', focused: undefined }];
      return p;
    },
  },
  {
    name: 'focused on the wrong option, on two, or on none', fits: (i) => i.type === 'autocomplete',
    mutate: (p, r) => {
      const roll = r();
      const options = leafOptions(p);
      if (roll < 0.34) for (const o of options) delete o.focused;
      else if (roll < 0.67) {
        for (const o of options) delete o.focused;
        data(p).options = [...options, { name: data(p).name === 'paper' ? 'public' : 'dm', type: 5, value: true, focused: true }];
      } else data(p).options = [...options, { name: 'bogus', type: 3, value: 'zz', focused: true }];
      return p;
    },
  },
  { name: '/digest without a subcommand', fits: (i) => i.name === 'digest', mutate: (p, r) => { if (r() < 0.5) delete data(p).options; else data(p).options = []; return p; } },
  { name: '/digest with an unknown subcommand', fits: (i) => i.name === 'digest', mutate: (p, r) => { (data(p).options as Json[])[0]!.name = pick(r, ['explode', 'NOW', '']); return p; } },
  { name: 'unknown command name', fits: () => true, mutate: (p, r) => { data(p).name = pick(r, ['frobnicate', 'paper2', 'PAPER', 'digest-now', '@everyone', '`x`']); return p; } },
  { name: 'DM (guild_id removed)', fits: () => true, mutate: asDirectMessage },
  { name: 'member missing', fits: () => true, mutate: (p) => { const member = p.member as Json; delete p.member; return { ...p, user: member.user }; } },
  {
    name: '/digest with member permissions 0 or empty', fits: (i) => i.name === 'digest',
    mutate: (p, r) => {
      (p.member as Json).permissions = pick(r, ['0', '', '000', '1024', ' ', '2048']);
      return p;
    },
  },
];

type Op = 'removed' | 'null' | 'number' | 'string' | 'container';
const STRUCTURAL_PATHS = [
  'type', 'data', 'data.type', 'data.name', 'data.id', 'data.options', 'data.options.0', 'data.options.0.name', 'data.options.0.type', 'data.resolved',
  'member', 'member.user', 'member.user.id', 'member.permissions', 'member.roles', 'guild_id', 'guild', 'channel', 'channel.type', 'channel_id',
  'application_id', 'app_permissions', 'entitlements', 'locale', 'version', 'context', 'authorizing_integration_owners',
];
const OPS: Op[] = ['removed', 'null', 'number', 'string', 'container'];

function corruptAt(payload: Json, path: string, op: Op): Json {
  const keys = path.split('.');
  let node: unknown = payload;
  for (const key of keys.slice(0, -1)) {
    node = (node as Json)[key];
    if (typeof node !== 'object' || node === null) return payload;
  }
  const parent = node as Json;
  const last = keys.at(-1)!;
  if (op === 'removed') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (op === 'null') parent[last] = null;
  else if (op === 'number') parent[last] = 12345;
  else if (op === 'string') parent[last] = 'not-a-snowflake';
  else parent[last] = Array.isArray(parent[last]) ? { weird: true } : [1, 'x', null];
  return payload;
}

/** The bot, restarted after a crash with the same state. */
interface BotHandle {
  current: BotProcess;
  peakRssMb: number;
  crashes: number;
}

async function startBot(env: Record<string, string>, first: boolean): Promise<BotProcess> {
  const bot = spawnBot(env);
  await bot.waitFor(first ? /registered 5 slash commands/ : /next digest:/, 30_000);
  return bot;
}

async function restart(handle: BotHandle, env: Record<string, string>): Promise<void> {
  await handle.current.exited;
  handle.crashes += 1;
  handle.current = await startBot(env, false);
}

function sampleRss(handle: BotHandle): void {
  handle.peakRssMb = Math.max(handle.peakRssMb, readPeakRssMb(handle.current.child.pid) ?? 0);
}

interface Tally {
  sent: number;
  answered: number;
  latencies: number[];
  pending: Array<Promise<unknown>>;
}

/** The reasons the bot logged for "command failed" (internal errors), each once. */
function loggedFailures(stderr: string): string[] {
  const reasons = new Set<string>();
  for (const line of stderr.split('\n')) {
    if (!line.includes('command failed')) continue;
    try {
      const entry = JSON.parse(line) as { command?: string; err?: string };
      reasons.add(`/${entry.command ?? '?'}: ${(entry.err ?? '').split('\n')[0]!.replace(/\/tmp\/\S+/g, 'STATE_FILE').slice(0, 160)}`);
    } catch {
      reasons.add(line.slice(0, 160));
    }
  }
  return [...reasons];
}

function checkAnswer(outcome: InteractionOutcome, label: string, level: 'valid' | 'value-level' | 'structure-level', findings: Findings): void {
  const content = typeof outcome.data?.content === 'string' ? outcome.data.content : '';
  const embeds = Array.isArray(outcome.data?.embeds) ? outcome.data.embeds : [];
  if (STACK_TRACE.test(content)) findings.add(`a ${level} reply reveals a stack trace`, `${label}: ${short(content, 120)}`);
  if (level !== 'structure-level' && INTERNAL_ERROR.test(content)) findings.add(`a ${level} interaction ended in an internal error instead of a kind message`, label);
  if ((outcome.callbackType === 4 || outcome.callbackType === 5) && embeds.length === 0 && !outcome.ephemeral) findings.add(`a ${level} text reply is not ephemeral`, `${label}: ${short(content)}`);
  const pinged = outcome.original?.pinged;
  if (pinged && (pinged.everyone || pinged.roles.length || pinged.users.length)) findings.add(`a ${level} reply pings someone`, label);
}

function track(outcome: InteractionOutcome, label: string, level: 'valid' | 'value-level', tally: Tally, findings: Findings): void {
  if (outcome.error) {
    findings.add(`a ${level} interaction was not answered within 3 s`, label);
    return;
  }
  tally.answered += 1;
  tally.latencies.push(outcome.latencyMs ?? 0);
  checkAnswer(outcome, label, level, findings);
  if (outcome.callbackType === 5) {
    tally.pending.push(
      outcome.waitForFinal(30_000).then(
        (final) => {
          if (STACK_TRACE.test(final.content)) findings.add(`a deferred ${level} reply reveals a stack trace`, label);
        },
        () => findings.add(`a deferred ${level} interaction never got its final answer`, label),
      ),
    );
  }
}

/** Valid and value-level interactions, shuffled, eight at a time. */
async function sendValueLevel(server: FakeDiscord, plan: { valueLevel: number; valid: number }, env: Record<string, string>, handle: BotHandle, tally: Tally, findings: Findings): Promise<void> {
  const random = createRandom(404);
  type Job = { label: string; level: 'valid' | 'value-level'; send: () => Promise<InteractionOutcome> };
  const jobs: Job[] = [];
  for (let i = 0; i < plan.valid; i += 1) {
    const input = validInput(random);
    jobs.push({ label: `valid ${input.type} /${input.name}`, level: 'valid', send: () => server.interact(input) });
  }
  for (let i = 0; i < plan.valueLevel; i += 1) {
    const corruption = VALUE_CORRUPTIONS[i % VALUE_CORRUPTIONS.length]!;
    let input = validInput(random);
    while (!corruption.fits(input)) input = validInput(random);
    const seed = Math.floor(random() * 2 ** 31);
    jobs.push({ label: `${corruption.name} (${input.type} /${input.name})`, level: 'value-level', send: () => server.interactMutated(input, (p) => corruption.mutate(p, createRandom(seed))) });
  }
  jobs.sort(() => random() - 0.5);
  for (let i = 0; i < jobs.length; i += 8) {
    const batch = jobs.slice(i, i + 8);
    tally.sent += batch.length;
    const outcomes = await Promise.all(batch.map((job) => job.send()));
    outcomes.forEach((outcome, k) => track(outcome, batch[k]!.label, batch[k]!.level, tally, findings));
    if (i % 80 === 0) sampleRss(handle);
    if (handle.current.child.exitCode !== null) {
      findings.add('the bot crashed during valid and value-level interactions', batch.map((job) => job.label).join(' | '));
      await restart(handle, env);
    }
  }
}

interface StructuralResult {
  sent: number;
  answered: number;
  dropped: number;
  crashedKinds: string[];
}

/**
 * Structure-level corruptions, one at a time, each followed by a valid autocomplete: if the bot dies before
 * answering it, the corruption killed it; the bot is restarted and that kind is not sent again.
 */
async function sendStructural(server: FakeDiscord, count: number, env: Record<string, string>, handle: BotHandle, tally: Tally, findings: Findings): Promise<StructuralResult> {
  const random = createRandom(505);
  const crashed = new Map<string, string>();
  const outcomes: Array<Promise<InteractionOutcome>> = [];
  const fence: InteractInput = { type: 'autocomplete', name: 'paper', options: { query: 'sca' }, focused: 'query', user: USERS[0]! };
  for (let i = 0; i < count; i += 1) {
    let key = '';
    let path = '';
    let op: Op = 'removed';
    for (let tries = 0; tries < 50 && (!key || crashed.has(key)); tries += 1) {
      path = pick(random, STRUCTURAL_PATHS);
      op = pick(random, OPS);
      key = `${path} ${op}`;
    }
    const base: InteractInput = pick(random, [
      { type: 'command', name: 'paper', options: { query: pick(random, QUERIES) }, user: pick(random, USERS) },
      { type: 'autocomplete', name: 'paper', options: { query: 'che' }, focused: 'query', user: pick(random, USERS) },
      { type: 'command', name: 'digest', subcommand: 'status', user: pick(random, USERS), memberPermissions: MANAGE_GUILD },
    ] satisfies InteractInput[]);
    const bot = handle.current;
    outcomes.push(server.interactMutated(base, (p) => corruptAt(p, path, op)));
    await sleep(20);
    const check = await Promise.race([server.interact(fence), bot.exited.then(() => null)]);
    await sleep(10);
    if (check && bot.child.exitCode === null) {
      tally.sent += 1;
      track(check, 'valid autocomplete after a structure-level corruption', 'valid', tally, findings);
      if (i % 20 === 0) sampleRss(handle);
      continue;
    }
    const error = /unexpected error: ([^\n]*)/.exec(bot.stderr())?.[1] ?? `exit ${String(bot.child.exitCode)}`;
    crashed.set(key, `${key} on ${base.type} /${base.name} (${error.slice(0, 100)})`);
    await restart(handle, env);
  }
  const settled = await Promise.all(outcomes);
  const answered = settled.filter((o) => !o.error);
  for (const o of answered) checkAnswer(o, 'structure-level corruption', 'structure-level', findings);
  return { sent: outcomes.length, answered: answered.length, dropped: settled.length - answered.length - crashed.size, crashedKinds: [...crashed.values()] };
}

/** Fuzzes the interaction router of the real bot process; returns what was sent and answered. */
async function fuzzRouter(plan: ReturnType<typeof badInputPlan>, findings: Findings) {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-bad-input-'));
  const server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 }, globalPerSecond: 500 } });
  const env = {
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: join(ROOT, 'seeds'),
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
  };
  const tally: Tally = { sent: 0, answered: 0, latencies: [], pending: [] };
  const handle: BotHandle = { current: await startBot(env, true), peakRssMb: 0, crashes: 0 };
  try {
    await sendValueLevel(server, plan, env, handle, tally, findings);
    for (const reason of loggedFailures(handle.current.stderr())) findings.add(`the bot logged "command failed" for a valid or value-level interaction: ${reason}`, 'see the bot log');
    // A digest started by `/digest now` finishes before corruptions that may kill the bot are sent.
    await Promise.all(tally.pending);
    const structural = await sendStructural(server, plan.structural, env, handle, tally, findings);
    await Promise.all(tally.pending);
    sampleRss(handle);
    const bot = handle.current;
    const stderr = bot.stderr();
    if (/unexpected error|Unhandled/.test(stderr)) findings.add('the bot logged an unexpected error', short(/.*(?:unexpected error|Unhandled).*/.exec(stderr)?.[0] ?? '', 160));
    bot.kill('SIGTERM');
    const code = await bot.exited;
    if (code !== 0) findings.add(`the bot exited with ${code} on SIGTERM`, short(stderr.slice(-300), 300));
    return { tally, structural, peakRssMb: handle.peakRssMb || null, crashes: handle.crashes };
  } finally {
    if (handle.current.child.exitCode === null) {
      handle.current.kill('SIGKILL');
      await handle.current.exited;
    }
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Bad input: fuzzed corpus pages and files, fuzzed papers through the formatter, and malformed interactions
 * against the real bot process. Nothing throws, every payload is valid, every parseable interaction gets a clean
 * answer, and nothing crashes the bot.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const plan = badInputPlan(scale);
  const findings = new Findings();
  const seed = await readFile(SEED_PAGE, 'utf8');

  const parser = fuzzParser(plan.corpusInputs, scale >= 0.5, seed, findings);
  const dirs = await fuzzCorpusFiles(plan.corpusDirs, seed, findings);
  const papers = fuzzFormatter(plan.papers, findings);
  const router = await fuzzRouter(plan, findings);

  const { tally, structural } = router;
  const problems = findings.list();
  if (structural.crashedKinds.length) {
    problems.push(`${structural.crashedKinds.length} kinds of structure-level corruption crashed the bot: ${structural.crashedKinds.join('; ')}`);
  }
  const n = (x: number) => x.toLocaleString('en-US');
  const interactions = tally.sent + structural.sent;
  return {
    scenario: 'bad input',
    load: `${n(parser.inputs)} corpus inputs (max ${n(Math.round(parser.maxMsPerMb))} ms/MB) + ${n(dirs)} corpus dirs, ${n(papers)} papers formatted, ${n(interactions)} interactions`,
    faults: `malformed pages, papers and payloads (${n(plan.valueLevel)} value-level, ${n(structural.sent)} structure-level: ${n(structural.answered)} answered, ${n(structural.dropped)} dropped by discord.js, ${n(structural.crashedKinds.length)} crashed the bot)`,
    papersExpected: null,
    papersPosted: null,
    duplicates: 0,
    lost: 0,
    interactionsSent: interactions,
    interactionsAnswered: tally.answered + structural.answered,
    p99Ms: percentile(tally.latencies, 99),
    peakRssMb: router.peakRssMb,
    crashes: router.crashes,
    problems,
    durationMs: Date.now() - started,
  };
}
