import { describe, expect, it } from 'vitest';
import { CORPUS_FORMATS } from '../../../src/core/formats/index.js';
import { htmlMarkdownFormat } from '../../../src/core/formats/html-markdown.js';
import { markdownLinksFormat } from '../../../src/core/formats/markdown-links.js';
import { markdownRefsFormat } from '../../../src/core/formats/markdown-refs.js';
import { urlLinesFormat } from '../../../src/core/formats/url-lines.js';
import { normalizeArxivId, paperId } from '../../../src/core/paper.js';
import { REAL_FILES, WRITTEN_FILES, readFixture, readSeed } from './fixtures.js';

const context = { file: 'f', referenceDate: '2026-10-05' };

/** The text up to and including the line that contains `marker` (its first occurrence after `from`). */
function cutAfter(text: string, marker: string, from = 0): string {
  const at = text.indexOf(marker, from);
  const end = text.indexOf('\n', at);
  return text.slice(0, end === -1 ? text.length : end + 1);
}

describe('each reader on a capture cut off mid-paper', () => {
  it('given a URL-lines export cut inside an abstract, then that paper is a warning and the ones before it are read', () => {
    const text = readFixture(REAL_FILES['02']);
    const cut = cutAfter(text, 'Humans write code in a fundamentally interactive manner');
    const result = urlLinesFormat.parse(cut, context);
    expect(result.papers.map((p) => p.paper.arxivId)).toEqual(['2410.05434']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toMatch(/^the capture is cut off inside the abstract of "InterCode/);
  });

  it('given a URL-lines export cut right after a title, then that paper is a warning', () => {
    const text = readFixture(REAL_FILES['01']);
    const cut = cutAfter(text, 'Intern-S1-Pro: Scientific Multimodal');
    const result = urlLinesFormat.parse(cut, context);
    expect(result.papers).toHaveLength(1);
    expect(result.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/cut off/)]);
  });

  it('given a markdown copy cut inside an abstract link, then that paper is a warning, not a paper with half an abstract', () => {
    const text = readFixture(REAL_FILES['03']);
    const cut = cutAfter(text, 'knowledge flows. Such uses typically rely');
    const result = markdownLinksFormat.parse(cut, context);
    expect(result.papers.map((p) => p.paper.arxivId)).toEqual(['2606.00683', '2609.11115']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toMatch(/^the capture is cut off inside the card of "The Noisy Path/);
  });

  it('given a trending copy cut inside the last card before its footer, then that card is a warning and the others merge', () => {
    const text = readFixture(REAL_FILES['06']);
    const cut = cutAfter(text, 'Naive offloading to SSD does not help on its own');
    const result = htmlMarkdownFormat.parse(cut, context);
    expect(result.papers.map((p) => p.paper.arxivId)).toEqual(['2610.05608']);
    expect(result.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^the capture is cut off inside the card of "The Other Half/),
    ]);
  });

  it('given a reference-style dump cut inside a heading, then that paper is a warning', () => {
    const text = readFixture(REAL_FILES['05']);
    const cut = cutAfter(text, '### [KV Cache Compression');
    const result = markdownRefsFormat.parse(cut, context);
    expect(result.papers.at(-1)!.paper.title).toBe('Thus Spake Long-Context Large Language Model');
    expect(result.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/cut off inside the heading/)]);
  });
});

describe('the format contract, checked against every format on every fixture', () => {
  const texts: Array<[string, string]> = [...Object.values(REAL_FILES), ...Object.values(WRITTEN_FILES)].map((file) => [
    file,
    readFixture(file),
  ]);
  texts.push(['seed', readSeed()]);

  it.each(CORPUS_FORMATS.map((format) => [format.name, format] as const))(
    'given the %s reader, then on any fixture its papers keep the shared rules',
    (_name, format) => {
      for (const [file, text] of texts) {
        const result = format.parse(text, { file, referenceDate: '2026-10-05' });
        for (const warning of result.warnings) {
          expect(warning.file).toBe(file);
          expect(warning.line).toBeGreaterThanOrEqual(1);
        }
        for (const { paper, confidence } of result.papers) {
          expect(confidence).toBeGreaterThanOrEqual(0);
          expect(confidence).toBeLessThanOrEqual(1);
          expect(paper.id).toBe(paperId(paper.title));
          expect(paper.source.file).toBe(file);
          if (paper.arxivId !== undefined) expect(normalizeArxivId(paper.arxivId)).toBe(paper.arxivId);
          for (const url of [paper.url, paper.githubRepo, paper.projectPage]) if (url !== undefined) expect(url).toMatch(/^https:\/\//);
          if (paper.published !== null) expect(paper.published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          if (paper.addedAt !== undefined) expect(paper.addedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
      }
    },
  );
});
