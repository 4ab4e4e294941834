import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeSnapshot } from './snapshot-files.js';

/** What Paperboy remembers of one URL: its ETag, and which part of which snapshot the answer became. */
export interface EtagEntry {
  etag: string;
  /** The snapshot (relative to the corpus folder) that holds this answer. */
  file: string;
  /** The SHA-256 of that snapshot when it was written: a 304 is trusted only while the file is unchanged. */
  sha256: string;
  /** Where this answer's items start in the snapshot, and how many there are (pages of the daily list). */
  start: number;
  count: number;
}

const entrySchema = z.object({
  etag: z.string().min(1),
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  start: z.number().int().min(0),
  count: z.number().int().min(0),
});
const cacheSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), entrySchema) });

/**
 * The ETags of one source, in a small sidecar file next to its snapshots (e.g. `hf-daily/.etags`; no corpus
 * extension, so the corpus reader never mistakes it for papers). It is only a cache: a missing or damaged file
 * costs one full download, nothing else.
 */
export interface EtagCache {
  /** The remembered entry of a URL, if any. */
  get(url: string): EtagEntry | null;
  /** Remembers a URL's answer. */
  set(url: string, entry: EtagEntry): void;
  /** Keeps a URL's entry as it is (it was asked for in this fetch). */
  keep(url: string): void;
  /** Writes the entries of the URLs set or kept in this fetch (the others are dropped), atomically, if anything changed. */
  save(): Promise<void>;
}

/** Opens the ETag sidecar `file` (relative to `corpusDir`). */
export async function openEtagCache(corpusDir: string, file: string): Promise<EtagCache> {
  const path = join(corpusDir, file);
  let loadedText = '';
  let entries: Record<string, EtagEntry> = {};
  try {
    loadedText = await readFile(path, 'utf8');
    const parsed = cacheSchema.safeParse(JSON.parse(loadedText));
    if (parsed.success) entries = parsed.data.entries;
  } catch {
    // Missing or unreadable: start empty (see above).
  }
  const used = new Map<string, EtagEntry>();
  return {
    get: (url) => entries[url] ?? null,
    set(url, entry) {
      used.set(url, entry);
    },
    keep(url) {
      const entry = entries[url];
      if (entry && !used.has(url)) used.set(url, entry);
    },
    async save() {
      // Nothing remembered and nothing to forget: no sidecar file for nothing.
      if (used.size === 0 && !loadedText) return;
      const next = { version: 1 as const, entries: Object.fromEntries([...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
      const text = `${JSON.stringify(next, null, 2)}\n`;
      if (text === loadedText) return;
      await writeSnapshot(corpusDir, file, text);
      loadedText = text;
      entries = next.entries;
    },
  };
}
