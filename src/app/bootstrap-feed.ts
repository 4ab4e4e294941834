import { BOOTSTRAP_FEED_ID, createFeedFromSettings, type Feed, type FeedSettings, PENDING_GUILD } from '../core/feed.js';
import type { Subscriber } from '../core/state.js';
import { OperatorError } from '../core/errors.js';
import type { Logger, Store } from './ports.js';

/**
 * Saves the feed the environment defines (the bootstrap feed, or the console feed) as it is at this start: created
 * the first time, updated from the environment afterwards, its progress kept. Writes nothing when unchanged.
 */
export async function saveEnvironmentFeed(store: Store, feedId: string, settings: FeedSettings, at: string): Promise<Feed> {
  if (feedId === BOOTSTRAP_FEED_ID && settings.channelId === null)
    throw new OperatorError(
      'DISCORD_CHANNEL_ID is not set, so there is no digest of the environment to run here: set it for a single-channel digest, or start the bot (`paperboy start`) and set feeds up with /digest setup',
    );
  const existing = store.read().feeds.get(feedId);
  const feed = createFeedFromSettings(feedId, settings, existing, at);
  if (feed !== existing) await store.saveFeed(feed);
  return feed;
}

/**
 * Records the bootstrap feed's server once it is known (from DISCORD_GUILD_ID or from its channel), and moves there
 * the members' topics imported before it was known. Safe to repeat: both steps are no-ops once done.
 */
export async function assignBootstrapGuild(store: Store, guildId: string, at: string, logger: Logger): Promise<void> {
  const feed = store.read().feeds.get(BOOTSTRAP_FEED_ID);
  const parked = store.read().subscriptions.get(PENDING_GUILD)?.size ?? 0;
  if (parked > 0) {
    const moved = await store.moveSubscriptions(PENDING_GUILD, guildId);
    logger.info(
      { guild: guildId, members: moved },
      `the topics of ${moved} member(s) now belong to server ${guildId}, the digest's server`,
    );
  }
  if (feed && feed.guildId !== guildId) await store.saveFeed({ ...feed, guildId, updatedAt: at });
}

/**
 * The members a feed's papers notify: those of its server. A feed whose server is not known yet (the console feed,
 * or the bootstrap feed before its channel was looked up) uses the bootstrap feed's server, or the topics imported
 * before that was known, as a single-server Paperboy always did.
 */
export function subscribersOf(store: Store, feedId: string): Iterable<readonly [string, Subscriber]> {
  const { feeds, subscriptions } = store.read();
  const guildId = feeds.get(feedId)?.guildId ?? feeds.get(BOOTSTRAP_FEED_ID)?.guildId ?? PENDING_GUILD;
  return subscriptions.get(guildId) ?? [];
}
