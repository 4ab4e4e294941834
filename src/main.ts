import type { Interaction } from 'discord.js';
import type { Config } from './config.js';
import { createCorpusCatalog, type CorpusCatalog } from './app/corpus-catalog.js';
import { createSubscriptions, type Subscriptions } from './app/subscriptions.js';
import type { Logger, Poster, StateStore } from './app/ports.js';
import { createDigestRunner, type DigestResult, type DigestRunner, FatalDigestError } from './app/run-digest.js';
import { type DestinationState, getDestination, setNextDue } from './core/state.js';
import { selectAudience } from './core/subscriptions.js';
import { listDigestConcerns } from './core/health.js';
import { formatLocalTime } from './core/time.js';
import { CONSOLE_DESTINATION, createConsolePoster } from './adapters/console-poster.js';
import { createCronScheduler, type Scheduler } from './adapters/cron-scheduler.js';
import { channelPermissionsOf, createChannelPoster } from './adapters/discord/channel-poster.js';
import { connectDiscord, type DiscordConnection } from './adapters/discord/client.js';
import { createFsCorpusSource } from './adapters/fs-corpus-source.js';
import { describeScope, hashDefinitions, type CommandScope } from './adapters/discord/definitions.js';
import { registerCommands } from './adapters/discord/register.js';
import { createHomeGuild } from './adapters/discord/home-guild.js';
import { createInteractionRouter } from './adapters/discord/router.js';
import { openStateStore } from './adapters/fs-state-store.js';
import { systemClock } from './adapters/system-clock.js';
import { healthFileFor, startHealthReporter, type HealthReporter } from './adapters/health-reporter.js';

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
  catalog: CorpusCatalog;
  subscriptions: Subscriptions;
  connection: DiscordConnection | null;
  /** Routes the interactions that arrive from now on (Discord mode). */
  setInteractionHandler(handler: (interaction: Interaction) => Promise<void>): void;
  close(): Promise<void>;
}

/** Reads the corpus, opens the state (with its lock), connects to Discord or picks console mode, builds the runner. */
export async function openDigestSession(config: Config, io: BotIo, logger: Logger, options: { interactive?: boolean } = {}): Promise<DigestSession> {
  const catalog = await createCorpusCatalog({ source: createFsCorpusSource(config.corpusDir, logger), logger, now: () => systemClock.now().getTime() });
  const store = await openStateStore(config.stateFile);
  const subscriptions = createSubscriptions({ store, catalog, clock: systemClock, logger });
  let route: ((interaction: Interaction) => Promise<void>) | null = null;
  let connection: DiscordConnection | null = null;
  let poster: Poster;
  try {
    if (config.discord.token) {
      connection = await connectDiscord({
        token: config.discord.token,
        apiUrl: config.discord.apiUrl,
        logger,
        onInteraction: options.interactive ? (interaction) => void route?.(interaction) : undefined,
      });
      const { rest } = connection.client;
      poster = createChannelPoster({
        rest,
        channelId: config.discord.channelId!,
        botUserId: () => connection?.botUserId ?? null,
        permissions: channelPermissionsOf(connection.client, config.discord.channelId!),
      });
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
    corpus: catalog.source,
    clock: systemClock,
    logger,
    size: config.digest.size,
    order: config.digest.order,
    timezone: config.digest.timezone,
    audienceFor: selectAudience,
  });
  return {
    store,
    poster,
    runner,
    catalog,
    subscriptions,
    connection,
    setInteractionHandler(handler) {
      route = handler;
    },
    async close() {
      await store.close().catch((error: unknown) => logger.error({ err: String(error) }, 'closing the state failed'));
      await connection?.destroy().catch(() => undefined);
    },
  };
}

/**
 * The composition root of the long-running bot: opens a digest session, schedules digests, runs a missed or
 * interrupted digest once at start, answers slash commands, and stops gracefully on request.
 */
export async function startBot(config: Config, io: BotIo, logger: Logger): Promise<RunningBot> {
  const session = await openDigestSession(config, io, logger, { interactive: true });
  const { store, poster, runner, catalog } = session;
  const corpus = catalog.current();
  logger.info({ dir: config.corpusDir, papers: corpus.papers.length }, `corpus ${config.corpusDir}: ${corpus.papers.length} papers`);

  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const shutdown = new AbortController();
  let stopping: Promise<void> | null = null;
  let exitCode = 0;

  let current: Promise<unknown> = Promise.resolve();
  let problem: string | null = null;
  const startedAt = systemClock.now().toISOString();
  let health: HealthReporter | null = null;
  const runDigest = async (why: string): Promise<DigestResult | null> => {
    if (shutdown.signal.aborted) return null;
    logger.info({ why }, `running a digest (${why})`);
    try {
      const run = runner.run({ signal: shutdown.signal });
      current = run.catch(() => undefined);
      const result = await run;
      // Problems an admin must fix show in health until a digest goes through again.
      // (An unreadable corpus is not one: the bot works, health says degraded and why.)
      if (result.outcome === 'failed' && result.errorKind && result.errorKind !== 'transient' && result.errorKind !== 'corpus') problem = result.error ?? result.errorKind;
      else if (result.outcome !== 'busy' && result.outcome !== 'failed') problem = null;
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

  const scheduler: Scheduler = createCronScheduler({
    cron: config.digest.cron,
    timezone: config.digest.timezone,
    logger,
    onTick: async () => {
      // The scheduler has moved on to the next time already: saved before the digest, so neither a stop nor a crash
      // during it loses the time a later start must catch up.
      await recordNextDue(store, scheduler, config, logger);
      await runDigest('scheduled');
    },
  });
  let startRuns: Promise<void> = Promise.resolve();

  async function stop(reason: string): Promise<void> {
    if (stopping) return stopping;
    stopping = (async () => {
      logger.info({ reason }, `stopping: ${reason}`);
      shutdown.abort();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_BUDGET_MS).unref());
      // The post under way finishes (or stays recorded as pending); the rest of the digest resumes at next start.
      await Promise.race([Promise.all([scheduler.stop(), current, startRuns]), timeout]);
      await health?.stop();
      await session.close();
      logger.info({}, 'stopped');
      resolveExit(exitCode);
    })();
    return stopping;
  }

  scheduler.start();
  if (session.connection) {
    session.setInteractionHandler(
      createInteractionRouter({
        catalog,
        store,
        runner,
        subscriptions: session.subscriptions,
        clock: systemClock,
        logger,
        timezone: config.digest.timezone,
        destination: poster.destination,
        guildId: config.discord.guildId,
        channelId: config.discord.channelId,
        nextRun: () => scheduler.nextRun(),
      }, {
        homeGuild: createHomeGuild({ configuredGuildId: config.discord.guildId, channelId: config.discord.channelId!, client: session.connection.client, logger }),
      }),
    );
    await registerCommandsIfChanged(session.connection, store, config, logger);
  }
  const state = store.read();
  const dest = getDestination(state, poster.destination);
  const dueAt = state.schedule.nextDueAt;
  const now = systemClock.now();
  const startReasons: string[] = [];
  if (dest.inFlight) startReasons.push(`resuming digest #${dest.inFlight.digest}, interrupted before it finished`);
  // An interrupted digest that started before the missed time is not its catch-up: both run, in that order.
  const missed = config.digest.catchUp && dueAt !== null && Date.parse(dueAt) <= now.getTime() && !isCatchingUp(dest, dueAt);
  if (missed) startReasons.push(`catching up the run due ${formatLocalTime(dueAt, config.digest.timezone)}, missed while the bot was down`);
  if (startReasons.length === 0 && poster.destination === CONSOLE_DESTINATION && dest.digests === 0) {
    startReasons.push('first start in console mode: a first digest right away, then the schedule');
  }
  // A missed time stays saved until its catch-up has run, so a crash before that does not forget it.
  await recordNextDue(store, scheduler, config, logger, { save: !missed });
  health = await startHealthReporter({
    // (an unusable HEALTH_PORT stops the start: the admin asked for an endpoint that would not exist)
    file: healthFileFor(config.stateFile),
    port: config.healthPort,
    host: config.healthHost,
    secrets: [config.discord.token],
    logger,
    status: () => {
      const dest = getDestination(store.read(), poster.destination);
      const last = dest.lastRun;
      return {
        pid: process.pid,
        mode: session.connection ? 'discord' : 'console',
        connected: session.connection?.isConnected() ?? true,
        heartbeatAt: systemClock.now().toISOString(),
        startedAt,
        nextRunAt: scheduler.nextRun()?.toISOString() ?? null,
        lastRun: last ? { at: last.at, outcome: last.outcome, ...(last.error ? { error: last.error } : {}), ...(last.reason ? { reason: last.reason } : {}) } : null,
        problem,
        concerns: listDigestConcerns(dest, { location: catalog.source.location, problems: catalog.problems() }),
      };
    },
  }).catch(async (error: unknown) => {
    await scheduler.stop();
    await session.close();
    throw error;
  });
  if (startReasons.length > 0) {
    // The scheduled path and this one share the runner, whose runs never overlap.
    startRuns = (async () => {
      let result: DigestResult | null = null;
      for (const why of startReasons) result = await runDigest(why);
      if (missed && result && result.outcome !== 'busy') await recordNextDue(store, scheduler, config, logger, { log: false });
    })().catch((error: unknown) => logger.error({ err: String(error) }, 'start-up digest failed'));
  } else {
    // Notifications a crash left owed go out now rather than after the next digest (a run delivers them too).
    current = runner.deliverNotifications({ signal: shutdown.signal });
  }

  return { stop, exited, runner };
}

/** Saves when the next run is due, so a start after it knows a run was missed; logs it in the configured zone. */
async function recordNextDue(store: StateStore, scheduler: Scheduler, config: Config, logger: Logger, options: { log?: boolean; save?: boolean } = {}): Promise<void> {
  const next = scheduler.nextRun();
  if (options.log !== false) logger.info({ nextRun: next.toISOString() }, `next digest: ${formatLocalTime(next, config.digest.timezone)}`);
  if (options.save === false) return;
  await store.update((s) => setNextDue(s, next.toISOString())).catch((error: unknown) => logger.error({ err: String(error) }, 'could not save the next run time'));
}

/** Whether the digest under way (interrupted) started at or after `dueAt`, and so is that run's catch-up itself. */
function isCatchingUp(dest: DestinationState, dueAt: string): boolean {
  // (A crash in the instant between a finished catch-up and the save of the next time makes one more catch-up.)
  return dest.inFlight !== null && Date.parse(dest.inFlight.startedAt) >= Date.parse(dueAt);
}

/**
 * Registers the slash commands when their definitions (or scope) changed since the last registration, and removes
 * them from the scope no longer used. What could not be removed is retried at the next start (nothing is recorded).
 */
async function registerCommandsIfChanged(connection: DiscordConnection, store: StateStore, config: Config, logger: Logger): Promise<void> {
  const scope: CommandScope = config.discord.guildId ? { kind: 'guild', guildId: config.discord.guildId } : { kind: 'global' };
  const hash = hashDefinitions(scope);
  const recorded = store.read().commands;
  if (recorded && recorded.hash === hash && recorded.scope === describeScope(scope)) {
    logger.debug({ scope: recorded.scope }, 'slash commands unchanged since the last registration');
    return;
  }
  try {
    const { count, cleared, problems } = await registerCommands({
      rest: connection.client.rest,
      applicationId: connection.applicationId,
      scope,
      previousScope: recorded?.scope ?? null,
    });
    const removed = cleared.length ? `; removed them from ${cleared.join(', ')}` : '';
    logger.info({ scope: describeScope(scope), count, cleared }, `registered ${count} slash commands (${describeScope(scope)})${removed}`);
    if (problems.length) {
      logger.warn(
        { problems },
        `could not remove Paperboy's commands from a scope it no longer uses (${problems.join('; ')}): members there may see them twice; the next start tries again, or run \`paperboy register\``,
      );
      return;
    }
    await store.update((s) => ({ ...s, commands: { hash, scope: describeScope(scope), registeredAt: systemClock.now().toISOString() } }));
  } catch (error) {
    logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      'could not register the slash commands; digests still run. Check that the bot was invited with the applications.commands scope, then run `paperboy register`',
    );
  }
}
