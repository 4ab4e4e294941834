import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchBeforeDigest, type SourceFetcher } from '../../../src/app/fetch-sources.js';
import { listDays } from '../../../src/adapters/sources/source-fetcher.js';
import { readFixture } from '../../core/formats/fixtures.js';
import { startFakeSources, type FakeSources } from '../../support/fake-sources.js';
import { createRecordingLogger, createTestFetcher, makeCorpusDir } from './helpers.js';

const DAY = '2024-10-25';
let fake: FakeSources;
let corpus: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  fake = await startFakeSources();
  fake.setDay(DAY, JSON.parse(readFixture('07-d-api-json-daily-2024-10-25.json')) as unknown[]);
  corpus = await makeCorpusDir();
});
afterEach(async () => {
  await fake.close();
  await corpus.remove();
});

describe('the source fetcher the digest calls', () => {
  it('given no fetch yet, then there is no report and no warning; after one, both are kept', async () => {
    const { fetcher } = createTestFetcher(fake, corpus.dir, [{ kind: 'hf-daily' }]);
    expect(fetcher.lastReport()).toBeNull();
    expect(fetcher.warnings()).toEqual([]);
    fake.inject('/api/daily_papers', { kind: 'html' });
    const report = await fetcher.fetchAll();
    expect(fetcher.lastReport()).toBe(report);
    expect(fetcher.warnings()).toHaveLength(1);
    await fetcher.fetchAll();
    expect(fetcher.warnings()).toEqual([]);
  });

  it('given two callers at once (the schedule and /digest now), then they share one fetch', async () => {
    const { fetcher } = createTestFetcher(fake, corpus.dir, [{ kind: 'hf-daily' }]);
    const [a, b] = await Promise.all([fetcher.fetchAll(), fetcher.fetchAll()]);
    expect(a).toBe(b);
    expect(fake.requests).toHaveLength(1);
  });

  it('given an empty SOURCES, then a fetch does nothing and is not a failure', async () => {
    const { fetcher } = createTestFetcher(fake, corpus.dir, []);
    expect(await fetcher.fetchAll()).toMatchObject({ outcomes: [], warnings: [], failed: false });
    expect(fake.requests).toHaveLength(0);
  });

  it("given a fetcher that rejects anyway, then the digest's fetch logs it and goes on", async () => {
    const logger = createRecordingLogger();
    const broken: SourceFetcher = { fetchAll: () => Promise.reject(new Error('bug')), lastReport: () => null, warnings: () => [] };
    expect(await fetchBeforeDigest(broken, logger)).toBeNull();
    expect(logger.lines).toEqual([
      { level: 'error', message: 'fetching the sources failed unexpectedly; the digest goes on with the corpus as it is' },
    ]);
    expect(await fetchBeforeDigest(null, logger)).toBeNull();
  });

  it.each([
    ['2024-10-25', 1, ['2024-10-25']],
    ['2024-03-01', 3, ['2024-02-28', '2024-02-29', '2024-03-01']],
    ['2025-01-01', 2, ['2024-12-31', '2025-01-01']],
  ])('given %s and %i days, then the days are %j', (last, count, days) => {
    expect(listDays(last, count)).toEqual(days);
  });
});
