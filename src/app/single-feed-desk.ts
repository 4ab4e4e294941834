import { UserFacingError } from './errors.js';
import { FeedNotFoundError, type FeedDesk, type FeedView } from './feed-desk.js';
import type { Store } from './ports.js';
import type { DigestRunner } from './run-digest.js';

/**
 * The desk of a process that runs one feed (the bootstrap feed, scheduled by the lifecycle): `/digest` sees it in its
 * own server only. A stand-in until the multi-feed runtime (issue 13) schedules every feed: it cannot create, pause
 * or remove feeds, and says so.
 */
export function createSingleFeedDesk(deps: { store: Store; feedId: string; runner: DigestRunner; nextRun: () => Date | null }): FeedDesk {
  const { store, feedId } = deps;
  const view = (guildId: string): FeedView | null => {
    const feed = store.read().feeds.get(feedId);
    if (!feed || feed.guildId !== guildId) return null;
    return { feed, nextRun: feed.paused ? null : deps.nextRun(), posted: store.posted(feedId).size, concerns: [] };
  };
  const unsupported = async (): Promise<never> => {
    throw new UserFacingError('This Paperboy runs one digest, set by DISCORD_CHANNEL_ID: feeds cannot be changed from Discord yet.');
  };
  return {
    list: (guildId) => [view(guildId)].filter((v): v is FeedView => v !== null),
    get: (guildId, id) => (id === feedId ? view(guildId) : null),
    inChannel: (guildId, channelId) => [view(guildId)].filter((v): v is FeedView => v !== null && v.feed.channelId === channelId),
    setUp: unsupported,
    pause: unsupported,
    resume: unsupported,
    remove: unsupported,
    runner(guildId, id) {
      if (id !== feedId || !view(guildId)) throw new FeedNotFoundError(id);
      return deps.runner;
    },
  };
}
