import { type Database as Db, SqliteError } from 'better-sqlite3';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Leases, type Store, StoreNotEmptyError, type WriteOptions } from '../../app/ports.js';
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
import { createEmptyProgress, type Subscriber } from '../../core/state.js';
import { StateFileError } from '../../core/state-migrations.js';
import type { StoreDump, StoreMeta } from '../../core/store-dump.js';
import { listVotes } from '../../core/votes.js';
import { syncDirectory } from '../durable-file.js';
import { acquireFileLock, describeSystemError, type FileLock, type FileLockOptions } from '../file-lock.js';
import { systemClock } from '../system-clock.js';
import { checkDatabase, configure, loadMemory, openDatabase } from './database.js';
import { applyMigrations } from './migrations.js';
import { StateWriteError } from '../state-write-error.js';
import { checkFence, type LeaseRow, planAcquire, planRelease, planRenew, toLease } from '../../app/lease-rules.js';

export { StateLockedError } from '../file-lock.js';
export { StateWriteError } from '../state-write-error.js';
export { readSqliteDatabase } from './database.js';

/** Options of {@link openSqliteStore}. */
export interface OpenSqliteStoreOptions {
  /** Take `<file>.lock` so a second process refuses to start (with these lock options, if given); default true. */
  lock?: boolean | FileLockOptions;
}

/**
 * Opens the database for the one process that may change it: takes the lock, refuses a corrupt database or one a
 * newer Paperboy wrote (leaving it untouched), applies the numbered migrations it lacks, turns on WAL with
 * `synchronous=FULL`, and loads everything into memory. Every write is then one transaction.
 */
export async function openSqliteStore(file: string, options: OpenSqliteStoreOptions = {}): Promise<Store> {
  try {
    const created = await mkdir(dirname(file), { recursive: true });
    // A new directory must itself be durable, or a power cut could take the database with it.
    if (created) await syncDirectory(dirname(created));
  } catch (error) {
    throw new StateFileError(file, `cannot create the directory of the database ${file}: ${describeSystemError(error)}`);
  }
  const lock = options.lock === false ? null : await acquireFileLock(file, options.lock === true ? {} : options.lock);
  let db: Db | null = null;
  try {
    const existed = await stat(file).then(
      () => true,
      () => false,
    );
    db = openDatabase(file, { readonly: false });
    const version = checkDatabase(db, file);
    // Only once the database is known to be ours and not newer does anything write to it.
    configure(db, file);
    applyMigrations(db, version, systemClock.now().toISOString());
    // A new database file must be durable in its directory before the first write counts on it.
    if (!existed) await syncDirectory(dirname(file));
    const memory = loadMemory(db, file);
    return createSqliteStore(db, file, memory, lock);
  } catch (error) {
    db?.close();
    await lock?.release();
    throw error;
  }
}

function createSqliteStore(db: Db, file: string, memory: StoreMemory, lock: FileLock | null): Store {
  const sql = {
    progress: db.prepare('UPDATE feed_progress SET doc = ? WHERE feed_id = ?'),
    append: db.prepare('INSERT INTO posted (feed_id, paper_id, message_id, posted_at, digest, seq) VALUES (?, ?, ?, ?, ?, ?)'),
    rename: db.prepare('UPDATE posted SET paper_id = ? WHERE feed_id = ? AND paper_id = ?'),
    remove: db.prepare('DELETE FROM posted WHERE feed_id = ? AND paper_id = ?'),
    feed: db.prepare(
      'INSERT INTO feeds (id, guild_id, channel_id, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET guild_id = excluded.guild_id, channel_id = excluded.channel_id, doc = excluded.doc',
    ),
    newProgress: db.prepare('INSERT OR IGNORE INTO feed_progress (feed_id, doc) VALUES (?, ?)'),
    removeFeed: db.prepare('DELETE FROM feeds WHERE id = ?'),
    subscriber: db.prepare(
      'INSERT INTO subscriptions (guild_id, user_id, topics, dm, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET topics = excluded.topics, dm = excluded.dm, updated_at = excluded.updated_at',
    ),
    unsubscribe: db.prepare('DELETE FROM subscriptions WHERE guild_id = ? AND user_id = ?'),
    dropGuild: db.prepare('DELETE FROM subscriptions WHERE guild_id = ?'),
    saveToList: db.prepare('INSERT INTO reading_list (guild_id, user_id, paper_id, saved_at) VALUES (?, ?, ?, ?)'),
    removeFromList: db.prepare('DELETE FROM reading_list WHERE guild_id = ? AND user_id = ? AND paper_id = ?'),
    dropGuildLists: db.prepare('DELETE FROM reading_list WHERE guild_id = ?'),
    guildRemoved: db.prepare(
      'INSERT INTO removed_guilds (guild_id, removed_at) VALUES (?, ?) ON CONFLICT (guild_id) DO UPDATE SET removed_at = excluded.removed_at',
    ),
    guildBack: db.prepare('DELETE FROM removed_guilds WHERE guild_id = ?'),
    guildFeeds: db.prepare('DELETE FROM feeds WHERE guild_id = ?'),
    vote: db.prepare(
      'INSERT INTO votes (guild_id, paper_id, user_id, message_id, voted_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, paper_id, user_id) DO NOTHING',
    ),
    unvote: db.prepare('DELETE FROM votes WHERE guild_id = ? AND paper_id = ? AND user_id = ? AND message_id = ?'),
    guildVotes: db.prepare('DELETE FROM votes WHERE guild_id = ?'),
    meta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    lease: db.prepare('SELECT scope, owner, token, expires_at AS expiresAt FROM leases WHERE scope = ?').safeIntegers(),
    saveLease: db.prepare(
      'INSERT INTO leases (scope, owner, token, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope) DO UPDATE SET owner = excluded.owner, token = excluded.token, expires_at = excluded.expires_at',
    ),
  };
  const readLease = (scope: string): LeaseRow | undefined => {
    const row = sql.lease.get(scope) as { scope: string; owner: string | null; token: bigint; expiresAt: bigint } | undefined;
    return row && { ...row, expiresAt: Number(row.expiresAt) };
  };
  const saveLease = (row: LeaseRow) => sql.saveLease.run(row.scope, row.owner, row.token, row.expiresAt);
  let closed = false;
  let sinceCheckpoint = 0;
  let checkpointTimer: NodeJS.Timeout | null = null;

  /**
   * Copies the write-ahead log into the database file once enough commits piled up, on a timer after the write that
   * crossed the line: the digest runner waits on Discord between its steps, and the checkpoint happens then, not in
   * a step's own time. PASSIVE: it never waits for a reader (an export in progress); what it cannot copy now, the
   * next one does. A checkpoint that fails (a full disk) only leaves the log longer; commits stay durable in it.
   */
  const scheduleCheckpoint = () => {
    sinceCheckpoint += 1;
    if (sinceCheckpoint < CHECKPOINT_EVERY || checkpointTimer || closed) return;
    checkpointTimer = setTimeout(() => {
      checkpointTimer = null;
      if (closed) return;
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
        sinceCheckpoint = 0;
      } catch {
        // Tried again after the next commits.
      }
    }, 0);
    checkpointTimer.unref();
  };

  const saveSubscriber = (guildId: string, userId: string, subscriber: Subscriber | null) => {
    if (subscriber === null) sql.unsubscribe.run(guildId, userId);
    else sql.subscriber.run(guildId, userId, JSON.stringify(subscriber.topics), subscriber.dm ? 1 : 0, subscriber.updatedAt);
  };
  const saveFeed = (feed: Feed) => {
    sql.feed.run(feed.id, feed.guildId, feed.channelId, JSON.stringify(feed));
    sql.newProgress.run(feed.id, JSON.stringify(memory.progress.get(feed.id) ?? createEmptyProgress()));
  };
  const saveMeta = (meta: StoreMeta) => {
    for (const [key, value] of Object.entries(meta)) sql.meta.run(key, JSON.stringify(value));
  };

  /**
   * Runs one write: `plan` (pure; a bug throws before anything is written), then `commit` in one transaction, then
   * `apply` to memory. A failed commit leaves memory as it was and rejects with a {@link StateWriteError}.
   */
  function write<P, R>(plan: () => P, commit: (planned: P) => void, apply: (planned: P) => R, options?: WriteOptions): Promise<R> {
    try {
      if (closed) throw new Error(`the database ${file} is closed; the change was not saved`);
      lock?.assertHeld();
      const planned = plan();
      try {
        db.transaction(() => {
          // The fence is checked in the transaction that writes: nothing can take the lease in between.
          if (options?.fence) checkFence(readLease(options.fence.scope), options.fence);
          commit(planned);
        })();
      } catch (error) {
        throw toWriteError(file, error);
      }
      scheduleCheckpoint();
      return Promise.resolve(apply(planned));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  const now = () => systemClock.now().getTime();
  // What the last lease transaction decided (read inside it; memory holds no leases).
  let acquired: LeaseRow | null = null;
  const leases: Leases = {
    acquire: (scope, owner, ttlMs) =>
      write(
        () => null,
        () => {
          const next = planAcquire(readLease(scope), scope, owner, now(), ttlMs);
          if (next) saveLease(next);
          acquired = next;
        },
        () => acquired && toLease(acquired),
      ),
    renew: (lease, ttlMs) =>
      write(
        () => null,
        () => {
          acquired = planRenew(readLease(lease.scope), lease, now(), ttlMs);
          saveLease(acquired);
        },
        () => toLease(acquired!),
      ),
    release: (lease) =>
      write(
        () => null,
        () => {
          const next = planRelease(readLease(lease.scope), lease, now());
          if (next) saveLease(next);
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
        (plan) => {
          if (sql.progress.run(JSON.stringify(plan.progress), feedId).changes !== 1) throw new Error(`feed ${feedId} has no progress row`);
          for (const c of plan.logChanges) {
            if (c.kind === 'append') {
              const e = c.entry;
              sql.append.run(feedId, e.paperId, e.messageId, e.postedAt, e.digest, e.seq);
            } else if (c.kind === 'rename') sql.rename.run(c.to, feedId, c.from);
            else sql.remove.run(feedId, c.paperId);
          }
        },
        (plan) => applyStep(memory, plan),
        options,
      ),
    saveFeed: (feed, options) =>
      write(
        () => checkFeed(feed),
        saveFeed,
        (checked) => applyFeed(memory, checked),
        options,
      ),
    removeFeed: (feedId, options) =>
      write(
        () => feedId,
        (id) => sql.removeFeed.run(id),
        (id) => applyFeedRemoval(memory, id),
        options,
      ),
    updateSubscriber: (guildId, userId, change, options) =>
      write(
        () => planSubscriber(memory, guildId, userId, change),
        (next) => saveSubscriber(guildId, userId, next),
        (next) => {
          setSubscriber(memory, guildId, userId, next);
          return next;
        },
        options,
      ),
    saveToReadingList: (guildId, userId, entry, options) =>
      write(
        () => planReadingListAdd(memory, guildId, userId, entry),
        ({ next }) => {
          if (next) sql.saveToList.run(guildId, userId, entry.paperId, entry.savedAt);
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
        (next) => {
          if (next) sql.removeFromList.run(guildId, userId, paperId);
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
        (moved) => {
          for (const [userId, subscriber] of moved) saveSubscriber(to, userId, subscriber);
          if (from !== to) sql.dropGuild.run(from);
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
        (at) => (at === null ? sql.guildBack.run(guildId) : sql.guildRemoved.run(guildId, at)),
        (at) => applyGuildRemoved(memory, guildId, at),
        options,
      ),
    addVote: (vote, options) =>
      write(
        () => planAddVote(memory, vote),
        (added) => {
          if (added) sql.vote.run(vote.guildId, vote.paperId, vote.userId, vote.messageId, vote.at);
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
        (removed) => {
          if (removed) sql.unvote.run(key.guildId, key.paperId, key.userId, key.messageId);
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
        (plan) => {
          for (const k of plan.remove) sql.unvote.run(k.guildId, k.paperId, k.userId, k.messageId);
          for (const v of plan.add) sql.vote.run(v.guildId, v.paperId, v.userId, v.messageId, v.at);
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
        () => {
          // Progress and posted rows go with their feed (ON DELETE CASCADE).
          sql.guildFeeds.run(guildId);
          sql.dropGuild.run(guildId);
          sql.dropGuildLists.run(guildId);
          sql.guildBack.run(guildId);
          sql.guildVotes.run(guildId);
        },
        (feedIds) => applyGuildPurge(memory, guildId, feedIds),
        options,
      ),
    importDump: (dump: StoreDump, options) =>
      write(
        () => {
          if (!options.replace && !isBlankMemory(memory))
            throw new StoreNotEmptyError(`the database ${file} already holds data (posted papers, records or subscriptions)`);
          return createStoreMemory(dump);
        },
        (next) => {
          db.exec(
            'DELETE FROM feeds; DELETE FROM subscriptions; DELETE FROM reading_list; DELETE FROM removed_guilds; DELETE FROM votes; DELETE FROM meta;',
          );
          for (const feed of next.feeds.values()) {
            sql.feed.run(feed.id, feed.guildId, feed.channelId, JSON.stringify(feed));
            sql.newProgress.run(feed.id, JSON.stringify(next.progress.get(feed.id)));
            for (const e of postedOf(next, feed.id).entries()) sql.append.run(feed.id, e.paperId, e.messageId, e.postedAt, e.digest, e.seq);
          }
          for (const [guildId, members] of next.subscriptions) for (const [userId, s] of members) saveSubscriber(guildId, userId, s);
          for (const [guildId, members] of next.readingLists)
            for (const [userId, entries] of members) for (const e of entries) sql.saveToList.run(guildId, userId, e.paperId, e.savedAt);
          for (const v of listVotes(next.votes)) sql.vote.run(v.guildId, v.paperId, v.userId, v.messageId, v.at);
          for (const [guildId, removedAt] of next.removedGuilds) sql.guildRemoved.run(guildId, removedAt);
          saveMeta(next.meta);
        },
        (next) => void Object.assign(memory, next),
        options,
      ),
    isBlank: () => isBlankMemory(memory),
    leases,
    async close() {
      if (closed) return;
      closed = true;
      if (checkpointTimer) clearTimeout(checkpointTimer);
      try {
        // Closing checkpoints the WAL into the database file, so a backup copy of the file alone is complete.
        db.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

/** Commits between two checkpoints: a few hundred small steps, a write-ahead log of a few megabytes at most. */
const CHECKPOINT_EVERY = 200;

// SQLite's result codes for "the disk or the file system refused the write" (as opposed to a bug in a statement).
const IO_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED|PROTOCOL)/;

/** A failed commit as a {@link StateWriteError}, naming the database, SQLite's reason and, when it can tell, the system's. */
function toWriteError(file: string, error: unknown): Error {
  if (!(error instanceof SqliteError) || !IO_CODES.test(error.code)) return error instanceof Error ? error : new Error(String(error));
  const system = probeDirectory(dirname(file));
  const cause = `${error.code} (${error.message})${system ? `: ${system}` : ''}`;
  return new StateWriteError(
    file,
    system?.split(' ')[0] ?? error.code,
    `cannot save state to ${file}: ${cause}; nothing more will be posted until it can be saved`,
    {
      cause: error,
    },
  );
}

/**
 * What the file system says when asked to write next to the database (SQLite reports a full disk as SQLITE_FULL
 * and a read-only one as an I/O error, without the system's own error): tries a small file and says why it failed.
 */
function probeDirectory(dir: string): string | null {
  // Synchronous: the write failed inside a synchronous transaction, and its error is built before the step rejects.
  const probe = join(dir, `.paperboy-probe-${process.pid}`);
  try {
    const fd = openSync(probe, 'w');
    try {
      writeSync(fd, Buffer.alloc(8192));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
      rmSync(probe, { force: true });
    }
    return null;
  } catch (error) {
    return describeSystemError(error);
  }
}
