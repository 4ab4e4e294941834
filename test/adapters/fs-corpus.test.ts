import { mkdtemp, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CorpusDirectoryError, loadCorpus } from '../../src/adapters/fs-corpus.js';

const MIXED = new URL('../fixtures/corpus/mixed/', import.meta.url).pathname;
const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-corpus-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('loadCorpus on the mixed fixture directory', () => {
  it('given files in several shapes, then every *.txt is read in file-name order and other files are ignored', async () => {
    const corpus = await loadCorpus(MIXED, { referenceDate: '2026-06-22' });
    expect(corpus.files.map((f) => f.file)).toEqual(['01-bom-crlf.txt', '02-wrapped-missing-footer.txt', '03-duplicates-and-junk.txt', '04-binary.txt', '05-latin1.txt']);
    expect(corpus.papers.map((p) => p.title)).toEqual([
      'Sparse Mixture of Experts at Scale',
      'Tiny Recursive Reasoners',
      'Wrapped Abstracts Are Joined',
      'A Paper Without Footer',
      'The Paper After It',
      'Quantised Transformers on Phones',
    ]);
  });

  it('given a BOM and CRLF line ends, then fields are read as in a clean file', async () => {
    const { papers } = await loadCorpus(MIXED, { referenceDate: '2026-06-22' });
    expect(papers[0]).toMatchObject({ authors: 12, published: '2025-03-03', comments: 4, links: ['https://github.com/example/smoe'], source: { file: '01-bom-crlf.txt', line: 7 } });
    expect(papers[1]).toMatchObject({ organization: 'Google DeepMind', published: '2026-06-20', comments: null });
  });

  it('given a wrapped abstract with odd spaces, then it is one paragraph with single spaces', async () => {
    const { papers } = await loadCorpus(MIXED, { referenceDate: '2026-06-22' });
    expect(papers[2]!.abstract).toBe('This abstract was saved by a tool that wraps lines at about forty characters, with trailing spaces and non-breaking spaces.');
    expect(papers[3]).toMatchObject({ title: 'A Paper Without Footer', published: null, authors: null });
  });

  it('given duplicates, junk, binary and non-UTF-8 files, then each is a warning with file and line and nothing crashes', async () => {
    const { warnings } = await loadCorpus(MIXED, { referenceDate: '2026-06-22' });
    expect(warnings).toEqual([
      { file: '03-duplicates-and-junk.txt', line: 7, message: 'duplicate of "Sparse Mixture of Experts at Scale" (01-bom-crlf.txt:7); the first copy is kept' },
      { file: '03-duplicates-and-junk.txt', line: 15, message: 'line "Load more" is not part of any paper; skipped' },
      { file: '04-binary.txt', line: 1, message: 'is not UTF-8 text (an invalid byte sequence at line 1); skipped the whole file' },
      { file: '05-latin1.txt', line: 3, message: 'is not UTF-8 text (an invalid byte sequence at line 3); skipped the whole file' },
    ]);
  });
});

describe('loadCorpus on edge directories', () => {
  it('given an empty directory, then there are no papers, no files and no warnings', async () => {
    expect(await loadCorpus(await tempDir())).toMatchObject({ papers: [], warnings: [], files: [] });
  });

  it('given a missing directory, then a CorpusDirectoryError names it and the fix', async () => {
    await expect(loadCorpus('/nonexistent/paperboy')).rejects.toThrow(CorpusDirectoryError);
    await expect(loadCorpus('/nonexistent/paperboy')).rejects.toThrow(/\/nonexistent\/paperboy does not exist; set CORPUS_DIR/);
  });

  it('given no reference date, then yearless dates are read against the file\'s modification day', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a.txt');
    await writeFile(file, 'Title One\n\nAbstract.\n\n• 1 authors\n·\nDec 24\n');
    await utimes(file, new Date('2026-03-01T12:00:00Z'), new Date('2026-03-01T12:00:00Z'));
    expect((await loadCorpus(dir)).papers[0]!.published).toBe('2025-12-24');
    await utimes(file, new Date('2026-12-25T12:00:00Z'), new Date('2026-12-25T12:00:00Z'));
    expect((await loadCorpus(dir)).papers[0]!.published).toBe('2026-12-24');
  });

  it('given a NUL byte in otherwise valid UTF-8, then the file is skipped as binary with the line of the byte', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'nul.txt'), 'Title\n\nAbs\u0000tract\n');
    expect((await loadCorpus(dir)).warnings).toEqual([{ file: 'nul.txt', line: 3, message: 'is not UTF-8 text (a NUL byte at line 3); skipped the whole file' }]);
  });

  it('given a sub-directory named like a corpus file, then it is ignored', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'folder.txt'));
    expect((await loadCorpus(dir)).files).toEqual([]);
  });
});

describe('loadCorpus with a cache', () => {
  it('given an unchanged file, then it is not parsed again; given a changed one, then it is', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a.txt');
    await writeFile(file, 'Title One\n\nAbstract.\n');
    const cache = new Map();
    const first = await loadCorpus(dir, { cache });
    const second = await loadCorpus(dir, { cache });
    expect(second.papers[0]).toBe(first.papers[0]);
    await writeFile(file, 'Title One\n\nAbstract.\n\nTitle Two\n\nAnother abstract.\n');
    await utimes(file, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    const third = await loadCorpus(dir, { cache });
    expect(third.papers.map((p) => p.title)).toEqual(['Title One', 'Title Two']);
  });
});
