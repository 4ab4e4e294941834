import { describe, expect, it } from 'vitest';
import { pageOfReadingList, planReadingListSave, sortReadingList } from '../../src/core/reading-list.js';
import { formatReadingListEmbed, formatReadingListMarkdown } from '../../src/core/reading-list-format.js';
import { makePapers } from '../support/memory-ports.js';

const AT = '2026-06-22T09:00:00.000Z';
const entry = (paperId: string, savedAt = AT) => ({ paperId, savedAt });

describe('reading list rules', () => {
  it('given saves, then a new paper is added newest first, a saved one changes nothing, and a full list refuses', () => {
    const list = [entry('b', '2026-06-22T08:00:00.000Z')];
    expect(planReadingListSave(list, entry('a'), 3)).toEqual({
      save: { outcome: 'saved', count: 2, cap: 3 },
      next: [entry('a'), entry('b', '2026-06-22T08:00:00.000Z')],
    });
    expect(planReadingListSave(list, entry('b'), 3)).toEqual({ save: { outcome: 'already-saved', count: 1, cap: 3 }, next: null });
    expect(planReadingListSave([entry('x'), entry('y')], entry('z'), 2)).toEqual({
      save: { outcome: 'full', count: 2, cap: 2 },
      next: null,
    });
    expect(() => planReadingListSave([], entry('x'.repeat(65)))).toThrow(/invalid/);
    expect(() => planReadingListSave([], entry('x', 'yesterday'))).toThrow(/invalid/);
  });

  it('given papers saved at the same instant, then they list by id; a page is a slice, clamped', () => {
    const sorted = sortReadingList([entry('c'), entry('a'), entry('b', '2026-06-23T00:00:00.000Z')]);
    expect(sorted.map((e) => e.paperId)).toEqual(['b', 'a', 'c']);
    expect(pageOfReadingList(sorted, { offset: 1, limit: 5 }).map((e) => e.paperId)).toEqual(['a', 'c']);
    expect(pageOfReadingList(sorted, { offset: -3, limit: 1.7 }).map((e) => e.paperId)).toEqual(['b']);
  });
});

describe('reading list formats', () => {
  const [paper] = makePapers(1);
  const items = [
    { entry: entry('gone-*[x](https://evil.example)*'), paper: null },
    { entry: entry(paper!.id, '2026-06-21T09:00:00.000Z'), paper: paper! },
  ];

  it('given a paper the corpus no longer has, then its id is shown escaped, without a link', () => {
    const markdown = formatReadingListMarkdown(items, { at: AT, cap: 200 });
    expect(markdown.split('\n')[4]).toBe('- gone-\\*\\[x\\](https://evil.example)\\* (no longer in the corpus), saved 2026-06-22');
    expect(markdown.split('\n')[5]).toBe(`- [Paper number 1](https://huggingface.co/papers?q=Paper%20number%201), saved 2026-06-21`);
    expect(markdown.endsWith('\n')).toBe(true);
  });

  it('given a page, then the embed numbers papers from the offset and says where it is in the list', () => {
    const embed = formatReadingListEmbed({ items, offset: 5, total: 7, cap: 200 });
    expect(embed.description!.split('\n').map((line) => line.slice(0, 6))).toEqual(['**6.**', '**7.**']);
    expect(embed.footer!.text).toBe('Papers 6–7 of 7 · a list keeps at most 200 · only you see this');
  });
});
