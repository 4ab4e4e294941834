import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DISCORD_LIMITS } from '../../src/core/discord-limits.js';
import {
  type Embed,
  TLDR_LABEL,
  formatPaperEmbed,
  formatPaperMessage,
  measureEmbed,
  paperLink,
  readPaperIdFromFooter,
} from '../../src/core/format.js';
import { readCorpusText } from '../../src/core/formats/index.js';
import { escapeMarkdown, readSafeUrl } from '../../src/core/markdown.js';
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
  links: [],
  source: { file: 'f.txt', line: 1 },
};
const paper = (over: Partial<Paper>): Paper => ({ ...base, ...over });
const field = (embed: Embed, name: string) => embed.fields?.find((f) => f.name === name)?.value;
const fieldNames = (embed: Embed) => (embed.fields ?? []).map((f) => f.name);

/** The papers of the written current-shape API fixture, read by the real reader. */
function readCurrentShapePapers(): Paper[] {
  const text = readFileSync(new URL('../fixtures/real/written/daily-papers-current-2026-10-05.json', import.meta.url), 'utf8');
  return readCorpusText(text, { file: 'current.json', referenceDate: '2026-10-05' }).papers;
}

/** Every payload check at once: Discord accepts it, it pings nobody, nothing in it is active markup. */
function expectSafe(embed: Embed): void {
  const message = { embeds: [embed], allowed_mentions: { parse: [] as [] } };
  expect(validateMessageBody(message as never)).toEqual([]);
  expect(computePinged('', message.allowed_mentions, null)).toEqual({ everyone: false, users: [], roles: [] });
  expect(findActiveMarkup(message)).toEqual([]);
  expect(measureEmbed(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
}

describe('a card from the current daily papers API', () => {
  const [kandinsky, , memAdapter] = readCurrentShapePapers();

  it('given a paper with every enrichment, then the title links to its Hugging Face page and the fields show arXiv, PDF, code with stars, project page, upvotes and comments', () => {
    const embed = formatPaperEmbed(kandinsky!);
    expect(embed.url).toBe('https://huggingface.co/papers/2610.05608');
    expect(embed.fields).toEqual([
      { name: 'Organisation', value: 'Kandinsky Lab', inline: true },
      { name: 'Authors', value: 'Author One, Author Two, Author Three +1 more', inline: true },
      { name: 'Published', value: '4 Oct 2026', inline: true },
      { name: 'Upvotes', value: '▲ 117', inline: true },
      { name: 'Comments', value: '3', inline: true },
      { name: 'Paper', value: '[arXiv](https://arxiv.org/abs/2610.05608) · [PDF](https://arxiv.org/pdf/2610.05608)' },
      { name: 'Code', value: '<https://github.com/kandinskylab/kandinsky-6> ★ 131' },
      { name: 'Project page', value: '<https://kandinskylab.ai/>' },
      { name: 'Keywords (AI-generated)', value: 'text-to-audio-video, diffusion transformer, cross-attention, lip-sync, super-resolution' },
    ]);
    expect(readPaperIdFromFooter(embed.footer?.text)).toBe(kandinsky!.id);
    expectSafe(embed);
  });

  it('given an AI summary, then it is one labelled line above the abstract excerpt', () => {
    const [tldr, excerpt, ...rest] = formatPaperEmbed(kandinsky!).description!.split('\n\n');
    expect(tldr).toBe(`**${TLDR_LABEL}** ${kandinsky!.aiSummary}`);
    expect(TLDR_LABEL).toBe('TL;DR (AI-generated):');
    expect(excerpt!.startsWith('We present Kandinsky 6.0 Video')).toBe(true);
    expect(rest).toEqual([]);
  });

  it('given no AI summary, then the description is the excerpt alone', () => {
    const [, withoutSummary] = readCurrentShapePapers();
    expect(withoutSummary!.aiSummary).toBeUndefined();
    expect(formatPaperEmbed(withoutSummary!).description).not.toContain('TL;DR');
  });

  it('given an abstract link that is also the code repository, then it is shown once, under Code', () => {
    expect(memAdapter!.links).toContain(memAdapter!.githubRepo);
    const embed = formatPaperEmbed(memAdapter!);
    expect(field(embed, 'Code')).toBe('<https://github.com/DEEP-JLU/MemAdapter> ★ 21');
    expect(field(embed, 'Links')).toBeUndefined();
  });
});

describe('the title link and the paper links', () => {
  it.each<[string, Partial<Paper>, string]>([
    ['an arXiv id', { arxivId: '2411.17691' }, 'https://huggingface.co/papers/2411.17691'],
    ['an arXiv id with a version and a prefix', { arxivId: 'arXiv:2411.17691v2' }, 'https://huggingface.co/papers/2411.17691'],
    [
      'an arXiv id and its own url',
      { arxivId: '2411.17691', url: 'https://example.org/paper' },
      'https://huggingface.co/papers/2411.17691',
    ],
    ['only its own url', { url: 'https://arxiv.org/abs/2411.17691' }, 'https://arxiv.org/abs/2411.17691'],
    ['neither', {}, 'https://huggingface.co/papers?q=A%20Paper'],
    ['a javascript: url and no arXiv id', { url: 'javascript:alert(1)' }, 'https://huggingface.co/papers?q=A%20Paper'],
    ['an arXiv "id" that is not one', { arxivId: '../../evil', url: 'https://example.org/p' }, 'https://example.org/p'],
  ])('given a paper with %s, then the title links to %s', (_name, over, expected) => {
    expect(formatPaperEmbed(paper(over)).url).toBe(expected);
    expect(paperLink(paper(over))).toBe(expected);
  });

  it.each([
    ['2411.17691', '[arXiv](https://arxiv.org/abs/2411.17691) · [PDF](https://arxiv.org/pdf/2411.17691)'],
    ['hep-th/9901001v1', '[arXiv](https://arxiv.org/abs/hep-th/9901001) · [PDF](https://arxiv.org/pdf/hep-th/9901001)'],
    ['math.gt/0309136', '[arXiv](https://arxiv.org/abs/math.GT/0309136) · [PDF](https://arxiv.org/pdf/math.GT/0309136)'],
  ])('given the arXiv id %s, then the card links its abstract and PDF', (arxivId, expected) => {
    const embed = formatPaperEmbed(paper({ arxivId }));
    expect(field(embed, 'Paper')).toBe(expected);
    expectSafe(embed);
  });

  it('given no arXiv id, then there is no arXiv or PDF link', () => {
    expect(fieldNames(formatPaperEmbed(paper({ url: 'https://example.org/p' })))).not.toContain('Paper');
  });

  it('given stars but no repository, then no Code field; given a repository without stars, then no star count', () => {
    expect(fieldNames(formatPaperEmbed(paper({ githubStars: 12 })))).not.toContain('Code');
    expect(field(formatPaperEmbed(paper({ githubRepo: 'https://github.com/a/b' })), 'Code')).toBe('<https://github.com/a/b>');
    expect(field(formatPaperEmbed(paper({ githubRepo: 'https://github.com/a/b', githubStars: 1234567 })), 'Code')).toBe(
      '<https://github.com/a/b> ★ 1,234,567',
    );
  });

  it.each<[string, Partial<Paper>, string | undefined]>([
    ['0 upvotes', { upvotes: 0 }, '▲ 0'],
    ['12,345 upvotes', { upvotes: 12345 }, '▲ 12,345'],
    ['a negative count', { upvotes: -3 }, undefined],
    ['a fraction', { upvotes: 1.5 }, undefined],
    ['no count', {}, undefined],
  ])('given %s, then the Upvotes field shows %s', (_name, over, expected) => {
    expect(field(formatPaperEmbed(paper(over)), 'Upvotes')).toBe(expected);
  });
});

// Addresses a hostile or broken source could give; none of them may reach a card.
const BAD_URLS = [
  'javascript:alert(1)',
  'JavaScript:alert(document.cookie)',
  'data:text/html,<script>alert(1)</script>',
  'http://github.com/a/b',
  'https://user:pass@github.com/a/b',
  'https://github.com@evil.example/a',
  'https://github.com/a b',
  'https://github.com/a\tb',
  'https://github.com/a\u0000b',
  'https://github.com/a\u202Eb',
  'https://git\u200Bhub.com/a',
  ' https://github.com/a/b',
  'https://',
  'https:///a',
  '//evil.example/a',
  'https:evil.example/a',
  '[x](https://evil.example)',
  '<https://evil.example>',
  'https://[::1]/a',
  `https://example.org/${'a'.repeat(600)}`,
  'not a url',
  '',
];

describe('addresses from the source', () => {
  it.each(BAD_URLS)('given %j as the url, code and project page, then none of it reaches the card', (url) => {
    const embed = formatPaperEmbed(paper({ url, githubRepo: url, projectPage: url, githubStars: 5 }));
    expect(embed.url).toBe('https://huggingface.co/papers?q=A%20Paper');
    expect(fieldNames(embed)).not.toContain('Code');
    expect(fieldNames(embed)).not.toContain('Project page');
    expectSafe(embed);
  });

  it('given addresses with markdown characters, then they are percent-encoded and cannot close the link', () => {
    const url = 'https://evil.example/a)](javascript:alert(1))[x]<y>|z`';
    const embed = formatPaperEmbed(paper({ githubRepo: url, projectPage: url, links: [url] }));
    expect(field(embed, 'Code')).toBe('<https://evil.example/a%29%5D%28javascript:alert%281%29%29%5Bx%5D%3Cy%3E%7Cz%60>');
    expectSafe(embed);
  });

  it('given @everyone in an address, then its @ is percent-encoded (the same address, no longer a ping to the eye)', () => {
    const embed = formatPaperEmbed(paper({ projectPage: 'https://medium.example/@everyone/@Here/@ada' }));
    expect(field(embed, 'Project page')).toBe('<https://medium.example/%40everyone/%40Here/@ada>');
    expectSafe(embed);
  });

  it('given an http link in the abstract, then it stays in Links (it is in the abstract anyway); a link with credentials does not', () => {
    const embed = formatPaperEmbed(
      paper({ links: ['http://example.org/data', 'https://user:pw@evil.example/x', 'https://example.org/code'] }),
    );
    expect(field(embed, 'Links')).toBe('<http://example.org/data>\n<https://example.org/code>');
  });
});

describe('readSafeUrl', () => {
  it.each(BAD_URLS)('given %j, then it is refused', (url) => {
    expect(readSafeUrl(url)).toBeNull();
  });

  it.each([
    ['https://github.com/a/b', 'https://github.com/a/b'],
    ['HTTPS://GitHub.com/a/b', 'https://github.com/a/b'],
    ['https://kandinskylab.ai', 'https://kandinskylab.ai/'],
    ['https://example.org/path_(x)?q=1#top', 'https://example.org/path_%28x%29?q=1#top'],
    ['https://bücher.example/', 'https://xn--bcher-kva.example/'],
  ])('given %j, then it reads %j', (url, expected) => {
    expect(readSafeUrl(url)).toBe(expected);
  });

  it('given http, then it is refused unless allowed', () => {
    expect(readSafeUrl('http://example.org/')).toBeNull();
    expect(readSafeUrl('http://example.org/', { allowHttp: true })).toBe('http://example.org/');
  });

  it.each([42, null, undefined, {}, ['https://example.org/']])('given the non-string %j, then it is refused', (value) => {
    expect(readSafeUrl(value)).toBeNull();
  });
});

const HOSTILE = [
  '@everyone look',
  '@here now',
  '<@123456789012345678> hi',
  '<@&123456789012345678> role',
  '<#123456789012345678> channel',
  '[click me](https://evil.example/phish)',
  '[click](<javascript:alert(1)>)',
  '```js\nalert(1)\n```',
  '**bold** __underline__ ~~strike~~ ||spoiler||',
  '# Heading',
  '\n> quote\n-# subtext',
  'line\u2028# heading\u2029> quote\r- list',
  'ev\u200Beryone @\u200Dhere',
  '\u202Ereversed',
];

describe('hostile text in the new fields', () => {
  it.each(HOSTILE)(
    'given %j in the summary, keywords, author names, organisation and title, then nothing is active and nobody is pinged',
    (text) => {
      const hostile = paper({
        title: `${text} title`,
        organization: text,
        aiSummary: `${text} summary ${text}`,
        aiKeywords: [text, `${text} 2`, 'ok'],
        authorNames: [text, `${text} junior`, 'Ada Lovelace', text],
        arxivId: '2411.17691',
        githubRepo: 'https://github.com/a/b',
        upvotes: 3,
      });
      const message = formatPaperMessage(hostile, { mentions: [{ userId: '111111111111111111', topics: [text] }] });
      expect(validateMessageBody(message as never)).toEqual([]);
      expect(computePinged(message.content ?? '', message.allowed_mentions, null)).toEqual({
        everyone: false,
        users: ['111111111111111111'],
        roles: [],
      });
      expect(findActiveMarkup(message)).toEqual([]);
      expectSafe(formatPaperEmbed(hostile, { fullAbstract: true, postedLink: 'https://discord.com/channels/1/2/3' }));
    },
  );

  it('given a summary with line breaks of every kind, then the TL;DR stays one line', () => {
    const description = formatPaperEmbed(
      paper({ aiSummary: 'one\ntwo\r\nthree\rfour\u2028five\u2029six\u0085seven\u000Beight' }),
    ).description!;
    expect(description.split('\n\n')[0]).toBe(`**${TLDR_LABEL}** one two three four five six seven eight`);
  });

  it('given a lone carriage return or a Unicode line separator before a heading, then escaping leaves no line break for it to start a line', () => {
    expect(escapeMarkdown('x\r# y\u2028> z\u2029- w')).toBe('x # y \\> z - w');
  });
});

describe('limits', () => {
  it('given every field at its worst, then the card is within every limit and still has its TL;DR, excerpt and footer', () => {
    const long = (n: number, unit = 'Word ') => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
    const worst = paper({
      title: long(1000),
      abstract: long(10_000, 'A sentence of the abstract. '),
      organization: long(2000, '*org* '),
      authorNames: Array.from({ length: 1000 }, (_, i) => `${long(150, '_name_ ')}${i}`),
      authors: 1000,
      arxivId: 'hep-th/9901001',
      url: `https://example.org/${'p'.repeat(480)}`,
      githubRepo: `https://github.com/${'r'.repeat(480)}`,
      githubStars: Number.MAX_SAFE_INTEGER,
      projectPage: `https://example.org/${'q'.repeat(480)}`,
      upvotes: Number.MAX_SAFE_INTEGER,
      comments: Number.MAX_SAFE_INTEGER,
      aiSummary: long(3000, '**Summary** '),
      aiKeywords: Array.from({ length: 40 }, (_, i) => `${long(70, '||k|| ')}${i}`),
      links: Array.from({ length: 40 }, (_, i) => `https://example.org/${'l'.repeat(400)}/${i}`),
    });
    for (const options of [{}, { fullAbstract: true, postedLink: 'https://discord.com/channels/1/2/3' }]) {
      const embed = formatPaperEmbed(worst, options);
      expectSafe(embed);
      expect(embed.title!.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
      expect(embed.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
      expect(embed.fields!.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
      for (const f of embed.fields!) expect(f.value.length, f.name).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
      const [tldr, excerpt] = embed.description!.split('\n\n');
      expect(tldr!.startsWith(`**${TLDR_LABEL}** `)).toBe(true);
      expect(tldr!.length).toBeLessThanOrEqual(450);
      expect(excerpt!.length).toBeGreaterThan(100);
      expect(field(embed, 'Authors')).toMatch(/ \+997 more$/);
      expect(readPaperIdFromFooter(embed.footer?.text)).toBe(worst.id);
    }
  });
});

describe('the footer', () => {
  it.each(['densing-law-of-llms-f406616514', '2411.17691', 'hep-th/9901001', 'math.GT/0309136', 'paper-001-0000000001'])(
    'given a paper with the id %s and every new field, then the footer reads back exactly that id',
    (id) => {
      const embed = formatPaperEmbed({ ...readCurrentShapePapers()[0]!, id });
      expect(embed.footer?.text).toBe(`Paper id: ${id}`);
      expect(readPaperIdFromFooter(embed.footer?.text)).toBe(id);
    },
  );

  it.each([
    '',
    'Paper id: ',
    'Paper id: two words',
    'Paper id: <@123456789012345678>',
    'Paper id: -leading-dash',
    `Paper id: ${'a'.repeat(101)}`,
    'Paperboy digest #1',
  ])('given the footer %j, then no id is read', (text) => {
    expect(readPaperIdFromFooter(text)).toBeNull();
  });
});

describe('the card checker itself', () => {
  const card = (over: Partial<Embed>): Parameters<typeof findActiveMarkup>[0] => ({
    embeds: [{ title: 'T', description: 'D', ...over }],
    allowed_mentions: { parse: [] },
  });

  it.each<[string, Partial<Embed>]>([
    ['a masked link in a field', { fields: [{ name: 'Code', value: '[repo](https://evil.example)' }] }],
    ['a javascript: autolink', { fields: [{ name: 'Project page', value: '<javascript:alert(1)>' }] }],
    ['an http autolink outside Links', { fields: [{ name: 'Code', value: '<http://github.com/a/b>' }] }],
    ['a link with credentials', { fields: [{ name: 'Links', value: '<https://github.com@evil.example/>' }] }],
    ['unescaped bold', { description: '**TL;DR (AI-generated):** **loud**\n\nexcerpt' }],
    ['a raw user mention', { title: '<@123456789012345678>' }],
    ['@everyone', { fields: [{ name: 'Authors', value: '@everyone' }] }],
    ['a line break in the TL;DR', { description: '**TL;DR (AI-generated):** one\n# two\n\nexcerpt' }],
    ['a javascript: title link', { url: 'javascript:alert(1)' }],
  ])('given %s, then it is reported', (_name, over) => {
    expect(findActiveMarkup(card(over))).not.toEqual([]);
  });

  it("given Paperboy's own links and label, then nothing is reported", () => {
    expect(
      findActiveMarkup(
        card({
          description: '**TL;DR (AI-generated):** fine\n\nexcerpt',
          fields: [
            { name: 'Paper', value: '[arXiv](https://arxiv.org/abs/2411.17691) · [PDF](https://arxiv.org/pdf/2411.17691)' },
            { name: 'Posted', value: '[Jump to the digest message](https://discord.com/channels/1/2/3)' },
            { name: 'Links', value: '<http://example.org/>\n<https://example.org/a__b__>' },
          ],
        }),
      ),
    ).toEqual([]);
  });
});
