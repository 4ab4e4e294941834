import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { acquireFileLock, type FileLockOptions, type LockOwner, StateLockedError } from '../../src/adapters/file-lock.js';
import { openSqliteStore as openStateStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { itUnless } from '../support/skip.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('../support/state-crash-child.ts', import.meta.url));
const dirs: string[] = [];
// Long enough that a test would time out if it waited for it: a holder must then be judged by its pid.
const NEVER_STALE = { staleMs: 10 * 60_000 };
// Short periods for the holders that can only be judged by their heartbeat. A waiter that must refuse watches
// longer (it stops at the first refresh it sees), so that a holder slowed down by a busy machine is not taken for gone.
const QUICK = { refreshMs: 50, staleMs: 1_500 };
const PATIENT = { refreshMs: 50, staleMs: 10_000 };
const UNSHARE = ['--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL'];
// Real PID namespaces (each child is pid 1 in its own, like a container) need root or user namespaces.
const NO_PID_NAMESPACES =
  spawnSync('unshare', [...UNSHARE, process.execPath, '-e', 'process.exit(process.pid === 1 ? 0 : 1)']).status === 0
    ? null
    : `cannot start a process in a PID namespace of its own here (\`unshare ${UNSHARE.join(' ')}\` needs root or user namespaces)`;

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
afterEach(() => {
  vi.useRealTimers();
});

async function createStateFilePath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-lock-'));
  dirs.push(dir);
  return join(dir, 'paperboy.sqlite');
}

interface Child {
  child: ChildProcess;
  firstLine: Promise<string>;
  exited: Promise<void>;
}

/** Starts the test child in `hold` or `try` mode (in a PID namespace of its own with `unshare`); `firstLine` resolves with its first line. */
function startChild(mode: 'hold' | 'try', file: string, options: { lock?: FileLockOptions; unshare?: boolean } = {}): Child {
  const node = [process.execPath, '--import', 'tsx', childScript, mode, file, ...(options.lock ? [JSON.stringify(options.lock)] : [])];
  const [command, ...args] = options.unshare ? ['unshare', ...UNSHARE, ...node] : node;
  const child = spawn(command!, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
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

async function readTry(child: Child): Promise<{ ok: boolean; name?: string; message?: string }> {
  return JSON.parse(await child.firstLine) as { ok: boolean; name?: string; message?: string };
}

async function stopChild({ child, exited }: Child): Promise<void> {
  child.stdin?.end();
  await exited;
}

async function readLockOwner(file: string): Promise<LockOwner> {
  return JSON.parse(await readFile(`${file}.lock`, 'utf8')) as LockOwner;
}

/** This process's boot, namespace and start time as /proc shows them, to write locks that can be checked by pid. */
async function readProc(pid: number | 'self'): Promise<{ bootId: string; pidNamespace: string; processStart: string }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return {
    bootId: (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim(),
    pidNamespace: await readlink('/proc/self/ns/pid'),
    processStart: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!,
  };
}

async function writeLock(file: string, owner: Partial<LockOwner>, ageMs = 0): Promise<void> {
  const lock = { pid: 999_999, hostname: hostname(), startedAt: new Date().toISOString(), token: 'someone-elses', ...owner };
  await writeFile(`${file}.lock`, JSON.stringify(lock));
  const at = new Date(Date.now() - ageMs);
  await utimes(`${file}.lock`, at, at);
}

/** Touches the lock the way a live holder elsewhere does; returns the function that stops it. */
function keepTouching(file: string): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    void utimes(`${file}.lock`, now, now).catch(() => undefined);
  }, 20);
  return () => clearInterval(timer);
}

describe('given a store held by this process', () => {
  it('then a child process opening the same file is refused with StateLockedError naming our pid and the lock file', async () => {
    const file = await createStateFilePath();
    const store = await openStateStore(file);
    try {
      const result = await readTry(startChild('try', file));
      expect(result).toMatchObject({ ok: false, name: 'StateLockedError' });
      expect(result.message).toBe(
        `another Paperboy process (pid ${process.pid} on host ${hostname()}, since ${(await readLockOwner(file)).startedAt}) is using ${file}; stop it first, or, if it is gone, delete ${file}.lock`,
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

describe('given a child process holding the store in our PID namespace', () => {
  it('then opening here is refused while it lives, and succeeds without waiting out the stale period after it is killed with SIGKILL', async () => {
    const file = await createStateFilePath();
    const holder = startChild('hold', file);
    expect(await holder.firstLine).toBe('ready');
    const refused = await openStateStore(file, { lock: NEVER_STALE }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StateLockedError);
    expect((refused as StateLockedError).owner?.pid).toBe(holder.child.pid);
    expect((refused as Error).message).toContain(`another Paperboy process (pid ${holder.child.pid} on host ${hostname()}`);

    holder.child.kill('SIGKILL');
    await holder.exited;
    const store = await openStateStore(file, { lock: NEVER_STALE });
    expect((await readLockOwner(file)).pid).toBe(process.pid);
    await store.close();
  });

  it('when the wall clock steps a day forward here (NTP on a board without a real-time clock), then the live holder still keeps its lock', async () => {
    const file = await createStateFilePath();
    const holder = startChild('hold', file);
    expect(await holder.firstLine).toBe('ready');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 24 * 3_600_000);
    await expect(acquireFileLock(file, NEVER_STALE)).rejects.toThrow(
      `another Paperboy process (pid ${holder.child.pid} on host ${hostname()}`,
    );
    vi.useRealTimers();
    await stopChild(holder);
  });

  it('then, when several processes race to start over one abandoned lock, exactly one wins', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { hostname: 'gone-host' }, 10 * 60_000);
    const children = Array.from({ length: 4 }, () => startChild('try', file, { lock: QUICK }));
    const results = await Promise.all(children.map(readTry));
    await Promise.all(children.map(stopChild));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => result.name === 'StateLockedError')).toHaveLength(3);
  });
});

describe('given two Paperboy processes that report the same pid and hostname (two containers, each pid 1)', () => {
  it('then the second refuses while the first is alive, and takes over once the first was killed with SIGKILL and its lock stayed untouched', async () => {
    const file = await createStateFilePath();
    const asContainer = (namespace: string, periods = QUICK): FileLockOptions => ({
      ...periods,
      identity: { pid: 1, hostname: 'paperboy', pidNamespace: namespace },
    });
    const first = startChild('hold', file, { lock: asContainer('pid:[1001]') });
    expect(await first.firstLine).toBe('ready');
    expect(await readLockOwner(file)).toMatchObject({ pid: 1, hostname: 'paperboy', pidNamespace: 'pid:[1001]' });

    const second = await readTry(startChild('try', file, { lock: asContainer('pid:[1002]', PATIENT) }));
    expect(second).toMatchObject({ ok: false, name: 'StateLockedError' });
    expect(second.message).toMatch(
      /^another Paperboy process \(pid 1 on host paperboy, since .+\) is using .+; stop it first, or, if it is gone, delete .+ \(it runs in another container or on another host, where its pid cannot be checked, and it refreshed its lock while we watched; a lock left untouched for 10 s counts as abandoned\)$/,
    );

    first.child.kill('SIGKILL');
    await first.exited;
    const third = startChild('try', file, { lock: asContainer('pid:[1003]') });
    expect(await readTry(third)).toEqual({ ok: true });
    expect((await readLockOwner(file)).pidNamespace).toBe('pid:[1003]');
    await stopChild(third);
  });

  itUnless(NO_PID_NAMESPACES)(
    'when each really runs as pid 1 of its own PID namespace on this host, then the second refuses while the first is alive, and takes over after a kill -9',
    async () => {
      const file = await createStateFilePath();
      const first = startChild('hold', file, { lock: QUICK, unshare: true });
      expect(await first.firstLine).toBe('ready');
      const held = await readLockOwner(file);
      expect(held).toMatchObject({ pid: 1, hostname: hostname() });

      const second = await readTry(startChild('try', file, { lock: PATIENT, unshare: true }));
      expect(second).toMatchObject({ ok: false, name: 'StateLockedError' });
      expect(second.message).toContain(`another Paperboy process (pid 1 on host ${hostname()}`);
      expect((await readLockOwner(file)).token).toBe(held.token);

      first.child.kill('SIGKILL');
      await first.exited;
      const third = startChild('try', file, { lock: QUICK, unshare: true });
      expect(await readTry(third)).toEqual({ ok: true });
      expect((await readLockOwner(file)).token).not.toBe(held.token);
      await stopChild(third);
    },
  );

  itUnless(NO_PID_NAMESPACES)(
    'when the holder runs in another PID namespace and the clocks disagree by hours, then it keeps its lock as long as it refreshes it',
    async () => {
      const file = await createStateFilePath();
      const holder = startChild('hold', file, { lock: QUICK, unshare: true });
      expect(await holder.firstLine).toBe('ready');
      const anHourAgo = new Date(Date.now() - 3_600_000);
      await utimes(`${file}.lock`, anHourAgo, anHourAgo);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 24 * 3_600_000);
      await expect(acquireFileLock(file, PATIENT)).rejects.toThrow('it refreshed its lock while we watched');
      vi.useRealTimers();
      await stopChild(holder);
    },
  );
});

describe('given a lock file left behind', () => {
  it('when it names our own pid in our own namespace but another start time (a restarted container is pid 1 again), then it is taken over at once', async () => {
    const file = await createStateFilePath();
    const own = await readProc('self');
    await writeLock(file, { ...own, pid: process.pid, processStart: String(Number(own.processStart) - 1) });
    const lock = await acquireFileLock(file, NEVER_STALE);
    expect((await readLockOwner(file)).token).toBe(lock.owner.token);
    await lock.release();
  });

  it('when its pid is alive in our namespace but started later than the holder did (a reused pid), then it is taken over at once', async () => {
    const file = await createStateFilePath();
    const parent = await readProc(process.ppid);
    await writeLock(file, { ...parent, pid: process.ppid, processStart: String(Number(parent.processStart) - 1) });
    await (await acquireFileLock(file, NEVER_STALE)).release();
  });

  it('when its pid is alive in our namespace with the start time it recorded, then it blocks at once', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { ...(await readProc(process.ppid)), pid: process.ppid }, 24 * 3_600_000);
    await expect(acquireFileLock(file, NEVER_STALE)).rejects.toThrow(`another Paperboy process (pid ${process.ppid} on host ${hostname()}`);
  });

  it('when it comes from elsewhere (another host, a previous boot, an older Paperboy) and is refreshed while we watch, then it blocks, however old its mtime looked', async () => {
    const file = await createStateFilePath();
    await writeLock(
      file,
      { hostname: 'other-host', pid: 1, bootId: 'another-boot', pidNamespace: 'pid:[1]', processStart: '1' },
      24 * 3_600_000,
    );
    const stopTouching = keepTouching(file);
    try {
      const error = await acquireFileLock(file, PATIENT).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StateLockedError);
      expect((error as Error).message).toMatch(
        /^another Paperboy process \(pid 1 on host other-host, since .+\) is using .+; stop it first, or, if it is gone, delete .+\.lock \(it runs in another container or on another host/,
      );
    } finally {
      stopTouching();
    }
  });

  it('when it comes from elsewhere and stays untouched for the stale period, then it is taken over, however fresh its mtime looked', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { hostname: 'other-host', pid: 1 }, -3_600_000);
    const lock = await acquireFileLock(file, QUICK);
    expect((await readLockOwner(file)).hostname).toBe(hostname());
    await lock.release();
    expect(await readdir(join(file, '..'))).toEqual([]);
  });

  it('when it cannot be read, then it is taken over once it stayed unchanged for the stale period', async () => {
    const file = await createStateFilePath();
    await writeFile(`${file}.lock`, '');
    const lock = await acquireFileLock(file, QUICK);
    expect((await readLockOwner(file)).token).toBe(lock.owner.token);
    await lock.release();
  });

  it('when two starters in one process race over it, then exactly one wins', async () => {
    const file = await createStateFilePath();
    for (let round = 0; round < 8; round += 1) {
      await writeLock(file, { hostname: 'gone-host' }, 120_000);
      const quick = { refreshMs: 20, staleMs: 200 };
      const results = await Promise.allSettled([acquireFileLock(file, quick), acquireFileLock(file, quick), acquireFileLock(file, quick)]);
      const winners = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StateLockedError);
      await winners[0]?.release();
    }
  });

  it('when a starter crashed while taking it over, then its leftover takeover mutex is removed once it stayed unchanged, and the start goes on', async () => {
    const file = await createStateFilePath();
    await writeLock(file, { hostname: 'gone-host' }, 120_000);
    await writeFile(`${file}.lock.takeover`, '');
    const lock = await acquireFileLock(file, QUICK);
    await lock.release();
    expect(await readdir(join(file, '..'))).toEqual([]);
  });
});

describe('given a lock we hold', () => {
  it('then it records a random token, our pid and hostname, and (on Linux) what makes the pid checkable: boot, PID namespace, start time', async () => {
    const file = await createStateFilePath();
    const lock = await acquireFileLock(file);
    const owner = await readLockOwner(file);
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname(), token: lock.owner.token });
    expect(owner.token).toMatch(/^[0-9a-f]{16}$/);
    if (process.platform === 'linux') expect(owner).toMatchObject(await readProc('self'));
    await lock.release();
  });

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
    await vi.waitFor(() =>
      expect(() => lock.assertHeld()).toThrow(
        /^the lock .* was taken over by pid 42 on host other-container; this process no longer saves/,
      ),
    );
    await lock.release();
    expect((await readLockOwner(file)).token).toBe('theirs');
  });

  it('when someone deletes the lock file while we run, then the next refresh puts it back', async () => {
    const file = await createStateFilePath();
    const lock = await acquireFileLock(file, { refreshMs: 10 });
    await rm(`${file}.lock`);
    await expect.poll(async () => JSON.parse(await readFile(`${file}.lock`, 'utf8').catch(() => '{}')).token).toBe(lock.owner.token);
    lock.assertHeld();
    await lock.release();
  });

  it('then each refresh changes its mtime, even when the last one lies ahead of our clock, so watchers see it is alive', async () => {
    const file = await createStateFilePath();
    const lock = await acquireFileLock(file, { refreshMs: 10 });
    const ahead = new Date(Date.now() + 3_600_000);
    await utimes(`${file}.lock`, ahead, ahead);
    await expect.poll(async () => (await stat(`${file}.lock`)).mtimeMs).toBeGreaterThan(ahead.getTime());
    await lock.release();
  });
});

describe('given a directory where no lock can be created', () => {
  it('then acquiring says which lock file and why', async () => {
    const file = join(await createStateFilePath(), '..', 'missing-dir', 'state.json');
    await expect(acquireFileLock(file)).rejects.toThrow(
      /^cannot create the lock file .*missing-dir\/state\.json\.lock: ENOENT \(no such file or directory\)$/,
    );
  });
});
