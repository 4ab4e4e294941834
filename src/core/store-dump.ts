import { z } from 'zod';
import { type Feed, feedSchema } from './feed.js';
import { type PostedEntry, postedEntrySchema } from './posted-log.js';
import { type FeedProgress, feedProgressSchema, type Subscriber, subscriberSchema } from './state.js';
import { type ReadingListEntry, readingListEntrySchema } from './reading-list.js';
import { type Vote, voteSchema } from './votes.js';

/*
 * The state dump: everything the store holds, as one JSON document, for backups, moves and support
 * (`paperboy state export` / `paperboy state import`). Its shape is documented in docs/state-dump.md and stable: a
 * change that an older Paperboy could misread bumps DUMP_VERSION. Arrays are sorted (feeds by id, posts by seq,
 * subscriptions by server then member, saved papers by server, member, then when saved) and every object's keys are sorted, so two exports of the same data are the
 * same bytes.
 */

/** What the `format` field of a dump says. */
export const DUMP_FORMAT = 'paperboy-state';
/** The dump version this Paperboy writes and reads. */
export const DUMP_VERSION = 1;

const isoDate = z.iso.datetime({ offset: true });

/** The zod schema of the store's own records: the slash commands' registration, and where an import came from. */
export const storeMetaSchema = z.object({
  /** The last registration of the slash commands (what, where, when), so a start without changes skips it. */
  commands: z.object({ hash: z.string(), scope: z.string(), registeredAt: isoDate }).nullable(),
  /** The state file imported at the first start after the upgrade, by its content hash (found again: renamed, not re-imported). */
  imported: z.object({ file: z.string(), sha256: z.string(), at: isoDate }).nullable(),
});

/** The store's own records. */
export type StoreMeta = z.infer<typeof storeMetaSchema>;

/** The records of a store that never ran. */
export function createEmptyMeta(): StoreMeta {
  return { commands: null, imported: null };
}

const subscriptionRowSchema = subscriberSchema.extend({ guildId: z.string(), userId: z.string() });

/** One member's topics in one server, as a dump lists them. */
export type SubscriptionRow = z.infer<typeof subscriptionRowSchema>;

const readingListRowSchema = readingListEntrySchema.extend({ guildId: z.string(), userId: z.string() });

/** One paper saved to one member's reading list in one server, as a dump lists them. */
export type ReadingListRow = z.infer<typeof readingListRowSchema>;

const dumpFeedSchema = z.object({ feed: feedSchema, progress: feedProgressSchema, posted: z.array(postedEntrySchema) });

/** One feed in a dump: its configuration, its progress, and its posted log in posting order. */
export type DumpFeed = z.infer<typeof dumpFeedSchema>;

/** The zod schema of a state dump (checked whole before anything is imported). */
export const storeDumpSchema = z
  .object({
    format: z.literal(DUMP_FORMAT),
    version: z.literal(DUMP_VERSION),
    exportedAt: isoDate,
    meta: storeMetaSchema,
    feeds: z.array(dumpFeedSchema),
    subscriptions: z.array(subscriptionRowSchema),
    /** Members' reading lists (absent from dumps written before they existed, and when nobody saved a paper). */
    readingLists: z.array(readingListRowSchema).optional(),
    /** Members' votes (absent from dumps of a Paperboy without votes, and when there are none). */
    votes: z.array(voteSchema).optional(),
    /**
     * Servers that removed the bot, with when: their data is purged some days after unless it is invited back
     * (absent from dumps written before this field, and when there are none).
     */
    removedGuilds: z.array(z.object({ guildId: z.string(), removedAt: isoDate })).optional(),
  })
  .superRefine((dump, ctx) => {
    const ids = new Set<string>();
    dump.feeds.forEach(({ feed, progress, posted }, i) => {
      if (ids.has(feed.id)) ctx.addIssue({ code: 'custom', path: ['feeds', i, 'feed', 'id'], message: `feed ${feed.id} appears twice` });
      ids.add(feed.id);
      const papers = new Set<string>();
      posted.forEach((entry, j) => {
        if (papers.has(entry.paperId))
          ctx.addIssue({ code: 'custom', path: ['feeds', i, 'posted', j], message: `paper ${entry.paperId} is posted twice` });
        papers.add(entry.paperId);
        if (entry.seq > progress.postedCount)
          ctx.addIssue({
            code: 'custom',
            path: ['feeds', i, 'posted', j, 'seq'],
            message: `seq ${entry.seq} is beyond the feed's postedCount ${progress.postedCount}`,
          });
      });
    });
    const members = new Set<string>();
    dump.subscriptions.forEach((row, i) => {
      const key = `${row.guildId}/${row.userId}`;
      if (members.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['subscriptions', i],
          message: `member ${row.userId} of server ${row.guildId} appears twice`,
        });
      members.add(key);
    });
    const saved = new Set<string>();
    dump.readingLists?.forEach((row, i) => {
      const key = JSON.stringify([row.guildId, row.userId, row.paperId]);
      if (saved.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['readingLists', i],
          message: `paper ${row.paperId} is saved twice by member ${row.userId} of server ${row.guildId}`,
        });
      saved.add(key);
    });
    const votes = new Set<string>();
    (dump.votes ?? []).forEach((vote, i) => {
      const key = `${vote.guildId}/${vote.paperId}/${vote.userId}`;
      if (votes.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['votes', i],
          message: `member ${vote.userId} votes twice for paper ${vote.paperId} in server ${vote.guildId}`,
        });
      votes.add(key);
    });
    const removed = new Set<string>();
    (dump.removedGuilds ?? []).forEach((row, i) => {
      if (removed.has(row.guildId))
        ctx.addIssue({ code: 'custom', path: ['removedGuilds', i], message: `server ${row.guildId} is listed as removed twice` });
      removed.add(row.guildId);
    });
  });

/** Everything a store holds, as `paperboy state export` writes it. */
export type StoreDump = z.infer<typeof storeDumpSchema>;

/** What a dump is built from: the store's records, read through its ports. */
export interface DumpSource {
  feeds: Iterable<Feed>;
  progressOf(feedId: string): FeedProgress;
  postedOf(feedId: string): Iterable<PostedEntry>;
  /** Members by server. */
  subscriptions: Iterable<readonly [string, Iterable<readonly [string, Subscriber]>]>;
  /** Reading lists by server, then member. */
  readingLists?: Iterable<readonly [string, Iterable<readonly [string, Iterable<ReadingListEntry>]>]>;
  /** Every vote (optional: a source without votes has none). */
  votes?: Iterable<Vote>;
  /** Servers that removed the bot, by id: when. */
  removedGuilds?: Iterable<readonly [string, string]>;
  meta: StoreMeta;
}

/**
 * Builds the dump of a store, or of one feed (with the subscriptions of its server only), sorted and with sorted
 * keys so that the same data always gives the same bytes.
 */
export function buildDump(source: DumpSource, options: { at: string; feedId?: string }): StoreDump {
  const feeds = [...source.feeds]
    .filter((feed) => options.feedId === undefined || feed.id === options.feedId)
    .sort((a, b) => compare(a.id, b.id));
  if (options.feedId !== undefined && feeds.length === 0) throw new Error(`there is no feed ${options.feedId}`);
  const guilds = options.feedId === undefined ? null : new Set(feeds.map((feed) => feed.guildId ?? ''));
  const subscriptions: SubscriptionRow[] = [];
  for (const [guildId, members] of source.subscriptions) {
    if (guilds && !guilds.has(guildId)) continue;
    for (const [userId, subscriber] of members) subscriptions.push({ guildId, userId, ...subscriber });
  }
  subscriptions.sort((a, b) => compare(a.guildId, b.guildId) || compare(a.userId, b.userId));
  const readingLists: ReadingListRow[] = [];
  for (const [guildId, members] of source.readingLists ?? []) {
    if (guilds && !guilds.has(guildId)) continue;
    for (const [userId, entries] of members) for (const entry of entries) readingLists.push({ guildId, userId, ...entry });
  }
  readingLists.sort(
    (a, b) =>
      compare(a.guildId, b.guildId) || compare(a.userId, b.userId) || compare(a.savedAt, b.savedAt) || compare(a.paperId, b.paperId),
  );
  const votes = [...(source.votes ?? [])]
    .filter((vote) => !guilds || guilds.has(vote.guildId))
    .sort((a, b) => compare(a.guildId, b.guildId) || compare(a.paperId, b.paperId) || compare(a.userId, b.userId));
  const removedGuilds = [...(source.removedGuilds ?? [])]
    .filter(([guildId]) => !guilds || guilds.has(guildId))
    .map(([guildId, removedAt]) => ({ guildId, removedAt }))
    .sort((a, b) => compare(a.guildId, b.guildId));
  return sortKeys({
    format: DUMP_FORMAT,
    version: DUMP_VERSION,
    exportedAt: options.at,
    meta: source.meta,
    feeds: feeds.map((feed) => ({
      feed,
      progress: source.progressOf(feed.id),
      posted: [...source.postedOf(feed.id)].sort((a, b) => a.seq - b.seq),
    })),
    subscriptions,
    // Absent rather than empty, so a store without reading lists exports what earlier versions did.
    readingLists: readingLists.length > 0 ? readingLists : undefined,
    // Left out when empty, so a store without votes exports the same bytes as before votes existed.
    ...(votes.length > 0 ? { votes } : {}),
    // Left out when empty, as votes are: a store no server removed exports the same bytes as before.
    ...(removedGuilds.length > 0 ? { removedGuilds } : {}),
  });
}

/** Formats a dump as its file holds it: 2-space JSON and a final newline. */
export function serializeDump(dump: StoreDump): string {
  return `${JSON.stringify(sortKeys(dump), null, 2)}\n`;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A copy with every object's keys in sorted order (arrays keep theirs: it means something). */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort(compare)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    ) as T;
  }
  return value;
}

/** Records a registration of the slash commands (what was registered, where, when), so a start without changes skips it. */
export function recordRegistration(meta: StoreMeta, registration: { hash: string; scope: string; at: string }): StoreMeta {
  return { ...meta, commands: { hash: registration.hash, scope: registration.scope, registeredAt: registration.at } };
}
