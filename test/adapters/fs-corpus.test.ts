import { mkdtemp, realpath, rm, utimes, writeFile, mkdir, rename, symlink } from 'node:fs/promises';
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
  it('given files in several shapes, then every corpus file is read in file-name order, each by the format its content has', async () => {
    const corpus = await loadCorpus(MIXED, { referenceDate: '2026-06-22' });
    expect(corpus.files.map((f) => [f.file, f.format])).toEqual([
      ['01-bom-crlf.txt', 'plain-text'],
      ['02-wrapped-missing-footer.txt', 'plain-text'],
      ['03-duplicates-and-junk.txt', 'plain-text'],
      ['04-binary.txt', null],
      ['05-latin1.txt', 'plain-text'],
      ['notes.md', null],
    ]);
    expect(corpus.papers.map((p) => p.title)).toEqual([
      // The later copy (03) is the newer one: its title wins, the paper stays where its first copy is.
      'sparse mixture of experts, at  scale!',
      'Tiny Recursive Reasoners',
      'Wrapped Abstracts Are Joined',
      'A Paper Without Footer',
      'The Paper After It',
      'Quantised Transformers on Phones',
      'Cafe Paper',
    ]);
  });

  it('given a BOM and CRLF line ends, then fields are read as in a clean file', async () => {
    const { papers } = await loadCorpus(MIXED, { referenceDate: '2026-06-22' });
    expect(papers[0]).toMatchObject({
      authors: 12,
      published: '2025-03-03',
      comments: 4,
      links: ['https://github.com/example/smoe'],
      source: { file: '01-bom-crlf.txt', line: 7 },
    });
    expect(papers[1]).toMatchObject({ organization: 'Google DeepMind', published: '2026-06-20', comments: null });
  });

  it('given a wrapped abstract with odd spaces, then it is one paragraph with single spaces', async () => {
    const { papers } = await loadCorpus(MIXED, { referenceDate: '2026-06-22' });
    expect(papers[2]!.abstract).toBe(
      'This abstract was saved by a tool that wraps lines at about forty characters, with trailing spaces and non-breaking spaces.',
    );
    expect(papers[3]).toMatchObject({ title: 'A Paper Without Footer', published: null, authors: null });
  });

  it('given duplicates, junk, binary, non-UTF-8 and unknown files, then each is a warning with file and line and nothing crashes', async () => {
    const { warnings, problems } = await loadCorpus(MIXED, { referenceDate: '2026-06-22' });
    expect(warnings.slice(0, 4)).toEqual([
      {
        file: '03-duplicates-and-junk.txt',
        line: 7,
        message:
          'same paper (by title) as "sparse mixture of experts, at  scale!" at 01-bom-crlf.txt:7; the copies were merged field by field',
      },
      { file: '03-duplicates-and-junk.txt', line: 15, message: 'line "Load more" is not part of any paper; skipped' },
      { file: '04-binary.txt', line: 3, message: 'looks like a binary file (a NUL byte at line 3), not text; skipped' },
      {
        file: '05-latin1.txt',
        line: 3,
        message:
          'is not valid UTF-8: byte 0xE9 at line 3 was replaced with "\uFFFD"; the file was read anyway (save it as UTF-8 to fix this)',
      },
    ]);
    expect(warnings.slice(4)).toEqual([
      {
        file: 'notes.md',
        line: 1,
        message: expect.stringMatching(/^no corpus format recognises this file \(expected one of: .*\); skipped$/),
      },
    ]);
    expect(problems).toEqual([
      { file: '04-binary.txt', problem: 'not text (a binary file)' },
      { file: 'notes.md', problem: 'no corpus format recognises it' },
    ]);
  });

  it('given a stray Latin-1 byte, then the file is read with the byte replaced and a warning names its line', async () => {
    const corpus = await loadCorpus(MIXED, { referenceDate: '2026-06-22' });
    expect(corpus.papers.at(-1)).toMatchObject({
      title: 'Cafe Paper',
      abstract: 'An abstract with a Latin-1 \uFFFD.',
      source: { file: '05-latin1.txt', line: 1 },
    });
    expect(corpus.files.find((f) => f.file === '05-latin1.txt')).toMatchObject({
      format: 'plain-text',
      papers: 1,
      warnings: 1,
      quarantined: false,
    });
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

  it("given no reference date, then yearless dates are read against the file's modification day", async () => {
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
    const corpus = await loadCorpus(dir);
    expect(corpus.warnings).toEqual([
      { file: 'nul.txt', line: 3, message: 'looks like a binary file (a NUL byte at line 3), not text; skipped' },
    ]);
    expect(corpus.problems).toEqual([{ file: 'nul.txt', problem: 'not text (a binary file)' }]);
  });

  it('given a sub-directory named like a corpus file, then it is ignored', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'folder.txt'));
    expect((await loadCorpus(dir)).files).toEqual([]);
  });
});

const PAGE_A = 'Title One\n\nAbstract one.\n\n• 1 authors\n·\nDec 24, 2025\n';
const PAGE_B = 'Title Two\n\nAbstract two.\n\n• 2 authors\n·\nDec 25, 2025\n';

describe('loadCorpus with symbolic links', () => {
  it('given a Kubernetes ConfigMap mount (file -> ..data/file, ..data -> ..timestamp), then each file is read once, without warnings', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '..2026_06_22_10_00_00.1234'));
    await writeFile(join(dir, '..2026_06_22_10_00_00.1234', 'a.txt'), PAGE_A);
    await writeFile(join(dir, '..2026_06_22_10_00_00.1234', 'b.txt'), PAGE_B);
    await symlink('..2026_06_22_10_00_00.1234', join(dir, '..data'));
    await symlink(join('..data', 'a.txt'), join(dir, 'a.txt'));
    await symlink(join('..data', 'b.txt'), join(dir, 'b.txt'));
    const corpus = await loadCorpus(dir);
    expect(corpus.papers.map((p) => p.title)).toEqual(['Title One', 'Title Two']);
    expect(corpus.papers.map((p) => p.source.file)).toEqual(['a.txt', 'b.txt']);
    expect(corpus.warnings).toEqual([]);
    expect(corpus.files.map((f) => f.file)).toEqual(['a.txt', 'b.txt']);
  });

  it('given a ConfigMap update (..data swapped to a new timestamped folder), then a cached load reads the new content', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '..v1'));
    await writeFile(join(dir, '..v1', 'a.txt'), PAGE_A);
    await utimes(join(dir, '..v1', 'a.txt'), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    await symlink('..v1', join(dir, '..data'));
    await symlink(join('..data', 'a.txt'), join(dir, 'a.txt'));
    const cache = new Map();
    expect((await loadCorpus(dir, { cache })).papers.map((p) => p.title)).toEqual(['Title One']);
    await mkdir(join(dir, '..v2'));
    await writeFile(join(dir, '..v2', 'a.txt'), PAGE_A + '\n' + PAGE_B);
    await symlink('..v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    expect((await loadCorpus(dir, { cache })).papers.map((p) => p.title)).toEqual(['Title One', 'Title Two']);
  });

  it('given a broken link, then it is skipped with a warning that names the file and its target', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.txt'), PAGE_A);
    await symlink('gone.txt', join(dir, 'broken.txt'));
    const corpus = await loadCorpus(dir);
    expect(corpus.papers.map((p) => p.title)).toEqual(['Title One']);
    expect(corpus.warnings).toEqual([
      { file: 'broken.txt', line: 0, message: 'is a broken symbolic link to gone.txt, which does not exist; skipped' },
    ]);
    expect(corpus.files).toContainEqual({
      file: 'broken.txt',
      format: null,
      papers: 0,
      warnings: 1,
      bytes: 0,
      quarantined: false,
      problem: 'a broken symbolic link to gone.txt',
    });
    expect(corpus.problems).toEqual([{ file: 'broken.txt', problem: 'a broken symbolic link to gone.txt' }]);
  });

  it('given a link to a file outside the folder, then it is not read and a warning names the file and where it points', async () => {
    const outside = await tempDir();
    await writeFile(join(outside, 'secret.txt'), PAGE_B);
    const dir = await tempDir();
    await writeFile(join(dir, 'a.txt'), PAGE_A);
    await symlink(join(outside, 'secret.txt'), join(dir, 'escape.txt'));
    await symlink(join('..', outside.split('/').pop()!, 'secret.txt'), join(dir, 'relative-escape.txt'));
    const corpus = await loadCorpus(dir);
    const secret = join(await realpath(outside), 'secret.txt');
    expect(corpus.papers.map((p) => p.title)).toEqual(['Title One']);
    expect(corpus.warnings.map((w) => `${w.file}: ${w.message}`)).toEqual([
      `escape.txt: is a symbolic link to ${secret}, outside the corpus directory; skipped (copy the file into the directory instead)`,
      `relative-escape.txt: is a symbolic link to ${secret}, outside the corpus directory; skipped (copy the file into the directory instead)`,
    ]);
  });

  it('given a link to another corpus file or to a directory, then nothing is read twice and the directory is ignored', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'b.txt'), PAGE_B);
    await symlink('b.txt', join(dir, 'a-alias.txt'));
    await mkdir(join(dir, 'sub'));
    await symlink('sub', join(dir, 'folder.txt'));
    const corpus = await loadCorpus(dir);
    expect(corpus.papers.map((p) => [p.title, p.source.file])).toEqual([['Title Two', 'b.txt']]);
    expect(corpus.warnings).toEqual([
      { file: 'a-alias.txt', line: 0, message: 'is a symbolic link to b.txt, which is read already; skipped' },
    ]);
    expect(corpus.files.map((f) => f.file)).toEqual(['a-alias.txt', 'b.txt']);
  });

  it('given a corpus folder that is itself a link, then its files are inside it', async () => {
    const real = await tempDir();
    await writeFile(join(real, 'a.txt'), PAGE_A);
    await symlink('a.txt', join(real, 'link.txt'));
    const holder = await tempDir();
    await symlink(real, join(holder, 'corpus'));
    const corpus = await loadCorpus(join(holder, 'corpus'));
    expect(corpus.papers.map((p) => p.title)).toEqual(['Title One']);
    expect(corpus.warnings.map((w) => w.message)).toEqual(['is a symbolic link to a.txt, which is read already; skipped']);
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
