import { BOOTSTRAP_FEED_ID, type Feed } from './feed.js';

/*
 * What happens to feeds when Discord changes around them: the bot removed from a server, a channel deleted, the
 * bot invited back. Pure: the runtime applies these to the store and reschedules.
 */

/** Why a feed pauses when the bot leaves its server (a kick, a ban, or the server deleted). */
export const GUILD_REMOVED_REASON = 'the bot was removed from the server';
/** Why a feed pauses when its channel is deleted. */
export const CHANNEL_DELETED_REASON = 'the channel was deleted';
/** Days a server's data is kept after the bot was removed from it, in case it is invited back. */
export const REMOVED_GUILD_RETENTION_DAYS = 30;

const DAY_MS = 86_400_000;

/** True when a feed is scheduled: not paused, with a channel, and in a known server (the bootstrap feed runs before its server is known). */
export function isScheduledFeed(feed: Feed): boolean {
  return feed.paused === null && feed.channelId !== null && (feed.guildId !== null || feed.id === BOOTSTRAP_FEED_ID);
}

/** The feed paused for `reason` since `at` (a feed already paused keeps its first reason). */
export function pauseFeed(feed: Feed, reason: string, at: string, by?: string): Feed {
  if (feed.paused) return feed;
  return { ...feed, paused: { reason, since: at, ...(by ? { by } : {}) }, updatedAt: at };
}

/** The feed scheduled again from where it was. */
export function resumeFeed(feed: Feed, at: string): Feed {
  return feed.paused ? { ...feed, paused: null, updatedAt: at } : feed;
}

/** The feeds of a server the bot was just removed from that pause (those an admin paused stay as they are). */
export function listFeedsToPauseForRemoval(feeds: Iterable<Feed>, guildId: string): Feed[] {
  return [...feeds].filter((feed) => feed.guildId === guildId && feed.paused === null);
}

/** The feeds of a server the bot is back in that resume: those paused because it had been removed, and no other. */
export function listFeedsToResumeOnReturn(feeds: Iterable<Feed>, guildId: string): Feed[] {
  return [...feeds].filter((feed) => feed.guildId === guildId && feed.paused?.reason === GUILD_REMOVED_REASON);
}

/** The feeds that post to a deleted channel and pause for it. */
export function listFeedsOfDeletedChannel(feeds: Iterable<Feed>, channelId: string): Feed[] {
  return [...feeds].filter((feed) => feed.channelId === channelId && feed.paused === null);
}

/** The servers whose data is due for deletion: removed more than the retention days before `now`. */
export function listGuildsToPurge(removed: ReadonlyMap<string, string>, now: Date, days = REMOVED_GUILD_RETENTION_DAYS): string[] {
  return [...removed].filter(([, at]) => now.getTime() - Date.parse(at) >= days * DAY_MS).map(([guildId]) => guildId);
}
