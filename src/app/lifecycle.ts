import type { HealthStatus } from '../core/health.js';
import type { CorpusFileProblem } from '../core/paper.js';
import { decideStartup } from '../core/startup.js';
import { setNextDue } from '../core/state.js';
import { formatLocalTime } from '../core/time.js';
import { buildHealthStatus, updateProblem } from './health-status.js';
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

/** Health reporting as the lifecycle drives it (the health adapter). */
export interface HealthReporting {
  /** Writes the status now. */
  report(): Promise<void>;
  stop(): Promise<void>;
}

/** Everything the bot's lifecycle needs, in one object (the composition root builds it). */
export interface BotLifecycleDeps {
  /** The feed the runner posts: whose progress the start-up decision reads and whose next due time is saved. */
  feed: FeedStore;
  runner: DigestRunner;
  mode: HealthStatus['mode'];
  /** Whether the gateway session is up (always true in console mode). */
  isConnected(): boolean;
  clock: Clock;
  logger: Logger;
  timezone: string;
  /** DIGEST_CATCH_UP. */
  catchUp: boolean;
  /** Reported in health, so `paperboy health` can tell whether the bot still runs. */
  pid: number;
  /** Where the corpus lives, for health's concerns. */
  corpusLocation?: string;
  /** Corpus files that give no papers, for health's concerns. */
  corpusProblems?: () => readonly CorpusFileProblem[];
  /** Live sources whose last fetch failed, one sentence each, for health's concerns. */
  sourceConcerns?: () => readonly string[];
  /** Creates the schedule that calls `onTick` at each due time; started by {@link BotLifecycle.start}. */
  createSchedule(onTick: () => Promise<void>): Schedule;
  /** Starts reporting `status` (heartbeat file, `/healthz`); a rejection stops the start. */
  startHealth(status: () => HealthStatus): Promise<HealthReporting>;
  /** Closes what the bot opened (the state and its lock, the Discord connection). */
  close(): Promise<void>;
  /** How long a stop waits for the post under way and the start-up runs before it closes anyway. */
  shutdownBudgetMs: number;
}

/** The running bot: start it once, stop it (signals do), and learn its exit code. */
export interface BotLifecycle {
  /**
   * Starts the schedule, awaits `prepare` (with ticks already running, so a slow step there delays no scheduled
   * digest), then saves the next due time, starts health and runs what the start owes, without waiting for those runs.
   */
  start(prepare?: () => Promise<void>): Promise<void>;
  /** Stops the schedule, lets a post under way finish (within the budget), stops health, closes. */
  stop(reason: string): Promise<void>;
  /** Resolves with the process exit code once the bot has stopped (0 on a requested stop, 1 on a fatal error). */
  exited: Promise<number>;
  /** When the schedule fires next. */
  nextRun(): Date;
}

/** Creates the lifecycle of the long-running bot: schedule, start-up runs, health and a graceful stop. */
export function createBotLifecycle(deps: BotLifecycleDeps): BotLifecycle {
  const { feed, runner, logger } = deps;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const shutdown = new AbortController();
  let stopping: Promise<void> | null = null;
  let exitCode = 0;
  let current: Promise<unknown> = Promise.resolve();
  let startRuns: Promise<void> = Promise.resolve();
  let problem: string | null = null;
  let health: HealthReporting | null = null;
  const startedAt = deps.clock.now().toISOString();

  const runDigest = async (why: string, onStart?: () => Promise<void>): Promise<DigestResult | null> => {
    if (shutdown.signal.aborted) return null;
    logger.info({ why }, `running a digest (${why})`);
    try {
      const run = runner.run({ signal: shutdown.signal, onStart });
      current = run.catch(() => undefined);
      const result = await run;
      // Problems an admin must fix show in health until a digest goes through again.
      problem = updateProblem(problem, result);
      await health?.report();
      return result;
    } catch (error) {
      if (error instanceof FatalDigestError) {
        exitCode = 1;
        void stop(error.message);
        return null;
      }
      throw error;
    }
  };

  /** Saves when the next run is due, so a start after it knows a run was missed; logs it in the configured zone. */
  const recordNextDue = async (options: { log?: boolean; save?: boolean } = {}): Promise<void> => {
    const next = schedule.nextRun();
    if (options.log !== false) logger.info({ nextRun: next.toISOString() }, `next digest: ${formatLocalTime(next, deps.timezone)}`);
    if (options.save === false) return;
    await feed
      .step((s) => setNextDue(s, next.toISOString()))
      .catch((error: unknown) => logger.error({ err: error }, 'could not save the next run time'));
  };

  const schedule = deps.createSchedule(async () => {
    // The schedule has moved on to the next time already: saved before the digest, so neither a stop nor a crash
    // during it loses the time a later start must catch up; but after the fetch that comes first, so a stop or a
    // crash during the fetch leaves this run owed.
    await runDigest('scheduled', () => recordNextDue());
  });

  const status = (): HealthStatus =>
    buildHealthStatus({
      pid: deps.pid,
      mode: deps.mode,
      connected: deps.isConnected(),
      now: deps.clock.now(),
      startedAt,
      nextRun: schedule.nextRun(),
      destination: feed.progress(),
      problem,
      corpusLocation: deps.corpusLocation,
      corpusProblems: deps.corpusProblems?.() ?? [],
      sourceConcerns: deps.sourceConcerns?.() ?? [],
    });

  async function stop(reason: string): Promise<void> {
    if (stopping) return stopping;
    stopping = (async () => {
      logger.info({ reason }, `stopping: ${reason}`);
      shutdown.abort();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, deps.shutdownBudgetMs).unref());
      // The post under way finishes (or stays recorded as pending); the rest of the digest resumes at next start.
      await Promise.race([Promise.all([schedule.stop(), current, startRuns]), timeout]);
      await health?.stop();
      await deps.close();
      logger.info({}, 'stopped');
      resolveExit(exitCode);
    })();
    return stopping;
  }

  /** Whether a stop began; a function, so checks after an `await` see a stop that came meanwhile. */
  function isStopping(): boolean {
    return stopping !== null;
  }

  async function start(prepare?: () => Promise<void>): Promise<void> {
    schedule.start();
    try {
      await prepare?.();
    } catch (error) {
      // A stop during the start closes what the preparation uses: its failure is then part of the stop, not news.
      if (isStopping()) return;
      throw error;
    }
    if (isStopping()) return;
    const progress = feed.progress();
    const plan = decideStartup({
      destination: progress,
      nextDueAt: progress.nextDueAt,
      now: deps.clock.now(),
      timezone: deps.timezone,
      options: { catchUp: deps.catchUp, consoleMode: deps.mode === 'console' },
    });
    await recordNextDue({ save: plan.saveNextDue === 'now' });
    // (an unusable HEALTH_PORT stops the start: the admin asked for an endpoint that would not exist)
    health = await deps.startHealth(status).catch(async (error: unknown) => {
      await schedule.stop();
      await deps.close();
      throw error;
    });
    if (isStopping()) {
      // Stopped while health was starting: the stop found no reporter to close.
      await health.stop();
      return;
    }
    if (plan.runs.length > 0) {
      // The scheduled path and this one share the runner, whose runs never overlap.
      startRuns = (async () => {
        let result: DigestResult | null = null;
        for (const run of plan.runs) result = await runDigest(run.reason);
        if (plan.saveNextDue === 'after-catch-up' && result && result.outcome !== 'busy') await recordNextDue({ log: false });
      })().catch((error: unknown) => logger.error({ err: error }, 'start-up digest failed'));
    } else if (plan.deliverNotifications) {
      current = runner.deliverNotifications({ signal: shutdown.signal });
    }
  }

  return { start, stop, exited, nextRun: () => schedule.nextRun() };
}
