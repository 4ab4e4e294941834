import type { CorpusFileProblem } from './paper.js';
import type { FeedProgress } from './state.js';

/** What the running bot reports about itself (the status file next to the state, and `/healthz`). */
export interface HealthStatus {
  pid: number;
  mode: 'discord' | 'console';
  /** Gateway session up (always true in console mode). */
  connected: boolean;
  /** When the bot last wrote this status; a stale heartbeat means the bot is down or hung. */
  heartbeatAt: string;
  startedAt: string;
  nextRunAt: string | null;
  lastRun: { at: string; outcome: string; error?: string; reason?: string } | null;
  /** A problem the admin must fix (state cannot be saved, channel permissions...), or null. */
  problem: string | null;
  /**
   * Why digests deliver less than they should while the bot itself works (corpus missing or empty, papers held
   * back): the bot is degraded, not down. Absent in status files written before this existed.
   */
  concerns?: string[];
  /** The shards this process runs, when it runs some (absent: one process for every server). */
  shards?: number[];
  /** The feeds this process owns (Discord mode): running on a schedule, and paused. */
  feeds?: { running: number; paused: number };
  /** How late this process's most overdue digest is, in seconds (0: none is overdue). */
  lagSeconds?: number;
}

/** How overdue a digest may be before health says so: a round of 1,000 servers posts within a minute or two. */
export const LAG_CONCERN_SECONDS = 600;

/**
 * How late the most overdue of some feeds' digests is, in whole seconds: for each feed, since its saved next due
 * time when that has passed (the schedule saves the following one as a run begins, so a past one was never run),
 * or since its digest under way began (one still unfinished, or left partial by a failure); 0 when none is late.
 */
export function overdueSeconds(feeds: ReadonlyArray<Pick<FeedProgress, 'nextDueAt' | 'inFlight'>>, now: Date): number {
  let earliest = Infinity;
  for (const feed of feeds) {
    if (feed.nextDueAt !== null) earliest = Math.min(earliest, Date.parse(feed.nextDueAt));
    if (feed.inFlight) earliest = Math.min(earliest, Date.parse(feed.inFlight.startedAt));
  }
  return Number.isFinite(earliest) && earliest < now.getTime() ? Math.floor((now.getTime() - earliest) / 1000) : 0;
}

/** How old a heartbeat may be before the bot counts as down (the reporter writes every 15 s). */
export const HEARTBEAT_STALE_MS = 60_000;

/**
 * A health verdict. `degraded` is still `ok`: the process is up and a restart would not help (the admin must add
 * papers, mount the corpus or grant a permission), so probes pass while the reason is shown.
 */
export type HealthVerdict =
  | { ok: true; state: 'ok'; summary: string }
  | { ok: true; state: 'degraded'; summary: string; reason: string }
  | { ok: false; state: 'unhealthy'; reason: string };

/** Judges a status: healthy, degraded (with why), or unhealthy with a one-line reason. */
export function evaluateHealth(status: HealthStatus, now: Date): HealthVerdict {
  const age = now.getTime() - Date.parse(status.heartbeatAt);
  const unhealthy = (reason: string): HealthVerdict => ({ ok: false, state: 'unhealthy', reason });
  if (!(age <= HEARTBEAT_STALE_MS)) {
    return unhealthy(`no heartbeat for ${Math.round(age / 1000)} s: the bot is down, hung, or cannot write next to its database`);
  }
  if (!status.connected) return unhealthy('not connected to the Discord gateway (reconnecting)');
  if (status.problem) return unhealthy(status.problem);
  // A corpus that cannot be read fails every run, but restarting the bot would not bring it back: degraded.
  if (status.lastRun?.outcome === 'failed' && status.lastRun.reason !== 'corpus-unavailable') {
    return unhealthy(`the last digest failed: ${status.lastRun.error ?? 'unknown error'}`);
  }
  const last = status.lastRun ? `last digest ${status.lastRun.outcome} at ${status.lastRun.at}` : 'no digest yet';
  const owned = status.feeds ? `, ${status.feeds.running} feed${status.feeds.running === 1 ? '' : 's'} running` : '';
  const lag = status.lagSeconds ? `, lag ${status.lagSeconds} s` : '';
  const summary = `${status.mode} mode, ${last}${status.nextRunAt ? `, next at ${status.nextRunAt}` : ''}${owned}${lag}`;
  const concerns = [...(status.concerns ?? [])];
  // A digest this late is stuck (its lease held elsewhere, the rate limit, a run that never ends): the bot is up but late.
  if ((status.lagSeconds ?? 0) > LAG_CONCERN_SECONDS)
    concerns.push(
      `a digest is ${Math.round(status.lagSeconds! / 60)} min overdue: check the log for a run that does not end or a lease held by another process`,
    );
  if (concerns.length > 0) return { ok: true, state: 'degraded', summary, reason: concerns.join('; ') };
  return { ok: true, state: 'ok', summary: `ok: ${summary}` };
}

/** Skipped files named in one concern; `paperboy corpus` lists them all. */
const MAX_LISTED_FILES = 3;

const papers = (n: number): string => `${n} paper${n === 1 ? '' : 's'}`;

/**
 * What an admin should know about a destination's digests although nothing crashed, one sentence each, with
 * where to look and what to do: shared by health (degraded) and `/digest status`.
 */
export function listDigestConcerns(
  dest: FeedProgress,
  corpus: { location?: string | undefined; problems?: readonly CorpusFileProblem[]; filtered?: boolean },
): string[] {
  const where = corpus.location ? ` at ${corpus.location}` : '';
  const concerns: string[] = [];
  const problems = corpus.problems ?? [];
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED_FILES).map((p) => `${p.file} (${p.problem})`);
    const more = problems.length > MAX_LISTED_FILES ? `, and ${problems.length - MAX_LISTED_FILES} more` : '';
    concerns.push(
      `${problems.length === 1 ? '1 corpus file' : `${problems.length} corpus files`}${where} ${problems.length === 1 ? 'gives' : 'give'} no papers: ${listed.join('; ')}${more}. Run \`paperboy corpus\` for the details, then fix or remove ${problems.length === 1 ? 'it' : 'them'}`,
    );
  }
  const last = dest.lastRun;
  if (last?.reason === 'corpus-unavailable') concerns.push(`no digest can be posted: ${last.error ?? `the corpus${where} cannot be read`}`);
  if (last?.reason === 'corpus-empty')
    concerns.push(
      `the corpus${where} has no papers, so the last digest posted nothing: check that the folder is mounted and holds page copies or API snapshots (.txt, .md, .json, .jsonl, .xml)`,
    );
  if (last?.reason === 'all-posted')
    concerns.push(
      corpus.filtered
        ? `every paper of the corpus${where} that matches this feed's topics and minimum upvotes has been posted, so the last digest posted nothing: add page copies, or widen the feed's topics`
        : `every paper of the corpus${where} has been posted, so the last digest posted nothing: add page copies to post more`,
    );
  const unverified = Object.values(dest.unverified ?? {});
  if (unverified.length > 0) {
    concerns.push(
      `${papers(unverified.length)} may already be in the channel but could not be checked, so ${unverified.length === 1 ? 'it is' : 'they are'} held back (never posted twice) until the bot can read the channel's history: ${unverified[unverified.length - 1]!.reason}`,
    );
  }
  const waiting = Object.keys(dest.waiting ?? {}).length;
  if (waiting > 0) {
    concerns.push(
      `${papers(waiting)} planned for a digest ${waiting === 1 ? 'is' : 'are'} missing from the corpus${where} (a renamed file, or a folder not mounted yet?); ${waiting === 1 ? 'it stays' : 'they stay'} queued and ${waiting === 1 ? 'is' : 'are'} posted when back`,
    );
  }
  return concerns;
}
