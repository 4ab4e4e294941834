// Beside the two entry points that share it: the long-running bot (main.ts) and a one-off `paperboy digest` (cli/).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Interaction } from 'discord.js';
import type { Config } from './config.js';
import { assignBootstrapGuild, saveEnvironmentFeed, subscribersOf } from './app/bootstrap-feed.js';
import { createCorpusCatalog, type CorpusCatalog } from './app/corpus-catalog.js';
import { createSubscriptions, type Subscriptions } from './app/subscriptions.js';
import { type Logger, PostError, type Poster, type Store } from './app/ports.js';
import { OperatorError } from './core/errors.js';
import { createDigestRunner, type DigestRunner } from './app/run-digest.js';
import { createLeasedRunner } from './app/leased-runner.js';
import { createFetchBeforeDigest, type FetchBeforeDigest } from './app/fetch-before-digest.js';
import { shardSetOf } from './core/shards.js';
import { BOOTSTRAP_FEED_ID, CONSOLE_FEED_ID, type FeedSettings } from './core/feed.js';
import { selectAudience } from './core/subscriptions.js';
import { createConsolePoster } from './adapters/console-poster.js';
import { channelKindOf, channelPermissionsOf, createChannelPoster, createOnceRest } from './adapters/discord/channel-poster.js';
import { connectDiscord, type DiscordConnection } from './adapters/discord/client.js';
import { lookUpChannelGuild } from './adapters/discord/home-guild.js';
import { cacheDirFor, createFsCorpusCache } from './adapters/fs-corpus-cache.js';
import { createFsCorpusSource } from './adapters/fs-corpus-source.js';
import { openDataStore } from './adapters/open-store.js';
import { createSourceFetcher } from './adapters/sources/source-fetcher.js';

/** Interactions kept while the router is not set yet; beyond, the start is far too slow to answer them in time anyway. */
const EARLY_INTERACTIONS_MAX = 200;
import { systemClock } from './adapters/system-clock.js';

/** What the running bot writes to: console-mode digests go to `out`. */
export interface BotIo {
  out: (text: string) => void;
  columns: number;
}

/** The parts a digest needs, connected: used by `paperboy start` and by a one-off `paperboy digest`. */
export interface DigestSession {
  store: Store;
  /** The feed this process runs: the bootstrap feed (Discord) or the console feed. */
  feedId: string;
  poster: Poster;
  runner: DigestRunner;
  catalog: CorpusCatalog;
  subscriptions: Subscriptions;
  /** The live sources (SOURCES) that every digest fetches first; a no-op without them. */
  sources: FetchBeforeDigest;
  connection: DiscordConnection | null;
  /**
   * The runner of any feed of the database (Discord mode): its poster follows the feed's channel. The session's own
   * feed keeps {@link runner}.
   */
  createFeedRunner(feedId: string): DigestRunner;
  /** The poster of any feed of the database (Discord mode): it follows the feed's channel (the weekly best-of posts with it). */
  posterOf(feedId: string): Poster;
  /** Routes the interactions that arrive from now on (Discord mode). */
  setInteractionHandler(handler: (interaction: Interaction) => Promise<void>): void;
  close(): Promise<void>;
}

/** The feed this configuration runs: the bootstrap feed with a token, the console feed without. */
export function feedIdOf(config: Config): string {
  return config.discord.token ? BOOTSTRAP_FEED_ID : CONSOLE_FEED_ID;
}

/** The environment's digest settings (DISCORD_CHANNEL_ID, DISCORD_GUILD_ID and DIGEST_*), as a feed's. */
export function feedSettingsOf(config: Config): FeedSettings {
  const { digest, discord } = config;
  return {
    guildId: discord.guildId,
    channelId: discord.channelId,
    cron: digest.cron,
    timezone: digest.timezone,
    size: digest.size,
    order: digest.order,
  };
}

/**
 * The settings of the feed this configuration runs: the environment's, or for the console feed the same without a
 * server or channel (its papers notify the bootstrap feed's members, see subscribersOf).
 */
export function runningFeedSettingsOf(config: Config): FeedSettings {
  const settings = feedSettingsOf(config);
  return feedIdOf(config) === CONSOLE_FEED_ID ? { ...settings, guildId: null, channelId: null } : settings;
}

/** Where the data lives, and how an old state file's records become feeds: what opening the store needs. */
export function dataStoreOptionsOf(config: Config, logger: Logger) {
  return {
    databaseFile: config.databaseFile,
    databaseUrl: config.databaseUrl,
    stateFile: config.stateFile,
    settings: feedSettingsOf(config),
    scheduleFeedId: feedIdOf(config),
    logger,
  };
}

/**
 * Opens the database (with its lock, importing an old state file once) and saves the feed the environment defines,
 * then reads the corpus while it connects to Discord (or picks console mode), and builds the runner. The lock comes
 * first: a second instance stops before it reads anything or connects.
 */
export async function openDigestSession(
  config: Config,
  io: BotIo,
  logger: Logger,
  options: { interactive?: boolean; feeds?: boolean } = {},
): Promise<DigestSession> {
  // Without DISCORD_CHANNEL_ID the environment defines no digest: the bot runs the feeds of the database alone.
  const environmentFeed = !config.discord.token || config.discord.channelId !== null;
  if (!environmentFeed && !options.feeds) {
    throw new OperatorError(
      'DISCORD_CHANNEL_ID is not set, so there is no digest of the environment to run here: set it for a single-channel digest, or start the bot (`paperboy start`) and set feeds up with /digest setup',
    );
  }
  const store = await openDataStore(dataStoreOptionsOf(config, logger));
  const feedId = feedIdOf(config);
  const iso = () => systemClock.now().toISOString();
  let route: ((interaction: Interaction) => Promise<void>) | null = null;
  // Interactions that arrive between the gateway's READY and the router (the start still reconciling servers): answered
  // once it is set rather than dropped, which Discord would show the member as "The application did not respond".
  const early: Interaction[] = [];
  let connection: DiscordConnection | null = null;
  let catalog: CorpusCatalog;
  let poster: Poster;
  let postTo: ((feedId: string) => Poster) | null = null;
  try {
    if (environmentFeed) await saveEnvironmentFeed(store, feedId, runningFeedSettingsOf(config), iso());
    if (config.discord.guildId && feedId === BOOTSTRAP_FEED_ID) await assignBootstrapGuild(store, config.discord.guildId, iso(), logger);
    const cache = createFsCorpusCache(cacheDirFor(config.dataDir), logger);
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
            onInteraction: options.interactive
              ? (interaction) => {
                  if (route) void route(interaction);
                  else if (early.length < EARLY_INTERACTIONS_MAX) early.push(interaction);
                }
              : undefined,
            shards: shardSetOf(config.shards),
          })
        : Promise.resolve(null),
    ]);
    if (connected.status === 'fulfilled') connection = connected.value;
    if (loaded.status === 'rejected') throw loaded.reason;
    if (connected.status === 'rejected') throw connected.reason;
    catalog = loaded.value;
    if (connection) {
      const { client } = connection;
      const channels = new Map<string, Poster>();
      const onceRest = createOnceRest(config.discord.apiUrl, config.discord.token!);
      const channelPoster = (channelId: string): Poster => {
        let found = channels.get(channelId);
        if (!found) {
          found = createChannelPoster({
            rest: client.rest,
            channelId,
            botUserId: () => connection?.botUserId ?? null,
            permissions: channelPermissionsOf(client, channelId),
            channelKind: channelKindOf(client, channelId),
            onceRest,
          });
          channels.set(channelId, found);
        }
        return found;
      };
      postTo = (id) => createFeedPoster(store, id, channelPoster);
      const channelId = config.discord.channelId;
      poster = postTo(feedId);
      logger.info({ user: client.user.tag, channel: channelId }, `connected to Discord as ${client.user.tag}`);
      if (!channelId) logger.info({}, 'no DISCORD_CHANNEL_ID: feeds are set up with /digest setup');
      else if (!store.read().feeds.get(BOOTSTRAP_FEED_ID)?.guildId) {
        // The digest's server, for the members' topics: looked up once; until it is known, they stay where the import put them.
        const guildId = await lookUpChannelGuild(connection.client, channelId).catch(() => null);
        if (guildId) await assignBootstrapGuild(store, guildId, iso(), logger);
      }
    } else {
      poster = createConsolePoster(io.out, io.columns);
      logger.info({}, 'no DISCORD_TOKEN: console mode, digests are printed here');
    }
  } catch (error) {
    await connection?.destroy().catch(() => undefined);
    await store.close();
    throw error;
  }
  const subscriptions = createSubscriptions({ store, catalog, clock: systemClock, logger });
  collectStartGarbage();
  const live = config.sources.list.map((s) => (s.kind === 'hf-daily' ? 'hf-daily' : `arxiv:${s.category}`));
  if (live.length > 0)
    logger.info({ sources: live }, `live sources ${live.join(', ')}: fetched into ${config.corpusDir} before each digest`);
  const sources = createFetchBeforeDigest({
    fetcher: live.length > 0 ? createSourceFetcher(config, logger, systemClock) : null,
    logger,
    timezone: config.digest.timezone,
  });
  const runnerOver = (runStore: Store, id: string, feedPoster: Poster) =>
    createDigestRunner({
      store: runStore,
      feedId: id,
      poster: feedPoster,
      corpus: catalog.source,
      clock: systemClock,
      logger,
      audienceFor: (paper) => selectAudience(paper, subscribersOf(store, id)),
      beforeRun: (signal) => sources.beforeDigest(signal),
      failingSource: () => sources.failingSource(),
    });
  // With a shared database, other processes may run the same feed (shards, a rolling deploy): each run holds its lease.
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const runnerOf = (id: string, feedPoster: Poster) =>
    config.databaseUrl
      ? createLeasedRunner({ store, feedId: id, owner, logger, build: (fenced) => runnerOver(fenced, id, feedPoster) })
      : runnerOver(store, id, feedPoster);
  const runner = runnerOf(feedId, poster);
  return {
    store,
    feedId,
    poster,
    runner,
    catalog,
    subscriptions,
    sources,
    connection,
    createFeedRunner(id) {
      if (!postTo) throw new Error('feeds of the database run in Discord mode only');
      return runnerOf(id, postTo(id));
    },
    posterOf(id) {
      if (!postTo) throw new Error('feeds of the database run in Discord mode only');
      return postTo(id);
    },
    setInteractionHandler(handler) {
      route = handler;
      for (const interaction of early.splice(0)) void handler(interaction);
    },
    async close() {
      // The search index a first start is still keeping: a stop right after it must not lose it.
      await catalog.settle();
      await store.close().catch((error: unknown) => logger.error({ err: error }, 'closing the database failed'));
      // After the state: a digest that was waiting for this fetch can no longer record (nor post) anything.
      sources.stop();
      await connection?.destroy().catch(() => undefined);
    },
  };
}

/**
 * A feed's poster in Discord mode: it posts to the channel the feed names at each call, so a feed moved to another
 * channel by `/digest setup` posts there from its next message on (its records, which belong to the feed, stay).
 */
function createFeedPoster(store: Store, feedId: string, channelPoster: (channelId: string) => Poster): Poster {
  const current = (): Poster => {
    const channelId = store.read().feeds.get(feedId)?.channelId;
    if (!channelId)
      throw new PostError('unknown-channel', `feed ${feedId} has no channel`, null, null, [], 'give it one with /digest setup');
    return channelPoster(channelId);
  };
  return {
    get destination() {
      const channelId = store.read().feeds.get(feedId)?.channelId;
      return channelId ? `channel:${channelId}` : `feed:${feedId}`;
    },
    post: async (message, nonce, paperPost) => current().post(message, nonce, paperPost),
    readOwnMessages: async (from) => current().readOwnMessages(from),
    channelKind: () => {
      const channelId = store.read().feeds.get(feedId)?.channelId;
      return channelId ? (channelPoster(channelId).channelKind?.() ?? null) : null;
    },
    threadsBlocked: () => {
      const channelId = store.read().feeds.get(feedId)?.channelId;
      return channelId ? (channelPoster(channelId).threadsBlocked?.() ?? null) : null;
    },
    startThread: async (messageId, name) => {
      const poster = current();
      if (!poster.startThread) throw new PostError('forbidden', 'this destination has no threads');
      return poster.startThread(messageId, name);
    },
    postInThread: async (threadId, message, nonce) => {
      const poster = current();
      if (!poster.postInThread) throw new PostError('forbidden', 'this destination has no threads');
      return poster.postInThread(threadId, message, nonce);
    },
    sendDirect: async (userId, message, nonce) => {
      const poster = current();
      if (!poster.sendDirect) throw new PostError('forbidden', 'this destination cannot send direct messages');
      return poster.sendDirect(userId, message, nonce);
    },
  };
}

/**
 * One full garbage collection once the start's work is done, and one more a second later. Reading and indexing a
 * large corpus leaves hundreds of megabytes of garbage, and an idle bot allocates too little for V8 to ever collect
 * it: without this, a 100,000-paper bot idles at the size of its start-up.
 */
function collectStartGarbage(): void {
  let gc: () => void;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return; // a runtime without it keeps that garbage until its next collection
  }
  gc();
  setTimeout(gc, 1000).unref();
}
