import type { HealthStatus } from '../core/health.js';
import type { CorpusFileProblem } from '../core/paper.js';
import { buildHealthStatus } from './health-status.js';
import type { FeedStore } from './feed-store.js';
import type { Clock, Logger } from './ports.js';
import type { DigestResult, DigestRunner } from './run-digest.js';
import { createScheduledFeed, type Schedule } from './scheduled-feed.js';

export type { Schedule } from './scheduled-feed.js';

/** Health reporting as the lifecycle drives it (the health adapter). */
export interface HealthReporting {
  /** Writes the status now. */
  report(): Promise<void>;
  stop(): Promise<void>;
}

/** What the lifecycle hands the feeds it runs: the shutdown, and what to do after a run or on a fatal error. */
export interface FleetHooks {
  shutdown: AbortSignal;
  onFatal(message: string): void;
  onRun(result: DigestResult): Promise<void>;
}

/** The part of a health status the feeds give. */
export interface FleetStatus {
  nextRun: Date | null;
  lastRun: HealthStatus['lastRun'];
  problem: string | null;
  concerns: string[];
  /** The feeds this process owns, running and paused (a fleet of server feeds; absent for the single feed). */
  feeds?: HealthStatus['feeds'];
  /** How late the most overdue owned digest is, in seconds. */
  lagSeconds?: number;
}

/** The feeds the bot runs (one, or every server's), as the lifecycle drives them. */
export interface FeedFleet {
  /** Starts every feed's schedule. */
  start(): void;
  /** Decides what the start owes each feed and saves next due times; resolves with what runs those digests. */
  planStartup(): Promise<() => Promise<void>>;
  /** Stops every schedule and resolves once the runs under way have ended. */
  stop(): Promise<void>;
  /** The next run of any feed (null: none scheduled). */
  nextRun(): Date | null;
  status(): FleetStatus;
}

/** Everything the bot's lifecycle needs, in one object (the composition root builds it). */
export interface BotLifecycleDeps {
  /**
   * The feeds to run. Without it, the one feed of `feed`, `runner` and `createSchedule` (the bootstrap or console
   * feed of a single-channel Paperboy).
   */
  fleet?: (hooks: FleetHooks) => FeedFleet;
  /** The feed the runner posts: whose progress the start-up decision reads and whose next due time is saved. */
  feed?: FeedStore;
  runner?: DigestRunner;
  /** Creates the schedule that calls `onTick` at each due time; started by {@link BotLifecycle.start}. */
  createSchedule?(onTick: () => Promise<void>): Schedule;
  mode: HealthStatus['mode'];
  /** The shards this process runs, for health (absent: no sharding). */
  shards?: readonly number[];
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
   * Starts the schedules, awaits `prepare` (with ticks already running, so a slow step there delays no scheduled
   * digest), then saves the next due times, starts health and runs what the start owes, without waiting for those runs.
   */
  start(prepare?: () => Promise<void>): Promise<void>;
  /** Stops the schedules, lets the posts under way finish (within the budget), stops health, closes. */
  stop(reason: string): Promise<void>;
  /** Resolves with the process exit code once the bot has stopped (0 on a requested stop, 1 on a fatal error). */
  exited: Promise<number>;
  /** When a schedule fires next (null: no feed is scheduled). */
  nextRun(): Date | null;
}

/** Creates the lifecycle of the long-running bot: schedules, start-up runs, health and a graceful stop. */
export function createBotLifecycle(deps: BotLifecycleDeps): BotLifecycle {
  const { logger } = deps;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const shutdown = new AbortController();
  let stopping: Promise<void> | null = null;
  let exitCode = 0;
  let startRuns: Promise<void> = Promise.resolve();
  let health: HealthReporting | null = null;
  const startedAt = deps.clock.now().toISOString();

  const hooks: FleetHooks = {
    shutdown: shutdown.signal,
    onFatal(message) {
      exitCode = 1;
      void stop(message);
    },
    onRun: async () => {
      await health?.report();
    },
  };
  const fleet = deps.fleet ? deps.fleet(hooks) : createSingleFeedFleet(deps, hooks);

  const status = (): HealthStatus => {
    const feeds = fleet.status();
    return {
      pid: deps.pid,
      mode: deps.mode,
      connected: deps.isConnected(),
      heartbeatAt: deps.clock.now().toISOString(),
      startedAt,
      nextRunAt: feeds.nextRun?.toISOString() ?? null,
      lastRun: feeds.lastRun,
      problem: feeds.problem,
      concerns: [...feeds.concerns, ...(deps.sourceConcerns?.() ?? [])],
      ...(deps.shards ? { shards: [...deps.shards] } : {}),
      ...(feeds.feeds ? { feeds: feeds.feeds } : {}),
      ...(feeds.lagSeconds !== undefined ? { lagSeconds: feeds.lagSeconds } : {}),
    };
  };

  async function stop(reason: string): Promise<void> {
    if (stopping) return stopping;
    stopping = (async () => {
      logger.info({ reason }, `stopping: ${reason}`);
      shutdown.abort();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, deps.shutdownBudgetMs).unref());
      // The posts under way finish (or stay recorded as pending); the rest of the digests resume at next start.
      await Promise.race([Promise.all([fleet.stop(), startRuns]), timeout]);
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
    // Stopped before the start (a signal while the session opened): starting the schedules now would keep the stopped
    // process alive with nothing left to stop them.
    if (isStopping()) return;
    fleet.start();
    try {
      await prepare?.();
    } catch (error) {
      // A stop during the start closes what the preparation uses: its failure is then part of the stop, not news.
      if (isStopping()) return;
      throw error;
    }
    if (isStopping()) return;
    const runOwed = await fleet.planStartup();
    // (an unusable HEALTH_PORT stops the start: the admin asked for an endpoint that would not exist)
    health = await deps.startHealth(status).catch(async (error: unknown) => {
      await fleet.stop();
      await deps.close();
      throw error;
    });
    if (isStopping()) {
      // Stopped while health was starting: the stop found no reporter to close.
      await health.stop();
      return;
    }
    startRuns = runOwed().catch((error: unknown) => logger.error({ err: error }, 'start-up digest failed'));
  }

  return { start, stop, exited, nextRun: () => fleet.nextRun() };
}

/** The fleet of a single-channel Paperboy: one feed, one runner, one schedule, health as it always was. */
function createSingleFeedFleet(deps: BotLifecycleDeps, hooks: FleetHooks): FeedFleet {
  const { feed, runner } = deps;
  if (!feed || !runner || !deps.createSchedule) throw new Error('createBotLifecycle needs a fleet, or a feed with its runner and schedule');
  const scheduled = createScheduledFeed({
    feed,
    runner,
    createSchedule: (onTick) => deps.createSchedule!(onTick),
    clock: deps.clock,
    logger: deps.logger,
    timezone: deps.timezone,
    catchUp: deps.catchUp,
    consoleMode: deps.mode === 'console',
    shutdown: hooks.shutdown,
    onFatal: (message) => hooks.onFatal(message),
    onRun: (result) => hooks.onRun(result),
  });
  return {
    start: () => scheduled.start(),
    planStartup: () => scheduled.planStartup(),
    stop: () => scheduled.stop(),
    nextRun: () => scheduled.nextRun(),
    status() {
      const built = buildHealthStatus({
        pid: 0,
        mode: deps.mode,
        connected: true,
        now: deps.clock.now(),
        startedAt: '',
        nextRun: scheduled.nextRun(),
        destination: feed.progress(),
        problem: scheduled.problem(),
        corpusLocation: deps.corpusLocation,
        corpusProblems: deps.corpusProblems?.() ?? [],
      });
      return { nextRun: scheduled.nextRun(), lastRun: built.lastRun, problem: built.problem, concerns: built.concerns ?? [] };
    },
  };
}
