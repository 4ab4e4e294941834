import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCompactDigest, formatCompactLine } from '../../src/core/format-compact.js';
import { type Paper, paperId } from '../../src/core/paper.js';
import { computePinged, validateMessageBody } from '../support/fake-discord/validate-message.js';

const paper = (title: string, over: Partial<Paper> = {}): Paper => ({
  id: paperId(title),
  title,
  abstract: 'An abstract.',
  authors: 3,
  organization: null,
  published: '2024-11-26',
  comments: 0,
  links: [],
  source: { file: 'f.txt', line: 1 },
  ...over,
});

// Corpus text that would format, link or ping if it were not escaped.
const HOSTILE = [
  '@everyone look',
  '<@123456789012345678> hi',
  '[click me](https://evil.example/phish)',
  '**bold** __underline__ ~~strike~~ ||spoiler||',
  '# Heading',
  '`code` and <https://evil.example>',
];

/** The title part of a compact line (between Paperboy's own `**`), with the line's own markup taken out. */
const titleOf = (line: string): string => /^\d+\. \*\*(.*)\*\* · /.exec(line)![1]!;
// A markdown character without its escaping backslash.
const ACTIVE = /(?<!\\)[*_~`|[\]<>]/;

describe('formatCompactLine', () => {
  it.each([
    [
      'an arXiv paper with upvotes',
      paper('Densing Law of LLMs', { id: '2412.04315', arxivId: '2412.04315', upvotes: 1234 }),
      '1. **Densing Law of LLMs** · 2412.04315 · ▲ 1,234 · <https://huggingface.co/papers/2412.04315>',
    ],
    [
      'a paper without upvotes or arXiv id (a search link)',
      paper('Horizon-LM'),
      `1. **Horizon-LM** · ${paperId('Horizon-LM')} · <https://huggingface.co/papers?q=Horizon-LM>`,
    ],
    [
      'a hostile title',
      paper('**x** @everyone [a](https://e.example)', { id: '2401.00001', arxivId: '2401.00001', upvotes: 0 }),
      '1. **\\*\\*x\\*\\* @\u200Beveryone \\[a\\](https://e.example)** · 2401.00001 · ▲ 0 · <https://huggingface.co/papers/2401.00001>',
    ],
  ])('given %s', (_case, input, line) => {
    expect(formatCompactLine(input, 1)).toBe(line);
  });
});

describe('formatCompactDigest', () => {
  it('given a digest of 5 papers and a header, then it is one message, numbered, pinging nobody', () => {
    const papers = ['One', 'Two', 'Three', 'Four', 'Five'].map((t, i) => paper(t, { upvotes: i }));
    const [message, ...rest] = formatCompactDigest(papers, { header: '📰 **Paperboy digest #3** · 3 new papers' });
    expect(rest).toEqual([]);
    const lines = message!.content!.split('\n');
    expect(lines[0]).toBe('📰 **Paperboy digest #3** · 3 new papers');
    expect(lines.slice(1).map((l) => l.split(' ')[0])).toEqual(['1.', '2.', '3.', '4.', '5.']);
    expect(message!.allowed_mentions).toEqual({ parse: [] });
  });

  it('given ten arXiv papers with 250-character titles, then the titles are shortened so that the list still fits one message', () => {
    const papers = Array.from({ length: 10 }, (_, i) => {
      const id = `2412.0${4310 + i}`;
      return paper(`${i} ${'long title words '.repeat(15)}`, { id, arxivId: id, upvotes: 10 });
    });
    const messages = formatCompactDigest(papers, { header: 'header' });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.content!.length).toBeLessThanOrEqual(2000);
    expect(messages[0]!.content!.split('\n')).toHaveLength(11);
  });

  it('given 40 papers, then the list goes on in further messages, each within 2,000 characters, numbered on', () => {
    const papers = Array.from({ length: 40 }, (_, i) => paper(`${i} ${'long title words '.repeat(15)}`, { upvotes: 10 }));
    const messages = formatCompactDigest(papers);
    expect(messages.length).toBeGreaterThan(1);
    const lines = messages.flatMap((m) => m.content!.split('\n'));
    expect(lines.map((l) => Number(l.split('.')[0]))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const m of messages) expect(m.content!.length).toBeLessThanOrEqual(2000);
  });

  it('given any titles, hostile ones included, then every message passes the fake Discord validation, pings nobody, and no title holds active markup', () => {
    const title = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constantFrom(...HOSTILE));
    fc.assert(
      fc.property(
        fc.array(fc.record({ title, upvotes: fc.option(fc.nat(), { nil: undefined }) }), { minLength: 1, maxLength: 30 }),
        (specs) => {
          const papers = specs.map((s, i) => paper(s.title, { id: `p-${i}`, ...(s.upvotes === undefined ? {} : { upvotes: s.upvotes }) }));
          const messages = formatCompactDigest(papers);
          const lines = messages.flatMap((m) => m.content!.split('\n'));
          expect(lines).toHaveLength(papers.length);
          for (const message of messages) {
            expect(validateMessageBody(message as never)).toEqual([]);
            expect(computePinged(message.content!, message.allowed_mentions, null)).toEqual({ everyone: false, users: [], roles: [] });
          }
          for (const line of lines) expect(titleOf(line)).not.toMatch(ACTIVE);
        },
      ),
      { numRuns: 200 },
    );
  });
});
