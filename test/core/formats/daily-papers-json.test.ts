import { describe, expect, it } from 'vitest';
import { readCorpusFile, readCorpusText } from '../../../src/core/formats/index.js';
import { REAL_FILES, WRITTEN_FILES, readFixture, readFixtureBytes } from './fixtures.js';

const context = (file: string) => ({ file, referenceDate: '2026-10-05' });
const read = (text: string, file = 'day.json') => readCorpusText(text, context(file));
const item = (paper: Record<string, unknown>, outer: Record<string, unknown> = {}) => ({
  paper: {
    id: '2411.17691',
    title: 'A Title',
    summary: 'We show that things work.',
    authors: [],
    publishedAt: '2024-11-26T10:00:00.000Z',
    upvotes: 5,
    ...paper,
  },
  publishedAt: '2024-11-27T08:00:00.000Z',
  title: 'A Title',
  numComments: 2,
  ...outer,
});

describe('reading the current daily papers API shape (written fixture)', () => {
  const { papers, warnings, format } = readCorpusFile(readFixtureBytes(WRITTEN_FILES.json), context('current.json'));

  it('given the current shape, then every item is a paper with no warnings', () => {
    expect(format).toBe('daily-papers-json');
    expect(warnings).toEqual([]);
    expect(papers.map((p) => p.arxivId)).toEqual(['2610.05608', '2609.18063', '2610.05162']);
  });

  it('given every enrichment field, then each is read under its name', () => {
    const { abstract, links: _links, id: _id, source: _source, ...fields } = papers[0]!;
    expect(abstract.startsWith('We present Kandinsky 6.0 Video, a family of foundation diffusion models for synchronized')).toBe(true);
    expect(fields).toEqual({
      title: 'Kandinsky 6.0 Video: Foundation Models for Synchronized Video and Audio Generation',
      authors: 4,
      organization: 'Kandinsky Lab',
      published: '2026-10-04',
      comments: 3,
      arxivId: '2610.05608',
      url: 'https://huggingface.co/papers/2610.05608',
      upvotes: 117,
      githubRepo: 'https://github.com/kandinskylab/kandinsky-6',
      githubStars: 131,
      projectPage: 'https://kandinskylab.ai/',
      aiSummary:
        'Kandinsky 6.0 Video generates 5-second clips with synchronized 44 kHz audio from a dual-stream diffusion transformer that joins a pretrained video stream and a new audio stream by cross-attention.',
      aiKeywords: ['text-to-audio-video', 'diffusion transformer', 'cross-attention', 'lip-sync', 'super-resolution'],
      authorNames: ['Author One', 'Author Two', 'Author Three'],
      addedAt: '2026-10-05',
    });
  });

  it('given an item without ai_summary, projectPage or organization, then those fields are absent, not empty', () => {
    expect(papers[1]!.aiSummary).toBeUndefined();
    expect(papers[1]!.projectPage).toBeUndefined();
    expect(papers[2]!.organization).toBeNull();
    expect(papers[2]!.aiKeywords).toBeUndefined();
  });

  it('given the same items as JSON Lines, then the same papers are read, each with its line', () => {
    const jsonl = readCorpusFile(readFixtureBytes(WRITTEN_FILES.jsonl), context('current.json'));
    expect(jsonl.format).toBe('daily-papers-jsonl');
    expect(jsonl.warnings).toEqual([]);
    expect(jsonl.papers.map(({ source, ...p }) => p)).toEqual(papers.map(({ source, ...p }) => p));
    expect(jsonl.papers.map((p) => p.source.line)).toEqual([1, 2, 3]);
  });
});

describe('reading a damaged or unusual daily papers response', () => {
  it('given a response cut off inside its last item, then the items before it are papers and the cut is one warning', () => {
    const text = readFixture(REAL_FILES['07']);
    const cut = text.slice(0, text.lastIndexOf('{"paper"') + 500);
    const result = read(cut);
    expect(result.papers).toHaveLength(28);
    expect(result.warnings).toEqual([
      { file: 'day.json', line: 1, message: 'the JSON is cut off inside item 29; that item was skipped, the 28 before it were read' },
    ]);
  });

  it('given a response cut off between items, then every complete item is read and the cut is one warning', () => {
    const text = JSON.stringify([item({ id: '2401.00001' }), item({ id: '2401.00002' })]);
    const result = read(text.slice(0, text.length - 1));
    expect(result.papers.map((p) => p.arxivId)).toEqual(['2401.00001', '2401.00002']);
    expect(result.warnings[0]!.message).toMatch(/does not close/);
  });

  it('given one item that is not a paper among good ones, then only that item is a warning, with its line', () => {
    const text = `[\n${JSON.stringify(item({ id: '2401.00001' }))},\n"oops",\n${JSON.stringify(item({ id: '2401.00003' }))}\n]`;
    const result = read(text);
    expect(result.papers.map((p) => p.arxivId)).toEqual(['2401.00001', '2401.00003']);
    expect(result.warnings).toEqual([
      { file: 'day.json', line: 3, message: 'item 2 is not a paper: it is a string, not an object; skipped' },
    ]);
  });

  it('given an arXiv id with a version, then the id is stored without it', () => {
    expect(read(JSON.stringify([item({ id: '2411.17691v2' })])).papers[0]!.arxivId).toBe('2411.17691');
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['http', 'http://github.com/a/b'],
    ['a masked link', '[click](https://evil.example)'],
    ['a host without a dot', 'https://localhost/x'],
    ['credentials', 'https://user:pass@github.com/a/b'],
    ['spaces', 'https://github.com/a b'],
    ['a number', 42],
  ])('given a githubRepo and projectPage with %s, then they are dropped', (_name, url) => {
    const [paper] = read(JSON.stringify([item({ githubRepo: url, projectPage: url })])).papers;
    expect(paper!.githubRepo).toBeUndefined();
    expect(paper!.projectPage).toBeUndefined();
  });

  it('given fields of the wrong type, then they are ignored and the paper is still read', () => {
    const [paper] = read(
      JSON.stringify([
        item(
          { upvotes: '12', githubStars: -3, ai_keywords: 'nlp', ai_summary: 7, authors: 'many', publishedAt: 'yesterday' },
          { numComments: 1.5 },
        ),
      ]),
    ).papers;
    expect(paper).toMatchObject({ title: 'A Title', authors: null, published: null, comments: null });
    expect(paper!.upvotes).toBeUndefined();
    expect(paper!.githubStars).toBeUndefined();
    expect(paper!.aiKeywords).toBeUndefined();
    expect(paper!.aiSummary).toBeUndefined();
  });

  it('given an object from GET /api/papers/{id} (no wrapper), then it is one paper', () => {
    const result = read(
      JSON.stringify({ id: '2401.00009', title: 'Bare Paper', summary: 'We read bare papers.', upvotes: 3, authors: [{ name: 'A' }] }),
    );
    expect(result.papers).toHaveLength(1);
    expect(result.papers[0]).toMatchObject({ title: 'Bare Paper', arxivId: '2401.00009', upvotes: 3, authorNames: ['A'] });
  });

  it('given a JSON Lines file with a bad line and a cut-off last line, then the good lines are papers and each bad line is a warning', () => {
    const text = `${JSON.stringify(item({ id: '2401.00001' }))}\n{"paper": nope}\n${JSON.stringify(item({ id: '2401.00003' }))}\n{"paper": {"id": "2401.0`;
    const result = read(text, 'day.jsonl');
    expect(result.format).toBe('daily-papers-jsonl');
    expect(result.papers.map((p) => p.arxivId)).toEqual(['2401.00001', '2401.00003']);
    expect(result.warnings.map((w) => [w.line, w.message.split(' (')[0]])).toEqual([
      [2, 'not valid JSON'],
      [4, 'the last line is cut off'],
    ]);
  });

  it('given an empty list, then there are no papers and no warnings', () => {
    expect(read('[]')).toMatchObject({ papers: [], warnings: [], quarantined: false });
  });
});
