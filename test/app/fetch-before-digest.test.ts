import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFetchBeforeDigest } from '../../src/app/fetch-before-digest.js';
import type { FetchReport, SourceFetcher } from '../../src/app/fetch-sources.js';
import { readFixture } from '../core/formats/fixtures.js';
import { createRecordingLogger, createTestFetcher, listFolder, makeCorpusDir } from '../adapters/sources/helpers.js';
import { startFakeSources, type FakeSources } from '../support/fake-sources.js';

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

/** A fetcher whose reports start at the given times, one per call, each with warnings for the given sources. */
function scriptedFetcher(script: Array<{ at: string; failing: string[] }>): SourceFetcher {
  let last: FetchReport | null = null;
  return {
    async fetchAll() {
      const { at, failing } = script.shift()!;
      const warnings = failing.map((source) => ({ source, key: DAY, file: null, message: `GET ${source} returned an HTML page` }));
      last = { startedAt: at, finishedAt: at, outcomes: [], warnings, failed: warnings.length > 0 };
      return last;
    },
    lastReport: () => last,
    warnings: () => last?.warnings ?? [],
  };
}

describe('the fetch every digest runs first', () => {
  it('given a source that answers an HTML page, then its concern says what failed, where, since when, and that digests go on', async () => {
    const { fetcher } = createTestFetcher(fake, corpus.dir, [{ kind: 'hf-daily' }]);
    const step = createFetchBeforeDigest({ fetcher, logger: createRecordingLogger(), timezone: 'UTC' });
    fake.inject('/api/daily_papers', { kind: 'html' });
    await step.beforeDigest();
    expect(step.concerns()).toEqual([
      `the live source hf-daily failed at the last fetch (Fri 25 Oct 2024, 22:00 UTC): GET ${fake.hfApiUrl}/daily_papers?date=2024-10-25&limit=50 returned an HTML page instead of JSON ("503 Service Temporarily Unavailable"); no snapshot was written. Digests go on with what the corpus folder already holds; \`paperboy fetch\` shows every day and feed`,
    ]);
    await step.beforeDigest();
    expect(step.concerns()).toEqual([]);
    expect(await listFolder(`${corpus.dir}/hf-daily`)).toContain('2024-10-25.json');
  });

  it('given a source failing at several fetches in a row, then the concern keeps the first failure as since when and counts them; a clean fetch clears it and says so', async () => {
    const logger = createRecordingLogger();
    const step = createFetchBeforeDigest({
      fetcher: scriptedFetcher([
        { at: '2026-10-05T09:00:00.000Z', failing: ['hf-daily', 'arxiv:cs.CL'] },
        { at: '2026-10-06T09:00:00.000Z', failing: ['hf-daily'] },
        { at: '2026-10-07T09:00:00.000Z', failing: ['hf-daily'] },
        { at: '2026-10-08T09:00:00.000Z', failing: [] },
      ]),
      logger,
      timezone: 'Europe/Paris',
    });
    await step.beforeDigest();
    expect(step.concerns()).toHaveLength(2);
    await step.beforeDigest();
    await step.beforeDigest();
    expect(step.concerns()).toEqual([
      'the live source hf-daily has failed at each of the last 3 fetches, since Mon 5 Oct 2026, 11:00 Europe/Paris: GET hf-daily returned an HTML page. Digests go on with what the corpus folder already holds; `paperboy fetch` shows every day and feed',
    ]);
    await step.beforeDigest();
    expect(step.concerns()).toEqual([]);
    expect(logger.lines.map((l) => l.message)).toEqual([
      'live source arxiv:cs.CL fetches again (it had failed since 2026-10-05T09:00:00.000Z)',
      'live source hf-daily fetches again (it had failed since 2026-10-05T09:00:00.000Z)',
    ]);
  });

  it('given two digests that share one fetch, then it counts as one fetch', async () => {
    const report: FetchReport = {
      startedAt: '2026-10-05T09:00:00.000Z',
      finishedAt: '2026-10-05T09:00:01.000Z',
      outcomes: [],
      warnings: [{ source: 'hf-daily', key: DAY, file: null, message: 'GET x failed with status 404' }],
      failed: true,
    };
    const shared: SourceFetcher = { fetchAll: async () => report, lastReport: () => report, warnings: () => report.warnings };
    const step = createFetchBeforeDigest({ fetcher: shared, logger: createRecordingLogger(), timezone: 'UTC' });
    await Promise.all([step.beforeDigest(), step.beforeDigest()]);
    expect(step.concerns()[0]).toMatch(/^the live source hf-daily failed at the last fetch/);
  });

  it('given a fetch slower than the wait, then the digest goes on, says so, and the fetch lands for the next one', async () => {
    const logger = createRecordingLogger();
    const { fetcher } = createTestFetcher(fake, corpus.dir, [{ kind: 'hf-daily' }], { timeoutMs: 30_000 });
    const step = createFetchBeforeDigest({ fetcher, logger, timezone: 'UTC', waitMs: 50 });
    fake.inject('/api/daily_papers', { kind: 'slow', delayMs: 400 });
    await step.beforeDigest();
    expect(await listFolder(`${corpus.dir}/hf-daily`)).toEqual([]);
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message:
        'the live sources take longer than 0.05 s to fetch; the digest goes on with the corpus as it is, and the next one reads what this fetch writes',
    });
    await expect.poll(() => listFolder(`${corpus.dir}/hf-daily`), { timeout: 10_000 }).toContain('2024-10-25.json');
  });

  it('given a shutdown while the fetch waits for a slow answer, then the digest stops waiting at once and stop() ends the request without writing anything', async () => {
    const { fetcher } = createTestFetcher(fake, corpus.dir, [{ kind: 'hf-daily' }], { timeoutMs: 120_000 });
    const step = createFetchBeforeDigest({ fetcher, logger: createRecordingLogger(), timezone: 'UTC' });
    fake.inject('/api/daily_papers', { kind: 'slow', delayMs: 120_000 });
    const shutdown = new AbortController();
    fake.onRequest = () => setTimeout(() => shutdown.abort(), 20);
    await step.beforeDigest(shutdown.signal);
    step.stop();
    const report = await fetcher.fetchAll();
    expect(report.outcomes[0]!.message).toContain('stopped: Paperboy is stopping');
    expect(fake.requests).toHaveLength(1);
    expect(await listFolder(`${corpus.dir}/hf-daily`)).toEqual([]);
    // Stopped for good: a later digest in this process fetches nothing.
    await step.beforeDigest();
    expect(fake.requests).toHaveLength(1);
  });

  it('given no live sources, then every call is a no-op without concerns', async () => {
    const step = createFetchBeforeDigest({ fetcher: null, logger: createRecordingLogger(), timezone: 'UTC' });
    await step.beforeDigest();
    expect(step.concerns()).toEqual([]);
  });
});
