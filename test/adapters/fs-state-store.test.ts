import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStateStore, readStateFile, serializeState, StateFileError, StateWriteError } from '../../src/adapters/fs-state-store.js';
import { MIGRATIONS, migrateState, parseStateText, StateFormatError } from '../../src/core/state-migrations.js';
import { createEmptyState, markPosted, type State, STATE_VERSION, stateSchema } from '../../src/core/state.js';
import { itUnless } from '../support/skip.js';

const dirs: string[] = [];
const ROOT_IGNORES_MODES =
  process.getuid?.() === 0
    ? 'runs as root, and root writes into a read-only directory anyway (run the tests as another user to cover EACCES)'
    : null;

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function createTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-state-'));
  dirs.push(dir);
  return dir;
}

const at = '2026-03-01T09:00:00.000Z';
const post = (id: string) => (state: State) => markPosted(state, 'console', id, `console:${id}`, at);
const postedIds = (state: State) => Object.keys(state.destinations.console?.posted ?? {});
const fixedNow = () => new Date('2026-03-01T10:00:00.000Z');

async function snapshot(file: string) {
  const [bytes, info] = await Promise.all([readFile(file), stat(file)]);
  return { bytes: bytes.toString('base64'), mtimeMs: info.mtimeMs, size: info.size };
}

describe('given a state saved by the store', () => {
  it('then reopening it (or reading it without a lock) gives the same state, from pretty JSON ending in a newline', async () => {
    const file = join(await createTempDir(), 'state.json');
    const store = await openStateStore(file, { now: fixedNow });
    const saved = await store.update((state) => ({
      ...post('2401.00001')(state),
      subscriptions: { '42': { topics: ['agents'], dm: true, updatedAt: at } },
    }));
    expect(saved.updatedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(store.read()).toBe(saved);
    await store.close();

    const text = await readFile(file, 'utf8');
    expect(text).toBe(`${JSON.stringify(saved, null, 2)}\n`);
    expect(text).toBe(serializeState(saved));
    expect(await readStateFile(file)).toEqual(saved);
    const reopened = await openStateStore(file);
    expect(reopened.read()).toEqual(saved);
    await reopened.close();
  });

  it('then readStateFile works while a store holds the lock, and creates nothing', async () => {
    const dir = await createTempDir();
    const file = join(dir, 'state.json');
    const store = await openStateStore(file);
    expect(await readStateFile(file)).toEqual(createEmptyState());
    await store.update(post('a'));
    expect(postedIds(await readStateFile(file))).toEqual(['a']);
    await store.close();
    expect(await readStateFile(join(dir, 'other.json'))).toEqual(createEmptyState());
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('then an admin’s chmod 600 on the file survives the next save', async () => {
    const file = join(await createTempDir(), 'state.json');
    const store = await openStateStore(file);
    await store.update(post('a'));
    await store.close();
    await chmod(file, 0o600);
    const again = await openStateStore(file);
    await again.update(post('b'));
    await again.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('given no state file', () => {
  it('then the store starts empty, creates the directory, and writes the file only at the first update', async () => {
    const dir = join(await createTempDir(), 'data', 'nested');
    const file = join(dir, 'state.json');
    const store = await openStateStore(file);
    expect(store.read()).toEqual(createEmptyState());
    expect(await readdir(dir)).toEqual(['state.json.lock']);
    await store.update(post('a'));
    expect((await readdir(dir)).sort()).toEqual(['state.json', 'state.json.lock']);
    await store.close();
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('then with lock: false no lock file is made', async () => {
    const dir = await createTempDir();
    const store = await openStateStore(join(dir, 'state.json'), { lock: false });
    await store.update(post('a'));
    expect(await readdir(dir)).toEqual(['state.json']);
    await store.close();
  });
});

describe('given a state file that cannot be used', () => {
  const advice =
    'It was left untouched. Restore it from a backup, or move it away to start with an empty state (every paper would then be posted again).';

  async function expectRefused(content: string | Buffer, message: string | RegExp) {
    const dir = await createTempDir();
    const file = join(dir, 'state.json');
    await writeFile(file, content);
    const before = await snapshot(file);
    const error = await openStateStore(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateFileError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message.replaceAll('FILE', file));
    else expect((error as Error).message).toMatch(message);
    expect((error as StateFileError).file).toBe(file);
    await expect(readStateFile(file)).rejects.toThrow(StateFileError);
    // Never a silent reset: the bytes and the mtime are those of before, and the lock was let go.
    expect(await snapshot(file)).toEqual(before);
    expect(await readdir(dir)).toEqual(['state.json']);
    return error as StateFileError;
  }

  it('when the JSON is broken, then the error names the file, the line and the column, and the file is untouched', async () => {
    await expectRefused(
      '{\n  "version": 1,\n    }\n',
      `state file FILE is corrupt: Expected double-quoted property name at line 3 column 5. ${advice}`,
    );
    await expectRefused(
      '{\n  "version": 1,\n  "destinations": [1, 2,]\n}\n',
      `state file FILE is corrupt: Unexpected token ] at line 3 column 25. ${advice}`,
    );
  });

  it('when the file was cut short, then the error says it looks truncated', async () => {
    const text = serializeState(createEmptyState());
    await expectRefused(
      text.slice(0, 40),
      `state file FILE is corrupt: Expected double-quoted property name at line 4 column 1 (the file ends there: it looks truncated). ${advice}`,
    );
    await expectRefused(
      text.slice(0, text.indexOf('"version"') + 10),
      /is corrupt: it ends in the middle of the data at line 2 \(the file looks truncated\)\./,
    );
  });

  it('when the file is empty or not UTF-8, then it says so', async () => {
    await expectRefused('', `state file FILE is empty. ${advice}`);
    await expectRefused(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), `state file FILE is corrupt: it is not UTF-8 text. ${advice}`);
  });

  it('when the JSON has the wrong shape, then every problem is listed with its path', async () => {
    const state = markPosted(createEmptyState(), 'channel:1', '2401.00001', 'm1', at);
    const broken = JSON.parse(JSON.stringify(state));
    broken.destinations['channel:1'].posted['2401.00001'].seq = 'first';
    broken.subscriptions = [];
    delete broken.schedule;
    await expectRefused(
      JSON.stringify(broken),
      [
        'state file FILE is not a valid Paperboy state:',
        '  - destinations["channel:1"].posted["2401.00001"].seq: Invalid input: expected number, received string',
        '  - schedule: missing (expected object)',
        '  - subscriptions: Invalid input: expected record, received array',
        advice,
      ].join('\n'),
    );
  });

  it('when it was written by a newer Paperboy, then it refuses and says to upgrade', async () => {
    await expectRefused(
      JSON.stringify({ ...createEmptyState(), version: STATE_VERSION + 1 }),
      `state file FILE was written by a newer Paperboy (version ${STATE_VERSION + 1}); upgrade Paperboy or restore a backup. It was left untouched.`,
    );
  });

  it('when it has no version, then it is not a Paperboy state file', async () => {
    await expectRefused('{"posted": {}}', `state file FILE is not a Paperboy state file (it has no "version" field). ${advice}`);
    await expectRefused('[]', `state file FILE is not a Paperboy state file (it holds an array, not an object). ${advice}`);
  });

  it('when it is not a readable file, then the error says why', async () => {
    const file = join(await createTempDir(), 'state.json');
    await mkdir(file);
    await expect(openStateStore(file)).rejects.toThrow(
      `state file ${file} cannot be read: EISDIR (illegal operation on a directory). It was left untouched; check its permissions and the disk.`,
    );
  });

  it('when its directory cannot be created, then the error says why', async () => {
    const dir = await createTempDir();
    await writeFile(join(dir, 'data'), 'a file, not a directory');
    await expect(openStateStore(join(dir, 'data', 'state.json'))).rejects.toThrow(
      /^cannot create the directory of state file .*: (ENOTDIR|EEXIST) \(/,
    );
  });
});

describe('given an older state version', () => {
  const legacy = { version: 0, posted: ['2401.00001', '2401.00002'], subscribers: { '42': ['agents'] } };
  const fromV0 = (old: unknown) => {
    const v0 = old as typeof legacy;
    let state = createEmptyState();
    for (const id of v0.posted) state = markPosted(state, 'console', id, `console:${id}`, '2025-01-01T00:00:00.000Z');
    const subscriptions = Object.fromEntries(
      Object.entries(v0.subscribers).map(([user, topics]) => [user, { topics, dm: false, updatedAt: '2025-01-01T00:00:00.000Z' }]),
    );
    return { ...state, version: 1, subscriptions };
  };

  it('then an injected v0 → v1 migration, followed by the real chain, brings it to a valid current state', () => {
    const migrated = migrateState(legacy, { ...MIGRATIONS, 0: fromV0 });
    const state = stateSchema.parse(migrated);
    expect(postedIds(state)).toEqual(['2401.00001', '2401.00002']);
    expect(state.subscriptions['42']?.topics).toEqual(['agents']);
  });

  it('then the chain runs every step in order up to the target version', () => {
    const steps: string[] = [];
    const chain = {
      1: (old: unknown) => (steps.push('1→2'), { ...(old as object), version: 2, a: true }),
      2: (old: unknown) => (steps.push('2→3'), { ...(old as object), version: 3, b: true }),
    };
    expect(migrateState({ version: 1 }, chain, 3)).toEqual({ version: 3, a: true, b: true });
    expect(migrateState({ version: 2 }, chain, 3)).toEqual({ version: 3, b: true });
    expect(steps).toEqual(['1→2', '2→3', '2→3']);
  });

  it('then a missing step, a step that forgets the version, or a failing step is refused with the reason', () => {
    expect(() => migrateState({ version: 0 })).toThrow(
      new StateFormatError('has version 0, which this Paperboy cannot read (no migration from version 0)'),
    );
    expect(() => migrateState({ version: 0 }, { 0: (old) => old })).toThrow(
      'could not be migrated: the migration from version 0 produced version 0',
    );
    expect(() =>
      migrateState(
        { version: 0 },
        {
          0: () => {
            throw new Error('no posted list');
          },
        },
      ),
    ).toThrow('could not be migrated from version 0: no posted list');
    expect(() => parseStateText(JSON.stringify(legacy), 'data/state.json')).toThrow(
      'state file data/state.json has version 0, which this Paperboy cannot read (no migration from version 0). It was left untouched.',
    );
  });

  it('then a current state passes through unchanged', () => {
    expect(Object.keys(MIGRATIONS)).toEqual(['1', '2']);
    const state = createEmptyState();
    expect(migrateState(state)).toBe(state);
  });

  it('given a version 1 file, then it becomes version 2, papers given up on for a missing corpus are queued again, and refusals stay', () => {
    const v1 = {
      ...createEmptyState(),
      version: 1,
      destinations: {
        'channel:1': {
          posted: { a: { messageId: '10', postedAt: '2026-11-01T09:00:00.000Z', digest: 1, seq: 1 } },
          pending: {},
          failed: {
            b: { reason: 'removed from the corpus before it was posted', at: '2026-11-01T09:00:00.000Z', digest: 1 },
            c: {
              reason: 'POST /channels/1/messages failed with status 400 (code 50035): Invalid Form Body',
              at: '2026-11-01T09:00:00.000Z',
              digest: 1,
            },
          },
          inFlight: null,
          digests: 1,
          lastRun: null,
        },
      },
    };
    const state = parseStateText(JSON.stringify(v1), 'state.json');
    expect(state.version).toBe(STATE_VERSION);
    expect(Object.keys(state.destinations['channel:1']!.failed)).toEqual(['c']);
    expect(Object.keys(state.destinations['channel:1']!.posted)).toEqual(['a']);
  });
});

describe('given many updates at once', () => {
  it('then they run one at a time, in call order, each seeing the result of the one before', async () => {
    const file = join(await createTempDir(), 'state.json');
    const store = await openStateStore(file);
    const ids = Array.from({ length: 150 }, (_, i) => `p${i}`);
    const results = await Promise.all(ids.map((id) => store.update(post(id))));
    results.forEach((result, i) => expect(postedIds(result)).toEqual(ids.slice(0, i + 1)));
    expect(postedIds(store.read())).toEqual(ids);
    expect(postedIds(await readStateFile(file))).toEqual(ids);
    expect(store.read().destinations.console?.posted.p149?.seq).toBe(150);
    await store.close();
  });
});

describe('given a change that fails', () => {
  it('when it throws, then the update rejects with its error and the state and the file stay as they were', async () => {
    const file = join(await createTempDir(), 'state.json');
    const store = await openStateStore(file);
    await store.update(post('a'));
    const before = await snapshot(file);
    const good = store.read();
    await expect(
      store.update(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(store.read()).toBe(good);
    expect(await snapshot(file)).toEqual(before);
    await store.update(post('b'));
    expect(postedIds(store.read())).toEqual(['a', 'b']);
    await store.close();
  });

  it('when it makes the state invalid (a bug), then nothing reaches the disk and the problems are named', async () => {
    const file = join(await createTempDir(), 'state.json');
    const store = await openStateStore(file);
    await store.update(post('a'));
    const before = await snapshot(file);
    const good = store.read();
    await expect(store.update((state) => ({ ...state, schedule: { nextDueAt: 'tomorrow' } }))).rejects.toThrow(
      `refusing to save state to ${file}: the change made it invalid (a bug):\n  - schedule.nextDueAt: Invalid ISO datetime`,
    );
    expect(store.read()).toBe(good);
    expect(await snapshot(file)).toEqual(before);
    await store.close();
  });
});

describe('given a disk that refuses the write', () => {
  // Root ignores permission bits, so the test swaps the data directory (reached through a symlink, as a mounted
  // volume would be) for a plain file: opening the temp file then fails with ENOTDIR, whoever we are.
  it('then the update rejects with StateWriteError, the last good state stays, and a later update succeeds once the disk is back', async () => {
    const root = await createTempDir();
    const realDir = join(root, 'volume');
    const notADir = join(root, 'not-a-directory');
    const dataDir = join(root, 'data');
    await mkdir(realDir);
    await writeFile(notADir, '');
    await symlink(realDir, dataDir);
    const file = join(dataDir, 'state.json');
    const store = await openStateStore(file);
    await store.update(post('a'));
    const good = store.read();

    await unlink(dataDir);
    await symlink(notADir, dataDir);
    const error = await store.update(post('b')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateWriteError);
    expect((error as StateWriteError).code).toBe('ENOTDIR');
    expect((error as Error).message).toBe(
      `cannot save state to ${file}: ENOTDIR (not a directory); nothing more will be posted until it can be saved`,
    );
    expect(store.read()).toBe(good);

    await unlink(dataDir);
    await symlink(realDir, dataDir);
    await store.update(post('c'));
    expect(postedIds(store.read())).toEqual(['a', 'c']);
    expect(postedIds(await readStateFile(file))).toEqual(['a', 'c']);
    expect((await readdir(realDir)).sort()).toEqual(['state.json', 'state.json.lock']);
    await store.close();
  });

  itUnless(ROOT_IGNORES_MODES)(
    'when the directory is read-only (not as root), then the update rejects with EACCES and recovers after chmod',
    async () => {
      const dir = await createTempDir();
      const file = join(dir, 'state.json');
      const store = await openStateStore(file);
      await store.update(post('a'));
      await chmod(dir, 0o500);
      try {
        await expect(store.update(post('b'))).rejects.toThrow(`cannot save state to ${file}: EACCES (permission denied)`);
      } finally {
        await chmod(dir, 0o700);
      }
      await store.update(post('c'));
      expect(postedIds(await readStateFile(file))).toEqual(['a', 'c']);
      await store.close();
    },
  );

  // A nearly full disk accepts part of a write: the store must fail, not rename a truncated file over the good one
  // (write-file-atomic does the latter). Needs a tiny tmpfs, so it runs only where this process may mount one.
  it('when the disk fills up in the middle of a write, then the file keeps the last good state, whole', async (context) => {
    const mountPoint = await createTempDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      context.skip(`cannot mount a tmpfs here, needs root (${(error as Error).message.split('\n')[0]})`);
    }
    try {
      const file = join(mountPoint, 'state.json');
      const store = await openStateStore(file);
      await store.update(post('small'));
      const good = await readFile(file, 'utf8');
      await writeFile(join(mountPoint, 'filler'), Buffer.alloc(36 * 1024));
      const big = (state: State) => ({
        ...state,
        subscriptions: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`${i}`, { topics: ['x'], dm: false, updatedAt: at }])),
      });
      await expect(store.update(big)).rejects.toThrow(`cannot save state to ${file}: ENOSPC (no space left on device)`);
      expect(await readFile(file, 'utf8')).toBe(good);
      expect((await readdir(mountPoint)).sort()).toEqual(['filler', 'state.json', 'state.json.lock']);
      await rm(join(mountPoint, 'filler'));
      await store.update(big);
      expect(Object.keys((await readStateFile(file)).subscriptions)).toHaveLength(300);
      await store.close();
    } finally {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
    }
  });
});

describe('given a crash that left temp files', () => {
  it('then opening the store removes its own leftovers and nothing else', async () => {
    const dir = await createTempDir();
    const file = join(dir, 'state.json');
    await writeFile(join(dir, 'state.json.tmp-0123456789abcdef'), '{"version": 1, "half');
    await writeFile(join(dir, 'state.json.tmp-backup'), 'an admin file');
    await writeFile(join(dir, 'state.json.1'), 'an admin backup');
    const store = await openStateStore(file);
    expect((await readdir(dir)).sort()).toEqual(['state.json.1', 'state.json.lock', 'state.json.tmp-backup']);
    await store.close();
  });
});

describe('given a closed store', () => {
  it('then updates queued before close still finish, later ones reject, and the lock is gone', async () => {
    const dir = await createTempDir();
    const file = join(dir, 'state.json');
    const store = await openStateStore(file);
    const queued = store.update(post('a'));
    const closed = store.close();
    await expect(store.update(post('b'))).rejects.toThrow(`the state store of ${file} is closed; the change was not saved`);
    expect(postedIds(await queued)).toEqual(['a']);
    await closed;
    await store.close();
    expect(await readdir(dir)).toEqual(['state.json']);
    expect(postedIds(await readStateFile(file))).toEqual(['a']);
  });
});

describe('given a state file reached through a symlink', () => {
  it('then saving replaces the target and keeps the symlink', async () => {
    const dir = await createTempDir();
    await mkdir(join(dir, 'volume'));
    await writeFile(join(dir, 'volume', 'real.json'), serializeState(createEmptyState()));
    const file = join(dir, 'state.json');
    await symlink(join(dir, 'volume', 'real.json'), file);
    const store = await openStateStore(file);
    await store.update(post('a'));
    await store.close();
    expect((await lstat(file)).isSymbolicLink()).toBe(true);
    expect(postedIds(await readStateFile(join(dir, 'volume', 'real.json')))).toEqual(['a']);
  });
});

describe('given a moved state file', () => {
  it('then a store renamed away by an admin keeps its own copy in memory', async () => {
    const dir = await createTempDir();
    const file = join(dir, 'state.json');
    const store = await openStateStore(file);
    await store.update(post('a'));
    await rename(file, join(dir, 'moved.json'));
    await store.update(post('b'));
    expect(postedIds(await readStateFile(file))).toEqual(['a', 'b']);
    await store.close();
  });
});
