import { describe, expect, it } from 'vitest';
import { decodeCorpusBytes, readCorpusFile } from '../../../src/core/formats/index.js';
import { readSeed } from './fixtures.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

describe('decoding a corpus file', () => {
  it('given valid UTF-8 with non-ASCII text, then it is decoded without warnings', () => {
    expect(decodeCorpusBytes(utf8('naïve δ 模型 — ok\n'), 'f.txt')).toEqual({ text: 'naïve δ 模型 — ok\n', warnings: [], binary: false });
  });

  it('given a UTF-8 byte-order mark, then it is not part of the text', () => {
    expect(decodeCorpusBytes(concat(Uint8Array.of(0xef, 0xbb, 0xbf), utf8('Title\n')), 'f.txt').text).toBe('Title\n');
  });

  it('given a stray Latin-1 byte on line 3, then it becomes U+FFFD and one warning names line 3', () => {
    const bytes = concat(utf8('Cafe Paper\n\nAn abstract with a Latin-1 caf'), Uint8Array.of(0xe9), utf8('.\n'));
    const decoded = decodeCorpusBytes(bytes, 'latin1.txt');
    expect(decoded.text).toBe('Cafe Paper\n\nAn abstract with a Latin-1 caf\uFFFD.\n');
    expect(decoded.binary).toBe(false);
    expect(decoded.warnings).toEqual([
      {
        file: 'latin1.txt',
        line: 3,
        message:
          'is not valid UTF-8: byte 0xE9 at line 3 was replaced with "\uFFFD"; the file was read anyway (save it as UTF-8 to fix this)',
      },
    ]);
  });

  it('given several bad bytes, then the warning names the first one and counts them all', () => {
    const bytes = concat(utf8('a\nb\n'), Uint8Array.of(0xff), utf8('\n'), Uint8Array.of(0xc3), utf8(' x'), Uint8Array.of(0xed, 0xa0, 0x80));
    const [warning] = decodeCorpusBytes(bytes, 'f.txt').warnings;
    expect(warning).toMatchObject({ line: 3 });
    expect(warning!.message).toContain('byte 0xFF at line 3');
    expect(warning!.message).toMatch(/\((\d+) invalid sequences in all\)/);
  });

  it('given a genuine U+FFFD in valid UTF-8, then there is no warning', () => {
    expect(decodeCorpusBytes(utf8('already replaced \uFFFD here'), 'f.txt').warnings).toEqual([]);
  });

  it('given a multi-byte character cut at the end of the file, then it is replaced and warned about', () => {
    const bytes = concat(utf8('line one\n模'), Uint8Array.of(0xe5, 0x9e));
    const decoded = decodeCorpusBytes(bytes, 'f.txt');
    expect(decoded.text).toBe('line one\n模\uFFFD');
    expect(decoded.warnings[0]).toMatchObject({ line: 2 });
  });

  it('given a NUL byte, then the file is binary: no text and one warning with its line', () => {
    const decoded = decodeCorpusBytes(concat(utf8('\x89PNG\n\n'), Uint8Array.of(0, 0, 0x0d)), 'image.txt');
    expect(decoded).toEqual({
      text: '',
      binary: true,
      warnings: [{ file: 'image.txt', line: 3, message: 'looks like a binary file (a NUL byte at line 3), not text; skipped' }],
    });
  });

  it('given UTF-16 with a byte-order mark (Notepad "Unicode"), then it is decoded', () => {
    const text = 'Title\n\nAbstract.\n';
    const le = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i += 1) le[2 + i * 2] = text.charCodeAt(i);
    expect(decodeCorpusBytes(le, 'f.txt')).toEqual({ text, warnings: [], binary: false });
  });

  it('given the seed with one Latin-1 byte in an abstract, then all 51 papers are still read and one warning names the line', () => {
    const seed = readSeed();
    const at = seed.indexOf('wimpy computation');
    const bytes = concat(utf8(seed.slice(0, at)), Uint8Array.of(0xe9), utf8(seed.slice(at)));
    const line = seed.slice(0, at).split('\n').length;
    const result = readCorpusFile(bytes, { file: 'seed.txt', referenceDate: '2026-11-29' });
    expect(result.papers).toHaveLength(51);
    expect(result.papers[1]!.abstract).toContain('decentralized and \uFFFDwimpy computation');
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ file: 'seed.txt', line });
  });

  it('given a binary file, then reading it gives no papers and the binary warning only', () => {
    const result = readCorpusFile(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d), {
      file: 'x.png.txt',
      referenceDate: '2026-01-01',
    });
    expect(result.papers).toEqual([]);
    expect(result.format).toBeNull();
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toMatch(/^looks like a binary file/);
  });
});
