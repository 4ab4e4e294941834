import { createHash } from 'node:crypto';
import { type FileHandle, link, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseStateText, StateFileError } from '../core/state-migrations.js';
import type { State } from '../core/legacy-state.js';
import { syncDirectory } from './durable-file.js';
import { describeSystemError } from './file-lock.js';

export { StateFileError } from '../core/state-migrations.js';

/** The JSON state file of the releases before the database, read for its import. */
export interface LegacyStateFile {
  state: State;
  /** Its content's hash: an import records it, so the same file found again later is known to be imported. */
  sha256: string;
}

/** Reads, migrates and validates a JSON state file; null when there is none; a {@link StateFileError} when it is unusable. */
export async function readLegacyStateFile(file: string): Promise<LegacyStateFile | null> {
  let handle: FileHandle | undefined;
  let bytes: Buffer;
  try {
    handle = await open(file, 'r');
    bytes = await handle.readFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
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
  return { state: parseStateText(text, file), sha256: hashBytes(bytes) };
}

/** The sha256 of a file's bytes, in hex. */
export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Renames an imported state file to `<file>.imported` (`.imported-2`, ... when taken: an earlier import's copy is
 * never overwritten), durably. The file is kept, never deleted: it is the admin's copy of what was imported.
 */
export async function keepImportedFile(file: string): Promise<string> {
  for (let n = 1; ; n += 1) {
    const target = `${file}.imported${n === 1 ? '' : `-${n}`}`;
    try {
      // link + unlink, not rename: rename would replace an existing target in silence.
      await link(file, target);
      await unlink(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS')
        throw new Error(`cannot rename the imported state file ${file}: ${describeSystemError(error)}`, { cause: error });
      // A file system without hard links: one process owns the folder (the database's lock), so check, then rename.
      if (
        await stat(target).then(
          () => true,
          () => false,
        )
      )
        continue;
      await rename(file, target);
    }
    await syncDirectory(dirname(file));
    return target;
  }
}
