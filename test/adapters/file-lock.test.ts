import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { acquireFileLock, type LockOwner, StateLockedError } from '../../src/adapters/file-lock.js';
import { openStateStore } from '../../src/adapters/fs-state-store.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('../support/state-crash-child.ts', import.meta.url));
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function createStateFilePath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-lock-'));
  dirs.push(dir);
  return join(dir, 'state.json');
}

/** Starts the test child in `hold` or `try` mode; `firstLine` resolves with its first line of output. */
function startChild(mode: 'hold' | 'try', file: string): { child: ChildProcess; firstLine: Promise<string>; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, mode, file], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const end = output.indexOf('\n');
      if (end !== -1) resolve(output.slice(0, end));
    });
    void exited.then(() => reject(new Error(`the child exited without output:\n${errors}`)));
  });
  return { child, firstLine, exited };
}

async function writeLock(file: string, owner: Partial<LockOwner>, ageMs = 0): Promise<void> {
  const lock = { pid: 999_999, hostname: hostname(), startedAt: new Date().toISOString(), token: 'someone-elses', ...owner };
  await writeFile(`${file}.lock`, JSON.stringify(lock));
  const at = new Date(Date.now() - ageMs);
  await utimes(`${file}.lock`, at, at);
}

describe('given a store held by this process', () => {
  it('then a child process opening the same file is refused with StateLockedError naming our pid and the lock file', async () => {
    const file = await createStateFilePath();
    const store = await openStateStore(file);
    try {
      const { firstLine } = startChild('try', file);
      const result = JSON.parse(await firstLine) as { ok: boolean; name?: string; message?: string };
      expect(result).toMatchObject({ ok: false, name: 'StateLockedError' });
      expect(result.message).toBe(
        `another Paperboy process (pid ${process.pid} on host ${hostname()}, since ${JSON.parse(await readFile(`${file}.lock`, 'utf8')).startedAt}) is using ${file}; stop it first, or, if it is gone, delete ${file}.lock`,
      );
    } finally {
      await store.close();
    }
  });

  it('then a second open in the same process is refused too (same pid, but not a stale lock)', async () => {
    const file = await createStateFilePath();
    const store = await openStateStore(file);
    await expect(openStateStore(file)).rejects.toThrow(`${file} is already open in this process`);
    await store.close();
    await (await openStateStore(file)).close();
  });
});

describe('given a child process holding the store', () => {
  it('then opening here is refused while it lives, and succeeds at once after it is killed with SIGKILL', async () => {
    const file = await createStateFilePath();
    const { child, firstLine, exited } = startChild('hold', file);
    expect(await firstLine).toBe('ready');
    const refused = await openStateStore(file).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StateLockedError);
    expect((refused as StateLockedError).owner?.pid).toBe(child.pid);
    expect((refused as Error).message).toContain(`another Paperboy process (pid ${child.pid} on host ${hostname()}`);

    child.kill('SIGKILL');
    await exited;
    const started = performance.now();
    const store = await openStateStore(file);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
    await store.close();
  });

  it('then, when several processes race to start over one abandoned lock, exactly one wins', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { hostname: 'gone-host' }, 10 * 60_000);
    const children = Array.from({ length: 4 }, () => startChild('try', file));
    const results = await Promise.all(children.map(async ({ firstLine }) => JSON.parse(await firstLine) as { ok: boolean; name?: string }));
    for (const { child } of children) child.stdin?.end();
    await Promise.all(children.map(({ exited }) => exited));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => result.name === 'StateLockedError')).toHaveLength(3);
  });
});

describe('given a lock file left behind', () => {
  it('when it names our own pid (a restarted container is pid 1 again) but a token we do not hold, then it is taken over', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { pid: process.pid });
    const lock = await acquireFileLock(file);
    expect(lock.owner.pid).toBe(process.pid);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).token).toBe(lock.owner.token);
    await lock.release();
  });

  it('when its pid is alive on this host but it was taken before the last boot, then it is taken over', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { pid: process.ppid, startedAt: '2000-01-01T00:00:00.000Z' });
    await (await acquireFileLock(file)).release();
  });

  it('when its pid is alive on this host, then it blocks', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { pid: process.ppid });
    await expect(acquireFileLock(file)).rejects.toThrow(`another Paperboy process (pid ${process.ppid} on host ${hostname()}`);
  });

  it('when it comes from another host and was refreshed recently, then it blocks and says when it will count as abandoned', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { hostname: 'other-container', pid: 1 }, 5_000);
    const error = await acquireFileLock(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateLockedError);
    expect((error as Error).message).toMatch(
      new RegExp(`^another Paperboy process \\(pid 1 on host other-container, since .+\\) is using ${file}; stop it first, or, if it is gone, delete ${file}\\.lock \\(a lock from another host counts as abandoned 60 s after its holder last refreshed it, at .+\\)$`),
    );
  });

  it('when it comes from another host and was not refreshed for longer than the stale period, then it is taken over', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { hostname: 'other-container', pid: 1 }, 61_000);
    const lock = await acquireFileLock(file);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).hostname).toBe(hostname());
    await lock.release();
    expect(await readdir(join(file, '..'))).toEqual([]);
  });

  it('when it cannot be read, then it blocks while fresh and is taken over once old', async () => {
    const file = await createStateFilePath();
    await writeFile(`${file}.lock`, '');
    await expect(acquireFileLock(file)).rejects.toThrow(`the lock file ${file}.lock cannot be read`);
    const old = new Date(Date.now() - 120_000);
    await utimes(`${file}.lock`, old, old);
    await (await acquireFileLock(file)).release();
  });

  it('when two starters in one process race over it, then exactly one wins', async () => {
    const file = await createStateFilePath();
    for (let round = 0; round < 20; round += 1) {
      await writeLock(file, { hostname: 'gone-host' }, 120_000);
      const results = await Promise.allSettled([acquireFileLock(file), acquireFileLock(file), acquireFileLock(file)]);
      const winners = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StateLockedError);
      await winners[0]?.release();
    }
  });

  it('when a starter crashed while taking it over, then its leftover takeover mutex delays the next start by seconds at most', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { hostname: 'gone-host' }, 120_000);
    await writeFile(`${file}.lock.takeover`, '');
    const nearlyStale = new Date(Date.now() - 4_800);
    await utimes(`${file}.lock.takeover`, nearlyStale, nearlyStale);
    const started = performance.now();
    const lock = await acquireFileLock(file);
    expect(performance.now() - started).toBeLessThan(3_000);
    await lock.release();
    expect(await readdir(join(file, '..'))).toEqual([]);
  });
});

describe('given a lock we hold', () => {
  it('when release is called, then the lock file is removed, and a second release does nothing', async () => {
    const file = await createStateFilePath();
    const lock = await acquireFileLock(file);
    await lock.release();
    await lock.release();
    expect(await readdir(join(file, '..'))).toEqual([]);
  });

  it('when another process has taken it over, then release leaves their lock alone and assertHeld reports the takeover', async () => {
    const file = await createStateFilePath();
    const lock = await acquireFileLock(file, { refreshMs: 10 });
    await writeLock(file, { hostname: 'other-container', pid: 42, token: 'theirs' });
    await vi.waitFor(() => expect(() => lock.assertHeld()).toThrow(/^the lock .* was taken over by pid 42 on host other-container; this process no longer saves/));
    await lock.release();
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).token).toBe('theirs');
  });

  it('when someone deletes the lock file while we run, then the next refresh puts it back', async () => {
    const file = await createStateFilePath();
    const lock = await acquireFileLock(file, { refreshMs: 10 });
    await rm(`${file}.lock`);
    await expect.poll(async () => JSON.parse(await readFile(`${file}.lock`, 'utf8').catch(() => '{}')).token).toBe(lock.owner.token);
    lock.assertHeld();
    await lock.release();
  });

  it('then its mtime is refreshed, so other hosts see it is alive', async () => {
    const file = await createStateFilePath();
    const lock = await acquireFileLock(file, { refreshMs: 10 });
    const old = new Date(Date.now() - 300_000);
    await utimes(`${file}.lock`, old, old);
    await expect.poll(async () => Date.now() - (await stat(`${file}.lock`)).mtimeMs).toBeLessThan(60_000);
    await lock.release();
  });
});

describe('given a directory where no lock can be created', () => {
  it('then acquiring says which lock file and why', async () => {
    const file = join(await createStateFilePath(), '..', 'missing-dir', 'state.json');
    await expect(acquireFileLock(file)).rejects.toThrow(/^cannot create the lock file .*missing-dir\/state\.json\.lock: ENOENT \(no such file or directory\)$/);
  });
});
