import { join } from 'node:path';
import type { FetchOutcome } from '../../app/fetch-sources.js';
import { arxivRssFormat, readArxivFeed } from '../../core/formats/arxiv-rss.js';
import { decodeCorpusBytes, detectFormat, readCorpusFile } from '../../core/formats/index.js';
import type { HttpClient } from '../http/http-client.js';
import { describeBody } from './bodies.js';
import type { EtagCache } from './etag-cache.js';
import { countSnapshotPapers, readSnapshot, sha256, writeSnapshot } from './snapshot-files.js';

/** Folder of the arXiv feeds' snapshots below the corpus folder (one sub-folder per category). */
export const ARXIV_DIR = 'arxiv';

/** What fetching one arXiv listing feed needs; `http` must be paced (one request every 3 s, see arXiv's terms). */
export interface ArxivRun {
  corpusDir: string;
  http: HttpClient;
  cache: EtagCache;
  /** `{ARXIV_RSS_URL}` without a trailing slash. */
  rssUrl: string;
  /** `YYYY-MM-DD` (UTC) to name a snapshot by when the feed states no announcement day. */
  today: string;
}

/**
 * Fetches `{ARXIV_RSS_URL}/<category>` and keeps it verbatim as `arxiv/<category>/<announcement day>.xml` when it
 * announces anything new (the corpus reader keeps `new` and `cross` and skips replacements). An empty feed is
 * normal on weekends and holidays; a failed request or a damaged feed is a warning and never touches a snapshot.
 */
export async function fetchArxivCategory(run: ArxivRun, category: string): Promise<FetchOutcome> {
  const source = `arxiv:${category}`;
  const url = `${run.rssUrl}/${category}`;
  const outcome = (
    status: FetchOutcome['status'],
    file: string | null,
    papers: number | null,
    message: string,
    previousPapers: number | null = null,
  ): FetchOutcome => ({
    source,
    key: category,
    status,
    file,
    papers,
    previousPapers,
    message,
  });

  // Until a new answer replaces it, what is remembered of this URL stays (a failed fetch must not forget it).
  run.cache.keep(url);
  const remembered = run.cache.get(url);
  const rememberedSnapshot = remembered ? await readSnapshot(join(run.corpusDir, remembered.file)) : null;
  const usable = remembered && rememberedSnapshot?.sha256 === remembered.sha256 ? remembered : null;
  let response;
  try {
    response = await run.http.get(url, { etag: usable?.etag ?? null });
  } catch (error) {
    return outcome(
      'warning',
      null,
      null,
      `${error instanceof Error ? error.message : String(error)}; the ${category} snapshots were kept as they were`,
    );
  }
  if (response.status === 'not-modified') {
    const papers = countSnapshotPapers(rememberedSnapshot, usable!.file, run.today);
    return outcome('not-modified', usable!.file, papers, `${usable!.file} is up to date (the server answered 304 Not Modified)`);
  }

  const decoded = decodeCorpusBytes(response.bytes, url);
  const text = decoded.binary ? '' : decoded.text;
  if (detectFormat(text, url)?.format.name !== arxivRssFormat.name) {
    return outcome(
      'warning',
      null,
      null,
      `GET ${url} returned ${describeBody(text, 'an RSS feed', 'something that is not an arXiv RSS feed')}; the ${category} snapshots were kept as they were`,
    );
  }
  const probe = readArxivFeed(text, { file: url, referenceDate: run.today });
  if (!probe.complete) {
    return outcome(
      'warning',
      null,
      null,
      `GET ${url} returned a damaged feed (${probe.warnings[0]?.message ?? 'not well-formed'}); the ${category} snapshots were kept as they were`,
    );
  }
  if (probe.items === 0)
    return outcome('empty', null, null, 'no announcements (arXiv announces nothing on Saturdays, Sundays and holidays)');

  const day = probe.announced ?? probe.papers[0]?.paper.published ?? run.today;
  const file = `${ARXIV_DIR}/${category}/${day}.xml`;
  const skipped = probe.replacements ? `; ${probe.replacements} replacement${probe.replacements === 1 ? '' : 's'} skipped` : '';
  // The same reading the corpus will do, so what is stored is what will be posted.
  const read = readCorpusFile(response.bytes, { file, referenceDate: day });
  if (read.quarantined) {
    return outcome(
      'warning',
      null,
      null,
      `GET ${url} returned a feed whose entries mostly do not read as papers (${read.warnings[0]?.message ?? 'quarantined'}); the ${category} snapshots were kept as they were`,
    );
  }
  const papers = read.papers.length;
  if (papers === 0) {
    return outcome(
      'empty',
      null,
      null,
      `nothing new on ${day}: ${probe.items} announcement${probe.items === 1 ? '' : 's'}, none of them new or a cross-list${skipped}`,
    );
  }
  const existing = await readSnapshot(join(run.corpusDir, file));
  const hash = sha256(response.bytes);
  const remember = () => {
    if (response.etag) run.cache.set(url, { etag: response.etag, file, sha256: hash, start: 0, count: probe.items });
  };
  if (existing?.sha256 === hash) {
    remember();
    return outcome('unchanged', file, papers, `${file} already holds this feed (${papers} papers${skipped})`);
  }
  const previousPapers = countSnapshotPapers(existing, file, day);
  try {
    // Verbatim: the corpus folder keeps what arXiv served, readable by this reader and any later one.
    await writeSnapshot(run.corpusDir, file, response.bytes);
  } catch (error) {
    return outcome(
      'warning',
      null,
      null,
      `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}; the ${category} snapshots were kept as they were`,
    );
  }
  remember();
  if (!existing) return outcome('new', file, papers, `${file}: ${papers} papers${skipped}`);
  return outcome('updated', file, papers, `${file}: ${papers} papers (was ${previousPapers ?? 0})${skipped}`, previousPapers);
}
