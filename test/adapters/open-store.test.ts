import { type ChildProcess, spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireFileLock, StateLockedError } from '../../src/adapters/file-lock.js';
import { hashBytes } from '../../src/adapters/legacy-state-file.js';
import { type DataStoreOptions, openDataStore, readDataStore } from '../../src/adapters/open-store.js';
import { readSqliteDatabase } from '../../src/adapters/sqlite/sqlite-store.js';
import type { Store } from '../../src/app/ports.js';
import { isBlankMemory } from '../../src/app/store-memory.js';
import { createEmptyDestination, createEmptyState, type State } from '../../src/core/legacy-state.js';
import { parseStateText } from '../../src/core/state-migrations.js';
import { dumpOf } from '../store/contract.js';
import { createMemoryLogger } from '../support/memory-ports.js';
import { createRandom } from '../support/random.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/state/', import.meta.url));
const GUILD = '900000000000000042';
const dirs: string[] = [];
const stores: Store[] = [];

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-import-'));
  dirs.push(dir);
  return dir;
}

function optionsFor(dir: string, settings: Partial<DataStoreOptions['settings']> = {}) {
  const logger = createMemoryLogger();
  const options: DataStoreOptions = {
    databaseFile: join(dir, 'paperboy.sqlite'),
    stateFile: join(dir, 'state.json'),
    settings: {
      guildId: GUILD,
      channelId: '1500000000000000001',
      cron: '0 9 * * *',
      timezone: 'UTC',
      size: 3,
      order: 'corpus',
      ...settings,
    },
    scheduleFeedId: 'env',
    logger,
  };
  return { options, logger };
}

async function open(options: DataStoreOptions): Promise<Store> {
  const store = await openDataStore(options);
  stores.push(store);
  return store;
}

/** Checks that the store holds every record of a state file's channel destination, its members and its registration. */
function expectEveryRecord(store: Store, legacy: State, destination: string, guildId: string): void {
  const { posted, inFlight, ...records } = legacy.destinations[destination]!;
  const progress = store.read().progress.get('env')!;
  const { postedCount, lastMessageId, nextDueAt, inFlight: imported, ...rest } = progress;
  expect(rest).toEqual(records);
  expect(imported === null ? null : { ...imported, after: undefined }).toEqual(inFlight && { ...inFlight, after: undefined });
  expect(postedCount).toBe(Math.max(...Object.values(posted).map((p) => p.seq)));
  expect(nextDueAt).toBe(legacy.schedule.nextDueAt);
  const newest = Object.values(posted)
    .map((p) => BigInt(p.messageId))
    .concat(inFlight?.header.messageId ? [BigInt(inFlight.header.messageId)] : [])
    .reduce((a, b) => (a > b ? a : b));
  expect(lastMessageId).toBe(String(newest));
  expect([...store.posted('env').entries()]).toEqual(Object.entries(posted).map(([paperId, p]) => ({ paperId, ...p })));
  expect(Object.fromEntries(store.read().subscriptions.get(guildId) ?? [])).toEqual(legacy.subscriptions);
  expect(store.read().meta.commands).toEqual(legacy.commands);
}

describe('the first start after the upgrade', () => {
  it.each(['release-158b29c-held-and-owed.json', 'release-158b29c-crash-pending.json', 'release-973d788-seed-posted.json'])(
    'given %s, then every record is imported in one go, the file is kept as state.json.imported, and the next start imports nothing',
    async (fixture) => {
      const dir = await tempDir();
      const text = await readFile(join(FIXTURES, fixture), 'utf8');
      const legacy = parseStateText(text, fixture);
      const destination = Object.keys(legacy.destinations).find((key) => key.startsWith('channel:'))!;
      await writeFile(join(dir, 'state.json'), text);
      const { options, logger } = optionsFor(dir, { channelId: destination.slice('channel:'.length) });
      let store = await open(options);
      expectEveryRecord(store, legacy, destination, GUILD);
      if (legacy.destinations.console)
        expect([...store.posted('console').entries()]).toHaveLength(Object.keys(legacy.destinations.console.posted).length);
      expect(store.read().meta.imported).toMatchObject({ file: options.stateFile, sha256: hashBytes(Buffer.from(text)) });
      expect((await readdir(dir)).sort()).toEqual([
        'paperboy.sqlite',
        'paperboy.sqlite-shm',
        'paperboy.sqlite-wal',
        'paperboy.sqlite.lock',
        'state.json.imported',
      ]);
      expect(await readFile(join(dir, 'state.json.imported'), 'utf8')).toBe(text);
      expect(logger.lines.find((l) => /^imported the state file/.test(l.message))?.message).toMatch(/kept as .*state\.json\.imported$/);

      const before = dumpOf(store);
      await store.close();
      store = await open(options);
      expect(dumpOf(store)).toEqual(before);
    },
  );

  it('given a crash after the import committed but before the file was renamed, then the next start only renames it (keeping the first copy)', async () => {
    const dir = await tempDir();
    const fixture = join(FIXTURES, 'release-158b29c-crash-pending.json');
    await copyFile(fixture, join(dir, 'state.json'));
    const { options, logger } = optionsFor(dir);
    const store = await open(options);
    const before = dumpOf(store);
    await store.close();
    await copyFile(fixture, join(dir, 'state.json'));
    const again = await open(options);
    expect(dumpOf(again)).toEqual(before);
    expect((await readdir(dir)).filter((n) => n.startsWith('state.json')).sort()).toEqual(['state.json.imported', 'state.json.imported-2']);
    expect(logger.lines.some((l) => /was already imported; renamed it .*state\.json\.imported-2/.test(l.message))).toBe(true);
  });

  it('given a different state file beside a database that holds data, then it is left untouched and not used, with a warning', async () => {
    const dir = await tempDir();
    await copyFile(join(FIXTURES, 'release-158b29c-crash-pending.json'), join(dir, 'state.json'));
    const { options, logger } = optionsFor(dir);
    const store = await open(options);
    const before = dumpOf(store);
    await store.close();
    const other = await readFile(join(FIXTURES, 'release-158b29c-held-and-owed.json'), 'utf8');
    await writeFile(join(dir, 'state.json'), other);
    const again = await open(options);
    expect(dumpOf(again)).toEqual(before);
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe(other);
    expect(logger.lines.find((l) => l.level === 'warn')?.message).toMatch(
      /state\.json is not used: the database .* already holds data.*paperboy state import --replace/,
    );
  });

  it('given two channels in the file and no DISCORD_CHANNEL_ID, then the start is refused, naming what to set, and nothing is imported', async () => {
    const dir = await tempDir();
    const state = createEmptyState();
    state.destinations['channel:1'] = createEmptyDestination();
    state.destinations['channel:2'] = createEmptyDestination();
    const text = JSON.stringify(state);
    await writeFile(join(dir, 'state.json'), text);
    const { options } = optionsFor(dir, { channelId: null });
    await expect(openDataStore(options)).rejects.toThrow(/cannot be imported: .*Set DISCORD_CHANNEL_ID.*It was left untouched/);
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe(text);
    expect(isBlankMemory(readSqliteDatabase(options.databaseFile))).toBe(true);
  });

  it('given an older Paperboy still running on the state file (its lock held), then the import is refused and nothing changes', async () => {
    const dir = await tempDir();
    await copyFile(join(FIXTURES, 'release-158b29c-crash-pending.json'), join(dir, 'state.json'));
    const old = await acquireFileLock(join(dir, 'state.json'));
    try {
      const { options } = optionsFor(dir);
      const refused = await openDataStore(options).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StateLockedError);
      expect(isBlankMemory(readSqliteDatabase(options.databaseFile))).toBe(true);
      expect((await readdir(dir)).includes('state.json')).toBe(true);
    } finally {
      await old.release();
    }
  });

  it('given a dry run before the first start, then it reads the state file as it would be imported and changes nothing', async () => {
    const dir = await tempDir();
    await copyFile(join(FIXTURES, 'release-158b29c-held-and-owed.json'), join(dir, 'state.json'));
    const { options } = optionsFor(dir);
    const store = await readDataStore(options);
    expect(store.posted('env').size).toBe(3);
    expect(await readdir(dir)).toEqual(['state.json']);
  });
});

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('../support/import-child.ts', import.meta.url));

describe('kill -9 during the import', () => {
  it('given the first start killed at random instants, then the database holds either nothing or everything, and the state file is untouched until that is committed', async () => {
    const dir = await tempDir();
    // A big file, so that kills land inside the import.
    const state = createEmptyState();
    const count = 50_000;
    const posted: State['destinations'][string]['posted'] = {};
    for (let i = 0; i < count; i += 1)
      posted[`2401.${String(i).padStart(5, '0')}`] = {
        messageId: String(1_000_000_000_000_000_000n + BigInt(i)),
        postedAt: '2026-01-01T00:00:00.000Z',
        digest: 1 + Math.floor(i / 3),
        seq: i + 1,
      };
    state.destinations['channel:1500000000000000001'] = { ...createEmptyDestination(), posted, digests: Math.ceil(count / 3) };
    const text = JSON.stringify(state);
    await writeFile(join(dir, 'state.json'), text);
    const database = join(dir, 'paperboy.sqlite');
    const outcomes = { nothing: 0, everything: 0 };

    for (let round = 0; round < 16; round += 1) {
      const random = createRandom(round + 1);
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', childScript, dir, '1500000000000000001'], {
        cwd: repoRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      if (round % 3 === 2) {
        // At a random instant from the start (before the database exists, or after the import).
        await new Promise((r) => setTimeout(r, 300 + Math.floor(random() * 1200)));
      } else {
        // As the n-th write reaches the write-ahead log: the migrations', then the import's own.
        const n = 1 + Math.floor(random() * 6);
        await new Promise<void>((resolve) => {
          let seen = 0;
          const watcher = watch(dir, (_event, name) => {
            if (name !== 'paperboy.sqlite-wal' || ++seen < n) return;
            child.kill('SIGKILL');
            watcher.close();
            resolve();
          });
          // Once everything is imported, nothing more is written: the child is then killed while it holds the store.
          const timer = setTimeout(resolve, 5000);
          void exited.then(() => {
            clearTimeout(timer);
            watcher.close();
            resolve();
          });
        });
      }
      child.kill('SIGKILL');
      await exited;
      const names = await readdir(dir);
      const memory = names.includes('paperboy.sqlite') ? readSqliteDatabase(database) : null;
      const rows = memory ? (memory.logs.get('env')?.size ?? 0) : 0;
      expect([0, count], `round ${round}: ${rows} rows`).toContain(rows);
      if (rows === 0) {
        outcomes.nothing += 1;
        expect(await readFile(join(dir, 'state.json'), 'utf8'), `round ${round}: the file is untouched`).toBe(text);
      } else {
        outcomes.everything += 1;
        const kept = names.includes('state.json') ? 'state.json' : 'state.json.imported';
        expect(await readFile(join(dir, kept), 'utf8')).toBe(text);
        if (kept === 'state.json.imported') break;
      }
    }
    // (Which kills land before, inside or after the transaction depends on the machine: each outcome is checked.)
    const { options } = optionsFor(dir);
    const store = await open(options);
    expect(store.posted('env').size).toBe(count);
    expect(await readdir(dir)).toContain('state.json.imported');
    expect(await readdir(dir)).not.toContain('state.json');
    expect(outcomes.nothing, 'some kills landed before the import committed').toBeGreaterThan(0);
  }, 120_000);
});
