import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, readSqliteDatabase } from '../../src/adapters/sqlite/sqlite-store.js';
import { createMemoryStore } from '../../src/app/memory-store.js';
import type { StoreMemory } from '../../src/app/store-memory.js';
import { DATABASE_FILE_NAME } from '../../src/config.js';
import type { PostedEntry } from '../../src/core/posted-log.js';
import type { FeedProgress, FeedState, Subscriber } from '../../src/core/state.js';
import { dumpOf } from '../store/contract.js';
import type { StoreDump } from '../../src/core/store-dump.js';
import { createEmptyDestination, createEmptyState, type DestinationState, type State, stateSchema } from '../../src/core/legacy-state.js';

/** The database of a test's data folder (DATA_DIR), or the database file itself. */
export function databaseIn(dataDirOrFile: string): string {
  return dataDirOrFile.endsWith('.sqlite') ? dataDirOrFile : join(dataDirOrFile, DATABASE_FILE_NAME);
}

/**
 * What the bot's database holds, as `paperboy state export` would write it (every record), read without its lock
 * while the bot may run; null before the bot created it. Where the file system refuses even a reader (remounted
 * read-only under a running bot), a copy of the files is read instead.
 */
export async function readState(dataDirOrFile: string): Promise<StoreDump | null> {
  const file = databaseIn(dataDirOrFile);
  if (
    !(await stat(file).then(
      () => true,
      () => false,
    ))
  )
    return null;
  let memory: StoreMemory;
  try {
    memory = readSqliteDatabase(file);
  } catch {
    memory = await readCopy(file);
  }
  return dumpOf(createMemoryStore(memory));
}

async function readCopy(file: string): Promise<StoreMemory> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-read-state-'));
  try {
    // The log first: a checkpoint between the two copies then only repeats pages the database copy already has.
    await copyFile(`${file}-wal`, join(dir, 'copy.sqlite-wal')).catch(() => undefined);
    await copyFile(file, join(dir, 'copy.sqlite'));
    return readSqliteDatabase(join(dir, 'copy.sqlite'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A feed's progress with its posted papers as a record by paper id (in posting order): what e2e tests look at. */
export type FeedRecords = FeedProgress & { posted: Record<string, PostedEntry> };

/** One feed's records in a state read by {@link readState} (`env`: the bootstrap feed), or null. */
export function feedOf(state: StoreDump | null, feedId = 'env'): FeedRecords | null {
  const found = state?.feeds.find((f) => f.feed.id === feedId);
  if (!found) return null;
  return { ...found.progress, posted: Object.fromEntries(found.posted.map((entry) => [entry.paperId, entry])) };
}

/** One feed's records in the database of a test's data folder, or null. */
export async function readFeed(dataDirOrFile: string, feedId = 'env'): Promise<FeedRecords | null> {
  return feedOf(await readState(dataDirOrFile), feedId);
}

/** The members' topics of one server in a state read by {@link readState}. */
export function subscriptionsOf(state: StoreDump | null, guildId: string): Record<string, Subscriber> {
  return Object.fromEntries(
    (state?.subscriptions ?? []).filter((s) => s.guildId === guildId).map(({ guildId: _g, userId, ...s }) => [userId, s]),
  );
}

/** Changes a feed's progress in a stopped bot's database (one state step, with the database's lock). */
export async function changeFeed(dataDirOrFile: string, feedId: string, change: (state: FeedState) => FeedState): Promise<void> {
  const store = await openSqliteStore(databaseIn(dataDirOrFile));
  try {
    await store.step(feedId, change);
  } finally {
    await store.close();
  }
}

/**
 * Writes a JSON state file as the releases before the database did (version 3), from its destinations' partial
 * records: what a test seeds a first start with (the bot imports it into its database).
 */
export async function writeLegacyState(
  file: string,
  destinations: Record<string, Partial<DestinationState>>,
  extra: Partial<State> = {},
): Promise<void> {
  const state: State = {
    ...createEmptyState(),
    ...extra,
    destinations: Object.fromEntries(Object.entries(destinations).map(([key, d]) => [key, { ...createEmptyDestination(), ...d }])),
  };
  await writeFile(file, `${JSON.stringify(stateSchema.parse(state), null, 2)}\n`);
}
