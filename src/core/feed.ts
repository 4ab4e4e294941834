import { z } from 'zod';

/*
 * A feed: one digest of a server, posted to a channel on a schedule, with its own size, order and filters. Its
 * progress, exactly-once records and history belong to the feed (by its id), not to the channel: moving a feed to
 * another channel keeps them, and two feeds may share a channel.
 */

const isoDate = z.iso.datetime({ offset: true });

/** The feed the environment defines (`DISCORD_CHANNEL_ID` and `DIGEST_*`), updated from it at every start. */
export const BOOTSTRAP_FEED_ID = 'env';
/** The feed console mode prints (no Discord): its own record, so trying Paperboy never uses up a channel's queue. */
export const CONSOLE_FEED_ID = 'console';

/**
 * The server key of members' topics imported from a state file before the bootstrap feed's server was known (the
 * state file did not record it); they move to that server once it is.
 */
export const PENDING_GUILD = '';

/** The zod schema of a feed's configuration. */
export const feedSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a feed id is 1 to 64 lowercase letters, digits, "-" or "_"'),
  /** The server it belongs to; null for the console feed, and for the bootstrap feed until its server is known. */
  guildId: z.string().nullable(),
  /** The channel it posts to; null for the console feed. */
  channelId: z.string().nullable(),
  schedule: z.object({ cron: z.string(), timezone: z.string() }),
  size: z.number().int().min(1).max(10),
  order: z.enum(['corpus', 'newest', 'upvotes']),
  /** Topics a paper must match one of to be posted (none: every paper). */
  include: z.array(z.string()),
  /** Topics that keep a paper out. */
  exclude: z.array(z.string()),
  minUpvotes: z.number().int().nonnegative().nullable(),
  /** Why the feed posts nothing for now (the bot was removed from the server, the channel was deleted, an admin). */
  paused: z.object({ reason: z.string(), since: isoDate, by: z.string().optional() }).nullable(),
  /** Settings of later features (threads, layout, ...), kept as they are. */
  options: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
  updatedAt: isoDate,
});

/** One digest of a server: where, when, how many, in which order, and which papers. */
export type Feed = z.infer<typeof feedSchema>;

/** What the environment says about the digest: the bootstrap feed's (or the console feed's) settings. */
export interface FeedSettings {
  guildId: string | null;
  channelId: string | null;
  cron: string;
  timezone: string;
  size: number;
  order: Feed['order'];
}

/**
 * The feed `settings` define, as it is saved at a start: a new feed, or the existing one with the environment's
 * settings (its id, so its progress, stays). A server already known is kept when the environment names none.
 */
export function createFeedFromSettings(id: string, settings: FeedSettings, existing: Feed | undefined, at: string): Feed {
  const base: Feed = existing ?? {
    id,
    guildId: null,
    channelId: null,
    schedule: { cron: settings.cron, timezone: settings.timezone },
    size: settings.size,
    order: settings.order,
    include: [],
    exclude: [],
    minUpvotes: null,
    paused: null,
    options: {},
    createdAt: at,
    updatedAt: at,
  };
  const next: Feed = {
    ...base,
    guildId: settings.guildId ?? base.guildId,
    channelId: settings.channelId,
    schedule: { cron: settings.cron, timezone: settings.timezone },
    size: settings.size,
    order: settings.order,
  };
  return existing && sameFeed(existing, next) ? existing : { ...next, updatedAt: at };
}

/** True when two feeds have the same configuration (their update times aside). */
export function sameFeed(a: Feed, b: Feed): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });
}
