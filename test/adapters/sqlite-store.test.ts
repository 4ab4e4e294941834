import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore, readSqliteDatabase } from '../../src/adapters/sqlite/sqlite-store.js';
import { SCHEMA_VERSION } from '../../src/adapters/sqlite/migrations.js';
import { StateFileError } from '../../src/core/state-migrations.js';
import { markPosted } from '../../src/core/state.js';
import { listVotes } from '../../src/core/votes.js';
import { makeFeed } from '../support/memory-ports.js';
import { itUnless } from '../support/skip.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-sqlite-'));
  dirs.push(dir);
  return dir;
}

/**
 * The database file's bytes and modification time, and the names beside it. Reading a database in WAL mode may
 * create its empty -wal and -shm side files (SQLite's shared index): those do not change the database.
 */
async function snapshot(dir: string) {
  const names = (await readdir(dir)).filter((name) => !/-(wal|shm)$/.test(name)).sort();
  const file = join(dir, 'paperboy.sqlite');
  const info = await stat(file);
  return { names, bytes: (await readFile(file)).toString('base64'), mtimeMs: info.mtimeMs };
}

const AT = '2026-03-01T09:00:00.000Z';

describe('opening the database', () => {
  it('given a new folder, then the database is created in WAL mode with its migrations recorded', async () => {
    const file = join(await tempDir(), 'nested', 'paperboy.sqlite');
    const store = await openSqliteStore(file);
    await store.saveFeed(makeFeed({ id: 'news' }));
    await store.step('news', (s) => markPosted(s, 'a', '1000000000000000001', AT));
    const other = new Database(file, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(other.prepare('SELECT version, name FROM migrations').all()).toEqual([
        { version: 1, name: 'feeds, progress documents, posted log, subscriptions, meta' },
        { version: 2, name: 'leases with fencing tokens' },
        { version: 3, name: 'servers the bot was removed from' },
        { version: 4, name: 'votes: members reacting to the papers a server was sent' },
        { version: 5, name: 'reading lists' },
      ]);
      expect(other.prepare('SELECT feed_id, paper_id, seq FROM posted').all()).toEqual([{ feed_id: 'news', paper_id: 'a', seq: 1 }]);
    } finally {
      other.close();
    }
    // What the store's own connection runs with (a pragma is per connection).
    const db = new Database(file);
    db.close();
    await store.close();
    expect(SCHEMA_VERSION).toBe(5);
  });

  it('given a database of schema version 2 (before the removed servers, votes and reading lists), then opening adds their tables and keeps every record', async () => {
    const file = join(await tempDir(), 'paperboy.sqlite');
    let store = await openSqliteStore(file);
    await store.saveFeed(makeFeed({ id: 'news' }));
    await store.step('news', (s) => markPosted(s, 'a', '1000000000000000001', AT));
    await store.close();
    const old = new Database(file);
    old.exec('DROP TABLE removed_guilds; DROP TABLE votes; DROP TABLE reading_list; DELETE FROM migrations WHERE version >= 3;');
    old.close();
    store = await openSqliteStore(file);
    expect(store.posted('news').has('a')).toBe(true);
    await store.markGuildRemoved('900000000000000001', AT);
    const vote = { guildId: '900000000000000001', paperId: 'a', userId: '2', messageId: '1000000000000000001', at: AT };
    await store.addVote(vote);
    await store.saveToReadingList('900000000000000001', '7', { paperId: '2411.00001', savedAt: AT });
    await store.close();
    store = await openSqliteStore(file);
    expect(Object.fromEntries(store.read().removedGuilds)).toEqual({ '900000000000000001': AT });
    expect(listVotes(store.read().votes)).toEqual([vote]);
    expect(store.readingListCount('900000000000000001', '7')).toBe(1);
    await store.close();
  });

  it.each([
    [
      'random bytes',
      Buffer.from('this is not a database at all, just text that is long enough to look like a header'),
      /is corrupt or not a database: SQLITE_NOTADB/,
    ],
    ['a truncated database', null, /is corrupt or not a database/],
  ])('given %s, then opening refuses with a clear message and leaves every file untouched', async (_name, bytes, message) => {
    const dir = await tempDir();
    const file = join(dir, 'paperboy.sqlite');
    if (bytes) await writeFile(file, bytes);
    else {
      const store = await openSqliteStore(file);
      await store.saveFeed(makeFeed({ id: 'news' }));
      for (let i = 0; i < 200; i += 1)
        await store.updateSubscriber('1', String(i), () => ({ topics: ['x'.repeat(200)], dm: false, updatedAt: AT }));
      await store.close();
      const whole = await readFile(file);
      await writeFile(file, whole.subarray(0, Math.floor(whole.length / 2)));
    }
    const before = await snapshot(dir);
    const error = await openSqliteStore(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateFileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/It was left untouched\. Restore a backup with `paperboy state import --replace <backup>`/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('given a database written by a newer Paperboy, then opening refuses, says to upgrade, and leaves it untouched', async () => {
    const dir = await tempDir();
    const file = join(dir, 'paperboy.sqlite');
    await (await openSqliteStore(file)).close();
    const db = new Database(file);
    db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'from the future', AT);
    db.close();
    const before = await snapshot(dir);
    await expect(openSqliteStore(file)).rejects.toThrow(
      `the database ${file} was written by a newer Paperboy (schema version ${SCHEMA_VERSION + 1}; this one knows up to ${SCHEMA_VERSION}). It was left untouched`,
    );
    expect(() => readSqliteDatabase(file)).toThrow(/newer Paperboy/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('given an SQLite database of something else, then opening refuses and leaves it untouched', async () => {
    const dir = await tempDir();
    const file = join(dir, 'paperboy.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE recipes (name TEXT)');
    db.close();
    const before = await snapshot(dir);
    await expect(openSqliteStore(file)).rejects.toThrow(/is an SQLite database, but not a Paperboy one/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('given a folder that cannot be created, then the error says why', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'data'), 'a file, not a folder');
    await expect(openSqliteStore(join(dir, 'data', 'paperboy.sqlite'))).rejects.toThrow(
      /^cannot create the directory of the database .*: (ENOTDIR|EEXIST) \(/,
    );
  });
});

const NOT_ROOT = process.getuid?.() === 0 ? null : 'needs root to mount a small tmpfs';

describe('a disk that fills up', () => {
  itUnless(NOT_ROOT)(
    'given a full disk, then a step rejects naming SQLITE_FULL and ENOSPC, memory keeps the last commit, and it works again once space is freed',
    async () => {
      const dir = join(await tempDir(), 'small');
      await mkdir(dir);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
      try {
        const store = await openSqliteStore(join(dir, 'paperboy.sqlite'));
        await store.saveFeed(makeFeed({ id: 'news' }));
        await store.step('news', (s) => markPosted(s, 'a', '1000000000000000001', AT));
        const filler = join(dir, 'filler');
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'pipe' });
        } catch {
          // dd stops at ENOSPC: that is the point.
        }
        let failure: unknown = null;
        // Steps that still fit in the write-ahead log commit; the first that does not is refused.
        for (let i = 0; i < 500 && failure === null; i += 1) {
          await store
            .updateSubscriber('1', String(i), () => ({ topics: ['y'.repeat(900)], dm: false, updatedAt: AT }))
            .catch((e: unknown) => (failure = e));
        }
        expect(failure).toMatchObject({
          name: 'StateWriteError',
          message: expect.stringMatching(/cannot save state to .*SQLITE_FULL.*ENOSPC/),
        });
        const kept = store.read().subscriptions.get('1')?.size ?? 0;
        await rm(filler);
        await store.step('news', (s) => markPosted(s, 'b', '1000000000000000002', AT));
        await store.close();
        const again = await openSqliteStore(join(dir, 'paperboy.sqlite'));
        expect([...again.posted('news').entries()].map((e) => e.paperId)).toEqual(['a', 'b']);
        expect(again.read().subscriptions.get('1')?.size ?? 0).toBe(kept);
        await again.close();
      } finally {
        execFileSync('umount', [dir]);
      }
    },
  );
});
