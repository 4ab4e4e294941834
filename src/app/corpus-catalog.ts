import { createHash } from 'node:crypto';
import type { CorpusFileProblem, Paper } from '../core/paper.js';
import {
  createSearchIndex,
  digestIndexedPapers,
  type IndexImage,
  restoreSearchIndex,
  type SearchIndex,
  updateSearchIndex,
} from '../core/search.js';
import { suggestTopics, type TopicSuggestion } from '../core/topics.js';
import type { CorpusSource, Logger } from './ports.js';

/** One version of the corpus with everything derived from it, built once per change. */
export interface CorpusSnapshot {
  papers: Paper[];
  index: SearchIndex;
  /** Topic suggestions for `/subscribe` (computed on first use). */
  readonly topics: TopicSuggestion[];
  /**
   * Changes whenever the set or order of papers, or what a card shows of them, changes: the source's version when
   * it has one (the same version always gives the same papers), else a digest of the papers.
   */
  fingerprint: string;
}

/** The corpus as commands see it: always answers from the current snapshot, refreshed in the background. */
export interface CorpusCatalog {
  /** The current snapshot (never waits for a rebuild). */
  current(): CorpusSnapshot;
  /** Re-reads the corpus; rebuilds the index only when the papers changed. Also the digest's corpus source. */
  refresh(): Promise<CorpusSnapshot>;
  /** Refreshes in the background when the snapshot is older than `maxAgeMs` (commands call this). */
  refreshIfStale(maxAgeMs?: number): void;
  /** A corpus source for the digest runner that refreshes the catalog at every digest. */
  source: CorpusSource;
  /** The corpus files that gave nothing at the last load because they were skipped or quarantined, with why. */
  problems(): CorpusFileProblem[];
  /** Waits for the index being kept (a stop right after a first start must not lose it). */
  settle(): Promise<void>;
}

function fingerprintOf(papers: readonly Paper[]): string {
  const hash = createHash('sha256');
  // What a card or a reply shows, not only what is indexed: a newer snapshot with more upvotes must reach the cards.
  for (const p of papers) {
    hash.update(
      `${p.id}\u0000${p.title}\u0000${p.abstract.length}\u0000${p.upvotes ?? ''}\u0000${p.githubStars ?? ''}\u0000${p.comments ?? ''}\u0000`,
    );
    hash.update(
      `${p.url ?? ''}\u0000${p.githubRepo ?? ''}\u0000${p.projectPage ?? ''}\u0000${p.aiSummary?.length ?? ''}\u0000${p.aiKeywords?.length ?? ''}\u0000${p.published ?? ''}\u0000${p.aliases?.length ?? 0}\u0000`,
    );
  }
  return hash.digest('hex');
}

/** Builds a snapshot: the search index over the papers (or the given one, made for them). */
export function createSnapshot(papers: Paper[], fingerprint = fingerprintOf(papers), index = createSearchIndex(papers)): CorpusSnapshot {
  let topics: TopicSuggestion[] | null = null;
  return {
    papers,
    index,
    fingerprint,
    get topics() {
      topics ??= suggestTopicsQuickly(papers);
      return topics;
    },
  };
}

/**
 * Where the search index of the corpus is kept between runs, under the corpus version (see {@link CorpusSource}) or,
 * for a source without versions, a digest of what it indexes ({@link digestIndexedPapers}).
 */
export interface SearchIndexStore {
  /** The index kept for this version; null when there is none, or when it does not match (the store says why). */
  load(version: string): Promise<IndexImage | null>;
  save(version: string, image: IndexImage): Promise<void>;
}

/** Above this many papers, topic suggestions are estimated from an evenly spaced sample (all papers: ~23 s at 100k). */
const TOPIC_SAMPLE = 4000;

/** Topic suggestions for `/subscribe`, bounded in time whatever the corpus size. */
export function suggestTopicsQuickly(papers: readonly Paper[]): TopicSuggestion[] {
  if (papers.length <= TOPIC_SAMPLE) return suggestTopics(papers, { limit: 300 });
  const step = papers.length / TOPIC_SAMPLE;
  const sample = Array.from({ length: TOPIC_SAMPLE }, (_, i) => papers[Math.floor(i * step)]!);
  return suggestTopics(sample, { limit: 300 }).map((t) => ({ topic: t.topic, papers: Math.round(t.papers * step), approximate: true }));
}

/**
 * Creates the catalog over a corpus source, starting from a first snapshot loaded now: its index comes from the
 * store when one was kept for these very papers, else it is built (and kept). Later changes update the index
 * instead of rebuilding it: only the papers that changed are analysed.
 */
export async function createCorpusCatalog(options: {
  source: CorpusSource;
  logger: Logger;
  now: () => number;
  indexStore?: SearchIndexStore;
}): Promise<CorpusCatalog> {
  const { source, logger, indexStore } = options;
  const first = await source.load();
  const started = options.now();
  const versionOf = (loaded: { papers: Paper[]; version?: string }) => loaded.version ?? digestIndexedPapers(loaded.papers);
  // A corpus changed since the last run (a day's file added) has its index kept for the corpus before: that index
  // is updated with the papers that changed, instead of analysing every paper again.
  const base = first.previous ?? { papers: first.papers, version: versionOf(first) };
  const stored = indexStore ? await indexStore.load(base.version).catch(() => null) : null;
  let index: SearchIndex | null = null;
  if (stored) {
    try {
      index = restoreSearchIndex(stored, base.papers);
      if (first.previous) index = updateSearchIndex(index, first.papers);
    } catch (error) {
      index = null;
      logger.warn({ err: error }, 'the stored search index does not fit the corpus; rebuilding it');
    }
  }
  const how = index === null ? 'built' : first.previous ? 'updated from the kept one' : 'loaded';
  const restored = how === 'loaded';
  index ??= createSearchIndex(first.papers);
  logger.info(
    { papers: first.papers.length, indexMs: options.now() - started, restored, analysed: index.data.analysed },
    `search index ${how} in ${options.now() - started} ms (${first.papers.length} papers, ${index.data.analysed} analysed)`,
  );
  let snapshot = createSnapshot(first.papers, first.version ?? fingerprintOf(first.papers), index);
  // The latest index to keep; one write at a time, and only the newest of those that waited.
  let saving: Promise<void> | null = null;
  let pending: { version: string; index: SearchIndex } | null = restored || !indexStore ? null : { version: versionOf(first), index };
  const save = (): void => {
    if (!indexStore || saving || !pending) return;
    const next = pending;
    pending = null;
    const started = options.now();
    saving = indexStore
      .save(next.version, next.index.data)
      .then(() => logger.info({ papers: next.index.size, saveMs: options.now() - started }, 'search index kept for the next start'))
      .catch((error: unknown) => logger.warn({ err: error }, 'cannot keep the search index; it will be built again at the next start'))
      .finally(() => {
        saving = null;
        save();
      });
  };
  save();
  let loadedAt = options.now();
  let refreshing: Promise<CorpusSnapshot> | null = null;
  let lastWarnings = first.warnings;
  let lastProblems = first.problems ?? [];

  async function refreshWith(papers: Paper[], warnings: number, problems: CorpusFileProblem[], version?: string): Promise<CorpusSnapshot> {
    lastWarnings = warnings;
    lastProblems = problems;
    loadedAt = options.now();
    // A source that merged nothing new hands back the very same list.
    const fingerprint = version ?? (papers === snapshot.papers ? snapshot.fingerprint : fingerprintOf(papers));
    if (fingerprint !== snapshot.fingerprint) {
      const started = options.now();
      const previous = snapshot.index;
      const index = updateSearchIndex(previous, papers);
      snapshot = createSnapshot(papers, fingerprint, index);
      logger.info(
        { papers: papers.length, updateMs: options.now() - started },
        `corpus changed: ${papers.length} papers, search index updated in ${options.now() - started} ms`,
      );
      // New upvotes alone leave what is indexed, and so what is kept, as it was.
      if (indexStore && index.data.state !== previous.data.state) {
        pending = { version: versionOf({ papers, ...(version ? { version } : {}) }), index };
        save();
      }
    }
    return snapshot;
  }

  const refresh = (): Promise<CorpusSnapshot> => {
    refreshing ??= source
      .load()
      .then(({ papers, warnings, problems, version }) => refreshWith(papers, warnings, problems ?? [], version))
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  };

  return {
    current: () => snapshot,
    refresh,
    refreshIfStale(maxAgeMs = 60_000) {
      if (options.now() - loadedAt > maxAgeMs && !refreshing) {
        refresh().catch((error: unknown) => logger.warn({ err: error }, 'corpus refresh failed; keeping the previous one'));
      }
    },
    source: {
      location: source.location,
      async load() {
        const fresh = await refresh();
        return { papers: fresh.papers, warnings: lastWarnings, problems: lastProblems };
      },
    },
    problems: () => lastProblems,
    async settle() {
      while (saving) await saving;
    },
  };
}
