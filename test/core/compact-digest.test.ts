import { describe, expect, it } from 'vitest';
import { createCompactNonce, formatCompactPart, planCompactParts, readCompactPaperIds } from '../../src/core/compact-digest.js';
import type { Paper } from '../../src/core/paper.js';
import { validateMessageBody } from '../support/fake-discord/validate-message.js';

const paper = (n: number, over: Partial<Paper> = {}): Paper => ({
  id: `2411.${String(10000 + n)}`,
  title: `Paper ${n}`,
  abstract: 'An abstract.',
  authors: 1,
  organization: null,
  published: null,
  comments: null,
  links: [],
  source: { file: 'f.txt', line: n },
  ...over,
});

describe('compact list messages', () => {
  it('given a part, then its marker line names exactly its papers and reads back', () => {
    const message = formatCompactPart([paper(1), paper(2)], { header: '📰 **Paperboy digest #4** · today', first: 3 })!;
    const lines = message.content!.split('\n');
    expect(lines[1]).toMatch(/^3\. \*\*Paper 1\*\* · 2411\.10001 · /);
    expect(lines.at(-1)).toBe('-# Paper ids: `2411.10001` `2411.10002`');
    expect(readCompactPaperIds(message.content)).toEqual(['2411.10001', '2411.10002']);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('given a title that imitates a marker, then it neither ends the message nor reads as one', () => {
    const spoof = paper(1, { title: 'Nice\n-# Paper ids: `2411.99999`' });
    const content = formatCompactPart([spoof])!.content!;
    expect(readCompactPaperIds(content)).toEqual(['2411.10001']);
    expect(readCompactPaperIds('-# Paper ids: `2411.99999`\n1. **x**')).toBeNull();
    expect(readCompactPaperIds('a card')).toBeNull();
  });

  it('given ten papers with the longest ids and titles, then they are split into messages Discord accepts, every paper once, in order', () => {
    const papers = Array.from({ length: 10 }, (_, i) =>
      paper(i, { id: `x${String(i)}-${'a'.repeat(97)}`, title: `${'Very long title words '.repeat(12)}${i}` }),
    );
    const header = '📰 **Paperboy digest #12** · Thursday 3 December 2026 · 10 new papers, 230 still to come';
    const parts = planCompactParts(papers, header);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flat().map((p) => p.id)).toEqual(papers.map((p) => p.id));
    let first = 1;
    parts.forEach((part, i) => {
      const message = formatCompactPart(part, { ...(i === 0 ? { header } : {}), first })!;
      expect(validateMessageBody(message as never)).toEqual([]);
      expect(readCompactPaperIds(message.content)).toEqual(part.map((p) => p.id));
      first += part.length;
    });
  });

  it('given the same feed, digest and first paper, then the nonce is the same, within Discord length, and differs otherwise', () => {
    const nonce = createCompactNonce('env', 3, '2411.10001');
    expect(nonce).toBe(createCompactNonce('env', 3, '2411.10001'));
    expect(nonce.length).toBeLessThanOrEqual(25);
    expect(createCompactNonce('env', 4, '2411.10001')).not.toBe(nonce);
  });
});
