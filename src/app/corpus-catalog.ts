import { createHash } from 'node:crypto';
import type { CorpusFileProblem, Paper } from '../core/paper.js';
import { createSearchIndex, type SearchIndex } from '../core/search.js';
import { suggestTopics, type TopicSuggestion } from '../core/topics.js';
import type { CorpusSource, Logger } from './ports.js';

/** One version of the corpus with everything derived from it, built once per change. */
export interface CorpusSnapshot {
  papers: Paper[];
  index: SearchIndex;
  /** Topic suggestions for `/subscribe` (computed on first use). */
  readonly topics: TopicSuggestion[];
  /** Changes whenever the set or order of papers changes. */
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

/** Builds a snapshot: the search index over the papers. */
export function createSnapshot(papers: Paper[], fingerprint = fingerprintOf(papers)): CorpusSnapshot {
  let topics: TopicSuggestion[] | null = null;
  return {
    papers,
    index: createSearchIndex(papers),
    fingerprint,
    get topics() {
      topics ??= suggestTopicsQuickly(papers);
      return topics;
    },
  };
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

/** Creates the catalog over a corpus source, starting from a first snapshot loaded now. */
export async function createCorpusCatalog(options: { source: CorpusSource; logger: Logger; now: () => number }): Promise<CorpusCatalog> {
  const { source, logger } = options;
  const first = await source.load();
  let snapshot = createSnapshot(first.papers);
  let loadedAt = options.now();
  let refreshing: Promise<CorpusSnapshot> | null = null;
  let lastWarnings = first.warnings;
  let lastProblems = first.problems ?? [];

  async function refreshWith(papers: Paper[], warnings: number, problems: CorpusFileProblem[]): Promise<CorpusSnapshot> {
    lastWarnings = warnings;
    lastProblems = problems;
    loadedAt = options.now();
    const fingerprint = fingerprintOf(papers);
    if (fingerprint !== snapshot.fingerprint) {
      const started = options.now();
      snapshot = createSnapshot(papers, fingerprint);
      logger.info(
        { papers: papers.length, buildMs: options.now() - started },
        `corpus changed: ${papers.length} papers, search index rebuilt`,
      );
    }
    return snapshot;
  }

  const refresh = (): Promise<CorpusSnapshot> => {
    refreshing ??= source
      .load()
      .then(({ papers, warnings, problems }) => refreshWith(papers, warnings, problems ?? []))
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
  };
}
