import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCorpusFile } from '../../../src/core/formats/index.js';
import { startFakeSources, type FakeSources } from '../../support/fake-sources.js';
import { createTestFetcher, fingerprint, listFolder, makeCorpusDir } from './helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sources/arxiv/${name}`, import.meta.url), 'utf8');
const WEEKDAY = fixture('cs.CL-2026-10-06.xml');
const WEEKEND = fixture('cs.CL-2026-10-10-weekend.xml');
const NOW = '2026-10-06T06:00:00Z';
const SNAPSHOT = 'arxiv/cs.CL/2026-10-06.xml';
const CL = [{ kind: 'arxiv' as const, category: 'cs.CL' }];

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

describe('fetching arXiv listing feeds', () => {
  it('given a weekday feed, then it is kept verbatim under its announcement day, and the reader keeps new and cross but not replacements', async () => {
    fake.setFeed('cs.CL', WEEKDAY);
    const { fetcher } = createTestFetcher(fake, corpus.dir, CL, { now: NOW });
    const report = await fetcher.fetchAll();
    expect(report.outcomes).toEqual([
      expect.objectContaining({
        source: 'arxiv:cs.CL',
        key: 'cs.CL',
        status: 'new',
        file: SNAPSHOT,
        papers: 3,
        message: `${SNAPSHOT}: 3 papers; 2 replacements skipped`,
      }),
    ]);
    const bytes = await readFile(join(corpus.dir, SNAPSHOT));
    expect(bytes.toString('utf8')).toBe(WEEKDAY);
    const read = readCorpusFile(bytes, { file: SNAPSHOT, referenceDate: '2026-10-06' });
    expect(read.format).toBe('arxiv-rss');
    expect(read.papers.map((p) => [p.arxivId, p.url])).toEqual([
      ['2610.04101', 'https://arxiv.org/abs/2610.04101'],
      ['2610.04187', 'https://arxiv.org/abs/2610.04187'],
      ['2610.03950', 'https://arxiv.org/abs/2610.03950'],
    ]);
    expect(fake.requests[0]!.path).toBe('/rss/cs.CL');
  });

  it('given an empty weekend feed, then nothing is written and there is no warning', async () => {
    fake.setFeed('cs.CL', WEEKEND);
    const { fetcher } = createTestFetcher(fake, corpus.dir, CL, { now: '2026-10-10T06:00:00Z' });
    const report = await fetcher.fetchAll();
    expect(report.outcomes).toEqual([expect.objectContaining({ status: 'empty', file: null })]);
    expect(report.outcomes[0]!.message).toContain('arXiv announces nothing on Saturdays, Sundays and holidays');
    expect(report).toMatchObject({ warnings: [], failed: false });
    expect(await listFolder(join(corpus.dir, 'arxiv'))).not.toContain('cs.CL');
  });

  it('given two categories, then every request starts at least the arXiv interval after the one before, retries and later fetches included', async () => {
    fake.setFeed('cs.CL', WEEKDAY);
    fake.setFeed('cs.LG', WEEKEND);
    fake.inject('/rss/cs.LG', { kind: 'status', status: 503 });
    const events: string[] = [];
    const starts: number[] = [];
    const { fetcher, time } = createTestFetcher(fake, corpus.dir, [...CL, { kind: 'arxiv', category: 'cs.LG' }], {
      now: NOW,
      arxivIntervalMs: 3000,
    });
    fake.onRequest = (request) => {
      starts.push(time.now());
      events.push(`GET ${request.path}`);
    };
    await fetcher.fetchAll();
    await fetcher.fetchAll();
    expect(events).toEqual(['GET /rss/cs.CL', 'GET /rss/cs.LG', 'GET /rss/cs.LG', 'GET /rss/cs.CL', 'GET /rss/cs.LG']);
    // The 503's own 1 s backoff counts towards the pause; the rest is waited for.
    expect(starts).toEqual([0, 3000, 6000, 9000, 12000]);
    for (let i = 1; i < starts.length; i += 1) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(3000);
  });

  it("given the default interval, then it is arXiv's three seconds", async () => {
    fake.setFeed('cs.CL', WEEKEND);
    fake.setFeed('cs.LG', WEEKEND);
    const sleeps: number[] = [];
    const { fetcher } = createTestFetcher(fake, corpus.dir, [...CL, { kind: 'arxiv', category: 'cs.LG' }], { now: NOW, sleeps });
    await fetcher.fetchAll();
    expect(sleeps).toEqual([3000]);
  });

  it('given an unchanged feed, then the second fetch gets 304 and the snapshot stays as it was', async () => {
    fake.setFeed('cs.CL', WEEKDAY);
    const { fetcher } = createTestFetcher(fake, corpus.dir, CL, { now: NOW });
    await fetcher.fetchAll();
    const before = await fingerprint(join(corpus.dir, SNAPSHOT));
    const report = await fetcher.fetchAll();
    expect(fake.requests[1]!.served).toBe(304);
    expect(report.outcomes[0]).toMatchObject({ status: 'not-modified', file: SNAPSHOT, papers: 3 });
    expect(await fingerprint(join(corpus.dir, SNAPSHOT))).toEqual(before);
  });

  it("given the same day's feed rebuilt with one more paper, then the snapshot is updated", async () => {
    fake.setFeed('cs.CL', WEEKDAY);
    const { fetcher } = createTestFetcher(fake, corpus.dir, CL, { now: NOW });
    await fetcher.fetchAll();
    const extra = WEEKDAY.replace(
      '<item>',
      '<item>\n      <title>One More Paper on Speech Translation Evaluation</title>\n      <link>https://arxiv.org/abs/2610.04444</link>\n      <description>arXiv:2610.04444v1 Announce Type: new \nAbstract: We evaluate speech translation systems on twelve language pairs and find that automatic metrics disagree with people.</description>\n      <guid isPermaLink="false">oai:arXiv.org:2610.04444v1</guid>\n      <arxiv:announce_type>new</arxiv:announce_type>\n      <dc:creator>Ana Lima</dc:creator>\n    </item>\n    <item>',
    );
    fake.setFeed('cs.CL', extra);
    const report = await fetcher.fetchAll();
    expect(report.outcomes[0]).toMatchObject({ status: 'updated', papers: 4, previousPapers: 3 });
  });

  it.each([
    [
      'an HTML error page',
      { kind: 'html' as const },
      /returned an HTML page instead of an RSS feed \("503 Service Temporarily Unavailable"\)/,
    ],
    ['a feed cut off mid-item', { kind: 'truncated' as const }, /returned a damaged feed \(the feed is cut off inside item \d+/],
    ['a 404', { kind: 'status' as const, status: 404 }, /failed with status 404 \(not retried/],
  ])('given %s, then the snapshot is untouched and the report carries a warning', async (_name, fault, message) => {
    fake.setFeed('cs.CL', WEEKDAY);
    const { fetcher } = createTestFetcher(fake, corpus.dir, CL, { now: NOW });
    await fetcher.fetchAll();
    const before = await fingerprint(join(corpus.dir, SNAPSHOT));
    fake.inject('/rss/cs.CL', fault);
    const report = await fetcher.fetchAll();
    expect(report.warnings).toEqual([{ source: 'arxiv:cs.CL', key: 'cs.CL', file: null, message: expect.stringMatching(message) }]);
    expect(report.warnings[0]!.message).toMatch(/the cs\.CL snapshots were kept as they were$/);
    expect(await fingerprint(join(corpus.dir, SNAPSHOT))).toEqual(before);
  });

  it('given hf-daily and a category, then one report covers both', async () => {
    fake.setDay('2026-10-06', []);
    fake.setFeed('cs.CL', WEEKDAY);
    const { fetcher } = createTestFetcher(fake, corpus.dir, [{ kind: 'hf-daily' }, ...CL], { now: NOW });
    const report = await fetcher.fetchAll();
    expect(report.outcomes.map((o) => [o.source, o.status])).toEqual([
      ['hf-daily', 'empty'],
      ['arxiv:cs.CL', 'new'],
    ]);
  });
});
