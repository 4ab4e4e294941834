import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatThreadName } from '../../src/core/thread-name.js';

describe('formatThreadName', () => {
  // [case, title, fallback, expected]
  it.each([
    ['a short title is the name', 'Attention Is All You Need', '1706.03762', 'Attention Is All You Need'],
    ['line breaks and runs of spaces become one space', 'Scaling Laws\nfor   Neural\r\nModels', 'x', 'Scaling Laws for Neural Models'],
    ['invisible characters go', 'Zero\u200Bwidth\u202E title', 'x', 'Zerowidth title'],
    ['markdown stays literal (names do not render it)', '**Bold** _claims_ `code`', 'x', '**Bold** _claims_ `code`'],
    ['@everyone is broken', '@everyone read this', 'x', '@\u200Beveryone read this'],
    ['a user mention token is broken', '<@123456789012345678> wrote this', 'x', '<\u200B@123456789012345678> wrote this'],
    ['an empty title falls back', '', '2411.17691', '2411.17691'],
    ['a blank title falls back', ' \n\t\u200B ', '2411.17691', '2411.17691'],
    ['punctuation only falls back', '… — !!', 'paper-abc-123', 'paper-abc-123'],
    ['a blank fallback too gives "Paper"', '   ', '  ', 'Paper'],
  ])('given %s', (_case, title, fallback, expected) => {
    expect(formatThreadName(title, fallback)).toBe(expected);
  });

  it('given a 140-character title, then it is cut at a word to at most 100 characters, ending with …', () => {
    const title =
      'Densing Law of LLMs: how capacity density grows exponentially over time and what that means for the cost of inference and training';
    const name = formatThreadName(title, 'x');
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name.endsWith('…')).toBe(true);
    expect(title.startsWith(name.slice(0, -1))).toBe(true);
    expect(title[name.length - 1]).toBe(' ');
  });

  it('given any title, then the name has 1–100 characters, a letter or digit, one line, and no whole surrogate pair is split', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.string({ maxLength: 40 }), (title, fallback) => {
        const name = formatThreadName(title, fallback);
        expect(name.length).toBeGreaterThanOrEqual(1);
        expect(name.length).toBeLessThanOrEqual(100);
        expect(name).toMatch(/[\p{L}\p{N}]/u);
        expect(name).not.toMatch(/[\n\r\u2028\u2029]/);
        expect(name).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
        expect(name).not.toMatch(/(?<!\u200B)@(everyone|here)/i);
      }),
      { numRuns: 500 },
    );
  });
});
