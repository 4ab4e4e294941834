import Database, { type Database as Db, SqliteError } from 'better-sqlite3';
import { createStoreMemory, loadReadingLists, setSubscriber, setVote, type StoreMemory } from '../../app/store-memory.js';
import { feedSchema } from '../../core/feed.js';
import { createPostedLog, type PostedEntry } from '../../core/posted-log.js';
import { feedProgressSchema } from '../../core/state.js';
import { StateFileError } from '../../core/state-migrations.js';
import { createEmptyMeta, type ReadingListRow, storeMetaSchema } from '../../core/store-dump.js';
import { readSchemaVersion, SCHEMA_VERSION } from './migrations.js';

/*
 * Opening the database file: refusing one that is corrupt, foreign or newer before anything writes to it, setting a
 * connection up, and reading everything into memory. The store (sqlite-store.ts) and the readers that do not own the
 * database (a dry run, an export) share it.
 */

/** What a refused database's message advises: it was left as it was, and how to restore a backup. */
export const untouched =
  'It was left untouched. Restore a backup with `paperboy state import --replace <backup>`, or move it away to start with an empty database (every paper would then be posted again).';

/**
 * Reads a database without the lock and without writing to it (a dry run, `paperboy register`, tests), for a
 * process that is not the owner: what the owner committed last.
 */
export function readSqliteDatabase(file: string): StoreMemory {
  const db = openDatabase(file, { readonly: true });
  try {
    // A database its owner has not set up yet holds nothing. (An older schema is migrated by its owner; a future
    // migration that changes what loadMemory reads must read the older shape here too.)
    if (checkDatabase(db, file) === 0) return createStoreMemory();
    return loadMemory(db, file);
  } finally {
    db.close();
  }
}

/** Opens a connection (read-only for a reader); a file SQLite cannot open is a {@link StateFileError}. */
export function openDatabase(file: string, options: { readonly: boolean }): Db {
  try {
    // A lock held by another connection (an admin's sqlite3 shell) fails a write after 100 ms rather than blocking
    // the event loop for better-sqlite3's default 5 s: the step rejects and is retried like any failed write.
    return new Database(file, { readonly: options.readonly, fileMustExist: options.readonly, timeout: 100 });
  } catch (error) {
    throw new StateFileError(file, `the database ${file} cannot be opened: ${describeError(error)}. ${untouched}`);
  }
}

/** The database's schema version; throws a {@link StateFileError} for a corrupt, foreign or newer database. */
export function checkDatabase(db: Db, file: string): number {
  let version: number | null;
  try {
    version = readSchemaVersion(db);
    if (version !== 0) {
      const verdict = db.pragma('quick_check', { simple: true }) as string;
      if (verdict !== 'ok') throw new Error(`integrity check failed: ${verdict}`);
    }
  } catch (error) {
    throw new StateFileError(file, `the database ${file} is corrupt or not a database: ${describeError(error)}. ${untouched}`);
  }
  if (version === null) {
    throw new StateFileError(file, `${file} is an SQLite database, but not a Paperboy one (it has no migrations table). ${untouched}`);
  }
  if (version > SCHEMA_VERSION) {
    throw new StateFileError(
      file,
      `the database ${file} was written by a newer Paperboy (schema version ${version}; this one knows up to ${SCHEMA_VERSION}). It was left untouched: upgrade Paperboy, or restore a backup with \`paperboy state import --replace <backup>\`.`,
    );
  }
  return version;
}

// WAL with synchronous=FULL: a commit returns only once its WAL frames are on disk (one fsync), so a kill -9 or a
// power cut after a step resolved never loses it; readers (a dry run, an export) never block the writer.
/** Sets up the owner's connection: WAL, synchronous=FULL, foreign keys, checkpoints left to the store. */
export function configure(db: Db, file: string): void {
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode !== 'wal') throw new Error(`the file system does not support WAL (journal mode stayed ${mode})`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Checkpoints run between steps (see scheduleCheckpoint), never inside one: a step pays for its own commit only.
    db.pragma('wal_autocheckpoint = 0');
    // A write-ahead log grown by an import is cut back to this size once checkpointed.
    db.pragma(`journal_size_limit = ${8 * 1024 * 1024}`);
  } catch (error) {
    throw new StateFileError(file, `the database ${file} cannot be set up: ${describeError(error)}`);
  }
}

/** Reads every record into memory, validating feeds, progress documents and the store's records. */
export function loadMemory(db: Db, file: string): StoreMemory {
  const memory = createStoreMemory();
  try {
    for (const row of db.prepare('SELECT id, doc FROM feeds').all() as Array<{ id: string; doc: string }>) {
      memory.feeds.set(row.id, feedSchema.parse(JSON.parse(row.doc)));
    }
    for (const row of db.prepare('SELECT feed_id, doc FROM feed_progress').all() as Array<{ feed_id: string; doc: string }>) {
      memory.progress.set(row.feed_id, feedProgressSchema.parse(JSON.parse(row.doc)));
    }
    const rows = new Map<string, PostedEntry[]>();
    const select = db.prepare('SELECT feed_id, paper_id, message_id, posted_at, digest, seq FROM posted ORDER BY feed_id, seq');
    for (const row of select.iterate() as Iterable<PostedRow>) {
      let list = rows.get(row.feed_id);
      if (!list) rows.set(row.feed_id, (list = []));
      list.push({ paperId: row.paper_id, messageId: row.message_id, postedAt: row.posted_at, digest: row.digest, seq: row.seq });
    }
    for (const id of memory.feeds.keys()) memory.logs.set(id, createPostedLog(rows.get(id) ?? []));
    const members = db.prepare('SELECT guild_id, user_id, topics, dm, updated_at FROM subscriptions').all() as SubscriptionDbRow[];
    for (const row of members) {
      setSubscriber(memory, row.guild_id, row.user_id, {
        topics: JSON.parse(row.topics) as string[],
        dm: row.dm === 1,
        updatedAt: row.updated_at,
      });
    }
    // (absent from a database whose migrations a kill interrupted before it: read as it is, it records no removal)
    const hasRemoved = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'removed_guilds'`).get() !== undefined;
    for (const row of (hasRemoved ? db.prepare('SELECT guild_id, removed_at FROM removed_guilds').all() : []) as Array<{
      guild_id: string;
      removed_at: string;
    }>)
      memory.removedGuilds.set(row.guild_id, row.removed_at);
    // (absent, like removed_guilds, from a database whose migrations a kill interrupted before it)
    const hasLists = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'reading_list'`).get() !== undefined;
    const saved = hasLists
      ? db.prepare('SELECT guild_id AS guildId, user_id AS userId, paper_id AS paperId, saved_at AS savedAt FROM reading_list').all()
      : [];
    loadReadingLists(memory, saved as ReadingListRow[]);
    const hasVotes = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'votes'`).get() !== undefined;
    for (const row of (hasVotes
      ? db.prepare('SELECT guild_id, paper_id, user_id, message_id, voted_at FROM votes').all()
      : []) as VoteDbRow[])
      setVote(memory, { guildId: row.guild_id, paperId: row.paper_id, userId: row.user_id, messageId: row.message_id, at: row.voted_at });
    const meta: Record<string, unknown> = { ...createEmptyMeta() };
    for (const row of db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>)
      meta[row.key] = JSON.parse(row.value);
    memory.meta = storeMetaSchema.parse(meta);
  } catch (error) {
    throw new StateFileError(file, `the database ${file} holds records this Paperboy cannot read: ${describeError(error)}. ${untouched}`);
  }
  return memory;
}

interface PostedRow {
  feed_id: string;
  paper_id: string;
  message_id: string;
  posted_at: string;
  digest: number;
  seq: number;
}

/** A row of the votes table, in both databases. */
export interface VoteDbRow {
  guild_id: string;
  paper_id: string;
  user_id: string;
  message_id: string;
  voted_at: string;
}

interface SubscriptionDbRow {
  guild_id: string;
  user_id: string;
  topics: string;
  dm: number;
  updated_at: string;
}

/** An error as `CODE (message)` for SQLite's, its message otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof SqliteError) return `${error.code} (${error.message})`;
  return error instanceof Error ? error.message : String(error);
}
