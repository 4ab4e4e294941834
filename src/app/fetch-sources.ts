import type { Logger } from './ports.js';

/** What one fetch did to one snapshot: a day of the Hugging Face list, or one arXiv category's feed. */
export type FetchStatus =
  /** A snapshot file that did not exist was written. */
  | 'new'
  /** An existing snapshot was replaced by a changed one (more papers, new upvotes or stars). */
  | 'updated'
  /** The server sent the same content again; the file was left as it was. */
  | 'unchanged'
  /** The server answered 304 to our ETag: nothing was downloaded. */
  | 'not-modified'
  /** Nothing to store, and that is normal: an early day, a weekend feed. */
  | 'empty'
  /** The fetch failed or the answer was bad; the snapshot on disk (if any) was kept as it was. */
  | 'warning';

/** One line of a {@link FetchReport}. */
export interface FetchOutcome {
  /** `hf-daily` or `arxiv:<category>`. */
  source: string;
  /** The day (`YYYY-MM-DD`) for the daily list, the category for arXiv. */
  key: string;
  status: FetchStatus;
  /** The snapshot, relative to the corpus folder, or null when there is none. */
  file: string | null;
  /** Papers the snapshot holds now (after this fetch), or null when unknown. */
  papers: number | null;
  /** Papers it held before, for `updated`. */
  previousPapers: number | null;
  /** What happened, in a sentence an admin can act on (for warnings: what failed, where, and what was kept). */
  message: string;
}

/** A problem of the last fetch, as `/digest status`, health and `paperboy fetch` show it. */
export interface FetchWarning {
  source: string;
  key: string;
  file: string | null;
  message: string;
}

/** Everything one fetch of every configured source did. */
export interface FetchReport {
  /** ISO times. */
  startedAt: string;
  finishedAt: string;
  outcomes: FetchOutcome[];
  warnings: FetchWarning[];
  /** True when there was something to fetch and every part of it failed. */
  failed: boolean;
}

/** Options of one fetch: which days of the daily list (the last `days` UTC days up to `date`). */
export interface FetchOptions {
  /** `YYYY-MM-DD`, the last day fetched; default today (UTC). */
  date?: string;
  /** Days fetched, counting back from `date`; default FETCH_DAYS. */
  days?: number;
  /** Stops the fetch (a stopping bot): requests and waits end at once, what is left becomes warnings, nothing is written. */
  signal?: AbortSignal;
}

/** The live sources as the digest sees them: fetch into the corpus folder, and remember how the last fetch went. */
export interface SourceFetcher {
  /**
   * Fetches every configured source into the corpus folder; resolves with the report, never rejects. A call while
   * a fetch is under way shares it (with that fetch's options).
   */
  fetchAll(options?: FetchOptions): Promise<FetchReport>;
  /** The report of the last finished fetch, or null before the first. */
  lastReport(): FetchReport | null;
  /** The warnings of the last finished fetch (empty before the first), for health and `/digest status`. */
  warnings(): FetchWarning[];
}

/**
 * Fetches before a digest: the digest goes on with what the corpus folder already holds whatever happens here, so
 * this never throws (the fetcher logs each day's and feed's outcome, warnings included, with where they come from).
 */
export async function fetchBeforeDigest(
  fetcher: SourceFetcher | null,
  logger: Logger,
  options: Pick<FetchOptions, 'signal'> = {},
): Promise<FetchReport | null> {
  if (!fetcher) return null;
  try {
    return await fetcher.fetchAll(options);
  } catch (error) {
    // fetchAll promises not to reject; if it does anyway, that is a bug to log, not a reason to skip the digest.
    logger.error({ err: error }, 'fetching the sources failed unexpectedly; the digest goes on with the corpus as it is');
    return null;
  }
}
