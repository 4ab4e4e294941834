import { join } from 'node:path';
import type { FetchOutcome } from '../../app/fetch-sources.js';
import { dailyPapersJsonFormat } from '../../core/formats/daily-papers-json.js';
import { readCorpusFile } from '../../core/formats/index.js';
import type { HttpClient } from '../http/http-client.js';
import { describeBody } from './bodies.js';
import type { EtagCache, EtagEntry } from './etag-cache.js';
import { countSnapshotPapers, readSnapshot, sha256, writeSnapshot } from './snapshot-files.js';

/** Folder of the daily list's snapshots below the corpus folder. */
export const HF_DAILY_DIR = 'hf-daily';
/** Items per page asked for: the API's documented default, so "a full page" means what the server means. */
export const HF_PAGE_SIZE = 50;
// 1,000 papers in a day would be twenty times a busy day: past that, the server is not paging as documented.
const MAX_PAGES = 20;

/** What fetching one day of the daily list needs. */
export interface HfDailyRun {
  corpusDir: string;
  http: HttpClient;
  cache: EtagCache;
  /** `{HF_API_URL}` without a trailing slash. */
  apiUrl: string;
  pageSize?: number;
}

/**
 * Fetches one UTC day of `GET {HF_API_URL}/daily_papers?date=…` (every page) into `hf-daily/<day>.json`, written
 * only when its content changed. A failed request or a bad answer (not JSON, cut off, not papers, or empty for a
 * day that had papers) never touches the snapshot on disk: it becomes a warning.
 */
export async function fetchHfDay(run: HfDailyRun, day: string): Promise<FetchOutcome> {
  const pageSize = run.pageSize ?? HF_PAGE_SIZE;
  const file = `${HF_DAILY_DIR}/${day}.json`;
  const existing = await readSnapshot(join(run.corpusDir, file));
  const previousPapers = countSnapshotPapers(existing, file, day);
  const existingItems = existing ? parseArray(existing.bytes) : null;
  const result = (status: FetchOutcome['status'], message: string, papers: number | null = previousPapers): FetchOutcome => ({
    source: 'hf-daily',
    key: day,
    status,
    // A file only when there is one: written now, or already there.
    file: existing || status === 'new' ? file : null,
    papers,
    previousPapers: status === 'updated' ? previousPapers : null,
    message,
  });
  const kept = existing ? `kept ${file} as it was` : 'no snapshot was written';

  const items: unknown[] = [];
  const seen = new Set<string>();
  const entries: Array<{ url: string; entry: Omit<EtagEntry, 'file' | 'sha256'> | null }> = [];
  let downloaded = false;
  let firstUrl = '';
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const url = pageUrl(run.apiUrl, day, page, pageSize);
    firstUrl ||= url;
    // Until a new answer replaces it, what is remembered of this URL stays (a failed fetch must not forget it).
    run.cache.keep(url);
    const remembered = run.cache.get(url);
    // A 304 is only as good as the copy it confirms: trust it only while the snapshot is the one written with it.
    const usable =
      remembered &&
      existing &&
      existingItems &&
      remembered.file === file &&
      remembered.sha256 === existing.sha256 &&
      remembered.start + remembered.count <= existingItems.length
        ? remembered
        : null;
    let pageItems: unknown[];
    let etag: string | null;
    try {
      const response = await run.http.get(url, { etag: usable?.etag ?? null });
      if (response.status === 'not-modified') {
        pageItems = existingItems!.slice(usable!.start, usable!.start + usable!.count);
        etag = usable!.etag;
      } else {
        downloaded = true;
        const parsed = readPage(response.bytes);
        if (typeof parsed === 'string') return result('warning', `GET ${url} returned ${parsed}; ${kept}`);
        pageItems = parsed;
        etag = response.etag;
      }
    } catch (error) {
      return result('warning', `${error instanceof Error ? error.message : String(error)}; ${kept}`);
    }
    // A server that ignores `p` serves the first page again: stop at a page that brings nothing new.
    const fresh = pageItems.filter((item) => {
      const key = itemKey(item);
      if (key === null) return true;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (page > 0 && fresh.length === 0) break;
    // A page stands for a slice of the snapshot only when all of its items are in it, in order.
    entries.push({ url, entry: etag && fresh.length === pageItems.length ? { etag, start: items.length, count: pageItems.length } : null });
    items.push(...fresh);
    if (pageItems.length < pageSize) break;
  }

  if (!downloaded) {
    return result('not-modified', `${file} is up to date (the server answered 304 Not Modified)`);
  }
  if (items.length === 0) {
    if (previousPapers)
      return result('warning', `GET ${firstUrl} returned an empty list for ${day}, which had ${previousPapers} papers; ${kept}`);
    return result('empty', `no papers yet for ${day} (the list fills up over the day)`, null);
  }

  const text = `${JSON.stringify(items, null, 2)}\n`;
  const read = readCorpusFile(text, { file, referenceDate: day });
  if (read.format !== dailyPapersJsonFormat.name || read.quarantined || read.papers.length === 0) {
    const why = read.warnings[0]?.message ?? 'no paper could be read from it';
    return result('warning', `GET ${firstUrl} returned ${items.length} items, but not a daily papers list (${why}); ${kept}`);
  }
  const hash = sha256(text);
  const remember = () => {
    for (const { url, entry } of entries) if (entry) run.cache.set(url, { ...entry, file, sha256: hash });
  };
  if (existing?.sha256 === hash) {
    remember();
    return result('unchanged', `${file} already holds these ${read.papers.length} papers`, read.papers.length);
  }
  try {
    await writeSnapshot(run.corpusDir, file, text);
  } catch (error) {
    return result('warning', `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}; ${kept}`);
  }
  remember();
  if (!existing) return result('new', `${file}: ${read.papers.length} papers`, read.papers.length);
  return result('updated', `${file}: ${read.papers.length} papers (was ${previousPapers ?? 0})`, read.papers.length);
}

/** `{api}/daily_papers?date=…&limit=…`, and `&p=N` from the second page on (pages count from 0). */
export function pageUrl(apiUrl: string, day: string, page: number, pageSize: number): string {
  return `${apiUrl}/daily_papers?date=${day}&limit=${pageSize}${page > 0 ? `&p=${page}` : ''}`;
}

/** A page's items, or what the body is instead, for the warning. */
function readPage(bytes: Buffer): unknown[] | string {
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return describeBody(
      text,
      'JSON',
      `JSON that does not parse (${error instanceof Error ? error.message : String(error)}): the answer was cut off or damaged`,
    );
  }
  if (Array.isArray(value)) return value as unknown[];
  const serverError =
    typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string'
      ? `: "${(value as { error: string }).error.slice(0, 120)}"`
      : '';
  return `JSON that is not a list of papers (${value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`}${serverError})`;
}

function parseArray(bytes: Buffer): unknown[] | null {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** The arXiv id of an item (`paper.id`, or `id` for a bare paper), to notice a page served twice. */
function itemKey(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const record = item as { paper?: { id?: unknown }; id?: unknown };
  const id = record.paper?.id ?? record.id;
  return typeof id === 'string' ? id : null;
}
