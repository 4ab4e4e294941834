import { type Config, describeCronProblem } from './config.js';
import type { Logger } from './app/ports.js';
import { scopeToFeed } from './app/feed-store.js';
import { createFeedRuntime, type FeedRuntime } from './app/feed-runtime.js';
import { createBotLifecycle } from './app/lifecycle.js';
import { findNextRun } from './core/schedule.js';
import { createCronScheduler, readCronSchedule } from './adapters/cron-scheduler.js';
import { commandScopeFor } from './adapters/discord/definitions.js';
import { listPresentGuilds, watchGuildLife } from './adapters/discord/guild-life.js';
import { registerCommandsIfChanged } from './adapters/discord/registration.js';
import { createInteractionRouter } from './adapters/discord/router.js';
import { createReactorReader, listenToReactions, onNewSession } from './adapters/discord/reactions.js';
import { createReactionRouter, createVoteHandler, type ReactionHandler } from './app/reactions.js';
import { reconcileVotes } from './app/reconcile-votes.js';
import { createBestOfRunner } from './app/best-of.js';
import { systemClock } from './adapters/system-clock.js';
import { ownsGuild, shardSetOf } from './core/shards.js';
import { healthFileFor, startHealthReporter } from './adapters/health-reporter.js';
import { channelKindOf } from './adapters/discord/channel-poster.js';
import { createBookmarkHandler, createReadingLists } from './app/reading-list.js';
import { type BotIo, type DigestSession, openDigestSession } from './session.js';
import { listenForStop } from './adapters/stop-signals.js';

// SIGTERM gives Docker 10 s before SIGKILL: stop well inside it.
const SHUTDOWN_BUDGET_MS = 8000;

/**
 * The composition root of the long-running bot: wires the configuration to a digest session, the schedules of every
 * feed (Discord) or the console feed, the slash commands, health and the signals, runs until SIGINT or SIGTERM, and
 * resolves with the exit code.
 */
export async function runBot(
  config: Config,
  io: BotIo,
  logger: Logger,
  takeHeldSignal: () => NodeJS.Signals | undefined = () => undefined,
): Promise<number> {
  // From the first line: a SIGTERM while the session opens (the corpus read, the login) is a stop like any other, and
  // so is one the entry point held while the program loaded (taken once these handlers are in place).
  const signals = listenForStop(takeHeldSignal);
  const stoppedWhileLoading = signals.requested();
  if (stoppedWhileLoading !== null) {
    // Stopped before anything opened: nothing to close, nothing to post.
    signals.dispose();
    logger.info({ reason: stoppedWhileLoading }, `stopped before the start (${stoppedWhileLoading})`);
    return 0;
  }
  const session = await openDigestSession(config, io, logger, { interactive: true, feeds: true });
  const { store, feedId, catalog, connection } = session;
  const corpus = catalog.current();
  logger.info({ dir: config.corpusDir, papers: corpus.papers.length }, `corpus ${config.corpusDir}: ${corpus.papers.length} papers`);
  // Discord mode runs every feed of the database (the environment's among them); console mode its one feed.
  const runtime = connection ? createRuntime(config, session, logger) : null;
  const runner = runtime ? runtime.runnerOf(feedId) : session.runner;

  const bot = createBotLifecycle({
    ...(runtime
      ? { fleet: (hooks) => runtime.fleet(hooks) }
      : {
          feed: scopeToFeed(store, feedId),
          runner,
          createSchedule: (onTick: () => Promise<void>) =>
            createCronScheduler({ cron: config.digest.cron, timezone: config.digest.timezone, logger, onTick }),
        }),
    mode: connection ? 'discord' : 'console',
    ...(shardSetOf(config.shards) ? { shards: shardSetOf(config.shards)!.ids } : {}),
    isConnected: () => connection?.isConnected() ?? true,
    clock: systemClock,
    logger,
    timezone: config.digest.timezone,
    catchUp: config.digest.catchUp,
    pid: process.pid,
    corpusLocation: catalog.source.location,
    corpusProblems: () => catalog.problems(),
    sourceConcerns: () => session.sources.concerns(),
    startHealth: (status) =>
      startHealthReporter({
        file: healthFileFor(config.databaseFile, shardSetOf(config.shards)),
        port: config.healthPort,
        host: config.healthHost,
        secrets: [config.discord.token],
        logger,
        status,
      }),
    close: () => session.close(),
    shutdownBudgetMs: SHUTDOWN_BUDGET_MS,
  });

  // Before the start: the schedule runs from its first line, and a signal during the start is a stop like any other.
  signals.route((reason) => void bot.stop(reason));
  await bot.start(async () => {
    if (!connection || !runtime) return;
    // Servers left or rejoined while the bot was down, then the events from now on.
    watchGuildLife(connection.client, runtime, logger);
    // Reactions on paper cards: votes, and 🔖 saving the paper to the member's reading list.
    const reactionHandlers: ReactionHandler[] = [
      createVoteHandler({ store, clock: systemClock, logger }),
      createBookmarkHandler({ lists: createReadingLists({ store, catalog, clock: systemClock }), logger }),
    ];
    const botUserId = connection.botUserId;
    const reactions = createReactionRouter({ store, botUserId: () => botUserId, logger, handlers: reactionHandlers });
    listenToReactions(connection.client, (event) => reactions.handle(event), logger);
    // Votes cast while the bot was away: read back now, and after a lost session, in the background.
    let reconciling: Promise<unknown> | null = null;
    const reconcile = () => {
      reconciling ??= reconcileVotes({
        store,
        readReactors: createReactorReader(connection.client.rest),
        botUserId,
        owns: (guildId) => ownsGuild(shardSetOf(config.shards), guildId),
        clock: systemClock,
        logger,
        serialize: (task) => reactions.serialize(task),
        isForum: (channelId) => channelKindOf(connection.client, channelId)() === 'forum',
      })
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'reading back the votes cast while away failed; they count from the next start'),
        )
        .finally(() => (reconciling = null));
    };
    reconcile();
    onNewSession(connection.client, reconcile);
    await runtime.reconcileGuilds(listPresentGuilds(connection.client));
    session.setInteractionHandler(
      createInteractionRouter({
        catalog,
        store,
        desk: runtime.desk,
        subscriptions: session.subscriptions,
        clock: systemClock,
        logger,
        sourceConcerns: () => session.sources.concerns(),
      }),
    );
    await registerCommandsIfChanged({
      rest: connection.client.rest,
      applicationId: connection.applicationId,
      scope: commandScopeFor(config.discord.guildId),
      store,
      logger,
      clock: systemClock,
    });
  });

  const code = await bot.exited;
  signals.dispose();
  return code;
}

/** Every server's feeds, each on its own schedule in its own time zone, the environment's feed among them. */
function createRuntime(config: Config, session: DigestSession, logger: Logger): FeedRuntime {
  const { store, catalog } = session;
  return createFeedRuntime({
    store,
    clock: systemClock,
    logger,
    // The session's feed keeps the runner the session built (one runner per feed: its runs never overlap).
    createRunner: (id) => (id === session.feedId ? session.runner : session.createFeedRunner(id)),
    createSchedule: (feed, onTick) => createCronScheduler({ cron: feed.schedule.cron, timezone: feed.schedule.timezone, logger, onTick }),
    nextRunOf: (feed) => findNextRun(readCronSchedule(feed.schedule.cron), feed.schedule.timezone, systemClock.now()),
    checkCron: describeCronProblem,
    defaults: { cron: config.digest.cron, timezone: config.digest.timezone, size: config.digest.size, order: config.digest.order },
    catchUp: config.digest.catchUp,
    corpus: () => ({ location: catalog.source.location, problems: catalog.problems() }),
    createBestOf: (id) =>
      createBestOfRunner({
        store,
        feedId: id,
        poster: session.posterOf(id),
        paperOf: (paperId) => catalog.current().index.get(paperId),
        clock: systemClock,
        logger,
      }),
    owns: (guildId) => {
      const shards = shardSetOf(config.shards);
      // A feed whose server is not known yet (the bootstrap feed before its lookup) is shard 0's.
      return guildId === null ? !shards || shards.ids.includes(0) : ownsGuild(shards, guildId);
    },
  });
}
