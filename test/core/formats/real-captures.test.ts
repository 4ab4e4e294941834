import { describe, expect, it } from 'vitest';
import { readCorpusFile } from '../../../src/core/formats/index.js';
import { isPlausibleTitle } from '../../../src/core/formats/confidence.js';
import { paperId, type Paper } from '../../../src/core/paper.js';
import { REAL_FILES, readFixture, readFixtureBytes } from './fixtures.js';

// The day each capture was taken (or its page header shows): yearless dates are read against it.
const CAPTURES = [
  // number, format, README count, reference date
  ['01', 'url-lines', 29, '2026-03-27'],
  ['02', 'url-lines', 107, '2026-03-25'],
  ['03', 'markdown-links', 120, '2026-10-02'],
  ['04', 'markdown-links', 120, '2026-10-02'],
  ['05', 'markdown-refs', 33, '2026-06-29'],
  ['06', 'html-markdown', 50, '2026-10-05'],
  ['07', 'daily-papers-json', 29, '2026-10-05'],
] as const;

const read = (number: keyof typeof REAL_FILES, referenceDate: string) =>
  readCorpusFile(readFixtureBytes(REAL_FILES[number]), { file: REAL_FILES[number], referenceDate });
const results = new Map(CAPTURES.map(([number, , , date]) => [number, read(number, date)]));
const papersOf = (number: keyof typeof REAL_FILES) => results.get(number)!.papers;
const find = (number: keyof typeof REAL_FILES, prefix: string): Paper => {
  const found = papersOf(number).find((p) => p.title.startsWith(prefix));
  if (!found) throw new Error(`no paper "${prefix}" in ${number}`);
  return found;
};

/** The unique arXiv ids of `/papers/<id>` links in a capture, found independently of the readers. */
function linkedIds(text: string): Set<string> {
  return new Set([...text.matchAll(/huggingface\.co\/papers\/(\d{4}\.\d{4,5})/g)].map((m) => m[1]!));
}

describe('reading the real captures', () => {
  it.each(CAPTURES)('given capture %s, then it is read as %s into the README count of %i papers', (number, format, count) => {
    const result = results.get(number)!;
    expect(result.format).toBe(format);
    expect(result.quarantined).toBe(false);
    expect(result.papers).toHaveLength(count);
  });

  it.each(['01', '02', '03', '04', '06', '07'] as const)('given capture %s, then it reads without warnings', (number) => {
    expect(results.get(number)!.warnings).toEqual([]);
  });

  it.each(['01', '02', '03', '04', '06'] as const)(
    'given capture %s with paper links, then its papers are exactly the linked arXiv ids',
    (number) => {
      const ids = papersOf(number).map((p) => p.arxivId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(linkedIds(readFixture(REAL_FILES[number])));
    },
  );

  it('given the cut-off capture 05, then its truncated 34th paper is one warning and not a paper with half an abstract', () => {
    const { papers, warnings } = results.get('05')!;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/cut off inside the card of "Reducing Distraction in Long-Context Language Models/);
    expect(papers.some((p) => p.title.startsWith('Reducing Distraction'))).toBe(false);
    expect(papers.at(-1)!.title).toBe('Distilling Conversations: Abstract Compression of Conversational Audio Context for LLM-based ASR');
  });

  it('given the trending capture 06 with every card twice, then each paper appears once with the fields of both copies', () => {
    const papers = papersOf('06');
    expect(new Set(papers.map((p) => p.arxivId)).size).toBe(50);
    expect(papers.every((p) => p.published !== null && p.upvotes !== undefined && p.githubRepo !== undefined)).toBe(true);
  });

  it.each(CAPTURES.map(([number]) => [number]))('given capture %s, then no page chrome becomes a paper', (number) => {
    const chrome =
      /^(?:Daily Papers|Trending Papers|Previous|System theme|Submitted by|Subscribe|new|Models|Pricing|\[-\]|\[?图片|Upvote|Get trending papers)/;
    for (const paper of papersOf(number)) {
      expect(paper.title).not.toMatch(chrome);
      expect(isPlausibleTitle(paper.title), paper.title).toBe(true);
      expect(paper.id).toBe(paperId(paper.title));
    }
  });

  it.each(CAPTURES.map(([number]) => [number]))(
    'given capture %s, then no markdown escape or hard wrap is left in titles and abstracts',
    (number) => {
      for (const paper of papersOf(number)) {
        expect(paper.title).not.toMatch(/\\[_[\]*`#]|\\ |\n|\s{2}/);
        expect(paper.abstract).not.toMatch(/\\_|\\\n|\n|\s{2}/);
      }
    },
  );

  it.each(CAPTURES.map(([number]) => [number]))(
    'given capture %s, then every link field is https and every arXiv id has no version',
    (number) => {
      for (const paper of papersOf(number)) {
        for (const url of [paper.url, paper.githubRepo, paper.projectPage])
          if (url !== undefined) expect(url).toMatch(/^https:\/\/[^\s/]+\.[^\s/]+/);
        if (paper.arxivId !== undefined) expect(paper.arxivId).toMatch(/^\d{4}\.\d{4,5}$/);
        if (paper.arxivId !== undefined) expect(paper.url).toBe(`https://huggingface.co/papers/${paper.arxivId}`);
      }
    },
  );
});

describe('fields read from each format', () => {
  const fields = (p: Paper) => ({
    abstractStart: p.abstract.slice(0, 40),
    arxivId: p.arxivId,
    url: p.url,
    upvotes: p.upvotes,
    published: p.published,
    authors: p.authors,
    organization: p.organization,
    comments: p.comments,
    githubStars: p.githubStars,
  });

  it.each([
    // (b) daily list without abstracts: organisation or author count, stars linked to the paper, comments
    [
      '01',
      'PixelSmile: Toward Fine-Grained Facial Expression Editing',
      {
        abstractStart: '',
        arxivId: '2603.25728',
        url: 'https://huggingface.co/papers/2603.25728',
        upvotes: 106,
        published: null,
        authors: null,
        organization: 'Fudan University',
        comments: 3,
        githubStars: 68,
      },
    ],
    [
      '01',
      'MemMA: Coordinating the Memory Cycle',
      {
        abstractStart: '',
        arxivId: '2603.18718',
        url: 'https://huggingface.co/papers/2603.18718',
        upvotes: 6,
        published: null,
        authors: 8,
        organization: null,
        comments: 2,
        githubStars: 7,
      },
    ],
    [
      '01',
      'IQuest-Coder-V1 Technical Report',
      {
        abstractStart: '',
        arxivId: '2603.16733',
        url: 'https://huggingface.co/papers/2603.16733',
        upvotes: undefined,
        published: null,
        authors: null,
        organization: 'IQuest',
        comments: 2,
        githubStars: 1360,
      },
    ],
    // (b) search results with abstracts and dates
    [
      '02',
      'Better than Your Teacher: LLM Agents that learn from Privileged AI Feedback',
      {
        abstractStart: 'While large language models (LLMs) show ',
        arxivId: '2410.05434',
        url: 'https://huggingface.co/papers/2410.05434',
        upvotes: 1,
        published: '2024-10-07',
        authors: 2,
        organization: null,
        comments: null,
        githubStars: undefined,
      },
    ],
    [
      '02',
      'Soft Instruction De-escalation Defense',
      {
        abstractStart: 'Large Language Models (LLMs) are increas',
        arxivId: '2510.21057',
        url: 'https://huggingface.co/papers/2510.21057',
        upvotes: 5,
        published: '2025-10-23',
        authors: null,
        organization: 'Google',
        comments: 1,
        githubStars: undefined,
      },
    ],
    [
      '02',
      'Proxy Compression for Language Modeling',
      {
        abstractStart: 'Modern language models are trained almos',
        arxivId: '2602.04289',
        url: 'https://huggingface.co/papers/2602.04289',
        upvotes: 3,
        published: '2026-02-03',
        authors: 5,
        organization: null,
        comments: 3,
        githubStars: undefined,
      },
    ],
    // (c) markdown with links
    [
      '03',
      'OCC-RAG: Optimal Cognitive Core for Faithful Question Answering',
      {
        abstractStart: 'Recent progress in the development of la',
        arxivId: '2606.00683',
        url: 'https://huggingface.co/papers/2606.00683',
        upvotes: 101,
        published: '2026-05-29',
        authors: null,
        organization: 'OCC',
        comments: 6,
        githubStars: undefined,
      },
    ],
    [
      '03',
      'The Noisy Path from Source to Citation: Measuring How Scholars Engage with Past Research',
      {
        abstractStart: 'Academic citations are widely used for e',
        arxivId: '2502.20581',
        url: 'https://huggingface.co/papers/2502.20581',
        upvotes: undefined,
        published: '2025-02-27',
        authors: 3,
        organization: null,
        comments: null,
        githubStars: undefined,
      },
    ],
    // a yearless date on a page read on 2026-10-02; non-ASCII (δ) in the abstract
    [
      '04',
      'On the Insecurity of Keystroke-Based AI Authorship Detection',
      {
        abstractStart: 'Recent proposals advocate using keystrok',
        arxivId: '2601.17280',
        url: 'https://huggingface.co/papers/2601.17280',
        upvotes: undefined,
        published: '2026-01-23',
        authors: 1,
        organization: null,
        comments: null,
        githubStars: undefined,
      },
    ],
    // (c) reference-style markdown: no links survive the cut, so no ids
    [
      '05',
      'Gemini 1.5: Unlocking multimodal understanding across millions of tokens of context',
      {
        abstractStart: 'In this report, we present the latest mo',
        arxivId: undefined,
        url: undefined,
        upvotes: 65,
        published: '2024-03-08',
        authors: 671,
        organization: null,
        comments: 6,
        githubStars: undefined,
      },
    ],
    [
      '05',
      'Distilling Conversations',
      {
        abstractStart: 'Standard LLM-based speech recognition sy',
        arxivId: undefined,
        url: undefined,
        upvotes: 2,
        published: '2026-03-27',
        authors: null,
        organization: 'Idiap Research Institute',
        comments: 2,
        githubStars: undefined,
      },
    ],
    // (d) HTML converted to markdown
    [
      '06',
      'Kandinsky 6.0 Video: Foundation Models for Synchronized Video and Audio Generation',
      {
        abstractStart: 'We present Kandinsky 6.0 Video, a family',
        arxivId: '2610.05608',
        url: 'https://huggingface.co/papers/2610.05608',
        upvotes: 117,
        published: '2026-10-04',
        authors: null,
        organization: 'Kandinsky Lab',
        comments: null,
        githubStars: 131,
      },
    ],
    [
      '06',
      'TradingAgents: Multi-Agents LLM Financial Trading Framework',
      {
        abstractStart: 'A multi-agent framework using large lang',
        arxivId: '2412.20138',
        url: 'https://huggingface.co/papers/2412.20138',
        upvotes: 149,
        published: '2024-12-28',
        authors: 4,
        organization: null,
        comments: null,
        githubStars: 110000,
      },
    ],
    // (e) API JSON, 2024 shape
    [
      '07',
      'Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss',
      {
        abstractStart: 'Contrastive loss is a powerful approach ',
        arxivId: '2410.17243',
        url: 'https://huggingface.co/papers/2410.17243',
        upvotes: 64,
        published: '2024-10-22',
        authors: 9,
        organization: null,
        comments: 3,
        githubStars: undefined,
      },
    ],
  ] as const)('given capture %s, then "%s" has the fields on the page', (number, title, expected) => {
    expect(fields(find(number, title))).toEqual(expected);
  });

  it('given arXiv title breaks and markdown escapes (03), then the title and abstract read as on the page', () => {
    const paper = find('03', '[Citation needed]');
    expect(paper.title).toBe('[Citation needed] Data usage and citation practices in medical imaging conferences');
    expect(paper.abstract).toContain('a pipeline https://github.com/TheoSourget/Public_Medical_Datasets_References using OpenAlex');
    expect(paper.links).toEqual([
      'https://github.com/TheoSourget/Public_Medical_Datasets_References',
      'https://github.com/TheoSourget/pdf_annotator',
    ]);
    expect(find('03', 'Methods for Legal Citation Prediction').title).toBe(
      'Methods for Legal Citation Prediction in the Age of LLMs: An Australian Law Case Study',
    );
  });

  it('given non-ASCII text and escaped backslashes (04), then they read as on the page', () => {
    expect(find('04', 'On the Insecurity of Keystroke').abstract).toContain('coefficient of variation (δ) of inter-keystroke');
    // `\\"` in the markdown is the page's `\"` (arXiv's LaTeX umlaut), and `` \` `` is a backtick.
    expect(papersOf('04').some((p) => p.abstract.includes('Hans-J\\"urgen Treder'))).toBe(true);
    expect(papersOf('04').some((p) => p.abstract.includes("from `Definitely AI' to `Definitely Human'"))).toBe(true);
  });

  it('given a title wrapped over two lines (06) and one wrapped at 120 columns (05), then each is one line', () => {
    expect(find('06', 'SmolDocling').title).toBe(
      'SmolDocling: An ultra-compact vision-language model for end-to-end multi-modal document conversion',
    );
    expect(find('05', 'KV Cache Compression').title).toBe(
      'KV Cache Compression, But What Must We Give in Return? A Comprehensive Benchmark of Long Context Capable Approaches',
    );
  });

  it('given a URL longer than the 120-column wrap (05), then its pieces are joined without a space', () => {
    expect(find('05', 'A Comprehensive Survey on Long Context').abstract).toContain('{LCLM-Horizon}}');
  });

  it('given the 2024 API shape (07), then authors are named, the wrapped title is unwrapped and addedAt is the daily list day', () => {
    const paper = find('07', 'Breaking the Memory Barrier');
    expect(paper.authorNames?.slice(0, 3)).toEqual(['Zesen Cheng', 'Hang Zhang', 'Kehan Li']);
    expect(paper.addedAt).toBe('2024-10-25');
    expect(papersOf('07').every((p) => p.addedAt === '2024-10-25')).toBe(true);
    expect(papersOf('07').map((p) => p.upvotes)).toEqual([...papersOf('07').map((p) => p.upvotes)].sort((a, b) => b! - a!));
  });

  it('given each capture, then papers come in page order with the line of their title', () => {
    for (const [number] of CAPTURES) {
      const lines = papersOf(number).map((p) => p.source.line);
      expect(lines).toEqual([...lines].sort((a, b) => a - b));
      expect(papersOf(number).every((p) => p.source.file === REAL_FILES[number])).toBe(true);
    }
    const text = readFixture(REAL_FILES['03']).split('\n');
    const paper = find('03', 'OCC-RAG');
    expect(text[paper.source.line - 1]).toMatch(/^### \[OCC-RAG/);
  });
});
