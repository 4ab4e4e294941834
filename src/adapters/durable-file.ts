import { randomBytes } from 'node:crypto';
import { type FileHandle, open, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Infix of the temp files {@link writeFileDurably} writes next to their target (`<name>.tmp-<16 hex digits>`). */
export const TEMP_FILE_INFIX = '.tmp-';

/** Mode and owner to give a rewritten file, so an admin's `chmod 600` survives the rewrite. */
export interface FileOwnership {
  mode: number;
  uid: number;
  gid: number;
}

// Not write-file-atomic: it issues a single write() and ignores a short count, so on a nearly full disk it renames
// a truncated file over the good one (seen on a 64 KiB tmpfs); it also never fsyncs the directory after the rename.
/**
 * Replaces a file's content atomically and durably: a temp file next to it, every byte written, fsync, rename over
 * the target, fsync of the directory. A crash at any point leaves either the old content or the new, never a mix.
 */
export async function writeFileDurably(file: string, data: string | Uint8Array, stats: FileOwnership | null = null): Promise<void> {
  // A symlinked file stays a symlink: the new content replaces its target, next to which the temp file goes.
  const target = await realpath(file).catch(() => file);
  const dir = dirname(target);
  const temp = join(dir, `${basename(target)}${TEMP_FILE_INFIX}${randomBytes(8).toString('hex')}`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', stats?.mode ?? 0o666);
    if (stats) {
      await handle.chmod(stats.mode);
      // Best effort: root in a user namespace may not be able to give the file back to its owner.
      if (process.getuid?.() === 0) await handle.chown(stats.uid, stats.gid).catch(() => undefined);
    }
    // FileHandle.writeFile loops until every byte is written, so a full disk fails here instead of truncating.
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

// Without this the rename may still be only in memory when the power goes, and the old file comes back.
/** Flushes a directory's entries (renames, new files) to disk where the platform allows it. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Windows cannot open a directory, and some file systems cannot fsync one: nothing more can be done there.
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
