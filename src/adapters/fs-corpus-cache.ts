import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import * as zlib from 'node:zlib';
import type { SearchIndexStore } from '../app/corpus-catalog.js';
import type { Logger } from '../app/ports.js';
import { decodeIndexImage, encodeIndexImage, type IndexImage } from '../core/search.js';
import type { CorpusRecord, StoredCorpus } from './fs-corpus.js';

/** The parsed corpus and its search index kept on disk, so that a start with an unchanged corpus parses and indexes nothing. */
export interface FsCorpusCache {
  corpus: StoredCorpus;
  index: SearchIndexStore;
}

/** Where the cache lives: a `cache` folder in DATA_DIR, beside the database. */
export function cacheDirFor(dataDir: string): string {
  return join(dataDir, 'cache');
}

const FORMAT = 1;
const CORPUS_FILE = 'corpus.bin';
const INDEX_FILE = 'search-index.bin';

/**
 * Opens the cache in `dir`. Every entry names the code that wrote it (a digest of the parsing and search code and of
 * the Node.js Unicode data) and carries a checksum: an entry written by another release, damaged or cut short is
 * never used; it is rebuilt, with a log line saying why. Writes go to a temporary file renamed into place.
 */
export function createFsCorpusCache(dir: string, logger: Logger): FsCorpusCache {
  let code: Promise<string> | null = null;
  const codeVersion = () => (code ??= computeCodeVersion());
  const distrust = (what: string, reason: string) =>
    logger.warn({ cache: dir, reason }, `cached ${what} not used (${reason}); rebuilding it`);

  // The index is read from disk while the corpus is deserialised (a start needs both): see readEntry.
  let prefetched: Promise<Buffer | null> | null = null;
  const readBytes = (file: string): Promise<Buffer | null> => {
    if (file === INDEX_FILE && prefetched) {
      const bytes = prefetched;
      prefetched = null;
      return bytes;
    }
    return readFile(join(dir, file)).catch(() => null);
  };

  /** An entry's body when its header names this code, `expected` and a matching checksum; else null (logged). */
  async function readEntry(file: string, what: string, expected: Record<string, unknown>): Promise<Buffer | null> {
    const bytes = await readBytes(file);
    if (!bytes) return null;
    const entry = splitEntry(bytes);
    const header = (entry?.header ?? {}) as Record<string, unknown>;
    const reason = !entry
      ? 'damaged'
      : header.format !== FORMAT || header.code !== (await codeVersion())
        ? 'written by another release'
        : Object.entries(expected).some(([name, value]) => header[name] !== value)
          ? 'made for another corpus'
          : header.checksum !== checksum(entry.body)
            ? 'damaged'
            : null;
    if (reason) {
      distrust(what, reason);
      return null;
    }
    return entry!.body;
  }

  async function writeEntry(file: string, fields: Record<string, unknown>, body: Uint8Array): Promise<void> {
    const header = JSON.stringify({ format: FORMAT, code: await codeVersion(), ...fields, checksum: checksum(body) });
    // Padded so that the body starts 8-byte aligned: the index's arrays are then read in place, without a copy.
    const line = `${header}${' '.repeat((8 - ((Buffer.byteLength(header) + 1) % 8)) % 8)}\n`;
    await writeAtomically(join(dir, file), [Buffer.from(line), body]);
  }

  const corpus: StoredCorpus = {
    async read() {
      prefetched = readFile(join(dir, INDEX_FILE)).catch(() => null);
      const body = await readEntry(CORPUS_FILE, 'parsed corpus', {});
      if (!body) return null;
      try {
        // One serialisation keeps the papers shared between the files and the merged corpus.
        return deserialize(body) as CorpusRecord;
      } catch {
        distrust('parsed corpus', 'damaged');
        return null;
      }
    },
    async write(record) {
      try {
        await writeEntry(CORPUS_FILE, {}, serialize(record));
      } catch (error) {
        logger.warn({ cache: dir, err: error }, 'cannot keep the parsed corpus; it will be parsed again at the next start');
      }
    },
  };

  const index: SearchIndexStore = {
    async load(version) {
      const body = await readEntry(INDEX_FILE, 'search index', { version });
      if (!body) return null;
      try {
        return decodeIndexImage(body);
      } catch (error) {
        distrust('search index', error instanceof Error ? error.message : String(error));
        return null;
      }
    },
    async save(version, image: IndexImage) {
      await writeEntry(INDEX_FILE, { version }, encodeIndexImage(image));
    },
  };
  return { corpus, index };
}

/** A cache entry: one JSON header line, then the body. */
function splitEntry(bytes: Buffer): { header: unknown; body: Buffer } | null {
  const end = bytes.indexOf(0x0a);
  if (end < 0) return null;
  try {
    return { header: JSON.parse(bytes.subarray(0, end).toString('utf8')), body: bytes.subarray(end + 1) };
  } catch {
    return null;
  }
}

/** A checksum against damage (not an identity): CRC-32 where Node has it (20.15 and later), else SHA-256. */
function checksum(bytes: Uint8Array): string {
  const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  return crc32 ? `crc32:${crc32(bytes)}` : `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function writeAtomically(path: string, chunks: Uint8Array[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, chunks);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * A digest of the code whose output the cache keeps: the core (parsing, identity, merging, search) and the corpus
 * reader, as built, plus the Node.js version and its Unicode data (folding and regular expressions depend on them).
 */
async function computeCodeVersion(): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${process.version}\u0000${process.versions.icu ?? ''}\u0000${process.versions.unicode ?? ''}\u0000`);
  const here = dirname(fileURLToPath(import.meta.url));
  const files = [
    ...(await listFiles(join(here, '..', 'core'))),
    ...(await listFiles(here)).filter((file) => /[/\\]fs-corpus\.[jt]s$/.test(file)),
  ];
  for (const file of files.sort()) {
    hash.update(`${relative(here, file)}\u0000`);
    hash.update(await readFile(file));
  }
  return hash.digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (/\.[jt]s$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}
