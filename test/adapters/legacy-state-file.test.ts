import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLegacyStateFile, StateFileError } from '../../src/adapters/legacy-state-file.js';
import { MIGRATIONS, migrateState, parseStateText, StateFormatError } from '../../src/core/state-migrations.js';
import { createEmptyDestination, createEmptyState, type State, STATE_VERSION, stateSchema } from '../../src/core/legacy-state.js';

// The JSON state file of the releases before the database: read only to be imported, and refused (untouched) when
// it cannot be used, as those releases refused it.
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function createTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-state-'));
  dirs.push(dir);
  return dir;
}

const at = '2026-03-01T09:00:00.000Z';
const postedIds = (state: State) => Object.keys(state.destinations.console?.posted ?? {});

async function snapshot(file: string) {
  const [bytes, info] = await Promise.all([readFile(file), stat(file)]);
  return { bytes: bytes.toString('base64'), mtimeMs: info.mtimeMs, size: info.size };
}

describe('given a readable state file', () => {
  it('then it reads with the hash of its bytes', async () => {
    const file = join(await createTempDir(), 'state.json');
    const text = `${JSON.stringify(createEmptyState(), null, 2)}\n`;
    await writeFile(file, text);
    const read = await readLegacyStateFile(file);
    expect(read?.state).toEqual(createEmptyState());
    expect(read?.sha256).toMatch(/^[0-9a-f]{64}$/);
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
    const error = await readLegacyStateFile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateFileError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message.replaceAll('FILE', file));
    else expect((error as Error).message).toMatch(message);
    expect((error as StateFileError).file).toBe(file);
    // Never a silent reset: the bytes and the mtime are those of before, and nothing is left beside it.
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
    const text = `${JSON.stringify(createEmptyState(), null, 2)}\n`;
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
    const state = createEmptyState();
    state.destinations['channel:1'] = {
      ...createEmptyDestination(),
      posted: { '2401.00001': { messageId: 'm1', postedAt: at, digest: 0, seq: 1 } },
    };
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
    await expect(readLegacyStateFile(file)).rejects.toThrow(
      `state file ${file} cannot be read: EISDIR (illegal operation on a directory). It was left untouched; check its permissions and the disk.`,
    );
  });

  it('when there is none, then there is nothing to import', async () => {
    expect(await readLegacyStateFile(join(await createTempDir(), 'state.json'))).toBeNull();
  });
});

describe('given an older state version', () => {
  const legacy = { version: 0, posted: ['2401.00001', '2401.00002'], subscribers: { '42': ['agents'] } };
  const fromV0 = (old: unknown) => {
    const v0 = old as typeof legacy;
    const state = createEmptyState();
    state.destinations.console = {
      ...createEmptyDestination(),
      posted: Object.fromEntries(
        v0.posted.map((id, i) => [id, { messageId: `console:${id}`, postedAt: '2025-01-01T00:00:00.000Z', digest: 0, seq: i + 1 }]),
      ),
    };
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
