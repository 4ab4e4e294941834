import { join } from 'node:path';
import type { FileLockOptions } from '../../src/adapters/file-lock.js';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import type { Store } from '../../src/app/ports.js';
import { makeFeed } from '../support/memory-ports.js';

/** The feed the crash child posts to. */
export const CRASH_FEED = 'crash';

/** Where an adapter keeps its data inside a test's directory. */
export function locationIn(dir: string, adapter: string): string {
  if (adapter === 'sqlite') return join(dir, 'paperboy.sqlite');
  throw new Error(`unknown store adapter ${adapter}`);
}

/**
 * Opens a store by adapter name for a child process (crash and lock tests), with the crash feed in it: the
 * adapters the contract suite runs against (test/store/contract.ts); the next one joins here.
 */
export async function openAdapter(adapter: string, location: string, lock?: FileLockOptions): Promise<Store> {
  if (adapter !== 'sqlite') throw new Error(`unknown store adapter ${adapter}`);
  const store = await openSqliteStore(location, lock ? { lock } : {});
  if (!store.read().feeds.has(CRASH_FEED)) await store.saveFeed(makeFeed({ id: CRASH_FEED }));
  return store;
}
