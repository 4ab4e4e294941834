import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { readCorpusFile } from '../../core/formats/index.js';
import { syncDirectory, writeFileDurably } from '../durable-file.js';

/** A snapshot file as it is on disk now. */
export interface Snapshot {
  bytes: Buffer;
  sha256: string;
}

/** The SHA-256 of some content, hex. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads a snapshot, or null when there is none (or it cannot be read: the fetch then treats it as missing). */
export async function readSnapshot(path: string): Promise<Snapshot | null> {
  try {
    const bytes = await readFile(path);
    return { bytes, sha256: sha256(bytes) };
  } catch {
    return null;
  }
}

/** How many papers the corpus reader finds in a snapshot (0 when none, or the file is not a corpus file at all). */
export function countSnapshotPapers(snapshot: Snapshot | null, file: string, referenceDate: string): number | null {
  if (!snapshot) return null;
  return readCorpusFile(snapshot.bytes, { file, referenceDate }).papers.length;
}

/**
 * Writes a snapshot below the corpus folder atomically and durably (temp file, fsync, rename, directory fsync),
 * creating its folders, each made durable too, so a crash never leaves half a snapshot or loses a new folder.
 */
export async function writeSnapshot(corpusDir: string, file: string, data: string | Uint8Array): Promise<void> {
  const path = join(corpusDir, file);
  await makeDirectoryDurably(dirname(path));
  await writeFileDurably(path, data);
}

async function makeDirectoryDurably(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (!created) return;
  // Every new level's entry lives in its parent: sync from the deepest new folder up to the parent of the first.
  for (let level = dir; ; level = dirname(level)) {
    await syncDirectory(dirname(level));
    if (level === created || relative(created, level).startsWith('..') || dirname(level) === level) break;
  }
}
