import type { SourcesConfig } from '../../config.js';
import type { FetchOptions, FetchOutcome, FetchReport, SourceFetcher } from '../../app/fetch-sources.js';
import type { Clock, Logger } from '../../app/ports.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../http/http-client.js';
import { createPacer, type MonotonicNow, realSleep, type Sleep } from '../http/pacer.js';
import { createUserAgent } from '../http/user-agent.js';
import { ARXIV_DIR, fetchArxivCategory } from './arxiv-feed.js';
import { openEtagCache } from './etag-cache.js';
import { fetchHfDay, HF_DAILY_DIR } from './hf-daily.js';

/** arXiv's terms of use: at most one request every three seconds. */
export const ARXIV_REQUEST_INTERVAL_MS = 3000;

/** Knobs for tests and benchmarks; production uses the defaults. */
export interface SourceFetcherOptions {
  sleep?: Sleep;
  /** The clock the arXiv pacing measures with; default `performance.now`. */
  monotonicNow?: MonotonicNow;
  /** Pause between two arXiv requests; default {@link ARXIV_REQUEST_INTERVAL_MS}. */
  arxivIntervalMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
  backoffMs?: (retry: number) => number;
  /** Items per page of the daily list; default the API's 50. */
  pageSize?: number;
  fetch?: typeof fetch;
  userAgent?: string;
}

/**
 * The live sources of `SOURCES`, fetched into the corpus folder: the Hugging Face daily list (the last
 * `FETCH_DAYS` UTC days) and arXiv listing feeds. One fetch runs at a time; a second caller shares it.
 */
export function createSourceFetcher(
  config: { corpusDir: string; sources: SourcesConfig },
  logger: Logger,
  clock: Clock,
  options: SourceFetcherOptions = {},
): SourceFetcher {
  const sleep = options.sleep ?? realSleep;
  const base: HttpClientOptions = {
    userAgent: options.userAgent ?? createUserAgent(),
    now: () => clock.now(),
    sleep,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const hfHttp = createHttpClient(base);
  // One pacer for every category, kept between fetches: the interval holds across the whole process.
  const arxivHttp = createHttpClient({
    ...base,
    pacer: createPacer(options.arxivIntervalMs ?? ARXIV_REQUEST_INTERVAL_MS, sleep, options.monotonicNow),
  });
  const { corpusDir, sources } = config;
  let last: FetchReport | null = null;
  let running: Promise<FetchReport> | null = null;

  const fetchEverything = async (fetchOptions: FetchOptions): Promise<FetchReport> => {
    const { signal } = fetchOptions;
    const hf = withSignal(hfHttp, signal);
    const arxiv = withSignal(arxivHttp, signal);
    const startedAt = clock.now();
    const today = startedAt.toISOString().slice(0, 10);
    const outcomes: FetchOutcome[] = [];
    const record = (outcome: FetchOutcome) => {
      outcomes.push(outcome);
      const fields = { source: outcome.source, key: outcome.key, file: outcome.file, status: outcome.status };
      const line = `fetch ${outcome.source === 'hf-daily' ? `hf-daily ${outcome.key}` : outcome.source} ${outcome.status}: ${outcome.message}`;
      if (outcome.status === 'warning') logger.warn(fields, line);
      else logger.info(fields, line);
    };
    const guard = async (source: string, key: string, task: () => Promise<FetchOutcome>) => {
      try {
        record(await task());
      } catch (error) {
        // Each source is independent: a bug or a full disk in one must not stop the others or the digest.
        record({
          source,
          key,
          status: 'warning',
          file: null,
          papers: null,
          previousPapers: null,
          message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    };

    if (sources.list.some((s) => s.kind === 'hf-daily')) {
      const cache = await openEtagCache(corpusDir, `${HF_DAILY_DIR}/.etags`);
      const days = listDays(fetchOptions.date ?? today, fetchOptions.days ?? sources.fetchDays);
      for (const day of days) {
        if (signal?.aborted) break;
        await guard('hf-daily', day, () =>
          fetchHfDay(
            { corpusDir, http: hf, cache, apiUrl: sources.hfApiUrl, ...(options.pageSize ? { pageSize: options.pageSize } : {}) },
            day,
          ),
        );
      }
      await saveCache(cache.save(), 'hf-daily', logger);
    }
    const categories = sources.list.flatMap((s) => (s.kind === 'arxiv' ? [s.category] : []));
    if (categories.length > 0) {
      const cache = await openEtagCache(corpusDir, `${ARXIV_DIR}/.etags`);
      for (const category of categories) {
        if (signal?.aborted) break;
        await guard(`arxiv:${category}`, category, () =>
          fetchArxivCategory({ corpusDir, http: arxiv, cache, rssUrl: sources.arxivRssUrl, today }, category),
        );
      }
      await saveCache(cache.save(), 'arxiv', logger);
    }

    const warnings = outcomes
      .filter((o) => o.status === 'warning')
      .map(({ source, key, file, message }) => ({ source, key, file, message }));
    return {
      startedAt: startedAt.toISOString(),
      finishedAt: clock.now().toISOString(),
      outcomes,
      warnings,
      failed: outcomes.length > 0 && warnings.length === outcomes.length,
    };
  };

  return {
    fetchAll(fetchOptions = {}) {
      running ??= fetchEverything(fetchOptions)
        .catch((error: unknown): FetchReport => {
          const at = clock.now().toISOString();
          const message = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
          logger.error({ err: error }, `fetching the sources failed: ${message}`);
          const warning = { source: 'sources', key: '', file: null, message };
          return {
            startedAt: at,
            finishedAt: at,
            outcomes: [{ ...warning, status: 'warning', papers: null, previousPapers: null }],
            warnings: [warning],
            failed: true,
          };
        })
        .then((report) => {
          last = report;
          return report;
        })
        .finally(() => {
          running = null;
        });
      return running;
    },
    lastReport: () => last,
    warnings: () => last?.warnings ?? [],
  };
}

/** The client with one fetch's stop signal on every request. */
function withSignal(http: HttpClient, signal: AbortSignal | undefined): HttpClient {
  return signal ? { get: (url, options) => http.get(url, { ...options, signal }) } : http;
}

/** The `count` UTC days ending with `last` (`YYYY-MM-DD`), oldest first. */
export function listDays(last: string, count: number): string[] {
  const [year, month, day] = last.split('-').map(Number) as [number, number, number];
  const days: string[] = [];
  for (let back = count - 1; back >= 0; back -= 1) days.push(new Date(Date.UTC(year, month - 1, day - back)).toISOString().slice(0, 10));
  return days;
}

async function saveCache(saving: Promise<void>, source: string, logger: Logger): Promise<void> {
  try {
    await saving;
  } catch (error) {
    // Only a cache: the next fetch downloads in full instead of asking "changed since?".
    logger.warn({ source, err: error }, `cannot save the ETags of ${source}; the next fetch downloads everything again`);
  }
}
