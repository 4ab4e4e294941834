import { formatLocalTime } from '../core/time.js';
import { fetchBeforeDigest, type FetchReport, type FetchWarning, type SourceFetcher } from './fetch-sources.js';
import type { Logger } from './ports.js';

/**
 * How long a digest waits for the live sources before it goes on with the corpus folder as it is. The fetch carries
 * on and the next digest reads what it wrote. One minute is the longest `Retry-After` the HTTP client waits out.
 */
export const FETCH_WAIT_MS = 60_000;

/** The live sources as the digest runs them: fetch first, and say what keeps failing. */
export interface FetchBeforeDigest {
  /**
   * Fetches every source before a digest. Resolves when the fetch is done, once `waitMs` have passed (the fetch
   * carries on), or at once when `signal` aborts. It never rejects: a failed fetch leaves the digest to go on.
   */
  beforeDigest(signal?: AbortSignal): Promise<void>;
  /** One sentence per source whose last fetch failed, with since when, for health (degraded) and `/digest status`. */
  concerns(): string[];
  /** Stops a fetch under way (the bot is stopping): its requests end at once and nothing more is written. */
  stop(): void;
  /** The first source whose last fetch failed, with since when (`hf-daily, since Mon 5 Oct 2026, 09:00 UTC`), or null. */
  failingSource(): string | null;
}

/** What the step remembers of a source that keeps failing. */
interface Failing {
  since: string;
  fetches: number;
  warnings: FetchWarning[];
}

/** Creates the fetch a digest runs first; `fetcher` null (SOURCES empty) makes every call a no-op. */
export function createFetchBeforeDigest(deps: {
  fetcher: SourceFetcher | null;
  logger: Logger;
  timezone: string;
  waitMs?: number;
}): FetchBeforeDigest {
  const { fetcher, logger } = deps;
  const waitMs = deps.waitMs ?? FETCH_WAIT_MS;
  const stopping = new AbortController();
  const failing = new Map<string, Failing>();
  let noted: FetchReport | null = null;

  /** Keeps, per source, since when it fails; a source that fetched cleanly is forgotten (and said to be back). */
  const note = (report: FetchReport): void => {
    // Two digests can share one fetch: count it once.
    if (report === noted || stopping.signal.aborted) return;
    noted = report;
    const bySource = new Map<string, FetchWarning[]>();
    for (const warning of report.warnings) bySource.set(warning.source, [...(bySource.get(warning.source) ?? []), warning]);
    for (const [source, before] of failing) {
      if (bySource.has(source)) continue;
      failing.delete(source);
      logger.info({ source, since: before.since }, `live source ${source} fetches again (it had failed since ${before.since})`);
    }
    for (const [source, warnings] of bySource) {
      const before = failing.get(source);
      failing.set(source, { since: before?.since ?? report.startedAt, fetches: (before?.fetches ?? 0) + 1, warnings });
    }
  };

  return {
    async beforeDigest(signal) {
      if (!fetcher || signal?.aborted || stopping.signal.aborted) return;
      const fetching = fetchBeforeDigest(fetcher, logger, { signal: stopping.signal }).then((report) => {
        if (report) note(report);
        return 'done' as const;
      });
      let timer: NodeJS.Timeout | undefined;
      let onAbort = (): void => undefined;
      const waited = await Promise.race([
        fetching,
        new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitMs))),
        new Promise<'stopped'>((resolve) => {
          onAbort = () => resolve('stopped');
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (waited === 'late')
        logger.warn(
          { waitMs },
          `the live sources take longer than ${waitMs / 1000} s to fetch; the digest goes on with the corpus as it is, and the next one reads what this fetch writes`,
        );
    },
    concerns: () =>
      [...failing].map(([source, { since, fetches, warnings }]) => {
        const what = source === 'sources' ? 'fetching the live sources' : `the live source ${source}`;
        const more = warnings.length > 1 ? ` (and ${warnings.length - 1} more problem${warnings.length === 2 ? '' : 's'})` : '';
        const at = formatLocalTime(since, deps.timezone);
        const when = fetches === 1 ? `failed at the last fetch (${at})` : `has failed at each of the last ${fetches} fetches, since ${at}`;
        return `${what} ${when}: ${warnings[0]!.message}${more}. Digests go on with what the corpus folder already holds; \`paperboy fetch\` shows every day and feed`;
      }),
    stop: () => stopping.abort(),
    failingSource() {
      const [first] = failing;
      return first ? `${first[0]}, since ${formatLocalTime(first[1].since, deps.timezone)}` : null;
    },
  };
}
