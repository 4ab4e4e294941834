import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractLinks, parseCorpus } from '../../src/core/corpus.js';
import { formatPaperEmbed } from '../../src/core/format.js';
import { REAL_FILES, readFixture } from './formats/fixtures.js';

const SEED = readFileSync(new URL('../../seeds/000_ccff3ae36fc46473.txt', import.meta.url), 'utf8');
const parseSeed = () => parseCorpus(SEED, { file: 'seed.txt', referenceDate: '2026-11-29' });

const paper = (title: string, abstract: string, footer?: string) =>
  `${[title, '', abstract, '', ...(footer ? [footer, ''] : [])].join('\n')}\n`;

describe('parseCorpus on the seed page', () => {
  const { papers, warnings } = parseSeed();

  it('given the seed, then it reads exactly 51 papers and no warnings', () => {
    expect(papers).toHaveLength(51);
    expect(warnings).toEqual([]);
  });

  it('given the seed, then papers come in page order from the first title to the last', () => {
    expect(papers[0]!.title).toBe(
      'Low-Bit Quantization Favors Undertrained LLMs: Scaling Laws for Quantized LLMs with 100T Training Tokens',
    );
    expect(papers[1]!.title).toBe('All is Not Lost: LLM Recovery without Checkpoints');
    expect(papers[50]!.title).toMatch(/^Representational Capacity/);
    const lines = papers.map((p) => p.source.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it.each([
    // title prefix, authors, organization, published, comments, first line
    ['Low-Bit Quantization Favors Undertrained LLMs', 6, null, '2024-11-26', 5, 13],
    ['All is Not Lost: LLM Recovery without Checkpoints', null, 'Gensyn', '2025-06-18', 3, 21],
    ['The Fine Line', 16, null, '2024-04-01', null, 29],
    ['Magic Words or Methodical Work', 5, null, '2026-03-27', null, 61],
    ['Training Foundation Models on a Full-Stack AMD', null, 'Zyphra', '2025-11-21', 1, 125],
    ['Measuring Maximum Activations', null, 'BAIDU', '2026-05-14', 2, 149],
    ['Densing Law of LLMs', null, 'OpenBMB', '2024-12-05', 2, 253],
    ['Deep Learning Scaling is Predictable, Empirically', 9, null, '2017-12-01', null, 205],
    ['LLM.int8()', 4, null, '2022-08-15', 1, 277],
    ['Lying Is Just a Phase', 1, null, '2026-05-12', null, 333],
    ['Horizon-LM: A RAM-Centric Architecture for LLM Training', null, null, null, null, 397],
    ['Signal and Noise', 8, null, '2025-08-18', null, 401],
    ['Representational Capacity', 1, null, '2026-05-31', null, 409],
  ] as const)('given "%s", then its footer fields are read right', (prefix, authors, organization, published, comments, line) => {
    const found = papers.find((p) => p.title.startsWith(prefix));
    expect(found, prefix).toBeDefined();
    expect({
      authors: found!.authors,
      organization: found!.organization,
      published: found!.published,
      comments: found!.comments,
      line: found!.source.line,
    }).toEqual({
      authors,
      organization,
      published,
      comments,
      line,
    });
  });

  it('given Horizon-LM without a footer, then the next title starts the next paper (Signal and Noise)', () => {
    const index = papers.findIndex((p) => p.title.startsWith('Horizon-LM'));
    expect(papers[index]!.abstract).toMatch(/^The rapid growth of large language models/);
    expect(papers[index]!.abstract).toMatch(/large-model training\.$/);
    expect(papers[index + 1]!.title).toBe('Signal and Noise: A Framework for Reducing Uncertainty in Language Model Evaluation');
  });

  it('given abstracts with URLs, then their links are kept without trailing punctuation', () => {
    expect(papers[0]!.links).toEqual(['https://huggingface.co/Xu-Ouyang']);
    expect(papers[1]!.links).toEqual(['https://github.com/gensyn-ai/CheckFree']);
  });

  it('given every paper, then it has a unique URL-safe id of at most 64 characters', () => {
    const ids = new Set(papers.map((p) => p.id));
    expect(ids.size).toBe(51);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]{1,64}$/);
  });
});

describe('parseCorpus on tolerated variations', () => {
  const opts = { file: 'f.txt', referenceDate: '2026-06-22' };
  const base = [
    'new',
    '',
    'Daily Papers',
    '',
    'Jun 22',
    '',
    paper('First Paper', 'First abstract.', '  • 2 authors\n·\nJun 1, 2024 7'),
    paper('Second Paper', 'Second abstract.', 'acme ACME Labs\n·\nMar 27'),
  ].join('\n');
  const expected = parseCorpus(base, opts);

  it('given the base text, then it reads both papers', () => {
    expect(expected.papers.map((p) => [p.title, p.abstract, p.authors, p.organization, p.published, p.comments])).toEqual([
      ['First Paper', 'First abstract.', 2, null, '2024-06-01', 7],
      ['Second Paper', 'Second abstract.', null, 'ACME Labs', '2026-03-27', null],
    ]);
    expect(expected.warnings).toEqual([]);
  });

  it.each([
    ['a UTF-8 BOM', `\uFEFF${base}`],
    ['CRLF line ends', base.replace(/\n/g, '\r\n')],
    ['CR line ends', base.replace(/\n/g, '\r')],
    ['trailing spaces', base.replace(/\n/g, '   \n')],
    ['no final newline', base.trimEnd()],
    ['non-breaking and thin spaces', base.replace('First Paper', 'First\u00A0Paper').replace('2 authors', '2\u2009authors')],
    ['blank lines made of spaces', base.replace(/\n\n/g, '\n \u00A0 \n')],
    ['extra blank lines', base.replace(/\n\n/g, '\n\n\n\n')],
  ])('given %s, then the same papers are read', (_name, text) => {
    const result = parseCorpus(text, opts);
    expect(result.papers.map(({ source: _s, ...p }) => p)).toEqual(expected.papers.map(({ source: _s, ...p }) => p));
    expect(result.warnings).toEqual([]);
  });

  it('given an abstract wrapped over several lines, then its lines are joined with single spaces', () => {
    const text = paper('Wrapped', 'We study\n  wrapped   abstracts\nover three lines.', '• 1 authors\n·\nJan 2, 2020');
    expect(parseCorpus(text, opts).papers[0]!.abstract).toBe('We study wrapped abstracts over three lines.');
  });

  it("given a yearless date after the reference day, then it is last year's", () => {
    const text = paper('Late', 'Abstract.', '• 1 authors\n·\nDec 24');
    expect(parseCorpus(text, opts).papers[0]!.published).toBe('2025-12-24');
  });

  it('given a yearless Feb 29, then it is the latest leap day not after the reference day', () => {
    const text = paper('Leap', 'Abstract.', '• 1 authors\n·\nFeb 29');
    expect(parseCorpus(text, opts).papers[0]!.published).toBe('2024-02-29');
  });

  it('given a footer glued to the abstract without a blank line, then the footer is still read', () => {
    const text = 'Glued\n\nAn abstract.\n• 3 authors\n·\nMay 5, 2023 2\n';
    const [p] = parseCorpus(text, opts).papers;
    expect([p!.abstract, p!.authors, p!.published, p!.comments]).toEqual(['An abstract.', 3, '2023-05-05', 2]);
  });

  it('given a junk line before a title, then it is a warning with its line and the paper is still read', () => {
    const text = `${paper('Real Title', 'A long abstract. '.repeat(30).trim(), '• 2 authors\n·\nJun 1, 2024')}Load more\n\n${paper('Next Title', 'Another long abstract. '.repeat(30).trim())}`;
    const result = parseCorpus(text, opts);
    expect(result.papers.map((p) => p.title)).toEqual(['Real Title', 'Next Title']);
    expect(result.warnings).toEqual([{ file: 'f.txt', line: 9, message: 'line "Load more" is not part of any paper; skipped' }]);
  });

  it('given an unreadable date, then the paper is kept without a date and the date line is a warning', () => {
    const result = parseCorpus(paper('Odd Date', 'Abstract.', '• 2 authors\n·\nSmarch 99, 2024'), opts);
    expect(result.papers).toHaveLength(1);
    expect(result.papers[0]!.published).toBeNull();
    expect(result.warnings[0]).toMatchObject({ line: 7, message: expect.stringContaining('unreadable date') });
  });

  it('given an impossible day, then the paper is kept without a date and a warning says why', () => {
    const result = parseCorpus(paper('Bad Day', 'Abstract.', '• 2 authors\n·\nFeb 30, 2024'), opts);
    expect(result.papers[0]!.published).toBeNull();
    expect(result.warnings[0]!.message).toContain('not a real date');
  });

  it('given a title with no abstract at the end of the file, then it is a warning, not a paper', () => {
    const result = parseCorpus(`${paper('Good', 'Abstract.')}Dangling Title\n`, opts);
    expect(result.papers.map((p) => p.title)).toEqual(['Good']);
    expect(result.warnings).toEqual([{ file: 'f.txt', line: 5, message: 'title "Dangling Title" has no abstract; skipped' }]);
  });

  it('given a stray footer, then it is a warning with its line', () => {
    const result = parseCorpus(`${paper('Good', 'Abstract.', '• 1 authors\n·\nJan 1, 2020')}• 4 authors\n·\nJan 2, 2020\n`, opts);
    expect(result.papers).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ line: 9, message: expect.stringContaining('does not follow') });
  });

  it('given a paragraph where a title should be, then it is a warning and parsing goes on', () => {
    const result = parseCorpus(`Para line one\nline two\n\n${paper('Good', 'Abstract.')}`, opts);
    expect(result.papers.map((p) => p.title)).toEqual(['Good']);
    expect(result.warnings[0]).toMatchObject({ line: 1, message: expect.stringContaining('expected a paper title') });
  });

  it('given empty or whitespace-only text, then there are no papers and no warnings', () => {
    for (const text of ['', '\n\n', '\uFEFF', '   \r\n  ']) expect(parseCorpus(text, opts)).toEqual({ papers: [], warnings: [] });
  });
});

// The seven real captures live in test/fixtures/real (see its README), so a plain clone runs these too.
describe('parseCorpus on real page copies in other formats', () => {
  const files = Object.values(REAL_FILES);

  it('given test/fixtures/real, then every capture in it is one of those checked here', () => {
    const inFolder = readdirSync(new URL('../fixtures/real/', import.meta.url), { withFileTypes: true }).filter(
      (e) => e.isFile() && e.name !== 'README.md',
    );
    expect(inFolder.map((e) => e.name).sort()).toEqual([...files].sort());
  });

  it.each(files)('given %s, then it ends in papers or clear warnings without crashing', (file) => {
    const text = readFixture(file);
    const result = parseCorpus(text, { file, referenceDate: '2026-11-29' });
    expect(result.papers.length + result.warnings.length).toBeGreaterThan(0);
    for (const w of result.warnings) {
      expect(w.file).toBe(file);
      expect(w.line).toBeGreaterThanOrEqual(1);
      expect(w.message.length).toBeGreaterThan(10);
    }
  });
});

describe('parseCorpus on long titles', () => {
  const opts = { file: 'f.txt', referenceDate: '2026-06-22' };
  // Real titles run long: conference-style titles with subtitles and lists of methods exceed 300 characters.
  const LONG = `${'Scaling Sparse Mixture-of-Experts Language Models with Adaptive Routing, Expert Pruning, '.repeat(4)}and Quantisation: A Study`;
  const ABSTRACT = 'We study routing. '.repeat(30).trim();
  const FOOTER = '• 3 authors\n·\nJan 2, 2026 4';

  it('given a title longer than 300 characters followed by an abstract and a footer, then it is a paper with its whole title', () => {
    expect(LONG.length).toBeGreaterThan(300);
    const result = parseCorpus(
      `${paper('Short One', 'Abstract one.', FOOTER)}${paper(LONG, ABSTRACT, FOOTER)}${paper('Short Two', 'Abstract two.', FOOTER)}`,
      opts,
    );
    expect(result.warnings).toEqual([]);
    expect(result.papers.map((p) => p.title)).toEqual(['Short One', LONG, 'Short Two']);
    expect(result.papers[1]).toMatchObject({ abstract: ABSTRACT, authors: 3, published: '2026-01-02', comments: 4 });
  });

  it('given long-titled papers without a footer, then the structure (each at the end or before another paper) still places them', () => {
    const result = parseCorpus(
      `${paper(LONG, 'Abstract one.')}${paper(`${LONG} II`, 'Abstract two.')}${paper('Short', 'Abstract three.', FOOTER)}${paper(`${LONG} III`, ABSTRACT)}`,
      opts,
    );
    expect(result.warnings).toEqual([]);
    expect(result.papers.map((p) => [p.title.slice(-10), p.abstract.slice(0, 14)])).toEqual([
      [LONG.slice(-10), 'Abstract one.'],
      [`${LONG} II`.slice(-10), 'Abstract two.'],
      ['Short', 'Abstract three'],
      [`${LONG} III`.slice(-10), ABSTRACT.slice(0, 14)],
    ]);
  });

  it('given a stray line before a long title, then the line is the warning and the paper is kept', () => {
    const result = parseCorpus(`Load more\n\n${paper(LONG, 'Short abstract.', FOOTER)}`, opts);
    expect(result.papers.map((p) => p.title)).toEqual([LONG]);
    expect(result.warnings).toEqual([{ file: 'f.txt', line: 1, message: 'line "Load more" is not part of any paper; skipped' }]);
  });

  it('given a long one-line paragraph that lost its title, before a whole paper, then it is still a paragraph warning', () => {
    const result = parseCorpus(`${ABSTRACT}\n\n${paper('Good', 'Abstract.', FOOTER)}`, opts);
    expect(result.papers.map((p) => p.title)).toEqual(['Good']);
    expect(result.warnings).toEqual([
      { file: 'f.txt', line: 1, message: expect.stringContaining('expected a paper title (one line), found a paragraph') },
    ]);
  });

  it('given a parsed long title, then the Discord embed cuts it to 256 characters at a word, with an ellipsis', () => {
    const [parsed] = parseCorpus(paper(`${LONG} ${LONG}`, ABSTRACT, FOOTER), opts).papers;
    const embed = formatPaperEmbed(parsed!);
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    expect(embed.title!.endsWith('…')).toBe(true);
    expect(LONG.startsWith(embed.title!.slice(0, -1).trimEnd())).toBe(true);
  });
});

describe('extractLinks', () => {
  it.each([
    ['see https://example.com/a.', ['https://example.com/a']],
    ['(code: https://github.com/x/y)', ['https://github.com/x/y']],
    ['https://en.wikipedia.org/wiki/Foo_(bar) rocks', ['https://en.wikipedia.org/wiki/Foo_(bar)']],
    ['twice http://a.io and http://a.io', ['http://a.io']],
    ['not a link: https:// or http://localhost', []],
  ])('given "%s", then it finds %j', (text, links) => {
    expect(extractLinks(text)).toEqual(links);
  });

  // Regressions found by the soak fuzzer: both inputs used to take seconds (quadratic work).
  it('given 60,000 distinct links, then it keeps the first 50', () => {
    const links = extractLinks(Array.from({ length: 60_000 }, (_, i) => `https://example.org/${i}`).join(' '));
    expect(links).toHaveLength(50);
    expect(links[49]).toBe('https://example.org/49');
  });

  it('given a link followed by 30,000 closing brackets or dots, then they are trimmed', () => {
    expect(extractLinks(`https://a.io/x${')'.repeat(30_000)}`)).toEqual(['https://a.io/x']);
    expect(extractLinks(`https://a.io/x${'.'.repeat(30_000)} end`)).toEqual(['https://a.io/x']);
  });
});
