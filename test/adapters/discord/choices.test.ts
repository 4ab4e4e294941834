import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sanitizeChoices, suggestPaperChoices, toPaperChoices } from '../../../src/adapters/discord/choices.js';
import { parseCorpus } from '../../../src/core/corpus.js';
import { DISCORD_LIMITS } from '../../../src/core/discord-limits.js';
import { paperId, type Paper } from '../../../src/core/paper.js';
import { createSearchIndex, type SearchIndex } from '../../../src/core/search.js';

const MAX_CHOICES = DISCORD_LIMITS.autocompleteChoices;
const MAX_CHOICE_LENGTH = DISCORD_LIMITS.choiceName;

const seed = parseCorpus(readFileSync(new URL('../../../seeds/000_ccff3ae36fc46473.txt', import.meta.url), 'utf8'), {
  file: 'seeds/000_ccff3ae36fc46473.txt',
  referenceDate: '2026-06-22',
}).papers;
const seedIndex = createSearchIndex(seed);

function paper(title: string, abstract = '', published: string | null = null, line = 1): Paper {
  return {
    id: paperId(title),
    title,
    abstract,
    authors: null,
    organization: null,
    published,
    comments: null,
    links: [],
    source: { file: 'test.txt', line },
  };
}

/** What `/paper` answers as a member types. */
const suggest = (index: SearchIndex, typed: string) => suggestPaperChoices(index, typed);

describe('paper choices for autocomplete', () => {
  it('given typed words, then at most 25 choices come back, names within 100 characters, values are paper ids', () => {
    const choices = suggest(seedIndex, 'model');
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(MAX_CHOICES);
    const ids = new Set(seed.map((p) => p.id));
    for (const choice of choices) {
      expect(choice.name.length).toBeLessThanOrEqual(MAX_CHOICE_LENGTH);
      expect(choice.name.length).toBeGreaterThan(0);
      expect(ids.has(choice.value)).toBe(true);
    }
  });

  it('given a half-typed title, then that paper is the first choice', () => {
    expect(suggest(seedIndex, 'densing la')[0]!.name).toBe('Densing Law of LLMs');
    expect(suggest(seedIndex, 'zebra-ll')[0]!.name).toBe('Zebra-Llama: Towards Extremely Efficient Hybrid Models');
  });

  it('given the start of a title made of common words, then that title is the first choice', () => {
    const target = 'All is Not Lost: LLM Recovery without Checkpoints';
    for (const typed of ['all is not', 'All Is Not', 'all is', 'all is not l', 'all is not lost'])
      expect(suggest(seedIndex, typed)[0]!.name).toBe(target);
  });

  it('given the start of a title among distractors made of the same words, then that title is still the first choice', () => {
    const distractors = [
      paper('Why All Is Not Equal in Attention', 'All is not equal: not all tokens are what they seem.', '2026-01-01', 1),
      paper('Not All Is Lost in Translation', 'It is not all lost; all is well, not all is known.', '2026-01-02', 2),
      paper('Is Attention All You Need? Not Always', 'All of it is not needed at all.', '2026-01-03', 3),
    ];
    const index = createSearchIndex([...distractors, ...seed]);
    expect(suggest(index, 'all is not')[0]!.name).toBe('All is Not Lost: LLM Recovery without Checkpoints');
    expect(suggest(index, 'all is not l')[0]!.name).toBe('All is Not Lost: LLM Recovery without Checkpoints');
    expect(suggest(index, 'not all')[0]!.name).toBe('Not All Is Lost in Translation');
    expect(index.search('all is not').map((hit) => hit.paper.title)).toContain('All is Not Lost: LLM Recovery without Checkpoints');
  });

  it('given a long title, then its name is cut at a word boundary and ends with …', () => {
    const long =
      'Structured Context Engineering for File-Native Agentic Systems: Evaluating Schema Accuracy, Format Effectiveness, and Multi-File Navigation at Scale';
    const choice = suggest(seedIndex, 'structured context engineering').find((c) => c.value === paperId(long))!;
    expect(choice.name.length).toBeLessThanOrEqual(100);
    expect(choice.name.endsWith('…')).toBe(true);
    expect(long.startsWith(choice.name.slice(0, -1))).toBe(true);
    expect(long[choice.name.length - 1]).toBe(' ');
  });

  it('given empty text, then the newest papers come first, undated ones last, ties in corpus order', () => {
    const index = createSearchIndex([
      paper('Undated', '', null, 1),
      paper('Older', '', '2024-01-01', 2),
      paper('Newest A', '', '2025-06-01', 3),
      paper('Newest B', '', '2025-06-01', 4),
    ]);
    expect(suggest(index, '').map((c) => c.name)).toEqual(['Newest A', 'Newest B', 'Older', 'Undated']);
    expect(suggest(index, '   ').map((c) => c.name)).toEqual(['Newest A', 'Newest B', 'Older', 'Undated']);
    const newest = [...seed].filter((p) => p.published).sort((a, b) => b.published!.localeCompare(a.published!))[0]!;
    expect(suggest(seedIndex, '')[0]!.value).toBe(newest.id);
    expect(suggest(seedIndex, '')).toHaveLength(25);
  });

  it('given a picked paper id, then that paper is the first choice', () => {
    const target = seed[10]!;
    expect(suggest(seedIndex, target.id)[0]!.value).toBe(target.id);
  });

  it('given a title of 300 characters, then suggest still fits it in 100', () => {
    const index = createSearchIndex([paper(`Longword ${'verylongtitle '.repeat(25)}end`)]);
    const [choice] = suggest(index, 'longword');
    expect(choice!.name.length).toBeLessThanOrEqual(100);
    expect(choice!.name.endsWith('…')).toBe(true);
  });
});

describe('paper choices: limits', () => {
  const awkward = ['', ' ', 'x'.repeat(10_000), '😀🚀 🧪', '\uD800', '\u0000\u0007\u200B', '10,000,000 1.7.3 v2.0-beta'];

  it.each(awkward.map((query) => [JSON.stringify(query.slice(0, 30)), query]))(
    'given %s, then every choice name fits in 100 characters',
    (_label, query) => {
      for (const choice of suggest(seedIndex, query)) expect(choice.name.length).toBeLessThanOrEqual(100);
    },
  );

  it('given more papers than Discord shows, then 25 choices come back, in the order given', () => {
    const papers = Array.from({ length: 40 }, (_, i) => paper(`Paper number ${i}`, '', null, i + 1));
    const choices = toPaperChoices(papers);
    expect(choices).toHaveLength(25);
    expect(choices.map((c) => c.value)).toEqual(papers.slice(0, 25).map((p) => p.id));
  });

  it('given a paper with a blank title, then its id is the name', () => {
    const blank = { ...paper('Something'), title: '   ' };
    expect(toPaperChoices([blank])).toEqual([{ name: blank.id, value: blank.id }]);
  });
});

describe('sanitizeChoices', () => {
  it('given a handler answering too many, too long, empty or repeated choices, then Discord gets at most 25 valid unique ones', () => {
    const raw = [
      { name: '', value: 'empty-name' },
      { name: 'x'.repeat(150), value: 'y'.repeat(150) },
      { name: 'again', value: 'y'.repeat(150) },
      ...Array.from({ length: 40 }, (_, i) => ({ name: `topic ${i}`, value: `topic-${i}` })),
    ];
    const choices = sanitizeChoices(raw);
    expect(choices).toHaveLength(25);
    expect(choices[0]).toEqual({ name: 'x'.repeat(100), value: 'y'.repeat(100) });
    expect(new Set(choices.map((c) => c.value)).size).toBe(25);
    expect(choices.every((c) => c.name.length > 0)).toBe(true);
  });
});
