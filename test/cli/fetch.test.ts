import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFixture } from '../core/formats/fixtures.js';
import { runCli } from '../support/run-cli.js';
import { startFakeSources, type FakeSources } from '../support/fake-sources.js';
import { listFolder, makeCorpusDir } from '../adapters/sources/helpers.js';

const DAY = '2024-10-25';
const FEED = readFileSync(new URL('../fixtures/sources/arxiv/cs.CL-2026-10-06.xml', import.meta.url), 'utf8');

let fake: FakeSources;
let corpus: { dir: string; remove: () => Promise<void> };
let env: Record<string, string>;
beforeEach(async () => {
  fake = await startFakeSources();
  fake.setDay(DAY, JSON.parse(readFixture('07-d-api-json-daily-2024-10-25.json')) as unknown[]);
  fake.setFeed('cs.CL', FEED);
  corpus = await makeCorpusDir();
  env = { CORPUS_DIR: corpus.dir, SOURCES: 'hf-daily,arxiv:cs.CL', HF_API_URL: fake.hfApiUrl, ARXIV_RSS_URL: fake.arxivRssUrl };
});
afterEach(async () => {
  await fake.close();
  await corpus.remove();
});

describe('paperboy fetch', () => {
  it('given both sources, then it writes the snapshots and prints one line per day and feed, then 304s the second time', async () => {
    const first = await runCli(['fetch', '--date', DAY, '--days', '1'], { env });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout.split('\n')).toEqual([
      `Fetched into ${corpus.dir}:`,
      `  hf-daily 2024-10-25  new file  hf-daily/2024-10-25.json: 29 papers`,
      `  arxiv:cs.CL          new file  arxiv/cs.CL/2026-10-06.xml: 3 papers; 2 replacements skipped`,
      '2 new files, 0 warnings',
      '',
    ]);
    expect(await listFolder(`${corpus.dir}/hf-daily`)).toEqual(['.etags', '2024-10-25.json']);
    expect(fake.requests[0]!.headers['user-agent']).toMatch(/^Paperboy\/0\.1\.0 /);

    const second = await runCli(['fetch', '--date', DAY, '--days', '1'], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      '  hf-daily 2024-10-25  304  hf-daily/2024-10-25.json is up to date (the server answered 304 Not Modified)',
    );
    expect(second.stdout).toContain('2 not modified (304), 0 warnings');
  });

  it("given two arXiv categories, then the process waits out arXiv's pause between them and exits 0 (no timer left behind)", async () => {
    fake.setFeed('cs.LG', FEED.replaceAll('cs.CL', 'cs.LG'));
    const result = await runCli(['fetch'], { env: { ...env, SOURCES: 'arxiv:cs.CL,arxiv:cs.LG' } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('  arxiv:cs.LG  new file  arxiv/cs.LG/2026-10-06.xml: 3 papers; 2 replacements skipped');
    expect(fake.requests.map((r) => r.path)).toEqual(['/rss/cs.CL', '/rss/cs.LG']);
  });

  it('given --json, then stdout is the report as one JSON object', async () => {
    const result = await runCli(['fetch', '--date', DAY, '--days', '1', '--json'], { env: { ...env, SOURCES: 'hf-daily' } });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { outcomes: Array<Record<string, unknown>>; warnings: unknown[]; failed: boolean };
    expect(Object.keys(report).sort()).toEqual(['failed', 'finishedAt', 'outcomes', 'startedAt', 'warnings']);
    expect(report.outcomes).toEqual([
      {
        source: 'hf-daily',
        key: DAY,
        status: 'new',
        file: 'hf-daily/2024-10-25.json',
        papers: 29,
        previousPapers: null,
        message: 'hf-daily/2024-10-25.json: 29 papers',
      },
    ]);
    expect(report).toMatchObject({ warnings: [], failed: false });
  });

  it('given one source failing and one fine, then it exits 0 and prints the warning with what failed and where', async () => {
    fake.inject('/rss/cs.CL', { kind: 'html' });
    const result = await runCli(['fetch', '--date', DAY, '--days', '1'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `  arxiv:cs.CL          warning   GET ${fake.arxivRssUrl}/cs.CL returned an HTML page instead of an RSS feed ("503 Service Temporarily Unavailable"); the cs.CL snapshots were kept as they were`,
    );
    expect(result.stdout).toContain('1 new file, 1 warning');
  });

  it('given every request failing, then it exits 1 with a one-line reason and writes nothing', async () => {
    fake.inject('/api/daily_papers', { kind: 'html' });
    const result = await runCli(['fetch', '--date', DAY, '--days', '1'], { env: { ...env, SOURCES: 'hf-daily' } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^paperboy fetch: nothing could be fetched; the corpus was left as it was \(GET http:\/\/127\.0\.0\.1:\d+\/api\/daily_papers\?date=2024-10-25&limit=50 returned an HTML page/,
    );
    expect(await listFolder(`${corpus.dir}/hf-daily`)).toEqual([]);
  });

  it.each([
    ['a date that does not exist', ['--date', '2024-02-30'], {}, '--date must be a day like 2026-10-05, got "2024-02-30"'],
    ['a date in the future', ['--date', '2999-01-01'], {}, '--date 2999-01-01 is after today'],
    ['--days 0', ['--days', '0'], {}, '--days must be a whole number from 1 to 14, got "0"'],
    ['--days 15', ['--days', '15'], {}, '--days must be a whole number from 1 to 14, got "15"'],
    ['an unknown option', ['--since', 'monday'], {}, "Unknown option '--since'"],
    ['a stray word', ['hf-daily'], {}, 'unexpected argument "hf-daily"'],
    ['an empty SOURCES', [], { SOURCES: '' }, 'SOURCES is empty, so there is nothing to fetch'],
    ['an unknown source', [], { SOURCES: 'hf-daily,reddit' }, 'SOURCES entry "reddit" is not a source Paperboy knows'],
  ])('given %s, then it exits 2 and says why', async (_name, args, extra, message) => {
    const result = await runCli(['fetch', ...args], { env: { ...env, ...extra } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(fake.requests).toHaveLength(0);
  });

  it('given --help, then it documents the options and exit codes', async () => {
    const result = await runCli(['fetch', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: paperboy fetch \[--date YYYY-MM-DD\] \[--days N\] \[--json\]/);
    expect(result.stdout).toContain('Exit 0 when anything could be fetched, 1 when everything failed, 2 on misuse');
  });
});

describe('paperboy digest and the live sources', () => {
  const today = () => new Date().toISOString().slice(0, 10);
  // A dry run never writes the state: a path that does not exist is an empty state.
  const consoleEnv = () => ({
    ...env,
    SOURCES: 'hf-daily',
    FETCH_DAYS: '1',
    STATE_FILE: join(tmpdir(), `paperboy-no-state-${process.pid}.json`),
  });

  it('given a dry run, then nothing is fetched; given --dry-run --fetch, then the day is fetched first and its papers are what would be posted', async () => {
    fake.setDay(today(), JSON.parse(readFixture('07-d-api-json-daily-2024-10-25.json')) as unknown[]);
    const plain = await runCli(['digest', '--dry-run'], { env: consoleEnv() });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('no unposted papers remain; nothing would be posted');
    expect(fake.requests).toHaveLength(0);

    const fetched = await runCli(['digest', '--dry-run', '--fetch'], { env: consoleEnv() });
    expect(fetched.code).toBe(0);
    expect(fetched.stdout).toContain('the next digest would post 3 papers; 26 would remain');
    expect(fetched.stdout).toContain('Breaking the Memory Barrier');
    expect(await listFolder(`${corpus.dir}/hf-daily`)).toEqual(['.etags', `${today()}.json`]);
  });

  it('given --fetch without --dry-run, or without SOURCES, then it exits 2 and says why', async () => {
    const alone = await runCli(['digest', '--fetch'], { env: consoleEnv() });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--fetch goes with --dry-run');
    const empty = await runCli(['digest', '--dry-run', '--fetch'], { env: { ...consoleEnv(), SOURCES: '' } });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--fetch needs SOURCES');
    expect(fake.requests).toHaveLength(0);
  });
});
