import { join } from 'node:path';
import type { FileLockOptions } from '../../src/adapters/file-lock.js';
import { openPostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import type { Store } from '../../src/app/ports.js';
import { makeFeed } from '../support/memory-ports.js';
import { databaseUrl, ensureDatabase } from '../support/postgres.js';

/** The feed the crash child posts to. */
export const CRASH_FEED = 'crash';

/**
 * Where an adapter keeps its data inside a test's directory: a file for SQLite; for PostgreSQL, a database named
 * after the directory on the server of `serverUrl` (created when first opened).
 */
export function locationIn(dir: string, adapter: string, serverUrl?: string): string {
  if (adapter === 'sqlite') return join(dir, 'paperboy.sqlite');
  if (adapter === 'postgres' && serverUrl)
    return databaseUrl(
      serverUrl,
      dir
        .replace(/[^A-Za-z0-9]+/g, '_')
        .replace(/^_/, '')
        .slice(-60),
    );
  throw new Error(`unknown store adapter ${adapter}`);
}

/** Opens the store of an adapter at a location, creating a PostgreSQL database the first time. */
export async function openAt(adapter: string, location: string, lock?: FileLockOptions): Promise<Store> {
  if (adapter === 'sqlite') return openSqliteStore(location, lock ? { lock } : {});
  if (adapter === 'postgres') {
    await ensureDatabase(location);
    return openPostgresStore(location);
  }
  throw new Error(`unknown store adapter ${adapter}`);
}

/**
 * Opens a store by adapter name for a child process (crash and lock tests), with the crash feed in it: the
 * adapters the contract suite runs against (test/store/contract.ts).
 */
export async function openAdapter(adapter: string, location: string, lock?: FileLockOptions): Promise<Store> {
  const store = await openAt(adapter, location, lock);
  if (!store.read().feeds.has(CRASH_FEED)) await store.saveFeed(makeFeed({ id: CRASH_FEED }));
  return store;
}
