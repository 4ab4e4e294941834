import { randomBytes } from 'node:crypto';
import { link, open, rm, utimes, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { OperatorError } from '../core/errors.js';
import { isProcessAlive, type ProcessIdentity, readOwnIdentity } from './process-identity.js';
import { systemClock } from './system-clock.js';

// Not proper-lockfile: its only staleness test is the lock's age, so every restart after a crash would wait out
// the stale period, and a wall-clock step makes a live holder look stale. Here the holder is named by a random
// token, never by its pid or hostname (in containers every Paperboy is pid 1, often on the same hostname), and
// there are two ways to learn that it is gone:
// - its pid, but only when that pid means the same process here: same boot, same PID namespace, same start time
//   (a reused pid starts later). A crashed holder on the same host and namespace is then reclaimed at once;
// - otherwise (another container, another host, a previous boot, an unreadable lock) its heartbeat: the holder
//   touches the lock every refreshMs, and a waiter watches it for staleMs on its own monotonic clock. The lock's
//   mtime is only compared with itself, never with a clock, so no wall-clock step on either side can make a live
//   holder look stale; a live holder loses the lock only if it misses every refresh for staleMs (frozen, suspended,
//   or on a shared volume that hides its updates).

/** What a lock file records about its holder. */
export interface LockOwner extends ProcessIdentity {
  /** When it took the lock, by its own wall clock: for people only, never compared. */
  startedAt: string;
  /** Random, unique to this holding: the only thing that says a lock is ours. */
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
  /** How often the holder touches the lock to show it is alive; default 5 s. */
  refreshMs?: number;
  /** How long a lock whose holder cannot be checked by pid must stay untouched to count as abandoned; default 30 s. */
  staleMs?: number;
  /** Overrides parts of this process's identity (tests stand in for containers with it). */
  identity?: Partial<ProcessIdentity>;
}

/** The lock is held by another process (or another store of this one); the message says who and what to do. */
export class StateLockedError extends OperatorError {
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
// A takeover lasts milliseconds; a mutex left unchanged this long was left by a starter that crashed in one.
const takeoverStaleMs = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the exclusive lock `<target>.lock`, reclaiming a lock whose holder is provably gone. */
export async function acquireFileLock(target: string, options: FileLockOptions = {}): Promise<FileLock> {
  const refreshMs = options.refreshMs ?? 5_000;
  const staleMs = options.staleMs ?? 30_000;
  // A stand-in pid has no known start time: its holder is then judged by its heartbeat.
  const unknownStart = options.identity?.pid !== undefined && options.identity.processStart === undefined ? { processStart: null } : {};
  const self: ProcessIdentity = { ...(await readOwnIdentity()), ...unknownStart, ...options.identity };
  const path = `${target}.lock`;
  const owner: LockOwner = { ...self, startedAt: systemClock.now().toISOString(), token: randomBytes(8).toString('hex') };
  const mutexWatch: Watch = { key: null, since: 0 };
  // Each turn creates the lock, refuses, removes an abandoned lock, or watches one (at most staleMs).
  const deadline = performance.now() + 3 * staleMs + takeoverStaleMs + 2_000;
  while (performance.now() < deadline) {
    if (await createLockFile(path, owner)) return startHolding(target, path, owner, refreshMs);
    const found = await inspectLockFile(path);
    if (!found) continue;
    let verdict = await judgeByProcess(found.owner, self);
    if (verdict === 'unknown') verdict = await watchHeartbeat(path, found, staleMs, Math.min(Math.max(refreshMs / 2, 10), 1_000));
    if (verdict === 'changed') continue;
    if (verdict !== 'gone') throw new StateLockedError(target, found.owner, describeHolder(target, path, found, verdict, staleMs));
    await takeOverStaleLock(path, found, owner, mutexWatch);
  }
  throw new StateLockedError(
    target,
    null,
    `the lock ${path} keeps changing hands (several Paperboy processes are starting at once?); stop the others and try again`,
  );
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
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS')
      return await createLockFileDirectly(path, text);
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
  /** Only ever compared with another reading of the same file, never with a clock. */
  modifiedMs: number;
  inode: number;
}

async function inspectLockFile(path: string): Promise<FoundLock | null> {
  try {
    // Opened before stat: on NFS, open revalidates the cached attributes, so a holder's refresh is seen.
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      const text = await handle.readFile('utf8');
      return { text, owner: parseOwner(text), modifiedMs: info.mtimeMs, inode: info.ino };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the lock file ${path}: ${describeSystemError(error)}`, { cause: error });
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<Record<keyof LockOwner, unknown>> | null;
    if (!value || typeof value.hostname !== 'string' || typeof value.token !== 'string' || typeof value.startedAt !== 'string') return null;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return null;
    // Locks written before these fields existed have none: their holder is judged by its heartbeat.
    const optional = (field: unknown) => (typeof field === 'string' && field !== '' ? field : null);
    return {
      pid: value.pid,
      hostname: value.hostname,
      bootId: optional(value.bootId),
      pidNamespace: optional(value.pidNamespace),
      processStart: optional(value.processStart),
      startedAt: value.startedAt,
      token: value.token,
    };
  } catch {
    return null;
  }
}

type Verdict = 'this-process' | 'live-process' | 'live-heartbeat' | 'gone' | 'changed' | 'unknown';

async function judgeByProcess(holder: LockOwner | null, self: ProcessIdentity): Promise<Verdict> {
  if (!holder) return 'unknown';
  if (tokensHeldHere.has(holder.token)) return 'this-process';
  // A pid means the same process only within one boot and one PID namespace; elsewhere it names a stranger.
  if (
    !self.bootId ||
    !self.pidNamespace ||
    !holder.processStart ||
    holder.bootId !== self.bootId ||
    holder.pidNamespace !== self.pidNamespace
  )
    return 'unknown';
  let alive: boolean;
  try {
    // A reused pid (a restarted container is pid 1 again, in a namespace whose number the kernel reused) starts later.
    alive = await isProcessAlive(holder.pid, holder.processStart);
  } catch {
    return 'unknown';
  }
  if (!alive) return 'gone';
  return holder.pid === self.pid && holder.processStart === self.processStart ? 'this-process' : 'live-process';
}

/** Watches a lock for `staleMs` on this process's monotonic clock: a live holder touches it every refreshMs. */
async function watchHeartbeat(path: string, found: FoundLock, staleMs: number, pollMs: number): Promise<Verdict> {
  const since = performance.now();
  while (performance.now() - since < staleMs) {
    await sleep(pollMs);
    const again = await inspectLockFile(path);
    if (!again || again.text !== found.text || again.inode !== found.inode) return 'changed';
    if (again.modifiedMs !== found.modifiedMs) return found.owner ? 'live-heartbeat' : 'changed';
  }
  return 'gone';
}

interface Watch {
  key: string | null;
  since: number;
}

// Two starters that judged the same lock stale must not both remove it: the second would delete the lock the first
// has just created. (Renaming it aside and putting back what was not stale leaves the path empty for a moment, long
// enough for a third starter to slip in.) So removal happens under a short-lived mutex, after a second look.
async function takeOverStaleLock(path: string, stale: FoundLock, owner: LockOwner, mutexWatch: Watch): Promise<void> {
  const mutex = `${path}.takeover`;
  try {
    await writeFile(mutex, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new Error(`cannot take over the abandoned lock ${path}: ${describeSystemError(error)}`, { cause: error });
    // Like a lock, a mutex is judged abandoned by watching it stay unchanged on the monotonic clock, not by its age.
    const seen = await inspectLockFile(mutex).catch(() => null);
    const key = seen ? `${seen.inode}:${seen.modifiedMs}:${seen.text}` : null;
    if (key === null || key !== mutexWatch.key) Object.assign(mutexWatch, { key, since: performance.now() });
    else if (performance.now() - mutexWatch.since > takeoverStaleMs) {
      const again = await inspectLockFile(mutex).catch(() => null);
      if (again?.text === seen?.text) await rm(mutex, { force: true });
      return;
    }
    await sleep(20);
    return;
  }
  try {
    const again = await inspectLockFile(path);
    if (again && again.text === stale.text && again.inode === stale.inode && again.modifiedMs === stale.modifiedMs)
      await rm(path, { force: true });
  } catch (error) {
    throw new Error(`cannot remove the abandoned lock file ${path}: ${describeSystemError(error)}`, { cause: error });
  } finally {
    await rm(mutex, { force: true });
  }
}

function startHolding(target: string, path: string, owner: LockOwner, refreshMs: number): FileLock {
  tokensHeldHere.add(owner.token);
  let takenBy: LockOwner | null | undefined;
  let released = false;
  let refreshing: Promise<void> = Promise.resolve();
  const refresh = async () => {
    const found = await inspectLockFile(path).catch(() => undefined);
    if (found === undefined || released) return;
    if (found?.owner?.token === owner.token) {
      // Watchers only compare the mtime with its last value, so it must change at every refresh, whatever the
      // clock does: 2 s past the last value at least (FAT keeps 2-second mtimes).
      const touched = new Date(Math.max(systemClock.now().getTime(), found.modifiedMs + 2_000));
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
      throw new StateLockedError(
        target,
        takenBy,
        `the lock ${path} was taken over by ${who}; this process no longer saves ${target} (restart it once the other one is stopped)`,
      );
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

function describeHolder(target: string, path: string, found: FoundLock, verdict: Verdict, staleMs: number): string {
  const { owner } = found;
  if (verdict === 'this-process') return `${target} is already open in this process (since ${owner?.startedAt}); close that store first`;
  if (!owner) return `the lock file ${path} cannot be read; if no other Paperboy is running, delete it`;
  const who = `another Paperboy process (pid ${owner.pid} on host ${owner.hostname}, since ${owner.startedAt}) is using ${target}`;
  const advice = `stop it first, or, if it is gone, delete ${path}`;
  if (verdict === 'live-heartbeat') {
    return `${who}; ${advice} (it runs in another container or on another host, where its pid cannot be checked, and it refreshed its lock while we watched; a lock left untouched for ${staleMs / 1000} s counts as abandoned)`;
  }
  return `${who}; ${advice}`;
}

/** Formats a Node system error as `CODE (what it means)`, e.g. `ENOSPC (no space left on device)`. */
export function describeSystemError(error: unknown): string {
  const { code, message } = error as Partial<NodeJS.ErrnoException>;
  if (!code) return error instanceof Error ? error.message : String(error);
  const meaning = new RegExp(`^${code}: ([^,]+)`).exec(message ?? '')?.[1];
  return meaning ? `${code} (${meaning})` : code;
}
