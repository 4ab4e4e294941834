import type { Config } from './config.js';
import type { Logger } from './app/ports.js';
import { scopeToFeed } from './app/feed-store.js';
import { createBotLifecycle } from './app/lifecycle.js';
import { createCronScheduler } from './adapters/cron-scheduler.js';
import { commandScopeFor } from './adapters/discord/definitions.js';
import { registerCommandsIfChanged } from './adapters/discord/registration.js';
import { createHomeGuild } from './adapters/discord/home-guild.js';
import { createInteractionRouter } from './adapters/discord/router.js';
import { systemClock } from './adapters/system-clock.js';
import { healthFileFor, startHealthReporter } from './adapters/health-reporter.js';
import { type BotIo, openDigestSession } from './session.js';

// SIGTERM gives Docker 10 s before SIGKILL: stop well inside it.
const SHUTDOWN_BUDGET_MS = 8000;

/**
 * The composition root of the long-running bot: wires the configuration to a digest session, the schedule, the
 * slash commands, health and the signals, runs until SIGINT or SIGTERM, and resolves with the exit code.
 */
export async function runBot(config: Config, io: BotIo, logger: Logger): Promise<number> {
  const session = await openDigestSession(config, io, logger, { interactive: true });
  const { store, feedId, runner, catalog, connection } = session;
  const corpus = catalog.current();
  logger.info({ dir: config.corpusDir, papers: corpus.papers.length }, `corpus ${config.corpusDir}: ${corpus.papers.length} papers`);

  const bot = createBotLifecycle({
    feed: scopeToFeed(store, feedId),
    runner,
    mode: connection ? 'discord' : 'console',
    isConnected: () => connection?.isConnected() ?? true,
    clock: systemClock,
    logger,
    timezone: config.digest.timezone,
    catchUp: config.digest.catchUp,
    pid: process.pid,
    corpusLocation: catalog.source.location,
    corpusProblems: () => catalog.problems(),
    sourceConcerns: () => session.sources.concerns(),
    createSchedule: (onTick) => createCronScheduler({ cron: config.digest.cron, timezone: config.digest.timezone, logger, onTick }),
    startHealth: (status) =>
      startHealthReporter({
        file: healthFileFor(config.databaseFile),
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
  const onSignal = (signal: NodeJS.Signals) => void bot.stop(`received ${signal}`);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await bot.start(async () => {
    if (!connection) return;
    session.setInteractionHandler(
      createInteractionRouter(
        {
          catalog,
          store,
          runner,
          subscriptions: session.subscriptions,
          clock: systemClock,
          logger,
          timezone: config.digest.timezone,
          feedId,
          guildId: config.discord.guildId,
          channelId: config.discord.channelId,
          nextRun: () => bot.nextRun(),
          sourceConcerns: () => session.sources.concerns(),
        },
        {
          homeGuild: createHomeGuild({
            configuredGuildId: config.discord.guildId,
            channelId: config.discord.channelId!,
            client: connection.client,
            logger,
          }),
        },
      ),
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
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return code;
}
