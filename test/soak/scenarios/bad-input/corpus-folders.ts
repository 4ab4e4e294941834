import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../../../src/adapters/fs-corpus.js';
import { createRandom } from '../../../support/generate-corpus.js';
import { checkPapers, checkWarnings, type Findings, kb, pick, type Random } from './common.js';

// Corpus folders: `loadCorpus` on temporary folders of broken files (invalid UTF-8, NUL bytes, UTF-16, Latin-1,
// empty files, sub-folders and dangling symlinks named like pages, random bytes, valid text with any line ends).

interface FileCase {
  name: string;
  bytes: Buffer | 'directory' | 'dangling symlink';
  /** `bad`: not UTF-8 text, must end in a warning naming it; `text`: must give papers or warnings; `quiet`: may give nothing. */
  expect: 'bad' | 'text' | 'quiet';
}

function fileCase(random: Random, seed: string, i: number): FileCase {
  const slice = seed.slice(0, 500 + Math.floor(random() * 6000));
  const withBytes = (bytes: number[]) => {
    const buffer = Buffer.from(slice, 'utf8');
    const at = Math.floor(random() * buffer.length);
    return Buffer.concat([buffer.subarray(0, at), Buffer.from(bytes), buffer.subarray(at)]);
  };
  const name = `${String(i).padStart(2, '0')}-${pick(random, ['page', 'Ünïcödé name', 'with space', 'UPPER'])}${random() < 0.1 ? '.TXT' : '.txt'}`;
  switch (Math.floor(random() * 10)) {
    case 0:
      return {
        name,
        bytes: withBytes(
          pick(random, [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]]),
        ),
        expect: 'bad',
      };
    case 1:
      return { name, bytes: withBytes([0]), expect: 'bad' };
    // UTF-16 with a byte-order mark is text the corpus reader decodes: it must give papers or warnings.
    case 2:
      return { name, bytes: Buffer.from(`\uFEFF${slice}`, 'utf16le'), expect: 'text' };
    case 3:
      return { name, bytes: Buffer.from(slice.replace(/e/g, 'é'), 'latin1'), expect: 'bad' };
    case 4:
      return { name, bytes: Buffer.from(pick(random, ['', '\uFEFF', '\n\n \n', '\r\n\r\n'])), expect: 'quiet' };
    case 5:
      return { name, bytes: 'directory', expect: 'quiet' };
    case 6:
      return { name, bytes: 'dangling symlink', expect: 'quiet' };
    case 7:
      return {
        name,
        bytes: Buffer.from(Array.from({ length: 1 + Math.floor(random() * 4000) }, () => Math.floor(random() * 256))),
        expect: 'bad',
      };
    default: {
      // The start of the page (chrome, then at least one title and abstract), with the line ends a copy may have.
      const text = slice
        .split('\n')
        .map((l) => l + pick(random, ['\n', '\r\n', '\r']))
        .join('');
      return { name, bytes: Buffer.from(random() < 0.3 ? `\uFEFF${text}` : text, 'utf8'), expect: 'text' };
    }
  }
}

function isStrictText(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return !bytes.includes(0);
  } catch {
    return false;
  }
}

/** Runs `loadCorpus` on temporary directories of broken files; returns how many directories were read. */
export async function fuzzCorpusFiles(count: number, seed: string, findings: Findings): Promise<number> {
  const random = createRandom(202);
  const base = await mkdtemp(join(tmpdir(), 'paperboy-soak-files-'));
  try {
    for (let d = 0; d < count; d += 1) {
      const dir = join(base, `dir-${d}`);
      await mkdir(dir);
      const cases = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => fileCase(random, seed, i));
      for (const c of cases) {
        if (c.bytes === 'directory') await mkdir(join(dir, c.name));
        else if (c.bytes === 'dangling symlink') await symlink(join(dir, 'gone'), join(dir, c.name));
        else await writeFile(join(dir, c.name), c.bytes);
        // Random bytes are sometimes valid UTF-8 text after all.
        if (c.expect === 'bad' && Buffer.isBuffer(c.bytes) && isStrictText(c.bytes)) c.expect = 'quiet';
      }
      const where = `dir of ${cases.map((c) => `${c.name} (${Buffer.isBuffer(c.bytes) ? kb(c.bytes.length) : c.bytes})`).join(', ')}`;
      let loaded: Awaited<ReturnType<typeof loadCorpus>>;
      try {
        loaded = await loadCorpus(dir);
      } catch (error) {
        findings.add(`loadCorpus threw (${String(error).slice(0, 80)})`, where);
        continue;
      }
      checkWarnings(loaded.warnings, 0, where, findings);
      checkPapers(loaded.papers, where, findings);
      for (const c of cases) {
        const warned = loaded.warnings.some((w) => w.file === c.name);
        const gave = warned || loaded.papers.some((p) => p.source.file === c.name);
        if (c.expect === 'bad' && !warned)
          findings.add('a file that is not UTF-8 text was skipped without a warning', `${c.name} in ${where}`);
        if (c.expect === 'text' && !gave) findings.add('a text file gave neither papers nor warnings', `${c.name} in ${where}`);
      }
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  return count;
}
