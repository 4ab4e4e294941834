import { listDigestConcerns } from './health.js';
import type { CorpusFileProblem } from './paper.js';
import { createEmptyProgress, type FeedProgress } from './state.js';

/** One feed as health sees it. */
export interface FeedHealth {
  /** How health names it: `feed f-1x2y (server …, channel …)`. */
  label: string;
  progress: FeedProgress;
  /** A problem only an admin can fix, seen at its last run. */
  problem: string | null;
  /** Its paused reason, when it is paused by a life event or an admin. */
  paused: string | null;
  /** True when its filter keeps papers out. */
  filtered: boolean;
}

/** What the feeds add up to in a health status. */
export interface FleetHealth {
  lastRun: FeedProgress['lastRun'];
  problem: string | null;
  concerns: string[];
}

/** Feeds named in one line of concern before it says "and N more". */
const NAMED_FEEDS = 3;

/**
 * Adds up the health of many feeds. The process is unhealthy (a restart might help, or nothing works) only when every
 * running feed has a problem; one feed's problem (a deleted channel, a revoked permission in one server) is a
 * concern naming the feed, since the others post. Concerns shared by many feeds (an empty corpus) are said once.
 */
export function summarizeFleetHealth(
  feeds: readonly FeedHealth[],
  corpus: { location?: string | undefined; problems?: readonly CorpusFileProblem[] },
): FleetHealth {
  const running = feeds.filter((f) => f.paused === null);
  const byConcern = new Map<string, string[]>();
  const add = (concern: string, label: string) => byConcern.set(concern, [...(byConcern.get(concern) ?? []), label]);
  const concerns: string[] = listDigestConcerns(createEmptyProgress(), corpus);
  const allFailing = running.length > 0 && running.every((f) => f.problem !== null);
  for (const feed of feeds) {
    if (feed.paused !== null) add(`paused: ${feed.paused}`, feed.label);
    else if (feed.problem !== null && !allFailing) add(feed.problem, feed.label);
    for (const concern of listDigestConcerns(feed.progress, { location: corpus.location, filtered: feed.filtered }))
      add(concern, feed.label);
  }
  for (const [concern, labels] of byConcern) {
    const named = labels.slice(0, NAMED_FEEDS).join(', ');
    const more = labels.length > NAMED_FEEDS ? ` and ${labels.length - NAMED_FEEDS} more` : '';
    concerns.push(`${named}${more}: ${concern}`);
  }
  const problem = allFailing ? running.map((f) => `${f.label}: ${f.problem}`).join('; ') : null;
  // The newest run that did not fail, unless all failed: one feed's failed run is that feed's concern, not the bot's.
  const runs = running.map((f) => f.progress.lastRun).filter((r) => r !== null);
  const newest = (list: typeof runs) => list.reduce<(typeof runs)[number] | null>((a, b) => (a === null || b.at > a.at ? b : a), null);
  const failedRuns = running.filter((f) => f.progress.lastRun?.outcome === 'failed' && f.problem === null);
  for (const feed of failedRuns)
    if (feed.progress.lastRun?.reason !== 'corpus-unavailable' && !allFailing)
      concerns.push(`${feed.label}: the last digest failed: ${feed.progress.lastRun?.error ?? 'unknown error'}`);
  const ok = runs.filter((r) => r.outcome !== 'failed');
  return { lastRun: newest(ok.length > 0 ? ok : runs), problem, concerns };
}
