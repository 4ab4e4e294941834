import { link, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCorpusFile } from '../../../src/core/formats/index.js';
import { readFixture } from '../../core/formats/fixtures.js';
import { startFakeSources, type FakeSources, type SourceFault } from '../../support/fake-sources.js';
import { createTestFetcher, fingerprint, listFolder, makeCorpusDir } from './helpers.js';

const REAL_2024 = JSON.parse(readFixture('07-d-api-json-daily-2024-10-25.json')) as Array<{ paper: { id: string; upvotes: number } }>;
const CURRENT_2026 = JSON.parse(readFixture('written/daily-papers-current-2026-10-05.json')) as Array<{
  paper: { id: string; upvotes: number; githubStars?: number };
}>;
const DAY = '2024-10-25';
const SNAPSHOT = `hf-daily/${DAY}.json`;
const HF = [{ kind: 'hf-daily' as const }];

let fake: FakeSources;
let corpus: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  fake = await startFakeSources();
  corpus = await makeCorpusDir();
});
afterEach(async () => {
  await fake.close();
  await corpus.remove();
});

const readSnapshot = async (file = SNAPSHOT) => {
  const bytes = await readFile(join(corpus.dir, file));
  return readCorpusFile(bytes, { file, referenceDate: DAY });
};

describe('fetching the Hugging Face daily list', () => {
  it('given the real 2024 capture, then hf-daily/<day>.json holds all 29 papers with their arXiv ids and upvotes', async () => {
    fake.setDay(DAY, REAL_2024);
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF);
    const report = await fetcher.fetchAll();
    expect(report.outcomes).toEqual([expect.objectContaining({ source: 'hf-daily', key: DAY, status: 'new', file: SNAPSHOT, papers: 29 })]);
    expect(report.failed).toBe(false);
    const read = await readSnapshot();
    expect(read).toMatchObject({ format: 'daily-papers-json', quarantined: false });
    expect(read.papers.map((p) => p.arxivId)).toEqual(REAL_2024.map((item) => item.paper.id));
    expect(read.papers[0]).toMatchObject({ upvotes: 64, url: 'https://huggingface.co/papers/2410.17243' });
    expect(fake.requests[0]!.query.get('date')).toBe(DAY);
  });

  it('given a current-shape response, then the enrichment fields reach the snapshot', async () => {
    fake.setDay('2026-10-05', CURRENT_2026);
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF, { now: '2026-10-05T18:00:00Z' });
    await fetcher.fetchAll();
    const bytes = await readFile(join(corpus.dir, 'hf-daily/2026-10-05.json'));
    const [first] = readCorpusFile(bytes, { file: 'x', referenceDate: '2026-10-05' }).papers;
    expect(first).toMatchObject({
      arxivId: '2610.05608',
      upvotes: 117,
      githubRepo: expect.stringMatching(/^https:\/\/github\.com\//),
      aiSummary: expect.any(String),
    });
  });

  it('given FETCH_DAYS=3, then it fetches the last three UTC days, oldest first', async () => {
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF, { fetchDays: 3, now: '2024-10-25T00:30:00Z' });
    const report = await fetcher.fetchAll();
    expect(fake.requests.map((r) => r.query.get('date'))).toEqual(['2024-10-23', '2024-10-24', '2024-10-25']);
    expect(report.outcomes.map((o) => o.status)).toEqual(['empty', 'empty', 'empty']);
    expect(report.warnings).toEqual([]);
  });

  it('given more papers than a page holds, then it follows the pages until one comes back short', async () => {
    fake.setDay(DAY, REAL_2024);
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF, { pageSize: 10 });
    const report = await fetcher.fetchAll();
    expect(fake.requests.map((r) => [r.query.get('p'), r.query.get('limit')])).toEqual([
      [null, '10'],
      ['1', '10'],
      ['2', '10'],
    ]);
    expect(report.outcomes[0]).toMatchObject({ status: 'new', papers: 29 });
    expect((await readSnapshot()).papers.map((p) => p.arxivId)).toEqual(REAL_2024.map((item) => item.paper.id));
  });

  it('given exactly two full pages, then an empty third page ends the list', async () => {
    fake.setDay(DAY, REAL_2024.slice(0, 20));
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF, { pageSize: 10 });
    const report = await fetcher.fetchAll();
    expect(fake.requests).toHaveLength(3);
    expect(report.outcomes[0]).toMatchObject({ status: 'new', papers: 20 });
  });

  it('given a server that ignores p, then it stops at the repeated page instead of looping', async () => {
    await fake.close();
    fake = await startFakeSources({ ignorePaging: true });
    fake.setDay(DAY, REAL_2024);
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF, { pageSize: 10 });
    const report = await fetcher.fetchAll();
    expect(fake.requests).toHaveLength(2);
    expect(report.outcomes[0]).toMatchObject({ status: 'new', papers: 10 });
  });

  it('given an unchanged list, then the second fetch sends If-None-Match, gets 304 and leaves the file alone', async () => {
    fake.setDay(DAY, REAL_2024);
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF);
    await fetcher.fetchAll();
    const before = await fingerprint(join(corpus.dir, SNAPSHOT));
    const report = await fetcher.fetchAll();
    expect(fake.requests[1]!.headers['if-none-match']).toMatch(/^"[0-9a-f]{40}"$/);
    expect(fake.requests[1]!.served).toBe(304);
    expect(report.outcomes[0]).toMatchObject({ status: 'not-modified', papers: 29 });
    expect(await fingerprint(join(corpus.dir, SNAPSHOT))).toEqual(before);
  });

  it('given paged answers that did not change, then every page is confirmed by 304 and nothing is written', async () => {
    fake.setDay(DAY, REAL_2024);
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF, { pageSize: 10 });
    await fetcher.fetchAll();
    const before = await fingerprint(join(corpus.dir, SNAPSHOT));
    const report = await fetcher.fetchAll();
    expect(fake.requests.slice(3).map((r) => r.served)).toEqual([304, 304, 304]);
    expect(report.outcomes[0]).toMatchObject({ status: 'not-modified', papers: 29 });
    expect(await fingerprint(join(corpus.dir, SNAPSHOT))).toEqual(before);
  });

  it('given a snapshot an admin edited, then the old ETag is not sent (a 304 would confirm a copy that is gone)', async () => {
    fake.setDay(DAY, REAL_2024);
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF);
    await fetcher.fetchAll();
    await writeFile(join(corpus.dir, SNAPSHOT), '[]\n');
    const report = await fetcher.fetchAll();
    expect(fake.requests[1]!.headers['if-none-match']).toBeUndefined();
    expect(report.outcomes[0]).toMatchObject({ status: 'updated', papers: 29 });
  });

  it('given a server without ETags and the same list, then the snapshot is reported unchanged and not rewritten', async () => {
    await fake.close();
    fake = await startFakeSources({ etags: false });
    fake.setDay(DAY, REAL_2024);
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF);
    await fetcher.fetchAll();
    const before = await fingerprint(join(corpus.dir, SNAPSHOT));
    const report = await fetcher.fetchAll();
    expect(report.outcomes[0]).toMatchObject({ status: 'unchanged', papers: 29 });
    expect(await fingerprint(join(corpus.dir, SNAPSHOT))).toEqual(before);
  });

  it('given a list that grows and whose upvotes change between two fetches, then the snapshot is updated with both', async () => {
    fake.setDay(DAY, REAL_2024.slice(0, 3));
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF);
    expect((await fetcher.fetchAll()).outcomes[0]).toMatchObject({ status: 'new', papers: 3 });
    const grown = REAL_2024.slice(0, 5).map((item, i) => (i === 0 ? { ...item, paper: { ...item.paper, upvotes: 99 } } : item));
    fake.setDay(DAY, grown);
    const report = await fetcher.fetchAll();
    expect(report.outcomes[0]).toMatchObject({ status: 'updated', papers: 5, previousPapers: 3, message: `${SNAPSHOT}: 5 papers (was 3)` });
    const papers = (await readSnapshot()).papers;
    expect(papers.map((p) => p.arxivId)).toEqual(REAL_2024.slice(0, 5).map((item) => item.paper.id));
    expect(papers[0]!.upvotes).toBe(99);
  });

  it('given an update, then the new content is renamed into place (a hard link to the old file keeps the old bytes) and no temp file is left', async () => {
    fake.setDay(DAY, REAL_2024.slice(0, 3));
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF);
    await fetcher.fetchAll();
    const old = await readFile(join(corpus.dir, SNAPSHOT), 'utf8');
    await link(join(corpus.dir, SNAPSHOT), join(corpus.dir, 'old-copy'));
    fake.setDay(DAY, REAL_2024.slice(0, 4));
    await fetcher.fetchAll();
    expect(await readFile(join(corpus.dir, 'old-copy'), 'utf8')).toBe(old);
    expect(JSON.parse(await readFile(join(corpus.dir, SNAPSHOT), 'utf8'))).toHaveLength(4);
    expect(await listFolder(join(corpus.dir, 'hf-daily'))).toEqual(['.etags', `${DAY}.json`]);
  });

  it('given an empty day and no snapshot, then nothing is written and nothing is wrong', async () => {
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF);
    const report = await fetcher.fetchAll();
    expect(report.outcomes[0]).toMatchObject({ status: 'empty', file: null });
    expect(report).toMatchObject({ warnings: [], failed: false });
    expect(await listFolder(join(corpus.dir, 'hf-daily'))).not.toContain(`${DAY}.json`);
  });

  it('given a 429 with Retry-After: 2, then it waits 2 s and gets the list', async () => {
    fake.setDay(DAY, REAL_2024);
    fake.inject('/api/daily_papers', { kind: 'status', status: 429, retryAfter: '2' });
    const { fetcher, sleeps } = createTestFetcher(fake, corpus.dir, HF);
    const report = await fetcher.fetchAll();
    expect(sleeps).toEqual([2000]);
    expect(report.outcomes[0]).toMatchObject({ status: 'new', papers: 29 });
  });
});

describe('bad answers never delete or overwrite a good snapshot', () => {
  const four = (fault: SourceFault) => [fault, fault, fault, fault];
  it.each<[string, SourceFault[], RegExp]>([
    [
      'an HTML error page',
      [{ kind: 'html' }],
      /returned an HTML page instead of JSON \("503 Service Temporarily Unavailable"\); kept hf-daily\/2024-10-25\.json as it was$/,
    ],
    ['truncated JSON', [{ kind: 'truncated' }], /returned JSON that does not parse \(.*\): the answer was cut off or damaged; kept /],
    [
      'an empty list for a day that had papers',
      [{ kind: 'empty-list' }],
      /returned an empty list for 2024-10-25, which had 29 papers; kept /,
    ],
    ['a 503 on every attempt', four({ kind: 'status', status: 503 }), /failed with status 503 after 4 attempts; kept /],
    [
      'a 429 asking to wait an hour',
      [{ kind: 'status', status: 429, retryAfter: '3600' }],
      /the server asks to wait 3600 s \(Retry-After\).*; kept /,
    ],
    ['a slow answer on every attempt', four({ kind: 'slow', delayMs: 5000 }), /failed after 4 attempts: timed out after 0\.3 s; kept /],
    [
      'a huge body',
      [{ kind: 'huge', bytes: 3 * 1024 * 1024 }],
      /the response is larger than the 1 MB limit; stopped reading \(not retried\); kept /,
    ],
    ['a dropped connection on every attempt', four({ kind: 'drop' }), /failed after 4 attempts: .*; kept /],
  ])('given %s, then the snapshot is untouched and the report carries a warning', async (_name, faults, message) => {
    fake.setDay(DAY, REAL_2024);
    const { fetcher, logger } = createTestFetcher(fake, corpus.dir, HF, { maxBytes: 1024 * 1024 });
    await fetcher.fetchAll();
    const before = await fingerprint(join(corpus.dir, SNAPSHOT));
    fake.inject('/api/daily_papers', ...faults);
    const report = await fetcher.fetchAll();
    expect(report.outcomes).toEqual([expect.objectContaining({ status: 'warning', file: SNAPSHOT, papers: 29 })]);
    expect(report.warnings).toEqual([{ source: 'hf-daily', key: DAY, file: SNAPSHOT, message: expect.stringMatching(message) }]);
    expect(report.warnings[0]!.message).toContain(`${fake.hfApiUrl}/daily_papers?date=${DAY}`.replace(/\?.*/, ''));
    expect(report.failed).toBe(true);
    expect(fetcher.warnings()).toEqual(report.warnings);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([expect.stringMatching(message)]);
    expect(await fingerprint(join(corpus.dir, SNAPSHOT))).toEqual(before);
  });

  it('given a bad answer and no snapshot yet, then no file is created', async () => {
    fake.setDay(DAY, REAL_2024);
    fake.inject('/api/daily_papers', { kind: 'truncated' });
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF);
    const report = await fetcher.fetchAll();
    expect(report.warnings[0]!.message).toMatch(/; no snapshot was written$/);
    expect(report.warnings[0]!.file).toBeNull();
    expect(await listFolder(join(corpus.dir, 'hf-daily'))).toEqual([]);
  });

  it('given a failed fetch, then the ETag is still remembered and the next fetch can get a 304', async () => {
    fake.setDay(DAY, REAL_2024);
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF);
    await fetcher.fetchAll();
    fake.inject('/api/daily_papers', { kind: 'status', status: 400 });
    expect((await fetcher.fetchAll()).outcomes[0]!.status).toBe('warning');
    const report = await fetcher.fetchAll();
    expect(fake.requests.map((r) => r.served)).toEqual([200, 'status', 304]);
    expect(report.outcomes[0]!.status).toBe('not-modified');
  });

  it('given a failing second page, then the day keeps its old snapshot rather than half a list', async () => {
    fake.setDay(DAY, REAL_2024.slice(0, 15));
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF, { pageSize: 10 });
    await fetcher.fetchAll();
    const before = await fingerprint(join(corpus.dir, SNAPSHOT));
    fake.setDay(DAY, REAL_2024);
    fake.inject(`/api/daily_papers?date=${DAY}&limit=10&p=1`, { kind: 'html' });
    const report = await fetcher.fetchAll();
    expect(fake.requests.slice(2).map((r) => [r.query.get('p'), r.served])).toEqual([
      [null, 304],
      ['1', 'html'],
    ]);
    expect(report.outcomes[0]).toMatchObject({ status: 'warning', papers: 15 });
    expect(await fingerprint(join(corpus.dir, SNAPSHOT))).toEqual(before);
  });

  it('given one bad day among good ones, then the good days are still fetched and the report is not a total failure', async () => {
    fake.setDay('2024-10-24', REAL_2024.slice(0, 2));
    fake.setDay(DAY, REAL_2024);
    fake.inject('/api/daily_papers', { kind: 'html' });
    const { fetcher } = createTestFetcher(fake, corpus.dir, HF, { fetchDays: 2 });
    const report = await fetcher.fetchAll();
    expect(report.outcomes.map((o) => [o.key, o.status])).toEqual([
      ['2024-10-24', 'warning'],
      [DAY, 'new'],
    ]);
    expect(report.failed).toBe(false);
  });
});
