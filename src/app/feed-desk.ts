import type { Feed } from '../core/feed.js';
import { UserFacingError } from './errors.js';
import type { DigestRunner } from './run-digest.js';

/*
 * The seam between the slash commands and the digests that run (issue 13): the commands ask and tell the desk; the
 * desk keeps every feed's schedule, runner and life events. The commands never schedule, and the runtime never
 * parses an interaction. Every method that takes a guild acts within that server only: a feed of another server
 * is unknown to it (null, or a FeedNotFoundError), never shown and never changed.
 */

/** What keeps a feed from posting, said so an admin can act on it (one sentence each). */
export type FeedConcern = string;

/** A feed as the commands show it: its configuration, when it runs next, and what stands in its way. */
export interface FeedView {
  feed: Feed;
  /** The next scheduled run, or null when paused (or the schedule has no next time). */
  nextRun: Date | null;
  /** Papers this feed posted so far. */
  posted: number;
  concerns: readonly FeedConcern[];
}

/** The changes `/digest setup` may make to a feed; what is left out stays as it is (or the default for a new feed). */
export interface FeedChanges {
  channelId: string;
  cron?: string;
  timezone?: string;
  size?: number;
  order?: Feed['order'];
  include?: readonly string[];
  exclude?: readonly string[];
  minUpvotes?: number | null;
  /** Per-feed options to set (`threads`, `layout`, `weekly`, `vote_emoji`...), merged over the feed's current ones (`null`: remove one, back to its default). */
  options?: Readonly<Record<string, unknown>>;
}

/** A feed id that names no feed of this server (or none at all: the same answer, so ids of other servers leak nothing). */
export class FeedNotFoundError extends UserFacingError {
  constructor(readonly feedId: string) {
    super(`This server has no feed "${feedId}". \`/digest list\` shows its feeds.`);
    this.name = 'FeedNotFoundError';
  }
}

/** Every server's feeds, scheduled and run: what `/digest` acts on. */
export interface FeedDesk {
  /** The feeds of one server, oldest first. */
  list(guildId: string): FeedView[];
  /** One feed of that server, or null when it has none with that id. */
  get(guildId: string, feedId: string): FeedView | null;
  /** The feeds of that server that post to `channelId` (two feeds may share a channel). */
  inChannel(guildId: string, channelId: string): FeedView[];
  /**
   * Creates a feed for `changes.channelId`, or changes the feed that posts there (`feedId` picks one when several do),
   * validates the result (cron, timezone, size) and (re)schedules it. Throws a UserFacingError that names the bad
   * value. Permissions in the channel are the caller's to check before (it has the channel at hand).
   */
  setUp(guildId: string, changes: FeedChanges, by: string, feedId?: string): Promise<FeedView>;
  /** Stops scheduling a feed; its progress is kept. `reason` is shown by `/digest status` and health. */
  pause(guildId: string, feedId: string, reason: string, by: string): Promise<FeedView>;
  /** Schedules a paused feed again from where it was. */
  resume(guildId: string, feedId: string, by: string): Promise<FeedView>;
  /** Deletes a feed and its records (its posted papers may then be posted again by a new feed). */
  remove(guildId: string, feedId: string, by: string): Promise<void>;
  /** The runner of one feed (`/digest now`, `preview`, `retry`); throws FeedNotFoundError for another server's. */
  runner(guildId: string, feedId: string): DigestRunner;
}
