import { systemClock } from './system-clock.js';
import { type FileHandle, mkdir, open, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { StateStore } from '../app/ports.js';
import { OperatorError } from '../core/errors.js';
import { listStateProblems, parseStateText, StateFileError } from '../core/state-migrations.js';
import { createEmptyState, type State } from '../core/state.js';
import { acquireFileLock, describeSystemError, type FileLock, type FileLockOptions } from './file-lock.js';
import { syncDirectory, TEMP_FILE_INFIX, writeFileDurably } from './durable-file.js';

export { StateFileError } from '../core/state-migrations.js';
export { StateLockedError } from './file-lock.js';

/** Options of {@link openStateStore}. */
export interface OpenStateStoreOptions {
  /** Take `<file>.lock` so a second process refuses to start (with these lock options, if given); default true. */
  lock?: boolean | FileLockOptions;
  /** The clock for `updatedAt`; default the system clock. */
  now?: () => Date;
}

/** Saving the state failed; the store keeps its last good state and the next update tries again. */
export class StateWriteError extends OperatorError {
  constructor(
    readonly file: string,
    readonly code: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StateWriteError';
  }
}

// Temp files carry this infix and a random suffix, so leftovers of a crash are recognisable and nothing else is.
const tempInfix = TEMP_FILE_INFIX;
const tempSuffix = /^[0-9a-f]{16}$/;

/** Reads the state file without locking it (for dry runs and status); a missing file is the empty state. */
export async function readStateFile(file: string): Promise<State> {
  return (await loadStateFile(file)).state;
}

/** Opens the state file for the one process that may change it: locks it, loads it and saves every update durably. */
export async function openStateStore(file: string, options: OpenStateStoreOptions = {}): Promise<StateStore> {
  const now = options.now ?? (() => systemClock.now());
  try {
    const created = await mkdir(dirname(file), { recursive: true });
    // A new directory must itself be durable, or a power cut could take the first saved state with it.
    if (created) await syncDirectory(dirname(created));
  } catch (error) {
    throw new StateFileError(file, `cannot create the directory of state file ${file}: ${describeSystemError(error)}`);
  }
  const lock = options.lock === false ? null : await acquireFileLock(file, options.lock === true ? {} : options.lock);
  try {
    const loaded = await loadStateFile(file);
    // Only the lock holder writes temp files, so with the lock every one of them is a crash's leftover.
    if (lock) await removeLeftoverTempFiles(file);
    return createStore(file, loaded, lock, now);
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

interface LoadedState {
  state: State;
  /** Mode and owner of the existing file, kept on rewrite so an admin's `chmod 600` survives. */
  stats: { mode: number; uid: number; gid: number } | null;
}

async function loadStateFile(file: string): Promise<LoadedState> {
  let handle: FileHandle | undefined;
  let bytes: Buffer;
  let stats: LoadedState['stats'];
  try {
    handle = await open(file, 'r');
    const info = await handle.stat();
    stats = { mode: info.mode & 0o777, uid: info.uid, gid: info.gid };
    bytes = await handle.readFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: createEmptyState(), stats: null };
    throw new StateFileError(
      file,
      `state file ${file} cannot be read: ${describeSystemError(error)}. It was left untouched; check its permissions and the disk.`,
    );
  } finally {
    await handle?.close().catch(() => undefined);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new StateFileError(
      file,
      `state file ${file} is corrupt: it is not UTF-8 text. It was left untouched. Restore it from a backup, or move it away to start with an empty state (every paper would then be posted again).`,
    );
  }
  return { state: parseStateText(text, file), stats };
}

function createStore(file: string, loaded: LoadedState, lock: FileLock | null, now: () => Date): StateStore {
  let current = loaded.state;
  let queue: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | null = null;

  const save = async (change: (state: State) => State): Promise<State> => {
    lock?.assertHeld();
    const next: State = { ...change(current), updatedAt: now().toISOString() };
    const problems = listStateProblems(next);
    // A bug in a transition must not reach the disk, where it would stop the next start.
    if (problems.length > 0)
      throw new Error(`refusing to save state to ${file}: the change made it invalid (a bug):\n${problems.join('\n')}`);
    try {
      await writeFileDurably(file, serializeState(next), loaded.stats);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new StateWriteError(
        file,
        code,
        `cannot save state to ${file}: ${describeSystemError(error)}; nothing more will be posted until it can be saved`,
        { cause: error },
      );
    }
    current = next;
    return next;
  };

  return {
    read: () => current,
    update(change) {
      if (closing) return Promise.reject(new Error(`the state store of ${file} is closed; the change was not saved`));
      const result = queue.then(() => save(change));
      queue = result.catch(() => undefined);
      return result;
    },
    close() {
      // Updates already queued still finish: a graceful stop must not drop a save it acknowledged the start of.
      closing ??= queue.then(() => lock?.release());
      return closing;
    },
  };
}

/** Formats the state as the file holds it: 2-space JSON and a final newline, for admins who read, diff or back it up. */
export function serializeState(state: State): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

async function removeLeftoverTempFiles(file: string): Promise<void> {
  const prefix = `${basename(file)}${tempInfix}`;
  const names = await readdir(dirname(file)).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix) && tempSuffix.test(name.slice(prefix.length)))
      await rm(join(dirname(file), name), { force: true }).catch(() => undefined);
  }
}
