// Beside the two entry points that share it: the long-running bot (main.ts) and a one-off `paperboy digest` (cli/).
import type { Interaction } from 'discord.js';
import type { Config } from './config.js';
import { createCorpusCatalog, type CorpusCatalog } from './app/corpus-catalog.js';
import { createSubscriptions, type Subscriptions } from './app/subscriptions.js';
import type { Logger, Poster, StateStore } from './app/ports.js';
import { createDigestRunner, type DigestRunner } from './app/run-digest.js';
import { selectAudience } from './core/subscriptions.js';
import { createConsolePoster } from './adapters/console-poster.js';
import { channelPermissionsOf, createChannelPoster } from './adapters/discord/channel-poster.js';
import { connectDiscord, type DiscordConnection } from './adapters/discord/client.js';
import { cacheDirFor, createFsCorpusCache } from './adapters/fs-corpus-cache.js';
import { createFsCorpusSource } from './adapters/fs-corpus-source.js';
import { openStateStore } from './adapters/fs-state-store.js';
import { systemClock } from './adapters/system-clock.js';

/** What the running bot writes to: console-mode digests go to `out`. */
export interface BotIo {
  out: (text: string) => void;
  columns: number;
}

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

/**
 * Opens the state (with its lock), then reads the corpus while it connects to Discord (or picks console mode), and
 * builds the runner. The lock comes first: a second instance stops before it reads anything or connects.
 */
export async function openDigestSession(
  config: Config,
  io: BotIo,
  logger: Logger,
  options: { interactive?: boolean } = {},
): Promise<DigestSession> {
  const store = await openStateStore(config.stateFile);
  let route: ((interaction: Interaction) => Promise<void>) | null = null;
  const cache = createFsCorpusCache(cacheDirFor(config.stateFile), logger);
  // Reading a large corpus is CPU work, logging in is waiting on the network: side by side, a start takes the longer of the two.
  const [loaded, connected] = await Promise.allSettled([
    createCorpusCatalog({
      source: createFsCorpusSource(config.corpusDir, logger, { stored: cache.corpus }),
      logger,
      now: () => systemClock.now().getTime(),
      indexStore: cache.index,
    }),
    config.discord.token
      ? connectDiscord({
          token: config.discord.token,
          apiUrl: config.discord.apiUrl,
          logger,
          onInteraction: options.interactive ? (interaction) => void route?.(interaction) : undefined,
        })
      : Promise.resolve(null),
  ]);
  if (loaded.status === 'rejected' || connected.status === 'rejected') {
    if (connected.status === 'fulfilled') await connected.value?.destroy().catch(() => undefined);
    await store.close();
    throw loaded.status === 'rejected' ? loaded.reason : (connected as PromiseRejectedResult).reason;
  }
  const catalog = loaded.value;
  const connection: DiscordConnection | null = connected.value;
  const subscriptions = createSubscriptions({ store, catalog, clock: systemClock, logger });
  let poster: Poster;
  if (connection) {
    const { rest } = connection.client;
    poster = createChannelPoster({
      rest,
      channelId: config.discord.channelId!,
      botUserId: () => connection.botUserId,
      permissions: channelPermissionsOf(connection.client, config.discord.channelId!),
    });
    logger.info(
      { user: connection.client.user.tag, channel: config.discord.channelId },
      `connected to Discord as ${connection.client.user.tag}`,
    );
  } else {
    poster = createConsolePoster(io.out, io.columns);
    logger.info({}, 'no DISCORD_TOKEN: console mode, digests are printed here');
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
      await catalog.settle();
      await store.close().catch((error: unknown) => logger.error({ err: String(error) }, 'closing the state failed'));
      await connection?.destroy().catch(() => undefined);
    },
  };
}
