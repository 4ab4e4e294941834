import fc from 'fast-check';
import { formatPaperEmbed, formatPaperMessage, type Mention } from '../../../../src/core/format.js';
import { paperId, type Paper } from '../../../../src/core/paper.js';
import { computePinged, validateMessageBody } from '../../../support/fake-discord/validate-message.js';
import { createRandom } from '../../../support/generate-corpus.js';
import { type Findings, HOSTILE, type Json, pick, type Random, short } from './common.js';

// Papers: fuzzed papers and mentions through the formatter; every payload must pass the fake Discord's
// validation, keep whole characters, and ping only the members it mentions.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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
    text +=
      roll < 0.3
        ? pick(random, HOSTILE)
        : roll < 0.35
          ? '😀'.repeat(Math.floor(random() * 200))
          : roll < 0.7
            ? `${pick(random, pool)} `
            : 'word ';
  }
  // Corpus text is well-formed (it is decoded strictly): never cut a character in half here.
  return text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '');
}

function fuzzPaper(random: Random, pool: readonly string[]): Paper {
  const title = fuzzText(random, pool, 2000);
  const links = Array.from({ length: random() < 0.5 ? 0 : Math.floor(random() * 40) }, () =>
    pick(random, [
      'https://evil.example/[x](y)',
      'https://a.example/@everyone',
      `https://long.example/${'a'.repeat(Math.floor(random() * 2000))}`,
      'https://a.example/<@123456789012345678>',
      'https://a.example/||x||',
    ]),
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
  return Array.from({ length: count }, () => ({
    userId: snowflake(random),
    topics: Array.from({ length: 1 + Math.floor(random() * 3) }, () => fuzzText(random, pool, 120)),
  }));
}

/** Every string in a payload, with its path (`embeds.0.title`). */
function strings(value: unknown, path = '', out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}.${i}`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  return out;
}

function checkPayload(body: Json, what: string, where: string, findings: Findings): void {
  for (const issue of validateMessageBody(body))
    findings.add(`${what} fails Discord validation at ${issue.path.join('.')} (${issue.code})`, where);
  for (const [path, text] of strings(body)) {
    const at = LONE_SURROGATE.exec(text)?.index;
    if (at === undefined) continue;
    const around = text.slice(Math.max(0, at - 8), at + 2).replace(/^[\uDC00-\uDFFF]/, '');
    findings.add(
      `${what} has a lone UTF-16 surrogate (a character cut in half) in ${path.replace(/\.\d+(?=\.|$)/g, '[]')}`,
      `${where}: …${JSON.stringify(around)}`,
    );
  }
}

/** Formats fuzzed papers with mentions; every payload must be valid and ping only the mentioned members. */
export function fuzzFormatter(count: number, findings: Findings): number {
  const random = createRandom(303);
  const pool = fc.sample(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.string({ unit: 'binary-ascii', maxLength: 200 }),
    ),
    { numRuns: 3000, seed: 11 },
  );
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
