import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { terminalColumns } from '../../src/cli/context.js';
import { runCli } from '../support/run-cli.js';

const PAPER_KEYS = [
  'abstract',
  'addedAt',
  'aiKeywords',
  'aiSummary',
  'arxivId',
  'authorNames',
  'authors',
  'comments',
  'githubRepo',
  'githubStars',
  'id',
  'links',
  'organization',
  'projectPage',
  'published',
  'source',
  'title',
  'upvotes',
  'url',
];

describe('paperboy corpus', () => {
  it('given --json, then stdout is exactly one JSON object with the documented paper, file and warning shapes', async () => {
    const result = await runCli(['corpus', '--json', '--dir', 'test/fixtures/corpus/mixed', '--reference-date', '2026-06-22']);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      papers: Record<string, unknown>[];
      files: Record<string, unknown>[];
      warnings: Record<string, unknown>[];
    };
    expect(Object.keys(parsed).sort()).toEqual(['files', 'papers', 'warnings']);
    for (const paper of parsed.papers) {
      expect(Object.keys(paper).sort()).toEqual(PAPER_KEYS);
      expect(Object.keys(paper.source as object).sort()).toEqual(['file', 'line']);
      // A page copy has none of the richer fields: each is null, never missing.
      expect(paper).toMatchObject({ arxivId: null, url: null, upvotes: null, githubRepo: null, githubStars: null, aiSummary: null });
    }
    for (const warning of parsed.warnings) expect(Object.keys(warning).sort()).toEqual(['file', 'line', 'message']);
    expect(parsed.papers).toHaveLength(7);
    expect(parsed.warnings).toHaveLength(5);
    expect(parsed.files.map((f) => [f.file, f.format, f.quarantined])).toEqual([
      ['01-bom-crlf.txt', 'plain-text', false],
      ['02-wrapped-missing-footer.txt', 'plain-text', false],
      ['03-duplicates-and-junk.txt', 'plain-text', false],
      ['04-binary.txt', null, false],
      ['05-latin1.txt', 'plain-text', false],
      ['notes.md', null, false],
    ]);
    expect(parsed.files[3]).toEqual({
      file: '04-binary.txt',
      format: null,
      papers: 0,
      warnings: 1,
      quarantined: false,
      problem: 'not text (a binary file)',
    });
  });

  it('given an API snapshot, then --json reports its arXiv id, page, upvotes, code, stars and AI summary under their names', async () => {
    const result = await runCli(['corpus', '--json', '--dir', 'test/fixtures/real/written']);
    const { papers, files } = JSON.parse(result.stdout) as { papers: Record<string, unknown>[]; files: Record<string, unknown>[] };
    expect(files.map((f) => [f.file, f.format])).toEqual([
      ['README.md', null],
      ['daily-papers-current-2026-10-05.json', 'daily-papers-json'],
      ['daily-papers-current-2026-10-05.jsonl', 'daily-papers-jsonl'],
    ]);
    expect(papers).toHaveLength(3);
    expect(papers[0]).toMatchObject({
      id: '2610.05608',
      arxivId: '2610.05608',
      url: 'https://huggingface.co/papers/2610.05608',
      upvotes: expect.any(Number),
      githubRepo: expect.stringMatching(/^https:\/\/github\.com\//),
      githubStars: expect.any(Number),
      aiSummary: expect.stringMatching(/^Kandinsky 6\.0 Video/),
    });
    // The second item has no ai_summary key at all.
    expect(papers[1]).toMatchObject({ id: '2609.18063', aiSummary: null });
  });

  it('given a folder of several formats, then the summary says which format read each file and which files give nothing', async () => {
    const result = await runCli(['corpus', '--dir', 'test/fixtures/real/written']);
    expect(result.stdout).toMatch(/^ {2}daily-papers-current-2026-10-05\.json +3 papers +0 warnings +daily-papers-json$/m);
    expect(result.stdout).toMatch(/^ {2}daily-papers-current-2026-10-05\.jsonl +0 papers +3 warnings +daily-papers-jsonl$/m);
    expect(result.stdout).toMatch(/^ {2}README\.md +0 papers +1 warning +skipped$/m);
    expect(result.stdout).toContain('Files that give no papers:\n  README.md: no corpus format recognises it');
  });

  it('given the default corpus, then the summary says 51 papers in the seed file', async () => {
    const result = await runCli(['corpus']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Corpus ./seeds: 51 papers in 1 file, 0 warnings');
  });

  it('given CORPUS_DIR, then it reads that directory and lists warnings with file:line', async () => {
    const result = await runCli(['corpus'], { env: { CORPUS_DIR: 'test/fixtures/corpus/mixed' } });
    expect(result.stdout).toContain('03-duplicates-and-junk.txt:15: line "Load more" is not part of any paper; skipped');
  });

  it('given a missing directory, then it exits non-zero with one line naming it', async () => {
    const result = await runCli(['corpus', '--dir', 'no/such/dir']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no/such/dir does not exist');
  });
});

describe('paperboy show', () => {
  it('given title words, then it prints that paper in full', async () => {
    const result = await runCli(['show', 'densing', 'law']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Densing Law of LLMs\n/);
    expect(result.stdout).toContain('2024-12-05 · OpenBMB · 2 comments');
  });

  it('given an id from corpus --json, then it prints that paper', async () => {
    const { stdout } = await runCli(['corpus', '--json']);
    const { papers } = JSON.parse(stdout) as { papers: Array<{ id: string; title: string }> };
    const target = papers[17]!;
    const result = await runCli(['show', target.id, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: target.id, title: target.title });
  });

  it('given an arXiv id, then it prints the paper identified by it', async () => {
    const result = await runCli(['show', '2610.05608', '--dir', 'test/fixtures/real/written', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: '2610.05608',
      title: 'Kandinsky 6.0 Video: Foundation Models for Synchronized Video and Audio Generation',
    });
  });

  it('given words that match nothing, then it exits 1 with a one-line reason', async () => {
    const result = await runCli(['show', 'zzqx', 'nothing']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^paperboy show: no paper matches "zzqx nothing"/);
  });
});

describe('paperboy search and topics', () => {
  it('given --json, then search prints an array, best first, of id, title and score', async () => {
    const result = await runCli(['search', 'hitchhiker', 'scaling', 'law', '--json', '--limit', '3']);
    const hits = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(hits.length).toBeLessThanOrEqual(3);
    expect(Object.keys(hits[0]!).sort()).toEqual(['id', 'score', 'title']);
    expect(hits[0]!.title).toBe("A Hitchhiker's Guide to Scaling Law Estimation");
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => Number(b) - Number(a)));
  });

  it('given garbage, then search says nothing matched and lists the closest titles, labelled, without a score', async () => {
    const result = await runCli(['search', '@everyone <script>']);
    expect(result.code).toBe(0);
    const [first, label, ...rest] = result.stdout.trimEnd().split('\n');
    expect(first).toBe('No paper matches "@everyone <script>" among 51 papers.');
    expect(label).toBe('Closest titles (not a match):');
    expect(rest.length).toBeGreaterThan(0);
    expect(result.stdout).not.toContain('score');
  });

  it('given garbage and --json, then search prints an empty array: nothing is presented as a match', async () => {
    const result = await runCli(['search', '@everyone <script>', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });

  it('given topics --json, then it lists topics with paper counts, most covered first', async () => {
    const topics = JSON.parse((await runCli(['topics', '--json', '--limit', '20'])).stdout) as Array<{ topic: string; papers: number }>;
    expect(topics).toHaveLength(20);
    expect(topics.map((t) => t.papers)).toEqual([...topics.map((t) => t.papers)].sort((a, b) => b - a));
    expect(topics.some((t) => t.topic === 'scaling laws')).toBe(true);
  });
});

describe('paperboy health', () => {
  it('given no running bot, then it exits 1 with a one-line reason', async () => {
    const result = await runCli(['health'], { env: { DATA_DIR: '/tmp/paperboy-no-such-dir' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^unhealthy: no status at \/tmp\/paperboy-no-such-dir\/paperboy\.sqlite\.health: the bot is not running/);
  });
});

describe('paperboy usage', () => {
  it.each(['start', 'digest', 'register', 'health', 'state', 'corpus', 'show', 'search', 'topics'])(
    'given `%s --help`, then it prints usage and exits 0',
    async (command) => {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: paperboy ${command}`));
    },
  );

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /no command given/],
    [['corpus', '--bogus'], /Unknown option '--bogus'/],
    [['show'], /needs a paper id or some words/],
    [['corpus', '--reference-date', 'yesterday'], /--reference-date must look like/],
  ])('given misuse %j, then it exits 2 with a one-line reason', async (args, reason) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(reason);
  });
});

describe('paperboy positional arguments', () => {
  // A state file nobody uses: were `start extra` accepted, the bot must not touch the repository's ./data.
  const env = { STATE_FILE: join(tmpdir(), `paperboy-cli-positional-${process.pid}`, 'state.json'), CORPUS_DIR: 'seeds' };

  it.each([
    [['corpus', 'some/folder'], /^paperboy corpus: unexpected argument "some\/folder".*use --dir "some\/folder"/],
    [['corpus', '--json', 'some/folder'], /^paperboy corpus: unexpected argument "some\/folder"/],
    [['start', 'extra'], /^paperboy start: unexpected argument "extra"/],
    [['digest', 'now'], /^paperboy digest: unexpected argument "now"/],
    [['digest', '--dry-run', 'extra'], /^paperboy digest: unexpected argument "extra"/],
    [['register', 'global'], /^paperboy register: unexpected argument "global"/],
    [['health', 'now'], /^paperboy health: unexpected argument "now"/],
    [['topics', 'scaling'], /^paperboy topics: unexpected argument "scaling".*use --dir "scaling"/],
  ])('given %j, then the stray word is misuse: one line, exit 2, nothing done', async (args, reason) => {
    const result = await runCli(args, { env, timeoutMs: 15_000 });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(reason);
  });

  it.each([
    [['search', 'scaling', 'laws', '--limit', '1'], /scaling/i],
    [['show', 'densing', 'law'], /^Densing Law of LLMs/],
  ])('given %j, then a command that takes words keeps them', async (args, output) => {
    const result = await runCli(args, { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(output);
  });
});

describe('terminal width', () => {
  it.each([
    [0, 80],
    [undefined, 80],
    [-5, 80],
    [Number.NaN, 80],
    [120, 120],
    [40, 40],
  ])('given a terminal reporting %s columns, then text is laid out in %s', (reported, expected) => {
    expect(terminalColumns(reported)).toBe(expected);
  });

  it('given a terminal that reports width 0, then a dry-run digest is wrapped at 80 columns, not one word per line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paperboy-width-'));
    try {
      // Some consoles (a serial line, `docker exec -t` before the size arrives) report 0 columns.
      const preload = join(dir, 'zero-columns.mjs');
      await writeFile(preload, 'Object.defineProperty(process.stdout, "columns", { value: 0, configurable: true });\n');
      const result = await runCli(['digest', '--dry-run'], {
        env: { NODE_OPTIONS: `--import=${preload}`, STATE_FILE: join(dir, 'state.json'), CORPUS_DIR: 'seeds' },
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/📰 Paperboy digest #1 · \w+ \d+ \w+ \d{4} · 3 new papers/);
      const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
      const oneWord = lines.filter((line) => line.trim().split(/\s+/).length === 1);
      expect(oneWord.length / lines.length).toBeLessThan(0.25);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
