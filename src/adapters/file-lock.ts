import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname as readHostname, uptime } from 'node:os';

// Not proper-lockfile: its only staleness test is the lock's age, so every restart after a crash would wait out
// the stale period (or, with a short period, a slow but live holder would lose its lock). On the same host a dead
// pid proves the lock abandoned at once; the age test is kept only for locks written by another host.

/** What a lock file records about its holder. */
export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  token: string;
}

/** An exclusive lock held by this process on `<target>.lock`. */
export interface FileLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Throws a {@link StateLockedError} if another process took the lock over (seen at the last refresh). */
  assertHeld(): void;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

/** Options of {@link acquireFileLock}; the defaults suit production. */
export interface FileLockOptions {
  /** How often the holder touches the lock so other hosts see it is alive; default 10 s. */
  refreshMs?: number;
  /** How long after its last touch another host's lock counts as abandoned; default 60 s. */
  staleMs?: number;
}

/** The lock is held by another process (or another store of this one); the message says who and what to do. */
export class StateLockedError extends Error {
  constructor(
    readonly target: string,
    readonly owner: LockOwner | null,
    message: string,
  ) {
    super(message);
    this.name = 'StateLockedError';
  }
}

const tokensHeldHere = new Set<string>();
// A takeover lasts milliseconds; a mutex older than this was left by a starter that crashed in the middle of one.
const takeoverStaleMs = 5_000;

/** Takes the exclusive lock `<target>.lock`, reclaiming a lock whose holder is provably gone. */
export async function acquireFileLock(target: string, options: FileLockOptions = {}): Promise<FileLock> {
  // The lock is compared with other processes and with file mtimes, so it reads the real clock, never an injected one.
  const now = () => new Date();
  const staleMs = options.staleMs ?? 60_000;
  const path = `${target}.lock`;
  const owner: LockOwner = { pid: process.pid, hostname: readHostname(), startedAt: now().toISOString(), token: randomBytes(8).toString('hex') };
  // Every turn creates the lock, refuses, or removes a stale lock; only waiting for a takeover mutex takes time.
  const deadline = Date.now() + takeoverStaleMs + 2_000;
  while (Date.now() < deadline) {
    if (await createLockFile(path, owner)) return startHolding(target, path, owner, now, options.refreshMs ?? 10_000);
    const found = await inspectLockFile(path);
    if (!found) continue;
    const heldBy = judgeLock(found, now().getTime(), staleMs);
    if (heldBy) throw new StateLockedError(target, found.owner, describeHolder(target, path, found, heldBy, staleMs));
    await takeOverStaleLock(path, found.text, owner);
  }
  throw new StateLockedError(target, null, `the lock ${path} keeps changing hands (several Paperboy processes are starting at once?); stop the others and try again`);
}

async function createLockFile(path: string, owner: LockOwner): Promise<boolean> {
  const text = `${JSON.stringify(owner)}\n`;
  // Written aside and hard-linked into place, so the lock never exists half-written (an empty lock proves nothing).
  const temp = `${path}.new-${owner.token}`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
  } catch (error) {
    throw new Error(`cannot create the lock file ${path}: ${describeSystemError(error)}`, { cause: error });
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return await createLockFileDirectly(path, text);
    throw new Error(`cannot create the lock file ${path}: ${describeSystemError(error)}`, { cause: error });
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

// For file systems without hard links: open('wx') is just as exclusive, but a crash can leave the file empty.
async function createLockFileDirectly(path: string, text: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(text).finally(() => handle.close());
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`cannot create the lock file ${path}: ${describeSystemError(error)}`, { cause: error });
  }
}

interface FoundLock {
  text: string;
  owner: LockOwner | null;
  modifiedMs: number;
}

async function inspectLockFile(path: string): Promise<FoundLock | null> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, owner: parseOwner(text), modifiedMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the lock file ${path}: ${describeSystemError(error)}`, { cause: error });
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner> | null;
    if (!value || typeof value.hostname !== 'string' || typeof value.token !== 'string' || typeof value.startedAt !== 'string') return null;
    // kill(0) and kill(-1) address process groups: such a pid must never be probed.
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return null;
    return { pid: value.pid, hostname: value.hostname, startedAt: value.startedAt, token: value.token };
  } catch {
    return null;
  }
}

type Holder = 'this-process' | 'live-process' | 'other-host' | 'unreadable';

function judgeLock(found: FoundLock, nowMs: number, staleMs: number): Holder | null {
  const { owner } = found;
  if (!owner) return nowMs - found.modifiedMs > staleMs ? null : 'unreadable';
  if (owner.hostname !== readHostname()) return nowMs - found.modifiedMs > staleMs ? null : 'other-host';
  if (tokensHeldHere.has(owner.token)) return 'this-process';
  // A restarted container is pid 1 again: our own pid in a lock we do not hold is a previous life of this process.
  if (owner.pid === process.pid) return null;
  // A lock older than the last boot is stale whatever its pid has become since.
  if (Date.parse(owner.startedAt) < nowMs - uptime() * 1000) return null;
  return isProcessAlive(owner.pid) ? 'live-process' : null;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

// Two starters that judged the same lock stale must not both remove it: the second would delete the lock the first
// has just created. (Renaming it aside and putting back what was not stale leaves the path empty for a moment, long
// enough for a third starter to slip in.) So removal happens under a short-lived mutex, after a second look.
async function takeOverStaleLock(path: string, staleText: string, owner: LockOwner): Promise<void> {
  const mutex = `${path}.takeover`;
  try {
    await writeFile(mutex, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot take over the abandoned lock ${path}: ${describeSystemError(error)}`, { cause: error });
    const info = await stat(mutex).catch(() => null);
    if (info && Date.now() - info.mtimeMs > takeoverStaleMs) await rm(mutex, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 20));
    return;
  }
  try {
    const again = await inspectLockFile(path);
    if (again?.text === staleText) await rm(path, { force: true });
  } catch (error) {
    throw new Error(`cannot remove the abandoned lock file ${path}: ${describeSystemError(error)}`, { cause: error });
  } finally {
    await rm(mutex, { force: true });
  }
}

function startHolding(target: string, path: string, owner: LockOwner, now: () => Date, refreshMs: number): FileLock {
  tokensHeldHere.add(owner.token);
  let takenBy: LockOwner | null | undefined;
  let released = false;
  let refreshing: Promise<void> = Promise.resolve();
  const refresh = async () => {
    const found = await inspectLockFile(path).catch(() => undefined);
    if (found === undefined || released) return;
    if (found?.owner?.token === owner.token) {
      const touched = now();
      await utimes(path, touched, touched).catch(() => undefined);
      return;
    }
    // Our lock was deleted while we run: put it back, unless someone else got there first.
    if (found === null && (await createLockFile(path, owner).catch(() => true))) return;
    takenBy = (found ?? (await inspectLockFile(path).catch(() => null)))?.owner ?? null;
    clearInterval(timer);
  };
  const timer = setInterval(() => {
    refreshing = refreshing.then(refresh);
  }, refreshMs);
  timer.unref();
  return {
    path,
    owner,
    assertHeld() {
      if (takenBy === undefined) return;
      const who = takenBy ? `pid ${takenBy.pid} on host ${takenBy.hostname}` : 'another process';
      throw new StateLockedError(target, takenBy, `the lock ${path} was taken over by ${who}; this process no longer saves ${target} (restart it once the other one is stopped)`);
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await refreshing;
      tokensHeldHere.delete(owner.token);
      // Only our own lock is removed: after a takeover the file belongs to the new holder.
      const found = await inspectLockFile(path).catch(() => null);
      if (found?.owner?.token === owner.token) await rm(path, { force: true });
    },
  };
}

function describeHolder(target: string, path: string, found: FoundLock, holder: Holder, staleMs: number): string {
  const { owner } = found;
  const abandonedAt = new Date(found.modifiedMs + staleMs).toISOString();
  if (holder === 'this-process') return `${target} is already open in this process (since ${owner?.startedAt}); close that store first`;
  if (holder === 'unreadable' || !owner) {
    return `the lock file ${path} cannot be read (it is being created, or its creator crashed); if no other Paperboy is running, delete it (it counts as abandoned at ${abandonedAt})`;
  }
  const who = `another Paperboy process (pid ${owner.pid} on host ${owner.hostname}, since ${owner.startedAt}) is using ${target}`;
  const advice = `stop it first, or, if it is gone, delete ${path}`;
  if (holder === 'other-host') return `${who}; ${advice} (a lock from another host counts as abandoned ${staleMs / 1000} s after its holder last refreshed it, at ${abandonedAt})`;
  return `${who}; ${advice}`;
}

/** Formats a Node system error as `CODE (what it means)`, e.g. `ENOSPC (no space left on device)`. */
export function describeSystemError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (!code) return error instanceof Error ? error.message : String(error);
  const meaning = new RegExp(`^${code}: ([^,]+)`).exec(message ?? '')?.[1];
  return meaning ? `${code} (${meaning})` : code;
}
