import type pg from 'pg';
import { checkFence } from '../../app/lease-rules.js';
import { type Lease, type Leases, LeaseLostError, type Store, StoreNotEmptyError, type WriteOptions } from '../../app/ports.js';
import {
  applyFeed,
  applyFeedRemoval,
  applyGuildPurge,
  applyGuildRemoved,
  applyMove,
  applyReplaceVotes,
  deleteVote,
  planAddVote,
  planRemoveVote,
  planReplaceVotes,
  setVote,
  applyStep,
  checkFeed,
  createStoreMemory,
  isBlankMemory,
  planMeta,
  planGuildPurge,
  planReadingListAdd,
  planReadingListRemove,
  readingListOf,
  readingListPage,
  setReadingList,
  planMove,
  planStep,
  planSubscriber,
  postedOf,
  setSubscriber,
  snapshotOf,
  type StoreMemory,
} from '../../app/store-memory.js';
import type { Feed } from '../../core/feed.js';
import { createPostedLog, type PostedEntry } from '../../core/posted-log.js';
import { createEmptyProgress, type FeedProgress, type Subscriber } from '../../core/state.js';
import type { StoreDump, StoreMeta } from '../../core/store-dump.js';
import { listVotes, type Vote, type VoteKey } from '../../core/votes.js';
import { StateWriteError } from '../state-write-error.js';
import { checkOut, createPool, DatabaseConnectionError, describePgError, redactUrl, toConnectionError } from './connection.js';
import { loadPgFeed, loadPgMemory } from './database.js';
import { applyPgMigrations } from './migrations.js';

export { readPostgresDatabase } from './database.js';
export { DatabaseConnectionError } from './connection.js';

/** Options of {@link openPostgresStore}. */
export interface OpenPostgresStoreOptions {
  /** Connections in the pool (default 2: writes go one at a time; the second serves leases and reads at open). */
  poolSize?: number;
}

/**
 * Opens the PostgreSQL database of `url` (DATABASE_URL) as the store: refuses a database that is not Paperboy's or
 * that a newer Paperboy wrote, applies the numbered migrations it lacks under an advisory lock (two processes
 * starting together migrate once), and loads everything into memory. Every write is then one transaction
 * (`BEGIN … COMMIT`), memory changing only after the COMMIT. No file lock: processes that share the database
 * coordinate with leases (see {@link Leases}).
 */
export async function openPostgresStore(url: string, options: OpenPostgresStoreOptions = {}): Promise<Store> {
  const pool = createPool(url, options.poolSize ?? 2);
  try {
    const { client, release } = await checkOut(pool).catch((error: unknown) => {
      throw toConnectionError(url, error);
    });
    let memory: StoreMemory;
    try {
      await applyPgMigrations(client, redactUrl(url)).catch((error: unknown) => {
        throw toConnectionError(url, error);
      });
      memory = await loadPgMemory(client, url);
    } finally {
      release();
    }
    return createPostgresStore(pool, url, memory);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

function createPostgresStore(pool: pg.Pool, url: string, memory: StoreMemory): Store {
  const where = redactUrl(url);
  let closed = false;
  // Writes go one at a time, in call order: each is planned on the memory the previous one left.
  let queue: Promise<unknown> = Promise.resolve();

  /**
   * Runs one write: `plan` (pure; a bug throws before anything is written), then `commit` in one transaction with the
   * fence checked first, then `apply` to memory once COMMIT returned. A failed transaction is rolled back, leaves
   * memory as it was, and rejects with a {@link StateWriteError} naming the cause (or the {@link LeaseLostError}).
   */
  function write<P, R>(
    plan: () => P,
    commit: (client: pg.PoolClient, planned: P) => Promise<void>,
    apply: (planned: P) => R,
    options?: WriteOptions,
  ): Promise<R> {
    const run = async (): Promise<R> => {
      if (closed) throw new Error(`the database ${where} is closed; the change was not saved`);
      const planned = plan();
      const { client, release } = await checkOut(pool).catch((error: unknown) => {
        throw toWriteError(where, error);
      });
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        if (options?.fence) await checkPgFence(client, options.fence);
        await commit(client, planned);
        await client.query('COMMIT');
      } catch (error) {
        await client
          .query('ROLLBACK')
          .catch((rollback: unknown) => (broken = rollback instanceof Error ? rollback : new Error(String(rollback))));
        if (error instanceof LeaseLostError) throw error;
        broken ??= error instanceof Error ? error : new Error(String(error));
        throw toWriteError(where, error);
      } finally {
        // A connection that failed mid-transaction is thrown away, not handed to the next write.
        release(broken);
      }
      return apply(planned);
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  }

  const saveFeedRows = async (client: pg.PoolClient, feed: Feed, progress: FeedProgress) => {
    await client.query(
      'INSERT INTO feeds (id, guild_id, channel_id, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET guild_id = excluded.guild_id, channel_id = excluded.channel_id, doc = excluded.doc',
      [feed.id, feed.guildId, feed.channelId, JSON.stringify(feed)],
    );
    await client.query('INSERT INTO feed_progress (feed_id, doc) VALUES ($1, $2) ON CONFLICT (feed_id) DO NOTHING', [
      feed.id,
      JSON.stringify(progress),
    ]);
  };
  const saveSubscriber = async (client: pg.PoolClient, guildId: string, userId: string, subscriber: Subscriber | null) => {
    if (subscriber === null) await client.query('DELETE FROM subscriptions WHERE guild_id = $1 AND user_id = $2', [guildId, userId]);
    else
      await client.query(
        'INSERT INTO subscriptions (guild_id, user_id, topics, dm, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild_id, user_id) DO UPDATE SET topics = excluded.topics, dm = excluded.dm, updated_at = excluded.updated_at',
        [guildId, userId, JSON.stringify(subscriber.topics), subscriber.dm, subscriber.updatedAt],
      );
  };
  const saveMeta = async (client: pg.PoolClient, meta: StoreMeta) => {
    const entries = Object.entries(meta);
    await client.query(
      'INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [entries.map(([key]) => key), entries.map(([, value]) => JSON.stringify(value))],
    );
  };

  const leases: Leases = {
    acquire: (scope, owner, ttlMs) => {
      let acquired: Lease | null = null;
      let feed: Awaited<ReturnType<typeof loadPgFeed>> = null;
      return write(
        () => checkTtl(ttlMs),
        async (client) => {
          // One statement, so two processes acquiring at once serialize on the row (or on its key when it is new):
          // the second sees the first's owner and expiry and gets nothing. The server's clock decides expiry.
          const found = await client.query<LeaseDbRow>(
            `INSERT INTO leases AS l (scope, owner, token, expires_at) VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond')
             ON CONFLICT (scope) DO UPDATE SET owner = excluded.owner, token = l.token + 1, expires_at = excluded.expires_at
             WHERE l.owner IS NULL OR l.owner = excluded.owner OR l.expires_at <= clock_timestamp()
             RETURNING scope, owner, token, expires_at`,
            [scope, owner, ttlMs],
          );
          acquired = found.rows[0] ? toLease(found.rows[0]) : null;
          // The new owner resumes from what the previous one committed, not from what this process last saw.
          if (acquired) feed = await loadPgFeed(client, scope);
        },
        () => {
          if (acquired) refreshFeed(memory, scope, feed);
          return acquired;
        },
      );
    },
    renew: (lease, ttlMs) => {
      let renewed: Lease | null = null;
      return write(
        () => checkTtl(ttlMs),
        async (client) => {
          const found = await client.query<LeaseDbRow>(
            `UPDATE leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond'
             WHERE scope = $1 AND token = $2 AND owner IS NOT NULL RETURNING scope, owner, token, expires_at`,
            [lease.scope, lease.token, ttlMs],
          );
          if (!found.rows[0]) throw new LeaseLostError(lease.scope, lease.token);
          renewed = toLease(found.rows[0]);
        },
        () => renewed!,
      );
    },
    release: (lease) =>
      write(
        () => undefined,
        async (client) => {
          await client.query(
            'UPDATE leases SET owner = NULL, expires_at = clock_timestamp() WHERE scope = $1 AND token = $2 AND owner IS NOT NULL',
            [lease.scope, lease.token],
          );
        },
        () => undefined,
      ),
  };

  return {
    read: () => snapshotOf(memory),
    posted: (feedId) => postedOf(memory, feedId),
    step: (feedId, change, options) =>
      write(
        () => planStep(memory, feedId, change),
        async (client, plan) => {
          const updated = await client.query('UPDATE feed_progress SET doc = $1 WHERE feed_id = $2', [
            JSON.stringify(plan.progress),
            feedId,
          ]);
          if (updated.rowCount !== 1) throw new Error(`feed ${feedId} has no progress row`);
          let appends: PostedEntry[] = [];
          const flush = async () => {
            if (appends.length > 0) await insertPosted(client, feedId, appends);
            appends = [];
          };
          for (const c of plan.logChanges) {
            if (c.kind === 'append') {
              appends.push(c.entry);
              continue;
            }
            await flush();
            if (c.kind === 'rename')
              await client.query('UPDATE posted SET paper_id = $1 WHERE feed_id = $2 AND paper_id = $3', [c.to, feedId, c.from]);
            else await client.query('DELETE FROM posted WHERE feed_id = $1 AND paper_id = $2', [feedId, c.paperId]);
          }
          await flush();
        },
        (plan) => applyStep(memory, plan),
        options,
      ),
    saveFeed: (feed, options) =>
      write(
        () => checkFeed(feed),
        (client, checked) => saveFeedRows(client, checked, memory.progress.get(checked.id) ?? createEmptyProgress()),
        (checked) => applyFeed(memory, checked),
        options,
      ),
    removeFeed: (feedId, options) =>
      write(
        () => feedId,
        async (client, id) => {
          await client.query('DELETE FROM feeds WHERE id = $1', [id]);
        },
        (id) => applyFeedRemoval(memory, id),
        options,
      ),
    updateSubscriber: (guildId, userId, change, options) =>
      write(
        () => planSubscriber(memory, guildId, userId, change),
        (client, next) => saveSubscriber(client, guildId, userId, next),
        (next) => {
          setSubscriber(memory, guildId, userId, next);
          return next;
        },
        options,
      ),
    saveToReadingList: (guildId, userId, entry, options) =>
      write(
        () => planReadingListAdd(memory, guildId, userId, entry),
        async (client, { next }) => {
          // DO NOTHING: another process sharing the database may have saved it already; the list stays as it is.
          if (next)
            await client.query(
              'INSERT INTO reading_list (guild_id, user_id, paper_id, saved_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
              [guildId, userId, entry.paperId, entry.savedAt],
            );
        },
        ({ save, next }) => {
          if (next) setReadingList(memory, guildId, userId, next);
          return save;
        },
        options,
      ),
    removeFromReadingList: (guildId, userId, paperId, options) =>
      write(
        () => planReadingListRemove(memory, guildId, userId, paperId),
        async (client, next) => {
          if (next)
            await client.query('DELETE FROM reading_list WHERE guild_id = $1 AND user_id = $2 AND paper_id = $3', [
              guildId,
              userId,
              paperId,
            ]);
        },
        (next) => {
          if (next) setReadingList(memory, guildId, userId, next);
          return next !== null;
        },
        options,
      ),
    readingList: (guildId, userId, page) => readingListPage(memory, guildId, userId, page),
    readingListCount: (guildId, userId) => readingListOf(memory, guildId, userId).length,
    moveSubscriptions: (from, to, options) =>
      write(
        () => planMove(memory, from, to),
        async (client, moved) => {
          for (const [userId, subscriber] of moved) await saveSubscriber(client, to, userId, subscriber);
          if (from !== to) await client.query('DELETE FROM subscriptions WHERE guild_id = $1', [from]);
        },
        (moved) => {
          applyMove(memory, from, to, moved);
          return moved.length;
        },
        options,
      ),
    updateMeta: (change, options) =>
      write(
        () => planMeta(memory, change),
        saveMeta,
        (meta) => (memory.meta = meta),
        options,
      ),
    markGuildRemoved: (guildId, removedAt, options) =>
      write(
        () => removedAt,
        async (client, at) => {
          if (at === null) await client.query('DELETE FROM removed_guilds WHERE guild_id = $1', [guildId]);
          else
            await client.query(
              'INSERT INTO removed_guilds (guild_id, removed_at) VALUES ($1, $2) ON CONFLICT (guild_id) DO UPDATE SET removed_at = excluded.removed_at',
              [guildId, at],
            );
        },
        (at) => applyGuildRemoved(memory, guildId, at),
        options,
      ),
    addVote: (vote, options) =>
      write(
        () => planAddVote(memory, vote),
        async (client, added) => {
          if (added) await insertVotes(client, [vote]);
        },
        (added) => {
          if (added) setVote(memory, vote);
          return added;
        },
        options,
      ),
    removeVote: (key, options) =>
      write(
        () => planRemoveVote(memory, key),
        async (client, removed) => {
          if (removed) await deleteVotes(client, [key]);
        },
        (removed) => {
          if (removed) deleteVote(memory, key);
          return removed;
        },
        options,
      ),
    replaceMessageVotes: (target, userIds, at, options) =>
      write(
        () => planReplaceVotes(memory, target, userIds, at),
        async (client, plan) => {
          await deleteVotes(client, plan.remove);
          await insertVotes(client, plan.add);
        },
        (plan) => {
          applyReplaceVotes(memory, plan);
          return { added: plan.add.length, removed: plan.remove.length };
        },
        options,
      ),
    purgeGuild: (guildId, options) =>
      write(
        () => planGuildPurge(memory, guildId),
        async (client) => {
          // Progress and posted rows go with their feed (ON DELETE CASCADE).
          await client.query('DELETE FROM feeds WHERE guild_id = $1', [guildId]);
          await client.query('DELETE FROM subscriptions WHERE guild_id = $1', [guildId]);
          await client.query('DELETE FROM reading_list WHERE guild_id = $1', [guildId]);
          await client.query('DELETE FROM removed_guilds WHERE guild_id = $1', [guildId]);
          await client.query('DELETE FROM votes WHERE guild_id = $1', [guildId]);
        },
        (feedIds) => applyGuildPurge(memory, guildId, feedIds),
        options,
      ),
    importDump: (dump: StoreDump, options) =>
      write(
        () => {
          if (!options.replace && !isBlankMemory(memory))
            throw new StoreNotEmptyError(`the PostgreSQL database ${where} already holds data (posted papers, records or subscriptions)`);
          return createStoreMemory(dump);
        },
        async (client, next) => {
          // Leases are not part of a dump: their tokens must keep growing whatever is imported.
          await client.query(
            'DELETE FROM feeds; DELETE FROM subscriptions; DELETE FROM reading_list; DELETE FROM removed_guilds; DELETE FROM votes; DELETE FROM meta;',
          );
          for (const feed of next.feeds.values()) {
            await saveFeedRows(client, feed, next.progress.get(feed.id)!);
            await insertPosted(client, feed.id, [...postedOf(next, feed.id).entries()]);
          }
          for (const [guildId, members] of next.subscriptions)
            for (const [userId, s] of members) await saveSubscriber(client, guildId, userId, s);
          for (const [guildId, members] of next.readingLists)
            for (const [userId, entries] of members)
              for (const e of entries)
                await client.query('INSERT INTO reading_list (guild_id, user_id, paper_id, saved_at) VALUES ($1, $2, $3, $4)', [
                  guildId,
                  userId,
                  e.paperId,
                  e.savedAt,
                ]);
          await insertVotes(client, listVotes(next.votes));
          for (const [guildId, removedAt] of next.removedGuilds)
            await client.query('INSERT INTO removed_guilds (guild_id, removed_at) VALUES ($1, $2)', [guildId, removedAt]);
          await saveMeta(client, next.meta);
        },
        (next) => {
          Object.assign(memory, next);
        },
        options,
      ),
    isBlank: () => isBlankMemory(memory),
    leases,
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      await pool.end();
    },
  };
}

interface LeaseDbRow {
  scope: string;
  owner: string | null;
  /** bigint, as pg returns it: a decimal string. */
  token: string;
  expires_at: Date;
}

function toLease(row: LeaseDbRow): Lease {
  return { scope: row.scope, owner: row.owner ?? '', token: row.token, expiresAt: row.expires_at.toISOString() };
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new Error(`a lease lasts a positive whole number of milliseconds, not ${ttlMs}`);
}

/**
 * Checks the fence inside the write's transaction, locking the lease row until COMMIT: an acquisition by another
 * process waits for this write to finish, or has already changed the token and this write is refused.
 */
async function checkPgFence(client: pg.PoolClient, fence: { scope: string; token: string }): Promise<void> {
  const found = await client.query<{ owner: string | null; token: string }>('SELECT owner, token FROM leases WHERE scope = $1 FOR UPDATE', [
    fence.scope,
  ]);
  const row = found.rows[0];
  checkFence(row && { scope: fence.scope, owner: row.owner, token: BigInt(row.token), expiresAt: 0 }, fence);
}

/** Appends posted rows in batches (one statement per 5,000 rows, not one per row: an import may hold 100,000). */
async function insertPosted(client: pg.PoolClient, feedId: string, entries: readonly PostedEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 5000) {
    const batch = entries.slice(i, i + 5000);
    await client.query(
      'INSERT INTO posted (feed_id, paper_id, message_id, posted_at, digest, seq) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::integer[], $6::integer[])',
      [
        feedId,
        batch.map((e) => e.paperId),
        batch.map((e) => e.messageId),
        batch.map((e) => e.postedAt),
        batch.map((e) => e.digest),
        batch.map((e) => e.seq),
      ],
    );
  }
}

/** Inserts votes in one statement (a member already counted for a paper keeps the vote they have). */
async function insertVotes(client: pg.PoolClient, votes: readonly Vote[]): Promise<void> {
  if (votes.length === 0) return;
  await client.query(
    'INSERT INTO votes (guild_id, paper_id, user_id, message_id, voted_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) ON CONFLICT (guild_id, paper_id, user_id) DO NOTHING',
    [
      votes.map((v) => v.guildId),
      votes.map((v) => v.paperId),
      votes.map((v) => v.userId),
      votes.map((v) => v.messageId),
      votes.map((v) => v.at),
    ],
  );
}

/** Deletes the votes given through the named messages, in one statement. */
async function deleteVotes(client: pg.PoolClient, keys: readonly VoteKey[]): Promise<void> {
  if (keys.length === 0) return;
  await client.query(
    'DELETE FROM votes v USING unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k (guild_id, paper_id, user_id, message_id) WHERE v.guild_id = k.guild_id AND v.paper_id = k.paper_id AND v.user_id = k.user_id AND v.message_id = k.message_id',
    [keys.map((k) => k.guildId), keys.map((k) => k.paperId), keys.map((k) => k.userId), keys.map((k) => k.messageId)],
  );
}

/** Puts a feed as committed into memory after its lease was acquired (gone from the database: gone from memory). */
function refreshFeed(memory: StoreMemory, feedId: string, committed: Awaited<ReturnType<typeof loadPgFeed>>): void {
  if (!committed) {
    if (memory.feeds.has(feedId)) applyFeedRemoval(memory, feedId);
    return;
  }
  memory.feeds.set(feedId, committed.feed);
  memory.progress.set(feedId, committed.progress);
  memory.logs.set(feedId, createPostedLog(committed.posted));
}

/** A failed write as a {@link StateWriteError} naming the database and PostgreSQL's (or the system's) reason. */
function toWriteError(where: string, error: unknown): Error {
  const connection = toConnectionError(where, error);
  const cause = connection instanceof DatabaseConnectionError ? connection.reason : describePgError(error);
  return new StateWriteError(
    where,
    (error as { code?: string }).code,
    `cannot save state to ${where}: ${cause}; nothing more will be posted until it can be saved`,
    {
      cause: error,
    },
  );
}
