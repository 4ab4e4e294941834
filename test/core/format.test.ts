import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISCORD_LIMITS } from '../../src/core/discord-limits.js';
import {
  type OutgoingMessage,
  formatCardMentions,
  formatDigestHeader,
  formatMentionMessage,
  formatPaperEmbed,
  formatPaperMessage,
  measureEmbed,
  readDigestNumber,
  readPaperIdFromFooter,
} from '../../src/core/format.js';
import { formatDigestDirectMessage, formatFallbackMentions } from '../../src/core/format-notify.js';
import { escapeMarkdown, truncateText } from '../../src/core/markdown.js';
import { type Paper, paperId } from '../../src/core/paper.js';
import { findActiveMarkup } from '../support/card-markup.js';
import { computePinged, validateMessageBody } from '../support/fake-discord/validate-message.js';

const base: Paper = {
  id: paperId('A Paper'),
  title: 'A Paper',
  abstract: 'First sentence. Second sentence.',
  authors: 3,
  organization: null,
  published: '2024-11-26',
  comments: 5,
  links: ['https://github.com/a/b'],
  source: { file: 'f.txt', line: 1 },
};
const paper = (over: Partial<Paper>): Paper => ({ ...base, ...over, id: paperId(over.title ?? base.title) });

const HOSTILE = [
  '@everyone look',
  '@here now',
  '<@123456789012345678> hi',
  '<@&123456789012345678> role',
  '<@!123456789012345678> nick',
  '[click me](https://evil.example/phish)',
  '[click](<https://evil.example>)',
  '```js\nalert(1)\n```',
  '**bold** __underline__ ~~strike~~ ||spoiler||',
  '# Heading',
  '> quote',
  '-# subtext',
  '@\u200Beveryone',
  'ev\u200Beryone @\u200Dhere',
  '\u202Ereversed',
  'https://ok.example/path_(x)',
];

// Addresses a hostile or broken source could give.
const HOSTILE_URLS = [
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://github.com/a/b',
  'https://user:pass@github.com/a/b',
  'https://github.com@evil.example/',
  'https://github.com/a b',
  'https://github.com/a\u0000b',
  'https://git\u200Bhub.com/',
  '//evil.example/a',
  'https:evil.example/a',
  '[x](https://evil.example)',
  'https://evil.example/a)](javascript:alert(1))',
  'https://evil.example/<@123456789012345678>/@everyone/**x**',
  'https://[::1]/',
  `https://example.org/${'a'.repeat(600)}`,
];

/** Finds an unescaped masked link `[text](url)` (Discord renders those as links with hidden targets). */
const MASKED_LINK = /(?<!\\)\[[^\]]*(?<!\\)\]\(\s*<?https?:/;

describe('escapeMarkdown', () => {
  it.each(HOSTILE)('given %j, then it can neither mention nor link nor format', (text) => {
    const escaped = escapeMarkdown(text);
    expect(escaped).not.toMatch(/(?<!\u200B)@(everyone|here)/i);
    expect(escaped).not.toMatch(/<@[!&]?\d/);
    expect(escaped).not.toMatch(MASKED_LINK);
    expect(escaped).not.toMatch(/(?<!\\)(\*\*|__|~~|\|\||```)/);
    // eslint-disable-next-line no-misleading-character-class -- the joiners are looked for one by one
    expect(escaped).not.toMatch(/[\u200C\u200D\u202E]/);
  });

  it('given a bare URL, then it stays clickable and unchanged', () => {
    expect(escapeMarkdown('see https://github.com/a_b/c_d now')).toBe('see https://github.com/a_b/c_d now');
  });
});

describe('sliceText and truncation', () => {
  // Regression found by the soak fuzzer: a cut between the two halves of an emoji left a lone surrogate.
  it('given emoji titles, then no cut ever splits a character', () => {
    for (let n = 1; n < 200; n += 7) {
      const embed = formatPaperEmbed(paper({ title: '😀'.repeat(n), abstract: `${'🧪 '.repeat(n * 20)}end` }));
      for (const text of [embed.title!, embed.description ?? ''])
        expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });
});

describe('truncateText', () => {
  it('given a long text, then it is cut at a sentence end when one is near the limit', () => {
    expect(truncateText('One two three. Four five six seven eight.', 22, { sentences: true })).toBe('One two three.');
  });
  it('given no sentence end, then it is cut at a word with an ellipsis', () => {
    expect(truncateText('alpha beta gamma delta epsilon', 20)).toBe('alpha beta gamma…');
  });
});

describe('formatPaperEmbed', () => {
  it('given a paper, then the card has title, link, excerpt, fields and a footer with the id', () => {
    const embed = formatPaperEmbed(base);
    expect(embed.title).toBe('A Paper');
    expect(embed.url).toBe('https://huggingface.co/papers?q=A%20Paper');
    expect(embed.description).toBe('First sentence. Second sentence.');
    expect(embed.fields).toEqual([
      { name: 'Authors', value: '3', inline: true },
      { name: 'Published', value: '26 Nov 2024', inline: true },
      { name: 'Comments', value: '5', inline: true },
      { name: 'Links', value: '<https://github.com/a/b>' },
    ]);
    expect(readPaperIdFromFooter(embed.footer?.text)).toBe(base.id);
  });

  it('given an organisation paper, then it shows the organisation instead of authors', () => {
    expect(formatPaperEmbed(paper({ organization: 'Gensyn', authors: null })).fields?.[0]).toEqual({
      name: 'Organisation',
      value: 'Gensyn',
      inline: true,
    });
  });

  it('given a 1,000-character title and a 10,000-character abstract, then every limit holds', () => {
    const embed = formatPaperEmbed(paper({ title: 'Long '.repeat(200), abstract: 'Word and more. '.repeat(700) }), { fullAbstract: true });
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    expect(embed.title!.endsWith('…')).toBe(true);
    expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(measureEmbed(embed)).toBeLessThanOrEqual(6000);
  });

  it('given the default excerpt, then the abstract is cut to about 600 characters', () => {
    const embed = formatPaperEmbed(paper({ abstract: 'This is a sentence of text. '.repeat(60) }));
    expect(embed.description!.length).toBeLessThanOrEqual(600);
    expect(embed.description!.length).toBeGreaterThan(400);
    expect(embed.description!.endsWith('.')).toBe(true);
  });
});

describe('formatPaperMessage', () => {
  it('given no subscribers, then it has no content and mentions are explicitly off', () => {
    const message = formatPaperMessage(base);
    expect(message.content).toBeUndefined();
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('given subscribers, then the content mentions exactly them with their topics and allowed_mentions lists exactly them', () => {
    const message = formatPaperMessage(base, {
      mentions: [
        { userId: '111111111111111111', topics: ['scaling laws'] },
        { userId: '222222222222222222', topics: ['llm', '@everyone'] },
      ],
    });
    expect(message.content).toBe('🔔 <@111111111111111111> (scaling laws) · <@222222222222222222> (llm, @\u200Beveryone)');
    expect(message.allowed_mentions).toEqual({ parse: [], users: ['111111111111111111', '222222222222222222'] });
    expect(computePinged(message.content!, message.allowed_mentions, null)).toEqual({
      everyone: false,
      users: ['111111111111111111', '222222222222222222'],
      roles: [],
    });
  });

  it("given 300 subscribers, then the card mentions the first chunk and follow-ups mention every other member once, each within Discord's limits", () => {
    const mentions = Array.from({ length: 300 }, (_, i) => ({
      userId: String(100000000000000000n + BigInt(i)),
      topics: ['a long topic name here'],
    }));
    const card = formatPaperMessage(base, { mentions });
    const chunks = formatCardMentions(base.title, mentions);
    expect(chunks.length).toBeGreaterThan(2);
    expect(card.content).toBe(chunks[0]!.content);
    expect(card.allowed_mentions.users).toEqual(chunks[0]!.users);
    expect(chunks.flatMap((c) => c.users)).toEqual(mentions.map((m) => m.userId));
    for (const [i, chunk] of chunks.entries()) {
      const message = formatMentionMessage(chunk);
      expect(validateMessageBody(message as never)).toEqual([]);
      expect(chunk.users.length).toBeLessThanOrEqual(DISCORD_LIMITS.allowedMentionUsers);
      expect(chunk.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
      expect(computePinged(chunk.content, message.allowed_mentions, null).users).toEqual(chunk.users);
      if (i > 0) expect(chunk.content.startsWith('🔔 Also for **A Paper**: <@')).toBe(true);
    }
    expect(chunks.at(-1)!.content).not.toMatch(/more subscribers/);
  });

  it('given a member listed twice and an id that is not a snowflake, then each real member is mentioned exactly once', () => {
    const chunks = formatCardMentions('T', [
      { userId: '111111111111111111', topics: ['a'] },
      { userId: 'everyone', topics: ['b'] },
      { userId: '111111111111111111', topics: ['c'] },
      { userId: '222222222222222222', topics: ['d'] },
    ]);
    expect(chunks).toEqual([
      { content: '🔔 <@111111111111111111> (a) · <@222222222222222222> (d)', users: ['111111111111111111', '222222222222222222'] },
    ]);
  });

  it('given hostile titles and abstracts, then nobody is pinged and no masked link survives', () => {
    for (const text of HOSTILE) {
      const message = formatPaperMessage(
        paper({ title: `${text} title`, abstract: `${text} abstract ${text}`, organization: text, authors: null }),
      );
      expect(validateMessageBody(message as never)).toEqual([]);
      expect(computePinged(message.content ?? '', message.allowed_mentions, null)).toEqual({ everyone: false, users: [], roles: [] });
      const embed = message.embeds![0]!;
      for (const part of [embed.title, embed.description, ...(embed.fields ?? []).map((f) => f.value)])
        expect(part ?? '').not.toMatch(MASKED_LINK);
    }
  });
});

describe('formatDigestHeader', () => {
  it('given a digest, then it names its number, day, count and what remains, and reads back its number', () => {
    const header = formatDigestHeader({ digest: 12, day: 'Sunday 29 November 2026', count: 3, remaining: 45 });
    expect(header.content).toBe('📰 **Paperboy digest #12** · Sunday 29 November 2026 · 3 new papers, 45 still to come');
    expect(readDigestNumber(header.content)).toBe(12);
    expect(header.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('formatPaperMessage on any paper', () => {
  const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });
  const anyPaper = fc.record({
    title: text(400).filter((t) => t.trim().length > 0),
    abstract: fc.oneof(
      text(300),
      text(9000),
      fc.constantFrom(...HOSTILE).map((h) => h.repeat(300)),
    ),
    authors: fc.option(fc.nat(), { nil: null }),
    organization: fc.option(text(2000), { nil: null }),
    published: fc.option(fc.constantFrom('2024-01-01', '2026-12-31'), { nil: null }),
    comments: fc.option(fc.nat(), { nil: null }),
    links: fc.array(fc.webUrl({ size: 'large' }), { maxLength: 40 }),
  });
  // The richer fields a source may give, each absent, ordinary, or hostile.
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const hostileText = fc.oneof(
    text(300),
    fc.constantFrom(...HOSTILE),
    fc.constantFrom(...HOSTILE).map((h) => h.repeat(40)),
  );
  const anyUrl = fc.oneof(
    fc.webUrl({ size: 'large', withQueryParameters: true, withFragments: true }),
    fc.constantFrom(...HOSTILE_URLS),
    text(80),
  );
  const anyCount = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constantFrom(-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY));
  const richFields = fc.record({
    arxivId: optional(fc.oneof(fc.constantFrom('2411.17691', '2411.17691v3', 'hep-th/9901001', 'math.GT/0309136'), hostileText)),
    url: optional(anyUrl),
    upvotes: optional(anyCount),
    githubRepo: optional(anyUrl),
    githubStars: optional(anyCount),
    projectPage: optional(anyUrl),
    aiSummary: optional(fc.oneof(hostileText, text(3000))),
    aiKeywords: optional(fc.array(hostileText, { maxLength: 40 })),
    authorNames: optional(
      fc.oneof(fc.array(hostileText, { maxLength: 30 }), fc.array(fc.constantFrom(...HOSTILE), { minLength: 500, maxLength: 1000 })),
    ),
    addedAt: optional(fc.constantFrom('2024-10-25', '2026-12-31')),
  });

  it('given random papers with every new field, then every payload passes the fake Discord server validation, pings nobody, has no active markup and keeps its id readable', () => {
    fc.assert(
      fc.property(anyPaper, richFields, fc.boolean(), (p, rich, full) => {
        const input = paper({ ...p, ...rich, source: { file: 'x', line: 1 } });
        const message = formatPaperMessage(input);
        expect(validateMessageBody(message as never)).toEqual([]);
        expect(computePinged(message.content ?? '', message.allowed_mentions, null)).toEqual({ everyone: false, users: [], roles: [] });
        expect(findActiveMarkup(message)).toEqual([]);
        const card = formatPaperEmbed(input, { fullAbstract: full, postedLink: full ? 'https://discord.com/channels/1/2/3' : undefined });
        const reply = { embeds: [card], allowed_mentions: { parse: [] } } as OutgoingMessage;
        expect(validateMessageBody(reply as never)).toEqual([]);
        expect(findActiveMarkup(reply)).toEqual([]);
        expect(readPaperIdFromFooter(card.footer?.text)).toBe(input.id);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mention chunks on any members', () => {
  const member = fc.record({
    userId: fc.bigInt({ min: 10n ** 16n, max: 10n ** 19n }).map(String),
    topics: fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 150 }), fc.constantFrom(...HOSTILE)), {
      minLength: 1,
      maxLength: 25,
    }),
  });

  it('given random members and titles, then every member is pinged exactly once across the chunks, each chunk valid for Discord', () => {
    fc.assert(
      fc.property(
        fc.array(member, { maxLength: 450 }),
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.boolean(),
        (mentions, title, fallback) => {
          const chunks = fallback ? formatFallbackMentions(title, mentions) : formatCardMentions(title, mentions);
          const pinged = chunks.flatMap((chunk) => {
            const message = formatMentionMessage(chunk);
            expect(validateMessageBody(message as never)).toEqual([]);
            const who = computePinged(chunk.content, message.allowed_mentions, null);
            expect(who.everyone).toBe(false);
            expect(who.roles).toEqual([]);
            expect(who.users).toEqual(chunk.users);
            return who.users;
          });
          expect(pinged).toEqual([...new Set(mentions.map((m) => m.userId))]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("given a title that quotes a digest header, then no notification reads back as a digest's opening message", () => {
    const [chunk] = formatFallbackMentions('📰 **Paperboy digest #9** fake', [{ userId: '111111111111111111', topics: ['x'] }]);
    expect(readDigestNumber(chunk!.content)).toBeNull();
    expect(readDigestNumber(formatDigestDirectMessage([{ title: 'Paperboy digest #9', topics: ['x'] }]).content)).toBeNull();
  });
});
