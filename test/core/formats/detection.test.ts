import { describe, expect, it } from 'vitest';
import { CORPUS_FORMATS, detectFormat, readCorpusFile, readCorpusText } from '../../../src/core/formats/index.js';
import { REAL_FILES, WRITTEN_FILES, readFixture, readSeed } from './fixtures.js';

const context = { file: 'x', referenceDate: '2026-10-05' };

describe('detecting the format of a corpus file by its content', () => {
  it.each([
    [REAL_FILES['01'], 'url-lines'],
    [REAL_FILES['02'], 'url-lines'],
    [REAL_FILES['03'], 'markdown-links'],
    [REAL_FILES['04'], 'markdown-links'],
    [REAL_FILES['05'], 'markdown-refs'],
    [REAL_FILES['06'], 'html-markdown'],
    [REAL_FILES['07'], 'daily-papers-json'],
    [WRITTEN_FILES.json, 'daily-papers-json'],
    [WRITTEN_FILES.jsonl, 'daily-papers-jsonl'],
  ])('given %s, then it is detected as %s', (file, format) => {
    expect(detectFormat(readFixture(file), file)?.format.name).toBe(format);
  });

  it('given the seed, then it is detected as the plain-text page copy', () => {
    expect(detectFormat(readSeed(), 'seed.txt')?.format.name).toBe('plain-text');
  });

  it.each([
    ['a JSON capture saved as .txt', REAL_FILES['07'], 'daily-papers.txt', 'daily-papers-json'],
    ['a markdown capture saved as .json', REAL_FILES['03'], 'page.json', 'markdown-links'],
    ['a URL-lines export saved as .md', REAL_FILES['01'], 'page.md', 'url-lines'],
  ])('given %s, then the content decides, not the extension', (_name, fixture, fileName, format) => {
    expect(detectFormat(readFixture(fixture), fileName)?.format.name).toBe(format);
  });

  it.each([
    ['an empty file', ''],
    ['blank lines', '\n\n  \n'],
    ['one line of text', 'just a note to self'],
    ['an HTML page', '<!DOCTYPE html>\n<html><head><title>Daily Papers</title></head>\n\n<body>Daily Papers</body></html>\n'],
    ['a CSV table', 'title,abstract,date\nA,B,2024-01-01\nC,D,2024-01-02\n'],
    ['markdown notes', '# Not a corpus file\n\nIgnored because it is not a page copy.\n\n## To do\n\n- read papers\n'],
    ['binary noise', '\u0001\u0002PNG\u0000\u0003\n\n'.repeat(40) + '\uFFFD'.repeat(40)],
  ])('given %s, then no format recognises it', (_name, text) => {
    expect(detectFormat(text, 'garbage.txt')).toBeNull();
  });

  it.each([
    ['an empty file', '', 'is empty; no papers'],
    ['markdown notes', '# Notes\n\nNothing here.\n', 'no corpus format recognises this file'],
  ])('given %s, then reading it gives one warning and no papers', (_name, text, message) => {
    const result = readCorpusText(text, context);
    expect(result).toMatchObject({ format: null, papers: [], quarantined: false });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toContain(message);
  });

  it('given an unknown file, then the warning names the formats Paperboy reads', () => {
    const [warning] = readCorpusText('# Notes\n\nNothing here.\n', context).warnings;
    for (const format of CORPUS_FORMATS) expect(warning!.message).toContain(format.description);
  });

  it('given JSON that is not a daily papers list, then it is one clear warning and no papers', () => {
    const result = readCorpusFile('[1, 2, {"name": "x"}]', context);
    expect(result.format).toBe('daily-papers-json');
    expect(result.papers).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toMatch(/^JSON, but not a daily papers list: none of its 3 items is a paper/);
  });

  it('given every fixture, then every detector answers a confidence between 0 and 1', () => {
    const texts = [...Object.values(REAL_FILES), ...Object.values(WRITTEN_FILES)].map(readFixture).concat(readSeed(), '', '{', '[');
    for (const format of CORPUS_FORMATS) {
      for (const text of texts) {
        const confidence = format.detect(text, 'f');
        expect(confidence).toBeGreaterThanOrEqual(0);
        expect(confidence).toBeLessThanOrEqual(1);
      }
    }
  });

  it('given the registry, then every format has a unique kebab-case name and a description', () => {
    const names = CORPUS_FORMATS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const format of CORPUS_FORMATS) {
      expect(format.name).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
      expect(format.description.length).toBeGreaterThan(5);
    }
  });
});
