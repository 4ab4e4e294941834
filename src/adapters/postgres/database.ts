import type pg from 'pg';
import { createStoreMemory, loadReadingLists, setSubscriber, setVote, type StoreMemory } from '../../app/store-memory.js';
import type { VoteDbRow } from '../sqlite/database.js';
import { type Feed, feedSchema } from '../../core/feed.js';
import { createPostedLog, type PostedEntry } from '../../core/posted-log.js';
import { type FeedProgress, feedProgressSchema } from '../../core/state.js';
import { StateFileError } from '../../core/state-migrations.js';
import { createEmptyMeta, type ReadingListRow, storeMetaSchema } from '../../core/store-dump.js';
import { checkOut, createPool, describePgError, redactUrl, toConnectionError, untouchedDatabase } from './connection.js';
import { checkPgSchemaVersion, readPgSchemaVersion } from './migrations.js';

/*
 * Reading a PostgreSQL database into memory: the store loads everything at open (its reads are then synchronous),
 * and the readers that do not own the data (a dry run, an export) read what was last committed.
 */

/** Reads the database without writing to it (a dry run, an export): what its owners committed last. */
export async function readPostgresDatabase(url: string): Promise<StoreMemory> {
  const pool = createPool(url, 1);
  try {
    const { client, release } = await checkOut(pool).catch((error: unknown) => {
      throw toConnectionError(url, error);
    });
    try {
      // A database nobody set up yet holds nothing.
      if (checkPgSchemaVersion(await readPgSchemaVersion(client), redactUrl(url)) === 0) return createStoreMemory();
      return await loadPgMemory(client, url);
    } finally {
      release();
    }
  } finally {
    await pool.end();
  }
}

/** Reads every record into memory, in one snapshot, validating feeds, progress documents and the store's records. */
export async function loadPgMemory(client: pg.PoolClient, url: string): Promise<StoreMemory> {
  const where = redactUrl(url);
  const memory = createStoreMemory();
  // One snapshot: an export taken while the bot writes sees each step whole or not at all.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const feeds = await client.query<{ id: string; doc: string }>('SELECT id, doc FROM feeds');
    const progress = await client.query<{ feed_id: string; doc: string }>('SELECT feed_id, doc FROM feed_progress');
    const posted = await client.query<PostedRow>(
      'SELECT feed_id, paper_id, message_id, posted_at, digest, seq FROM posted ORDER BY feed_id, seq',
    );
    const members = await client.query<SubscriptionRow>('SELECT guild_id, user_id, topics, dm, updated_at FROM subscriptions');
    const meta = await client.query<{ key: string; value: string }>('SELECT key, value FROM meta');
    const removed = await client.query<{ guild_id: string; removed_at: string }>('SELECT guild_id, removed_at FROM removed_guilds');
    // (absent while the bot that owns the database has not migrated it yet: an export by a newer CLI reads none)
    const hasLists = await client.query<{ found: boolean }>(`SELECT to_regclass('reading_list') IS NOT NULL AS found`);
    const saved = hasLists.rows[0]?.found
      ? await client.query<ReadingListRow>(
          'SELECT guild_id AS "guildId", user_id AS "userId", paper_id AS "paperId", saved_at AS "savedAt" FROM reading_list',
        )
      : { rows: [] };
    // (absent from a database an older Paperboy wrote, read as it is by an export)
    const hasVotes = await client.query<{ found: boolean }>(`SELECT to_regclass('votes') IS NOT NULL AS found`);
    const votes = hasVotes.rows[0]?.found
      ? await client.query<VoteDbRow>('SELECT guild_id, paper_id, user_id, message_id, voted_at FROM votes')
      : { rows: [] as VoteDbRow[] };
    await client.query('COMMIT');
    try {
      for (const row of feeds.rows) memory.feeds.set(row.id, feedSchema.parse(JSON.parse(row.doc)));
      for (const row of progress.rows) memory.progress.set(row.feed_id, feedProgressSchema.parse(JSON.parse(row.doc)));
      const logs = groupPosted(posted.rows);
      for (const id of memory.feeds.keys()) memory.logs.set(id, createPostedLog(logs.get(id) ?? []));
      for (const row of members.rows)
        setSubscriber(memory, row.guild_id, row.user_id, {
          topics: JSON.parse(row.topics) as string[],
          dm: row.dm,
          updatedAt: row.updated_at,
        });
      for (const row of removed.rows) memory.removedGuilds.set(row.guild_id, row.removed_at);
      loadReadingLists(memory, saved.rows);
      for (const row of votes.rows)
        setVote(memory, { guildId: row.guild_id, paperId: row.paper_id, userId: row.user_id, messageId: row.message_id, at: row.voted_at });
      const records: Record<string, unknown> = { ...createEmptyMeta() };
      for (const row of meta.rows) records[row.key] = JSON.parse(row.value);
      memory.meta = storeMetaSchema.parse(records);
    } catch (error) {
      throw new StateFileError(
        where,
        `the PostgreSQL database ${where} holds records this Paperboy cannot read: ${describePgError(error)}. ${untouchedDatabase}`,
      );
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return memory;
}

/** One feed's configuration, progress and posted log as committed now (the new owner of its lease reads it). */
export async function loadPgFeed(
  client: pg.PoolClient,
  feedId: string,
): Promise<{ feed: Feed; progress: FeedProgress; posted: PostedEntry[] } | null> {
  const feed = await client.query<{ doc: string }>('SELECT doc FROM feeds WHERE id = $1', [feedId]);
  const progress = await client.query<{ doc: string }>('SELECT doc FROM feed_progress WHERE feed_id = $1', [feedId]);
  if (feed.rowCount === 0 || progress.rowCount === 0) return null;
  const posted = await client.query<PostedRow>(
    'SELECT feed_id, paper_id, message_id, posted_at, digest, seq FROM posted WHERE feed_id = $1 ORDER BY seq',
    [feedId],
  );
  return {
    feed: feedSchema.parse(JSON.parse(feed.rows[0]!.doc)),
    progress: feedProgressSchema.parse(JSON.parse(progress.rows[0]!.doc)),
    posted: groupPosted(posted.rows).get(feedId) ?? [],
  };
}

function groupPosted(rows: PostedRow[]): Map<string, PostedEntry[]> {
  const logs = new Map<string, PostedEntry[]>();
  for (const row of rows) {
    let list = logs.get(row.feed_id);
    if (!list) logs.set(row.feed_id, (list = []));
    list.push({ paperId: row.paper_id, messageId: row.message_id, postedAt: row.posted_at, digest: row.digest, seq: row.seq });
  }
  return logs;
}

interface PostedRow {
  feed_id: string;
  paper_id: string;
  message_id: string;
  posted_at: string;
  digest: number;
  seq: number;
}

interface SubscriptionRow {
  guild_id: string;
  user_id: string;
  topics: string;
  dm: boolean;
  updated_at: string;
}
