import { decideStartup } from '../core/startup.js';
import { setNextDue } from '../core/state.js';
import { formatLocalTime } from '../core/time.js';
import { updateProblem } from './health-status.js';
import type { FeedStore } from './feed-store.js';
import type { Clock, Logger } from './ports.js';
import { type DigestResult, type DigestRunner, FatalDigestError } from './run-digest.js';

/** The digest schedule as the lifecycle drives it (the cron adapter): it says when, never whether. */
export interface Schedule {
  start(): void;
  /** Stops future ticks; resolves once a tick under way has returned. */
  stop(): Promise<void>;
  nextRun(): Date;
}

/** Runs `work` when a slot is free: bounds how many feeds post at once (a shared limiter); runs it at once by default. */
export type RunGate = <T>(work: () => Promise<T>) => Promise<T>;

/** What one feed's schedule needs. */
export interface ScheduledFeedDeps {
  feed: FeedStore;
  runner: DigestRunner;
  /** Creates the schedule that calls `onTick` at each due time (in the feed's time zone). */
  createSchedule(onTick: () => Promise<void>): Schedule;
  clock: Clock;
  logger: Logger;
  /** The zone its times are logged in (the feed's). */
  timezone: string;
  /** DIGEST_CATCH_UP. */
  catchUp: boolean;
  /** Console mode: a first start prints a first digest at once. */
  consoleMode: boolean;
  /** The process's shutdown: no run begins after it, and a run under way stops after its post. */
  shutdown: AbortSignal;
  /** A token Discord refuses: nothing works until the admin acts, so the process stops. */
  onFatal(message: string): void;
  /** After every run (health reports the new state). */
  onRun?(result: DigestResult): Promise<void>;
  /** Bounds the runs of many feeds at once; none by default. */
  gate?: RunGate;
}

/** One feed's schedule, start-up runs and last problem; its runs never overlap (its runner's guard). */
export interface ScheduledFeed {
  readonly feedId: string;
  /** Starts the ticks. */
  start(): void;
  /** Decides what the start owes this feed and saves its next due time; resolves with what runs it (not awaited by the start). */
  planStartup(): Promise<() => Promise<void>>;
  /** Runs one digest now (for a start-up run or a tick). */
  runDigest(why: string, onStart?: () => Promise<void>): Promise<DigestResult | null>;
  /** Stops the ticks (future ones at once) and resolves once a run under way (or the start's runs) has ended. */
  stop(): Promise<void>;
  nextRun(): Date;
  /** A problem only the admin can fix, seen at the last run (cleared once a digest goes through). */
  problem(): string | null;
}

/** Creates one feed's schedule: ticks, start-up decision, next due time, and the problem its runs report. */
export function createScheduledFeed(deps: ScheduledFeedDeps): ScheduledFeed {
  const { feed, runner, logger } = deps;
  const gate: RunGate = deps.gate ?? ((work) => work());
  let current: Promise<unknown> = Promise.resolve();
  let startRuns: Promise<void> = Promise.resolve();
  let problem: string | null = null;
  // Scheduled runs begun so far: a start-up decision taken from the state before one of them is out of date.
  let ticks = 0;

  const runDigest = async (why: string, onStart?: () => Promise<void>): Promise<DigestResult | null> => {
    if (deps.shutdown.aborted) return null;
    const run = gate(async () => {
      // A slot may come free after a stop: a run that has not begun does not begin.
      if (deps.shutdown.aborted) return null;
      logger.info({ why, feed: feed.feedId }, `running a digest (${why})`);
      return runner.run({ signal: deps.shutdown, onStart });
    });
    current = run.catch(() => undefined);
    try {
      const result = await run;
      if (!result) return null;
      // Problems an admin must fix show in health until a digest goes through again.
      problem = updateProblem(problem, result);
      await deps.onRun?.(result);
      return result;
    } catch (error) {
      if (error instanceof FatalDigestError) {
        deps.onFatal(error.message);
        return null;
      }
      throw error;
    }
  };

  /** Saves when the next run is due, so a start after it knows a run was missed; logs it in the feed's zone. */
  const recordNextDue = async (options: { log?: boolean; save?: boolean } = {}): Promise<void> => {
    const next = schedule.nextRun();
    if (options.log !== false)
      logger.info({ nextRun: next.toISOString(), feed: feed.feedId }, `next digest: ${formatLocalTime(next, deps.timezone)}`);
    if (options.save === false) return;
    await feed
      .step((s) => setNextDue(s, next.toISOString()))
      .catch((error: unknown) => logger.error({ err: error, feed: feed.feedId }, 'could not save the next run time'));
  };

  const schedule = deps.createSchedule(async () => {
    ticks += 1;
    // The schedule has moved on to the next time already: saved before the digest, so neither a stop nor a crash
    // during it loses the time a later start must catch up; but after the fetch that comes first, so a stop or a
    // crash during the fetch leaves this run owed.
    await runDigest('scheduled', () => recordNextDue());
  });

  return {
    feedId: feed.feedId,
    start: () => schedule.start(),
    async planStartup() {
      // The start of many feeds takes a while (a write per feed): a feed's due time may come first. That run resumes
      // what was under way and is the due run; a decision taken now, from the state it is changing, would run a
      // digest again (issue 14's bench: 5 of 1,000 feeds posted two digests in one round).
      if (ticks > 0 || runner.isRunning()) return async () => undefined;
      const decidedAt = ticks;
      const progress = feed.progress();
      const plan = decideStartup({
        destination: progress,
        nextDueAt: progress.nextDueAt,
        now: deps.clock.now(),
        timezone: deps.timezone,
        options: { catchUp: deps.catchUp, consoleMode: deps.consoleMode },
      });
      await recordNextDue({ save: plan.saveNextDue === 'now' });
      return async () => {
        // A scheduled run since the decision did what it owed.
        if (ticks !== decidedAt) return;
        if (plan.runs.length > 0) {
          // The scheduled path and this one share the runner, whose runs never overlap.
          startRuns = (async () => {
            let result: DigestResult | null = null;
            for (const run of plan.runs) result = await runDigest(run.reason);
            if (plan.saveNextDue === 'after-catch-up' && result && result.outcome !== 'busy') await recordNextDue({ log: false });
          })().catch((error: unknown) => logger.error({ err: error, feed: feed.feedId }, 'start-up digest failed'));
          await startRuns;
        } else if (plan.deliverNotifications) {
          const delivery = runner.deliverNotifications({ signal: deps.shutdown });
          current = delivery;
          await delivery;
        }
      };
    },
    runDigest,
    async stop() {
      await Promise.all([schedule.stop(), current, startRuns]);
    },
    nextRun: () => schedule.nextRun(),
    problem: () => problem,
  };
}
