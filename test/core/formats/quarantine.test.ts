import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCorpus } from '../../../src/core/corpus.js';
import { readCorpusFile, readCorpusText } from '../../../src/core/formats/index.js';
import { isPlausibleAbstract, isPlausibleTitle, ratePaper } from '../../../src/core/formats/confidence.js';
import { paperId, type Paper } from '../../../src/core/paper.js';
import { REAL_FILES, readFixture, readSeed, withoutUrlLines } from './fixtures.js';

const MIXED = new URL('../../fixtures/corpus/mixed/', import.meta.url);

describe('quarantining a damaged or unknown layout', () => {
  it.each([REAL_FILES['01'], REAL_FILES['02']])(
    'given %s with its URL lines removed (a browser copy-paste), then it yields no papers and one quarantine warning',
    (file) => {
      const text = withoutUrlLines(readFixture(file));
      // What the plain-text parser alone makes of it: page chrome as papers (over a hundred of them).
      const old = parseCorpus(text, { file, referenceDate: '2026-03-27' }).papers.map((p) => p.title);
      expect(old.length).toBeGreaterThan(100);
      expect(old).toEqual(expect.arrayContaining(['Daily Papers - Hugging Face', 'Models', 'Pricing']));

      const result = readCorpusText(text, { file, referenceDate: '2026-03-27' });
      expect(result.quarantined).toBe(true);
      expect(result.papers).toEqual([]);
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatchObject({ file, line: 1 });
      expect(result.warnings[0]!.message).toMatch(
        /^quarantined: read as plain-text page copy .*, but only \d+ of \d+ entries look like papers/,
      );
      expect(result.warnings[0]!.message).toContain('nothing from this file is used until it parses cleanly');
    },
  );

  it('given the seed, then it parses to its 51 papers with no quarantine and no warnings, as parseCorpus reads them', () => {
    const seed = readSeed();
    const result = readCorpusFile(Buffer.from(seed), { file: 'seed.txt', referenceDate: '2026-11-29' });
    expect(result).toMatchObject({ format: 'plain-text', quarantined: false, warnings: [] });
    expect(result.papers).toEqual(parseCorpus(seed, { file: 'seed.txt', referenceDate: '2026-11-29' }).papers);
    expect(result.papers).toHaveLength(51);
  });

  it.each(readdirSync(MIXED).filter((name) => name.endsWith('.txt') && !name.includes('binary') && !name.includes('latin1')))(
    'given the hand-written fixture %s, then it reads the same papers as parseCorpus, none quarantined',
    (name) => {
      const text = readFileSync(new URL(name, MIXED), 'utf8');
      const result = readCorpusText(text, { file: name, referenceDate: '2026-06-22' });
      expect(result.quarantined).toBe(false);
      expect(result.papers).toEqual(parseCorpus(text, { file: name, referenceDate: '2026-06-22' }).papers);
    },
  );

  it('given a good file with one stray entry that is not a paper, then only that entry is dropped, with a warning at its line', () => {
    const good = (n: number) => `Paper Number ${n}\n\nWe study problem ${n} and report what we found.\n\n  • 3 authors\n·\nMar 3, 2025\n`;
    const text = [good(1), good(2), 'Submitted by\n\nwchengad\n', good(3)].join('\n');
    const result = readCorpusText(text, { file: 'f.txt', referenceDate: '2026-06-22' });
    expect(result.quarantined).toBe(false);
    expect(result.papers.map((p) => p.title)).toEqual(['Paper Number 1', 'Paper Number 2', 'Paper Number 3']);
    expect(result.warnings).toEqual([
      { file: 'f.txt', line: 17, message: '"Submitted by" does not look like a paper (its title does not read as a title); skipped' },
    ]);
  });
});

describe('rating how sure a reader is of a paper', () => {
  const paper = (fields: Partial<Paper>): Paper => ({
    id: paperId(fields.title ?? 'x'),
    title: 'A Real Title',
    abstract: '',
    authors: null,
    organization: null,
    published: null,
    comments: null,
    links: [],
    source: { file: 'f', line: 1 },
    ...fields,
  });

  it.each([
    ['a title only', {}, 0.4],
    ['a title and an abstract', { abstract: 'We show that things work.' }, 0.7],
    ['a title and a date', { published: '2024-01-01' }, 0.55],
    ['a title and a link', { arxivId: '2401.00001' }, 0.55],
    ['everything', { abstract: 'We show that things work.', authors: 3, url: 'https://huggingface.co/papers/2401.00001' }, 1],
    ['chrome for a title, with an abstract', { title: 'Submitted by', abstract: 'We show that things work.' }, 0],
  ] as const)('given %s, then the confidence is %s', (_name, fields, confidence) => {
    expect(ratePaper(paper(fields)).confidence).toBe(confidence);
  });

  it.each([
    'LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale',
    'Voxtral TTS',
    '[Citation needed] Data usage and citation practices',
    '(Almost) Everything You Always Wanted to Know',
    'code2seq: Generating Sequences from Structured Representations of Code',
    'Gemini',
  ])('given the title "%s", then it reads as a title', (title) => {
    expect(isPlausibleTitle(title)).toBe(true);
  });

  it.each([
    'Submitted by',
    'Daily Papers - Hugging Face',
    'Models',
    'Previous',
    'System theme',
    '[-] 8',
    '[-] -',
    '106',
    '2.3k',
    'Mar 27',
    'Oct 7, 2024',
    '· 8 authors',
    '4 authors',
    'wchengad',
    'k-sobolev',
    '[图片：无替代文本]',
    '[',
    'https://huggingface.co/papers/2603.25728',
    '- [图片：无替代文本]',
    '### [Title](url)',
    '![](avatar.png)',
  ])('given the line "%s", then it is not a title', (line) => {
    expect(isPlausibleTitle(line)).toBe(false);
  });

  it.each([
    ['a sentence', 'Small recursive models reason well.', true],
    ['a long paragraph without a full stop', 'word '.repeat(20).trim(), true],
    ['an organisation name', 'Fudan University', false],
    ['a user name', 'taesiri', false],
    ['a count', '68', false],
    ['an upvote marker', '[-] 106', false],
    ['a date', 'Oct 7, 2024', false],
  ])('given %s, then it is %s that it reads as an abstract', (_name, text, expected) => {
    expect(isPlausibleAbstract(text)).toBe(expected);
  });
});
