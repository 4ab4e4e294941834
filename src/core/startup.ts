import type { FeedProgress } from './state.js';
import { formatLocalTime } from './time.js';

/** Why a digest runs at start: an interrupted one resumes, a missed one is caught up, or console mode's first. */
export type StartupRunKind = 'resume' | 'catch-up' | 'first-console';

/** One digest the start runs before the schedule takes over, with the reason the log gives. */
export interface StartupRun {
  kind: StartupRunKind;
  reason: string;
}

/** What a start owes: the digests to run now, in order, and what else to do. */
export interface StartupPlan {
  runs: StartupRun[];
  /** Notifications a crash left owed go out at once when no digest runs (a run delivers them itself). */
  deliverNotifications: boolean;
  /**
   * When to save the schedule's next due time: `now`, or `after-catch-up` so that a crash before the catch-up has
   * run does not forget the missed time.
   */
  saveNextDue: 'now' | 'after-catch-up';
}

/** What the start-up decision looks at. */
export interface StartupFacts {
  /** The feed's progress as the last run left it. */
  destination: FeedProgress;
  /** The due time the schedule saved last (the progress's `nextDueAt`), null before the first start. */
  nextDueAt: string | null;
  now: Date;
  /** The zone the reasons name times in. */
  timezone: string;
  options: {
    /** DIGEST_CATCH_UP: a run missed while the bot was down runs once at start. */
    catchUp: boolean;
    /** No Discord: the first start prints a first digest right away. */
    consoleMode: boolean;
  };
}

/** Decides what a start runs before the schedule takes over: resume, catch up, a first console digest, or nothing. */
export function decideStartup(facts: StartupFacts): StartupPlan {
  const { destination: dest, nextDueAt: dueAt, now, timezone, options } = facts;
  const runs: StartupRun[] = [];
  if (dest.inFlight) runs.push({ kind: 'resume', reason: `resuming digest #${dest.inFlight.digest}, interrupted before it finished` });
  // An interrupted digest that started before the missed time is not its catch-up: both run, in that order.
  const missed = options.catchUp && dueAt !== null && Date.parse(dueAt) <= now.getTime() && !isCatchingUp(dest, dueAt);
  if (missed)
    runs.push({ kind: 'catch-up', reason: `catching up the run due ${formatLocalTime(dueAt, timezone)}, missed while the bot was down` });
  if (runs.length === 0 && options.consoleMode && dest.digests === 0) {
    runs.push({ kind: 'first-console', reason: 'first start in console mode: a first digest right away, then the schedule' });
  }
  return { runs, deliverNotifications: runs.length === 0, saveNextDue: missed ? 'after-catch-up' : 'now' };
}

/** Whether the digest under way (interrupted) started at or after `dueAt`, and so is that run's catch-up itself. */
function isCatchingUp(dest: FeedProgress, dueAt: string): boolean {
  // (A crash in the instant between a finished catch-up and the save of the next time makes one more catch-up.)
  return dest.inFlight !== null && Date.parse(dest.inFlight.startedAt) >= Date.parse(dueAt);
}
