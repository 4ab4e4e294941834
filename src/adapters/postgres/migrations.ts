import type { PoolClient } from 'pg';
import { StateFileError } from '../../core/state-migrations.js';
import { untouchedDatabase } from './connection.js';

/** One numbered change of the PostgreSQL schema; applied once, in its own transaction, in number order. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/*
 * The schema's history, numbered like the SQLite adapter's (src/adapters/sqlite/migrations.ts): version N means the
 * same tables on both, so a dump moves between them as it is. A migration is never edited once released.
 *
 * Documents are JSON in `text`, not `jsonb`: the bytes round-trip exactly, and PostgreSQL's jsonb refuses the
 * escaped NUL (\u0000) that untrusted text may carry, where text holds it as six plain characters.
 */
export const PG_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'feeds, progress documents, posted log, subscriptions, meta',
    sql: `
      CREATE TABLE feeds (
        id text PRIMARY KEY,
        guild_id text,
        channel_id text,
        doc text NOT NULL
      );
      CREATE INDEX feeds_by_guild ON feeds (guild_id);
      CREATE TABLE feed_progress (
        feed_id text PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE ON UPDATE CASCADE,
        doc text NOT NULL
      );
      CREATE TABLE posted (
        feed_id text NOT NULL REFERENCES feeds (id) ON DELETE CASCADE ON UPDATE CASCADE,
        paper_id text NOT NULL,
        message_id text NOT NULL,
        posted_at text NOT NULL,
        digest integer NOT NULL,
        seq integer NOT NULL,
        PRIMARY KEY (feed_id, paper_id)
      );
      CREATE INDEX posted_by_seq ON posted (feed_id, seq);
      CREATE TABLE subscriptions (
        guild_id text NOT NULL,
        user_id text NOT NULL,
        topics text NOT NULL,
        dm boolean NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (guild_id, user_id)
      );
      CREATE TABLE meta (
        key text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'leases with fencing tokens',
    // A row is never deleted: its token is what makes the next acquisition's greater.
    sql: `
      CREATE TABLE leases (
        scope text PRIMARY KEY,
        owner text,
        token bigint NOT NULL CHECK (token > 0),
        expires_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'servers the bot was removed from',
    sql: `
      CREATE TABLE removed_guilds (
        guild_id text PRIMARY KEY,
        removed_at text NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'votes: members reacting to the papers a server was sent',
    // One row per member, paper and server (a member counts once); the message is what a reconciliation replaces.
    sql: `
      CREATE TABLE votes (
        guild_id text NOT NULL,
        paper_id text NOT NULL,
        user_id text NOT NULL,
        message_id text NOT NULL,
        voted_at text NOT NULL,
        PRIMARY KEY (guild_id, paper_id, user_id)
      );
    `,
  },
  {
    version: 5,
    name: 'reading lists',
    sql: `
      CREATE TABLE reading_list (
        guild_id text NOT NULL,
        user_id text NOT NULL,
        paper_id text NOT NULL,
        saved_at text NOT NULL,
        PRIMARY KEY (guild_id, user_id, paper_id)
      );
    `,
  },
];

/** The schema version this Paperboy writes to PostgreSQL. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.at(-1)!.version;

// Two processes starting together take turns on this key (per database): the second finds the migrations done.
// 'paperboy' in ASCII, as a bigint.
const MIGRATION_LOCK = '8097880551245590393';

/** The newest migration the database records (0: none, a new database), or null when it is not a Paperboy one. */
export async function readPgSchemaVersion(client: PoolClient): Promise<number | null> {
  const tables = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  if (tables.rowCount === 0) return 0;
  if (!tables.rows.some((row) => row.name === 'migrations')) return null;
  const found = await client.query<{ version: number }>('SELECT coalesce(max(version), 0)::integer AS version FROM migrations');
  return found.rows[0]!.version;
}

/** Throws a {@link StateFileError} for a database that is not Paperboy's, or that a newer Paperboy wrote. */
export function checkPgSchemaVersion(version: number | null, where: string): number {
  if (version === null)
    throw new StateFileError(
      where,
      `the PostgreSQL database ${where} holds tables but is not a Paperboy one (it has no migrations table). ${untouchedDatabase}`,
    );
  if (version > PG_SCHEMA_VERSION)
    throw new StateFileError(
      where,
      `the PostgreSQL database ${where} was written by a newer Paperboy (schema version ${version}; this one knows up to ${PG_SCHEMA_VERSION}). It was left untouched: upgrade Paperboy.`,
    );
  return version;
}

/**
 * Applies the migrations the database lacks, each in one transaction with its row in `migrations`, under a
 * session advisory lock: a second process starting at the same time waits, then finds nothing left to do.
 * Returns the versions applied here.
 */
export async function applyPgMigrations(client: PoolClient, where: string): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    const version = checkPgSchemaVersion(await readPgSchemaVersion(client), where);
    await client.query(
      'CREATE TABLE IF NOT EXISTS migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied: number[] = [];
    for (const migration of PG_MIGRATIONS) {
      if (migration.version <= version) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}
