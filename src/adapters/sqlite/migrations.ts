import type { Database } from 'better-sqlite3';

/** One numbered change of the database schema; applied once, in its own transaction, in number order. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/*
 * The schema's history. A migration is never edited once released: a change is a new migration with the next
 * number. A database whose newest migration is beyond the last one here was written by a newer Paperboy, which
 * this one refuses to open (it would not know what the new tables mean).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'feeds, progress documents, posted log, subscriptions, meta',
    sql: `
      CREATE TABLE feeds (
        id TEXT PRIMARY KEY,
        guild_id TEXT,
        channel_id TEXT,
        doc TEXT NOT NULL CHECK (json_valid(doc))
      ) STRICT;
      CREATE INDEX feeds_by_guild ON feeds (guild_id);
      CREATE TABLE feed_progress (
        feed_id TEXT PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE ON UPDATE CASCADE,
        doc TEXT NOT NULL CHECK (json_valid(doc))
      ) STRICT;
      CREATE TABLE posted (
        feed_id TEXT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE ON UPDATE CASCADE,
        paper_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        posted_at TEXT NOT NULL,
        digest INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (feed_id, paper_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX posted_by_seq ON posted (feed_id, seq);
      CREATE TABLE subscriptions (
        guild_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        topics TEXT NOT NULL CHECK (json_valid(topics)),
        dm INTEGER NOT NULL CHECK (dm IN (0, 1)),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (guild_id, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value))
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'leases with fencing tokens',
    // A row is never deleted: its token is what makes the next acquisition's greater.
    sql: `
      CREATE TABLE leases (
        scope TEXT PRIMARY KEY,
        owner TEXT,
        token INTEGER NOT NULL CHECK (token > 0),
        expires_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'servers the bot was removed from',
    sql: `
      CREATE TABLE removed_guilds (
        guild_id TEXT PRIMARY KEY,
        removed_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'votes: members reacting to the papers a server was sent',
    // One row per member, paper and server (a member counts once); the message is what a reconciliation replaces.
    sql: `
      CREATE TABLE votes (
        guild_id TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        voted_at TEXT NOT NULL,
        PRIMARY KEY (guild_id, paper_id, user_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'reading lists',
    sql: `
      CREATE TABLE reading_list (
        guild_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        paper_id TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        PRIMARY KEY (guild_id, user_id, paper_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

/** The schema version this Paperboy writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** The newest migration a database records (0: none, a new database), or null when it is not a Paperboy database. */
export function readSchemaVersion(db: Database): number | null {
  const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
  if (tables.length === 0) return 0;
  if (!tables.includes('migrations')) return null;
  return db.prepare('SELECT coalesce(max(version), 0) FROM migrations').pluck().get() as number;
}

/** Applies the migrations a database lacks, each in one transaction with its row in `migrations`. */
export function applyMigrations(db: Database, from: number, at: string): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT');
  const record = db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, at);
    })();
    applied.push(migration.version);
  }
  return applied;
}
