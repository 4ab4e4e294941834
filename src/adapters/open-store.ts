import { stat } from 'node:fs/promises';
import { createMemoryStore } from '../app/memory-store.js';
import type { Logger, Store } from '../app/ports.js';
import { createStoreMemory, isBlankMemory } from '../app/store-memory.js';
import type { FeedSettings } from '../core/feed.js';
import { convertLegacyState, LegacyImportError } from '../core/legacy-import.js';
import type { State } from '../core/legacy-state.js';
import { type StoreDump, storeDumpSchema } from '../core/store-dump.js';
import { StateFileError } from '../core/state-migrations.js';
import { acquireFileLock, type FileLockOptions } from './file-lock.js';
import { keepImportedFile, readLegacyStateFile } from './legacy-state-file.js';
import { redactUrl } from './postgres/redact-url.js';
import { openSqliteStore, readSqliteDatabase } from './sqlite/sqlite-store.js';
import { systemClock } from './system-clock.js';

/** Where the data lives and what the environment says about the digest, for opening it. */
export interface DataStoreOptions {
  /** `DATA_DIR/paperboy.sqlite`. */
  databaseFile: string;
  /** DATABASE_URL: the state lives in this PostgreSQL database instead of `databaseFile` (no file lock then). */
  databaseUrl?: string | null;
  /** STATE_FILE: the JSON state file of the releases before the database, imported once if found. */
  stateFile: string;
  /** The environment's digest settings: what the feeds of an imported state file are made of. */
  settings: FeedSettings;
  /** The feed this process runs (the bootstrap feed, or the console feed): it takes the state file's schedule time. */
  scheduleFeedId: string;
  logger: Logger;
  lock?: boolean | FileLockOptions;
}

/**
 * Opens the database for the one process that may change it, importing the JSON state file of an earlier release
 * on the first start after the upgrade (see {@link importStateFile}): every entry point that writes opens it here,
 * so nothing can post from an empty database while an unimported state file waits beside it.
 */
export async function openDataStore(options: DataStoreOptions): Promise<Store> {
  const store = options.databaseUrl
    ? await (await loadPostgres()).openPostgresStore(options.databaseUrl)
    : await openSqliteStore(options.databaseFile, options.lock === undefined ? {} : { lock: options.lock });
  try {
    await importStateFile(store, options);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Imports the JSON state file into a blank database in one transaction, then renames it `*.imported` (kept, never
 * deleted). A crash in between leaves either nothing imported (the file is imported again at the next start) or
 * everything (the file, known by its hash, is then only renamed). A state file beside a database that holds data
 * is left alone, with a warning. While it imports, it holds the state file's old lock: an older Paperboy still
 * running on the file stops the import.
 */
export async function importStateFile(store: Store, options: DataStoreOptions): Promise<void> {
  const { stateFile, logger } = options;
  const present = await stat(stateFile).then(
    () => true,
    () => false,
  );
  if (!present) return;
  const lock = await acquireFileLock(stateFile, options.lock && options.lock !== true ? options.lock : {});
  try {
    const legacy = await readLegacyStateFile(stateFile);
    if (!legacy) return;
    const imported = store.read().meta.imported;
    if (imported?.sha256 === legacy.sha256) {
      const kept = await keepImportedFile(stateFile);
      logger.info({ file: stateFile, kept }, `the state file ${stateFile} was already imported; renamed it ${kept}`);
      return;
    }
    if (!store.isBlank()) {
      logger.warn(
        { file: stateFile, database: describeDataStore(options) },
        `${stateFile} is not used: the database ${describeDataStore(options)} already holds data, so it was left untouched. To load it instead, stop Paperboy and run \`paperboy state import --replace ${stateFile}\``,
      );
      return;
    }
    const at = systemClock.now().toISOString();
    let dump = convertFile(legacy.state, options, at);
    dump = storeDumpSchema.parse({ ...dump, meta: { ...dump.meta, imported: { file: stateFile, sha256: legacy.sha256, at } } });
    await store.importDump(dump, { replace: true });
    const kept = await keepImportedFile(stateFile);
    const posted = dump.feeds.reduce((n, f) => n + f.posted.length, 0);
    logger.info(
      {
        file: stateFile,
        database: describeDataStore(options),
        kept,
        feeds: dump.feeds.map((f) => f.feed.id),
        posted,
        members: dump.subscriptions.length,
      },
      `imported the state file ${stateFile} into ${describeDataStore(options)} (${dump.feeds.length} feed(s), ${posted} posted papers, ${dump.subscriptions.length} subscribed members); the file is kept as ${kept}`,
    );
  } finally {
    await lock.release();
  }
}

/**
 * What a process that does not own the data reads (a dry run, `paperboy register`): the database as its owner
 * last committed it, without its lock and without writing; or, before the first start after the upgrade, the state
 * file as it would be imported. A store in memory: writes to it go nowhere.
 */
export async function readDataStore(options: Omit<DataStoreOptions, 'logger' | 'lock'>): Promise<Store> {
  const memory = options.databaseUrl
    ? await (await loadPostgres()).readPostgresDatabase(options.databaseUrl)
    : await readSqliteFile(options.databaseFile);
  if (!isBlankMemory(memory)) return createMemoryStore(memory);
  const legacy = await readLegacyStateFile(options.stateFile);
  if (!legacy) return createMemoryStore(memory);
  return createMemoryStore(createStoreMemory(convertFile(legacy.state, options, systemClock.now().toISOString())));
}

/** The database's name in messages: its file, or its URL without the password. */
export function describeDataStore(options: Pick<DataStoreOptions, 'databaseFile' | 'databaseUrl'>): string {
  return options.databaseUrl ? redactUrl(options.databaseUrl) : options.databaseFile;
}

async function readSqliteFile(file: string) {
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  return exists ? readSqliteDatabase(file) : createStoreMemory();
}

function convertFile(state: State, options: Pick<DataStoreOptions, 'stateFile' | 'settings' | 'scheduleFeedId'>, at: string): StoreDump {
  try {
    return convertLegacyState(state, { settings: options.settings, scheduleFeedId: options.scheduleFeedId, at });
  } catch (error) {
    if (!(error instanceof LegacyImportError)) throw error;
    throw new StateFileError(
      options.stateFile,
      `state file ${options.stateFile} cannot be imported: ${error.message}. It was left untouched.`,
    );
  }
}

/**
 * The PostgreSQL store, loaded only with DATABASE_URL: the pg driver costs a SQLite deployment memory for nothing
 * (issue 16: every megabyte of an idle bot counts on a small VPS).
 */
export function loadPostgres(): Promise<typeof import('./postgres/postgres-store.js')> {
  return import('./postgres/postgres-store.js');
}
