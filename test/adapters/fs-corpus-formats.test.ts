import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import { paperId } from '../../src/core/paper.js';

const REAL = new URL('../fixtures/real/', import.meta.url).pathname;
const SEED = new URL('../../seeds/000_ccff3ae36fc46473.txt', import.meta.url).pathname;
const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-formats-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const PAGE = 'Title One\n\nAbstract one, long enough to read as prose.\n\n• 1 authors\n·\nDec 24, 2025\n';

/** One item of `GET /api/daily_papers` in its 2024 shape. */
function apiItem(id: string, title: string, summary: string, upvotes: number, extra: Record<string, unknown> = {}) {
  return {
    paper: { id, title, summary, upvotes, publishedAt: '2024-11-26T10:00:00.000Z', authors: [{ name: 'A. Author' }], ...extra },
    publishedAt: '2024-11-27T09:00:00.000Z',
    title,
    numComments: 1,
  };
}

describe('loadCorpus reads every format, sub-folders included', () => {
  it('given .txt, .md, .json and .jsonl files in sub-folders, then each is read by the format its content has, in path order', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'hf-daily'));
    await mkdir(join(dir, 'pages', 'older'), { recursive: true });
    await cp(join(REAL, '07-d-api-json-daily-2024-10-25.json'), join(dir, 'hf-daily', '2024-10-25.json'));
    await cp(join(REAL, 'written', 'daily-papers-current-2026-10-05.jsonl'), join(dir, 'hf-daily', '2026-10-05.jsonl'));
    await cp(join(REAL, '03-c-markdown-q-source-citations.md'), join(dir, 'pages', 'older', 'citations.md'));
    await cp(join(REAL, '01-b-plaintext-urls-daily-2026-03-27.txt'), join(dir, 'pages', 'daily.txt'));
    await writeFile(join(dir, 'a-seed.txt'), PAGE);
    const corpus = await loadCorpus(dir, { referenceDate: '2026-11-29' });
    expect(corpus.files.map((f) => [f.file, f.format, f.papers])).toEqual([
      ['a-seed.txt', 'plain-text', 1],
      ['hf-daily/2024-10-25.json', 'daily-papers-json', 29],
      ['hf-daily/2026-10-05.jsonl', 'daily-papers-jsonl', 3],
      ['pages/daily.txt', 'url-lines', 29],
      ['pages/older/citations.md', 'markdown-links', 120],
    ]);
    expect(corpus.papers).toHaveLength(1 + 29 + 3 + 29 + 120);
    expect(corpus.papers[1]).toMatchObject({ id: corpus.papers[1]!.arxivId, source: { file: 'hf-daily/2024-10-25.json' } });
    expect(corpus.problems).toEqual([]);
  });

  it('given the arXiv feed snapshots a fetch writes (arxiv/<category>/<day>.xml), then their papers are read like any other file', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'arxiv', 'cs.CL'), { recursive: true });
    await cp(
      new URL('../fixtures/sources/arxiv/cs.CL-2026-10-06.xml', import.meta.url).pathname,
      join(dir, 'arxiv', 'cs.CL', '2026-10-06.xml'),
    );
    const corpus = await loadCorpus(dir);
    expect(corpus.files.map((f) => [f.file, f.format, f.papers])).toEqual([['arxiv/cs.CL/2026-10-06.xml', 'arxiv-rss', 3]]);
    expect(corpus.papers.map((p) => p.arxivId)).toEqual(['2610.04101', '2610.04187', '2610.03950']);
  });

  it("given dot-files and dot-folders (a fetcher's .etags.json, a ConfigMap's ..data), then none of them is read", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.txt'), PAGE);
    await writeFile(join(dir, '.etags.json'), '{"2026-10-05": "W/\\"abc\\""}');
    await mkdir(join(dir, '.cache'));
    await writeFile(join(dir, '.cache', 'b.txt'), PAGE.replace('Title One', 'Hidden Title'));
    await mkdir(join(dir, '..2026_06_22'));
    await writeFile(join(dir, '..2026_06_22', 'c.txt'), PAGE.replace('Title One', 'Mounted Title'));
    await symlink('..2026_06_22', join(dir, '..data'));
    await writeFile(join(dir, 'notes.yaml'), 'not: a corpus file\n');
    const corpus = await loadCorpus(dir);
    expect(corpus.files.map((f) => f.file)).toEqual(['a.txt']);
    expect(corpus.papers.map((p) => p.title)).toEqual(['Title One']);
    expect(corpus.warnings).toEqual([]);
  });

  it('given a link in a sub-folder to a file in another sub-folder, then the file is read once, and a link to a folder is not followed', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    await writeFile(join(dir, 'b', 'page.txt'), PAGE);
    await symlink(join('..', 'b', 'page.txt'), join(dir, 'a', 'alias.txt'));
    await symlink('b', join(dir, 'c'));
    const corpus = await loadCorpus(dir);
    expect(corpus.papers.map((p) => p.source.file)).toEqual(['b/page.txt']);
    expect(corpus.warnings).toEqual([
      { file: 'a/alias.txt', line: 0, message: 'is a symbolic link to b/page.txt, which is read already; skipped' },
    ]);
    expect(corpus.problems).toEqual([]);
  });
});

describe('loadCorpus reports skipped and quarantined files', () => {
  it('given a damaged copy (a browser copy-paste without its URL lines), then it is quarantined as a whole and named as a problem', async () => {
    const dir = await tempDir();
    const text = await readFile(join(REAL, '01-b-plaintext-urls-daily-2026-03-27.txt'), 'utf8');
    await writeFile(
      join(dir, 'copied.txt'),
      text
        .split('\n')
        .filter((line) => !/^\s*https?:\/\//.test(line))
        .join('\n'),
    );
    await writeFile(join(dir, 'good.txt'), PAGE);
    const corpus = await loadCorpus(dir, { referenceDate: '2026-03-27' });
    expect(corpus.papers.map((p) => p.title)).toEqual(['Title One']);
    expect(corpus.files[0]).toMatchObject({ file: 'copied.txt', format: 'plain-text', papers: 0, warnings: 1, quarantined: true });
    expect(corpus.warnings[0]!.message).toMatch(/^quarantined: read as plain-text page copy/);
    expect(corpus.problems).toEqual([
      {
        file: 'copied.txt',
        problem:
          'quarantined: read as plain-text, but its entries do not look like papers (a damaged or unknown layout), so nothing from it is posted',
      },
    ]);
  });

  it('given a file in a known format none of whose entries is a paper, then it is named as a problem; an empty day is not', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'no-title.json'), '[{"paper": {"id": "2410.17243"}}]');
    await writeFile(join(dir, 'empty-day.json'), '[]');
    const corpus = await loadCorpus(dir);
    expect(corpus.files.map((f) => [f.file, f.format, f.papers])).toEqual([
      ['empty-day.json', 'daily-papers-json', 0],
      ['no-title.json', 'daily-papers-json', 0],
    ]);
    expect(corpus.problems).toEqual([
      { file: 'no-title.json', problem: 'read as daily-papers-json, but none of its entries is a paper (see its warnings)' },
    ]);
  });

  it('given an empty file, then it gives no papers and is not a problem', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'empty.json'), '');
    const corpus = await loadCorpus(dir);
    expect(corpus.files).toEqual([{ file: 'empty.json', format: null, papers: 0, warnings: 1, bytes: 0, quarantined: false }]);
    expect(corpus.problems).toEqual([]);
  });
});

describe('loadCorpus identifies and merges papers across files and formats', () => {
  it('given the seed and an API snapshot holding two of its papers, then each is one paper identified by its arXiv id, richest field by field', async () => {
    const dir = await tempDir();
    await cp(SEED, join(dir, 'seed.txt'));
    const seed = (await loadCorpus(dir, { referenceDate: '2026-11-29' })).papers;
    const [first, second] = seed;
    await mkdir(join(dir, 'hf-daily'));
    await writeFile(
      join(dir, 'hf-daily', '2024-11-27.json'),
      JSON.stringify([
        apiItem('2411.17691v2', first!.title, 'Short.', 40, { ai_keywords: ['quantization'] }),
        apiItem('2411.00001', second!.title, second!.abstract, 7),
      ]),
    );
    const corpus = await loadCorpus(dir, { referenceDate: '2026-11-29' });
    expect(corpus.papers).toHaveLength(seed.length);
    // Merged papers stay where their first copy is (path order: hf-daily/ before seed.txt).
    const merged = corpus.papers.filter((p) => p.arxivId);
    expect(merged.map((p) => [p.id, p.title, p.source.file, p.aliases])).toEqual([
      ['2411.17691', first!.title, 'hf-daily/2024-11-27.json', [paperId(first!.title)]],
      ['2411.00001', second!.title, 'hf-daily/2024-11-27.json', [paperId(second!.title)]],
    ]);
    // The seed's full abstract beats the API's one-word one; upvotes and keywords come from the API copy.
    expect(merged[0]).toMatchObject({
      abstract: first!.abstract,
      upvotes: 40,
      aiKeywords: ['quantization'],
      comments: first!.comments,
      published: first!.published,
    });
    expect(corpus.warnings).toEqual([
      {
        file: 'seed.txt',
        line: first!.source.line,
        message: `same paper (by title) as "${first!.title}" at hf-daily/2024-11-27.json:1; the copies were merged field by field`,
      },
      {
        file: 'seed.txt',
        line: second!.source.line,
        message: `same paper (by title) as "${second!.title}" at hf-daily/2024-11-27.json:1; the copies were merged field by field`,
      },
    ]);
    expect(corpus.files.map((f) => [f.file, f.papers, f.warnings])).toEqual([
      ['hf-daily/2024-11-27.json', 2, 0],
      ['seed.txt', seed.length - 2, 2],
    ]);
  });

  it('given a title typo fixed in a later snapshot of the same arXiv paper, then it stays one paper with the same id and the fixed title', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, '2024-11-27.json'),
      JSON.stringify([apiItem('2411.17691', 'Low-Bit Quantizaton Favors Undertrained LLMs', 'An abstract that reads as prose.', 10)]),
    );
    const before = await loadCorpus(dir);
    await writeFile(
      join(dir, '2024-11-28.json'),
      JSON.stringify([apiItem('2411.17691', 'Low-Bit Quantization Favors Undertrained LLMs', 'An abstract that reads as prose.', 25)]),
    );
    const after = await loadCorpus(dir);
    expect(before.papers.map((p) => p.id)).toEqual(['2411.17691']);
    expect(after.papers.map((p) => [p.id, p.title, p.upvotes])).toEqual([
      ['2411.17691', 'Low-Bit Quantization Favors Undertrained LLMs', 25],
    ]);
    expect(after.papers[0]!.aliases).toEqual([
      paperId('Low-Bit Quantizaton Favors Undertrained LLMs'),
      paperId('Low-Bit Quantization Favors Undertrained LLMs'),
    ]);
  });

  it('given an unchanged API snapshot and a cache, then its papers are not read again (the same objects come back)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'day.json'), JSON.stringify([apiItem('2411.17691', 'A Title', 'An abstract that reads as prose.', 10)]));
    const cache = new Map();
    const first = await loadCorpus(dir, { cache });
    const second = await loadCorpus(dir, { cache });
    expect(first.papers[0]!.id).toBe('2411.17691');
    expect(second.papers[0]).toBe(first.papers[0]);
  });
});
