import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPaperMessage } from '../../src/core/format.js';
import { renderMessageText } from '../../src/core/format-console.js';
import { describePaperMeta, formatPaperText } from '../../src/core/format-text.js';
import { readCorpusText } from '../../src/core/formats/index.js';
import { type Paper, paperId } from '../../src/core/paper.js';

const text = readFileSync(new URL('../fixtures/real/written/daily-papers-current-2026-10-05.json', import.meta.url), 'utf8');
const [kandinsky, , memAdapter] = readCorpusText(text, { file: 'current.json', referenceDate: '2026-10-05' }).papers;
const base: Paper = {
  id: paperId('A Paper'),
  title: 'A Paper',
  abstract: 'First sentence. Second sentence.',
  authors: 3,
  organization: null,
  published: '2024-11-26',
  comments: 1,
  links: [],
  source: { file: 'f.txt', line: 1 },
};

describe('a card in the terminal (console mode and --dry-run)', () => {
  const rendered = renderMessageText(formatPaperMessage(kandinsky!), 80);
  const lines = rendered.split('\n');

  it('given a card with every enrichment, then the terminal shows the links spelled out, the stars, upvotes and comments', () => {
    expect(lines.slice(0, 5)).toEqual([
      'Kandinsky 6.0 Video: Foundation Models for Synchronized Video and Audio',
      'Generation',
      '  https://huggingface.co/papers/2610.05608',
      '  Organisation: Kandinsky Lab · Authors: Author One, Author Two, Author Three +1',
      '  more · Published: 4 Oct 2026 · Upvotes: ▲ 117 · Comments: 3',
    ]);
    expect(rendered).toContain('\n  Paper:\n    arXiv: https://arxiv.org/abs/2610.05608\n    PDF: https://arxiv.org/pdf/2610.05608\n');
    expect(rendered).toContain('\n  Code:\n    https://github.com/kandinskylab/kandinsky-6 ★ 131\n');
    expect(rendered).toContain('\n  Project page:\n    https://kandinskylab.ai/\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('given an AI summary, then it is its own labelled paragraph before the abstract', () => {
    const tldr = lines.findIndex((line) => line.startsWith('  TL;DR (AI-generated): Kandinsky 6.0 Video generates'));
    const abstract = lines.findIndex((line) => line.startsWith('  We present Kandinsky 6.0 Video'));
    expect(tldr).toBeGreaterThan(0);
    expect(abstract).toBeGreaterThan(tldr);
    expect(lines[abstract - 1]).toBe('');
    expect(lines.slice(tldr, abstract - 1).join(' ')).not.toContain('We present');
  });

  it("given corpus text shaped like a masked link or an autolink, then the terminal shows it as written, not as a link of Paperboy's", () => {
    const out = renderMessageText(
      formatPaperMessage({
        ...base,
        title: '[PDF](https://evil.example) <https://evil.example>',
        aiSummary: '[arXiv](https://evil.example/x)',
      }),
    );
    expect(out.split('\n')[0]).toBe('[PDF](https://evil.example) <https://evil.example>');
    expect(out).toContain('TL;DR (AI-generated): [arXiv](https://evil.example/x)');
  });
});

describe('formatPaperText (paperboy show)', () => {
  it('given a paper with every enrichment, then it lists its page, arXiv, PDF, code with stars, project page, authors, keywords and the labelled AI summary', () => {
    const out = formatPaperText(kandinsky!, 100);
    expect(out.split('\n').slice(0, 15)).toEqual([
      'Kandinsky 6.0 Video: Foundation Models for Synchronized Video and Audio Generation',
      '',
      '  id:       kandinsky-6-0-video-foundation-models-for-545521679f',
      '  meta:     2026-10-04 · 4 authors · Kandinsky Lab · 117 upvotes · 3 comments',
      '  authors:  Author One, Author Two, Author Three +1 more',
      '  added:    2026-10-05 (to Daily Papers)',
      '  page:     https://huggingface.co/papers/2610.05608',
      '  arXiv:    https://arxiv.org/abs/2610.05608',
      '  PDF:      https://arxiv.org/pdf/2610.05608',
      '  code:     https://github.com/kandinskylab/kandinsky-6 (★ 131)',
      '  project:  https://kandinskylab.ai/',
      '  keywords: text-to-audio-video, diffusion transformer, cross-attention, lip-sync, super-resolution',
      '            (AI-generated)',
      '  source:   current.json:2',
      '',
    ]);
    expect(out).toContain(`\n\n  TL;DR (AI-generated): ${kandinsky!.aiSummary!.slice(0, 40)}`);
    expect(out.indexOf('TL;DR')).toBeLessThan(out.indexOf('We present Kandinsky'));
  });

  it('given an abstract link that is the code repository, then it is listed once', () => {
    expect(memAdapter!.links).toEqual(['https://github.com/DEEP-JLU/MemAdapter']);
    const header = formatPaperText(memAdapter!).split('\n\n')[1]!;
    expect(header.match(/https:\/\/github\.com\/DEEP-JLU\/MemAdapter/g)).toHaveLength(1);
    expect(header).toContain('  code:     https://github.com/DEEP-JLU/MemAdapter (★ 21)');
    expect(header).not.toMatch(/links:/);
  });

  it('given a paper without arXiv id or page, then no page line (a search is no address of the paper)', () => {
    expect(formatPaperText(base)).not.toMatch(/page:|arXiv:|PDF:/);
  });

  it('given hostile addresses and terminal control sequences, then no bad address is listed and no control character is printed', () => {
    const out = formatPaperText({
      ...base,
      title: 'Title \u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 \u001b[2J',
      aiSummary: 'sum\u001b[31mred\u009b',
      githubRepo: 'javascript:alert(1)',
      projectPage: 'https://user:pw@evil.example/',
      url: 'http://example.org/',
      authorNames: ['Ada\u0000 Lovelace'],
      aiKeywords: ['k\u0007'],
    });
    expect(out).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/);
    expect(out).not.toMatch(/javascript:|user:pw|code:|project:|page:/);
    expect(out).toContain('  authors:  Ada Lovelace');
  });
});

describe('describePaperMeta', () => {
  it.each<[Partial<Paper>, string]>([
    [{}, '2024-11-26 · 3 authors · 1 comment'],
    [{ upvotes: 1 }, '2024-11-26 · 3 authors · 1 upvote · 1 comment'],
    [{ upvotes: 12345, comments: null }, '2024-11-26 · 3 authors · 12,345 upvotes'],
    [{ upvotes: -1 }, '2024-11-26 · 3 authors · 1 comment'],
  ])('given %j, then it reads %j', (over, expected) => {
    expect(describePaperMeta({ ...base, ...over })).toBe(expected);
  });
});
