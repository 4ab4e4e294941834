import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCorpus } from '../../src/core/corpus.js';
import { paperId } from '../../src/core/paper.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const REFERENCE = '2026-06-22';

// Words that real pages contain, including the ones that trip naive parsers (punctuation, Unicode, markdown).
const word = fc.oneof(
  fc.constantFrom(
    'LLM.int8()',
    'Zebra-Llama',
    '1.7B',
    '10,000',
    'naïve',
    'Æsop',
    'модель',
    '模型',
    'λ-calculus',
    '@everyone',
    '**bold**',
    '[x](https://e.io)',
    'https://github.com/a/b',
    'e.g.',
    '(QiD)',
    '`code`',
    '·x',
    '100%',
    'C++',
    '—',
    'über',
  ),
  fc.stringMatching(/^[A-Za-z][a-z0-9]{0,11}$/),
);
const words = (min: number, max: number) => fc.array(word, { minLength: min, maxLength: max });

interface Generated {
  title: string;
  abstract: string;
  wrap: number;
  footer: null | {
    by: { authors: number } | { handle: string; name: string };
    month: number;
    day: number;
    year: number | null;
    comments: number | null;
  };
}

const footer = fc.record({
  by: fc.oneof(
    fc.record({ authors: fc.integer({ min: 1, max: 400 }) }),
    fc.record({
      handle: fc.stringMatching(/^[a-z][a-z0-9-]{1,14}$/),
      name: fc.stringMatching(/^[A-Z][A-Za-z]{1,10}( [A-Z][a-z]{1,9}){0,2}$/),
    }),
  ),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 28 }),
  year: fc.option(fc.integer({ min: 2015, max: 2026 }), { nil: null }),
  comments: fc.option(fc.integer({ min: 0, max: 999 }), { nil: null }),
});

const generated: fc.Arbitrary<Generated> = fc.record({
  // Now and then a title longer than 300 characters: the page structure, not the length, makes it a title.
  title: fc.oneof({ arbitrary: words(2, 14), weight: 4 }, { arbitrary: words(45, 70), weight: 1 }).map((w) => w.join(' ')),
  abstract: words(1, 160).map((w) => w.join(' ')),
  wrap: fc.integer({ min: 0, max: 100 }),
  footer: fc.option(footer, { nil: null }),
});

function wrap(text: string, width: number): string {
  if (width < 20) return text;
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + w.length + 1 > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  return lines.join('\n');
}

function formatPage(papers: Generated[]): string {
  const parts = [
    'new',
    'Get trending papers in your email inbox!',
    'Subscribe',
    'Daily Papers',
    'byAK and the research community',
    'Jun 22',
  ];
  for (const p of papers) {
    parts.push(p.title, wrap(p.abstract, p.wrap));
    if (p.footer) {
      const f = p.footer;
      const by = 'authors' in f.by ? `  • ${f.by.authors} authors` : `${f.by.handle} ${f.by.name}`;
      const date = `${MONTHS[f.month - 1]} ${f.day}${f.year ? `, ${f.year}` : ''}${f.comments !== null ? ` ${f.comments}` : ''}`;
      parts.push(`${by}\n·\n${date}`);
    }
  }
  return `${parts.join('\n\n')}\n`;
}

function expectedDate(f: NonNullable<Generated['footer']>): string {
  const md = `${String(f.month).padStart(2, '0')}-${String(f.day).padStart(2, '0')}`;
  const year = f.year ?? (md > REFERENCE.slice(5) ? 2025 : 2026);
  return `${year}-${md}`;
}

describe('parseCorpus round trip', () => {
  it('given random papers formatted as a page, then parsing gives the same papers back', () => {
    fc.assert(
      fc.property(fc.array(generated, { minLength: 1, maxLength: 12 }), (papers) => {
        const { papers: parsed, warnings } = parseCorpus(formatPage(papers), { file: 'gen.txt', referenceDate: REFERENCE });
        expect(warnings).toEqual([]);
        expect(parsed.map(({ source: _s, links: _l, ...rest }) => rest)).toEqual(
          papers.map((p) => ({
            id: paperId(p.title),
            title: p.title,
            abstract: p.abstract,
            authors: p.footer && 'authors' in p.footer.by ? p.footer.by.authors : null,
            organization: p.footer && 'name' in p.footer.by ? p.footer.by.name : null,
            published: p.footer ? expectedDate(p.footer) : null,
            comments: p.footer?.comments ?? null,
          })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('given any text at all, then parsing never throws and every warning has a line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), (text) => {
        const result = parseCorpus(text, { file: 'any.txt', referenceDate: REFERENCE });
        for (const w of result.warnings) expect(w.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });
});
