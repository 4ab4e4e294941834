import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CORPUS_FORMATS, readCorpusFile, type CorpusFileRead } from '../../../src/core/formats/index.js';
import { REAL_FILES, WRITTEN_FILES, readFixture, readSeed } from './fixtures.js';

const FIXTURES = [...Object.values(REAL_FILES), ...Object.values(WRITTEN_FILES)].map(readFixture).concat(readSeed());
const context = { file: 'fuzz', referenceDate: '2026-10-05' };

// Edits that real copies suffer: lines lost, repeated or swapped, stray text, a cut, a changed character.
type Edit =
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'duplicate'; at: number; count: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'replace'; at: number; char: string };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const junk = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '\n### [',
    '](https://huggingface.co/papers/2401.00001)',
    '\n[\n',
    '\n][12]\n',
    '\n·\n',
    'Mar 32, 2024',
    '{"paper":',
    ']',
    '\\',
    '\u0000',
    '\uFFFD',
    '\r\n',
    'javascript:alert(1)',
  ),
);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('swap' as const), a: position, b: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, text: junk }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('replace' as const), at: position, char: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }),
);

function apply(text: string, edits: Edit[]): string {
  let lines = text.split('\n');
  for (const e of edits) {
    const line = (p: number) => Math.floor(p * lines.length);
    if (e.kind === 'delete') lines.splice(line(e.at), e.count);
    else if (e.kind === 'duplicate') lines.splice(line(e.at), 0, ...lines.slice(line(e.at), line(e.at) + e.count));
    else if (e.kind === 'swap') {
      const [a, b] = [line(e.a), line(e.b)];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    } else {
      const joined = lines.join('\n');
      const at = Math.floor(e.at * joined.length);
      const next =
        e.kind === 'insert'
          ? joined.slice(0, at) + e.text + joined.slice(at)
          : e.kind === 'truncate'
            ? joined.slice(0, at)
            : joined.slice(0, at) + e.char + joined.slice(at + 1);
      lines = next.split('\n');
    }
  }
  return lines.join('\n');
}

function expectWellFormed(result: CorpusFileRead): void {
  for (const warning of result.warnings) expect(warning.line).toBeGreaterThanOrEqual(0);
  if (result.quarantined) expect(result.papers).toEqual([]);
  for (const paper of result.papers) {
    expect(paper.title.trim()).not.toBe('');
    for (const url of [paper.url, paper.githubRepo, paper.projectPage]) if (url !== undefined) expect(url).toMatch(/^https:\/\/[^\s]+$/);
  }
}

describe('robustness against damaged copies', () => {
  it('given random edits of any fixture, then no reader throws and the file read stays well-formed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FIXTURES.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 }), (index, edits) => {
        const text = apply(FIXTURES[index]!, edits);
        for (const format of CORPUS_FORMATS) {
          expect(() => format.detect(text, 'fuzz')).not.toThrow();
          expect(() => format.parse(text, context)).not.toThrow();
        }
        expectWellFormed(readCorpusFile(text, context));
      }),
      { numRuns: 60 },
    );
  });

  it('given random bytes, or a fixture with random bytes spliced in, then reading the file never throws', () => {
    const fixtureBytes = FIXTURES.map((text) => new TextEncoder().encode(text.slice(0, 20_000)));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: fixtureBytes.length - 1 }),
        position,
        fc.uint8Array({ maxLength: 64 }),
        fc.boolean(),
        (index, at, noise, alone) => {
          const base = fixtureBytes[index]!;
          const cut = Math.floor(at * base.length);
          const bytes = alone ? noise : Uint8Array.from([...base.subarray(0, cut), ...noise, ...base.subarray(cut)]);
          const result = readCorpusFile(bytes, context);
          expectWellFormed(result);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('given arbitrary text, then no reader throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        for (const format of CORPUS_FORMATS) expect(() => format.parse(text, context)).not.toThrow();
        expectWellFormed(readCorpusFile(text, context));
      }),
      { numRuns: 150 },
    );
  });
});
