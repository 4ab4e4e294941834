import type { Config } from './config.js';
import type { Logger, Poster, StateStore } from './app/ports.js';
import { createDigestRunner, type DigestResult, type DigestRunner, FatalDigestError } from './app/run-digest.js';
import { getDestination, setNextDue } from './core/state.js';
import { formatLocalTime } from './core/time.js';
import { CONSOLE_DESTINATION, createConsolePoster } from './adapters/console-poster.js';
import { createCronScheduler, type Scheduler } from './adapters/cron-scheduler.js';
import { createChannelPoster } from './adapters/discord/channel-poster.js';
import { connectDiscord, type DiscordConnection } from './adapters/discord/client.js';
import { createFsCorpusSource } from './adapters/fs-corpus-source.js';
import { loadCorpus } from './adapters/fs-corpus.js';
import { openStateStore } from './adapters/fs-state-store.js';
import { systemClock } from './adapters/system-clock.js';

/** What the running bot writes to: console-mode digests go to `out`. */
export interface BotIo {
  out: (text: string) => void;
  columns: number;
}

/** A started bot: stop it (signals do), and learn its exit code. */
export interface RunningBot {
  /** Stops the schedule, lets a post under way finish, saves state, disconnects. */
  stop(reason: string): Promise<void>;
  /** Resolves with the process exit code once the bot has stopped (0 on a requested stop). */
  exited: Promise<number>;
  runner: DigestRunner;
}

// SIGTERM gives Docker 10 s before SIGKILL: stop well inside it.
const SHUTDOWN_BUDGET_MS = 8000;

/** The parts a digest needs, connected: used by `paperboy start` and by a one-off `paperboy digest`. */
export interface DigestSession {
  store: StateStore;
  poster: Poster;
  runner: DigestRunner;
  connection: DiscordConnection | null;
  close(): Promise<void>;
}

/** Opens the state (with its lock), connects to Discord or picks console mode, and builds the digest runner. */
export async function openDigestSession(config: Config, io: BotIo, logger: Logger): Promise<DigestSession> {
  const store = await openStateStore(config.stateFile);
  let connection: DiscordConnection | null = null;
  let poster: Poster;
  try {
    if (config.discord.token) {
      connection = await connectDiscord({ token: config.discord.token, apiUrl: config.discord.apiUrl, logger });
      const { rest } = connection.client;
      poster = createChannelPoster({ rest, channelId: config.discord.channelId!, botUserId: () => connection?.botUserId ?? null });
      logger.info({ user: connection.client.user.tag, channel: config.discord.channelId }, `connected to Discord as ${connection.client.user.tag}`);
    } else {
      poster = createConsolePoster(io.out, io.columns);
      logger.info({}, 'no DISCORD_TOKEN: console mode, digests are printed here');
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  const runner = createDigestRunner({
    store,
    poster,
    corpus: createFsCorpusSource(config.corpusDir, logger),
    clock: systemClock,
    logger,
    size: config.digest.size,
    order: config.digest.order,
    timezone: config.digest.timezone,
  });
  return {
    store,
    poster,
    runner,
    connection,
    async close() {
      await store.close().catch((error: unknown) => logger.error({ err: String(error) }, 'closing the state failed'));
      await connection?.destroy().catch(() => undefined);
    },
  };
}

/**
 * The composition root of the long-running bot: opens a digest session, schedules digests, runs a missed or
 * interrupted digest once at start, and stops gracefully on request.
 */
export async function startBot(config: Config, io: BotIo, logger: Logger): Promise<RunningBot> {
  const corpusCheck = await loadCorpus(config.corpusDir);
  logger.info(
    { dir: config.corpusDir, papers: corpusCheck.papers.length, warnings: corpusCheck.warnings.length },
    `corpus ${config.corpusDir}: ${corpusCheck.papers.length} papers, ${corpusCheck.warnings.length} warnings`,
  );
  const session = await openDigestSession(config, io, logger);
  const { store, poster, runner } = session;

  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const shutdown = new AbortController();
  let stopping: Promise<void> | null = null;
  let exitCode = 0;

  let current: Promise<unknown> = Promise.resolve();
  const runDigest = async (why: string): Promise<DigestResult | null> => {
    if (shutdown.signal.aborted) return null;
    logger.info({ why }, `running a digest (${why})`);
    try {
      const run = runner.run({ signal: shutdown.signal });
      current = run.catch(() => undefined);
      return await run;
    } catch (error) {
      if (error instanceof FatalDigestError) {
        exitCode = 1;
        void stop(error.message);
        return null;
      }
      throw error;
    }
  };

  const scheduler: Scheduler = createCronScheduler({
    cron: config.digest.cron,
    timezone: config.digest.timezone,
    logger,
    onTick: async () => {
      await runDigest('scheduled');
      await recordNextDue(store, scheduler, config, logger);
    },
  });

  async function stop(reason: string): Promise<void> {
    if (stopping) return stopping;
    stopping = (async () => {
      logger.info({ reason }, `stopping: ${reason}`);
      shutdown.abort();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_BUDGET_MS).unref());
      // The post under way finishes (or stays recorded as pending); the rest of the digest resumes at next start.
      await Promise.race([Promise.all([scheduler.stop(), current]), timeout]);
      await session.close();
      logger.info({}, 'stopped');
      resolveExit(exitCode);
    })();
    return stopping;
  }

  scheduler.start();
  const state = store.read();
  const dest = getDestination(state, poster.destination);
  const dueAt = state.schedule.nextDueAt;
  const now = systemClock.now();
  let startReason: string | null = null;
  if (dest.inFlight) startReason = `resuming digest #${dest.inFlight.digest}, interrupted before it finished`;
  else if (config.digest.catchUp && dueAt && Date.parse(dueAt) <= now.getTime()) {
    startReason = `catching up the run due ${formatLocalTime(dueAt, config.digest.timezone)}, missed while the bot was down`;
  } else if (poster.destination === CONSOLE_DESTINATION && dest.digests === 0) {
    startReason = 'first start in console mode: a first digest right away, then the schedule';
  }
  await recordNextDue(store, scheduler, config, logger);
  if (startReason) {
    // The scheduled path and this one share the runner, whose runs never overlap.
    void runDigest(startReason).catch((error: unknown) => logger.error({ err: String(error) }, 'start-up digest failed'));
  }

  return { stop, exited, runner };
}

/** Saves when the next run is due, so a start after it knows a run was missed; logs it in the configured zone. */
async function recordNextDue(store: StateStore, scheduler: Scheduler, config: Config, logger: Logger): Promise<void> {
  const next = scheduler.nextRun();
  logger.info({ nextRun: next?.toISOString() ?? null }, next ? `next digest: ${formatLocalTime(next, config.digest.timezone)}` : 'no next digest scheduled');
  await store.update((s) => setNextDue(s, next ? next.toISOString() : null)).catch((error: unknown) => logger.error({ err: String(error) }, 'could not save the next run time'));
}
