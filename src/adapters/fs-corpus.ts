import { createHash } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import type { ParsedCorpus } from '../core/corpus.js';
import { mergeCorpora } from '../core/corpus-merge.js';
import { OperatorError } from '../core/errors.js';
import { type CorpusFileRead, decodeCorpusBytes, readCorpusText } from '../core/formats/index.js';
import { type CorpusFileProblem, type CorpusWarning, identifyPaper, type Paper } from '../core/paper.js';

/** What one corpus file gave: the format that read it, its papers after merging, and why it gave none if skipped. */
export interface CorpusFileSummary {
  /** Path relative to the corpus directory, with `/` between folders. */
  file: string;
  /** The format that read it (`plain-text`, `daily-papers-json`, ...), or null when none did or it was skipped. */
  format: string | null;
  /** Papers this file contributes after merging (a copy of a paper seen in an earlier file counts there). */
  papers: number;
  warnings: number;
  bytes: number;
  /** True when the file's entries did not look like papers, so nothing from it is used. */
  quarantined: boolean;
  /** Why the file gives nothing, for an admin (skipped or quarantined); absent when it was read. */
  problem?: string;
}

/** The whole corpus of a directory, plus what each file gave. */
export interface LoadedCorpus extends ParsedCorpus {
  dir: string;
  files: CorpusFileSummary[];
  /** The files skipped or quarantined, with why: what `/digest status` and health show. */
  problems: CorpusFileProblem[];
  /** With a store: a digest of every readable file's key, in order; the same version gives the same papers. */
  version?: string;
  /** Files parsed by this load; the others came from the cache or the kept corpus unparsed. */
  parsed: number;
  /**
   * With a store that kept another corpus before this load: its papers and version (a search index kept for it is
   * updated with what changed instead of being rebuilt).
   */
  previous?: { papers: Paper[]; version: string };
}

/** Options for {@link loadCorpus}. */
export interface LoadCorpusOptions {
  /** `YYYY-MM-DD` for yearless dates; by default each file's last-modified day (UTC). */
  referenceDate?: string;
  /**
   * Parsed files kept between loads: a file whose size and modification time did not change is not parsed again
   * (the bot re-reads the corpus at every digest; parsing 100,000 papers takes seconds).
   */
  cache?: Map<string, CachedCorpusFile>;
  /**
   * The corpus kept between runs (on disk): a file read before with the same bytes, name and reference date is not
   * parsed again, and an unchanged corpus is not merged again (see {@link StoredCorpus}).
   */
  stored?: StoredCorpus;
}

/** What identifies a parsed corpus file: its name, its reference date, a digest of its bytes. */
export interface CorpusPartKey {
  file: string;
  referenceDate: string;
  sha256: string;
}

/** A corpus as kept: each readable file's key and what it gave, in path order, and the merged corpus. */
export interface CorpusRecord {
  files: Array<{ key: CorpusPartKey; part: CorpusPart }>;
  merged: ParsedCorpus;
}

/**
 * Where the parsed corpus is kept between runs. The merged papers are the files' own paper objects wherever a
 * paper has a single copy, and the record keeps them shared: the corpus is in memory once.
 */
export interface StoredCorpus {
  read(): Promise<CorpusRecord | null>;
  write(record: CorpusRecord): Promise<void>;
}

/** A parsed corpus file and what identifies its version on disk. */
export interface CachedCorpusFile {
  size: number;
  mtimeMs: number;
  part: CorpusPart;
  /** The file's key in the store, when it went through one. */
  key?: CorpusPartKey;
}

/** One file as read: the registry's answer (papers identified) and its size. */
export interface CorpusPart {
  read: CorpusFileRead;
  bytes: number;
  problem?: string;
}

/** A corpus directory that cannot be listed: the message names the directory and what to do. */
export class CorpusDirectoryError extends OperatorError {
  constructor(message: string) {
    super(message);
    this.name = 'CorpusDirectoryError';
  }
}

/**
 * The extensions of corpus files (case aside); the content, not the extension, decides the format. `.xml`: the arXiv
 * feed snapshots that `SOURCES=arxiv:<category>` writes.
 */
export const CORPUS_EXTENSIONS = ['.txt', '.md', '.json', '.jsonl', '.xml'] as const;

/**
 * Reads every `.txt`, `.md`, `.json`, `.jsonl` and `.xml` file of a corpus directory and its sub-folders, in path order,
 * each with the format that recognises its content, into one merged corpus (see {@link mergeCorpora}). Dot-files
 * and dot-folders (a fetcher's `.etags.json`, a ConfigMap's `..data`) are not read; symbolic links to files inside
 * the directory count as files (a Kubernetes ConfigMap mount is made of them), links to folders are not followed.
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<LoadedCorpus> {
  const entries = await listCorpusFiles(dir);
  const parts: ParsedCorpus[] = [];
  const files: CorpusFileSummary[] = [];
  const memory = options.cache ? rememberedFor(options.cache) : null;
  // The stored corpus is read while the files are: file reads run in the thread pool beside the main thread.
  const storing = options.stored ? readStored(options.stored, memory) : null;
  const read = await mapInOrder(entries, FILES_AT_ONCE, (entry): Promise<{ part: CorpusPart; key?: CorpusPartKey; parsed?: boolean }> =>
    entry.skipped
      ? Promise.resolve({ part: skippedPart(entry.name, entry.skipped) })
      : readCachedCorpusFile(join(dir, ...entry.name.split('/')), entry.name, options, storing),
  );
  const stored = await storing;
  const kept: CorpusRecord['files'] = read.flatMap(({ part, key }) => (key ? [{ key, part }] : []));
  for (const [i, { part }] of read.entries()) {
    parts.push({ papers: part.read.papers, warnings: part.read.warnings });
    files.push({
      file: entries[i]!.name,
      format: part.read.format,
      papers: part.read.papers.length,
      warnings: part.read.warnings.length,
      bytes: part.bytes,
      quarantined: part.read.quarantined,
      ...(part.problem ? { problem: part.problem } : {}),
    });
  }
  // The same parts (the very same objects) merge into the same corpus: merging 100,000 papers again is skipped.
  const same = (a: readonly ParsedCorpus[] | undefined) =>
    !!a && a.length === parts.length && a.every((part, i) => part.papers === parts[i]!.papers && part.warnings === parts[i]!.warnings);
  const sameAsStored = !!stored?.record && sameKeys(stored.record.files, kept);
  const merged: ParsedCorpus = same(memory?.parts) ? memory!.merged! : sameAsStored ? stored.record!.merged : mergeCorpora(parts);
  if (memory) [memory.parts, memory.merged] = [parts, merged];
  const previous =
    options.stored && !sameAsStored && stored?.record
      ? { papers: stored.record.merged.papers, version: versionOf(stored.record.files) }
      : null;
  if (options.stored && !sameAsStored) {
    await options.stored.write({ files: kept, merged });
    // What is kept now replaces what was read at start: older parses are not held on to.
    stored!.record = { files: kept, merged };
    stored!.byKey = new Map(kept.map(({ key, part }) => [keyText(key), part]));
  }
  // Copies merged into an earlier paper are counted against the file of that first copy.
  const papers = new Map<string, number>();
  for (const paper of merged.papers) papers.set(paper.source.file, (papers.get(paper.source.file) ?? 0) + 1);
  const warnings = new Map<string, number>();
  for (const warning of merged.warnings) warnings.set(warning.file, (warnings.get(warning.file) ?? 0) + 1);
  for (const entry of files) {
    entry.papers = papers.get(entry.file) ?? 0;
    entry.warnings = warnings.get(entry.file) ?? 0;
  }
  const problems = files.flatMap((f) => (f.problem ? [{ file: f.file, problem: f.problem }] : []));
  const version = options.stored ? versionOf(kept) : undefined;
  const parsed = read.filter((file) => file.parsed).length;
  return { dir, files, problems, ...merged, parsed, ...(version ? { version } : {}), ...(previous ? { previous } : {}) };
}

/** What a cache map remembers besides its files: the last parts merged, and the store's record once read. */
interface Remembered {
  parts?: ParsedCorpus[];
  merged?: ParsedCorpus;
  stored?: StoredState;
}

/** The stored record as read (once per cache), and its parts by key. */
interface StoredState {
  record: CorpusRecord | null;
  byKey: Map<string, CorpusPart>;
}

const remembered = new WeakMap<Map<string, CachedCorpusFile>, Remembered>();

function rememberedFor(cache: Map<string, CachedCorpusFile>): Remembered {
  let entry = remembered.get(cache);
  if (!entry) remembered.set(cache, (entry = {}));
  return entry;
}

async function readStored(store: StoredCorpus, memory: Remembered | null): Promise<StoredState> {
  if (memory?.stored) return memory.stored;
  const record = await store.read();
  const state: StoredState = { record, byKey: new Map(record?.files.map(({ key, part }) => [keyText(key), part])) };
  if (memory) memory.stored = state;
  return state;
}

const keyText = (key: CorpusPartKey): string => `${key.file}\u0000${key.referenceDate}\u0000${key.sha256}`;

function sameKeys(a: CorpusRecord['files'], b: CorpusRecord['files']): boolean {
  return a.length === b.length && a.every((file, i) => keyText(file.key) === keyText(b[i]!.key));
}

function versionOf(files: CorpusRecord['files']): string {
  const hash = createHash('sha256');
  for (const { key } of files) hash.update(`${keyText(key)}\u0000`);
  return hash.digest('hex');
}

/** A corpus file (path relative to the directory, `/`-separated), or a link skipped with the reason. */
interface CorpusEntry {
  name: string;
  skipped?: { message: string; problem?: string };
}

const isCorpusFileName = (name: string): boolean => {
  const lower = name.toLowerCase();
  return !name.startsWith('.') && CORPUS_EXTENSIONS.some((ext) => lower.endsWith(ext));
};

/**
 * Lists the corpus files of the directory tree in path order (each folder's entries by name, a sub-folder's files
 * where its name sorts): regular files and links that resolve to a regular file inside the directory.
 */
async function listCorpusFiles(dir: string): Promise<CorpusEntry[]> {
  let root: string;
  let top: Dirent[];
  try {
    top = await readdir(dir, { withFileTypes: true });
    root = await realpath(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a directory' : `cannot be read (${code ?? String(error)})`;
    throw new CorpusDirectoryError(
      `corpus directory ${dir} ${reason}; set CORPUS_DIR (or --dir) to a folder of page copies (.txt, .md) or API and feed snapshots (.json, .jsonl, .xml)`,
    );
  }
  const candidates: Array<{ name: string; link: boolean }> = [];
  const unreadable: CorpusEntry[] = [];
  const walk = async (listing: Dirent[], prefix: string): Promise<void> => {
    for (const entry of [...listing].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      // Dot-files and dot-folders belong to tools (a fetcher's ETags, a ConfigMap's `..data`), not to the corpus.
      if (entry.name.startsWith('.')) continue;
      const name = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        const inner = await readdir(join(dir, ...name.split('/')), { withFileTypes: true }).catch((caught: unknown) => {
          const error = caught as NodeJS.ErrnoException;
          unreadable.push({
            name,
            skipped: {
              message: `is a folder that cannot be read (${error.code ?? String(error)}); skipped`,
              problem: `a folder that cannot be read (${error.code ?? 'error'})`,
            },
          });
          return [];
        });
        await walk(inner, `${name}/`);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isCorpusFileName(entry.name)) {
        candidates.push({ name, link: entry.isSymbolicLink() });
      }
    }
  };
  await walk(top, '');
  // A link to a file that is read anyway (`alias.txt -> a.txt`) would turn every paper into a duplicate warning.
  const claimed = new Map<string, string>(candidates.filter((e) => !e.link).map((e) => [join(root, ...e.name.split('/')), e.name]));
  const entries: CorpusEntry[] = [...unreadable];
  for (const entry of candidates) {
    if (!entry.link) {
      entries.push({ name: entry.name });
      continue;
    }
    const link = await resolveCorpusLink(join(dir, ...entry.name.split('/')), root);
    if (link === 'not-a-file') continue; // A link to a directory is ignored: following it could read a folder twice or loop.
    if (typeof link !== 'string') {
      entries.push({ name: entry.name, skipped: link });
      continue;
    }
    const owner = claimed.get(link);
    if (owner !== undefined) {
      entries.push({ name: entry.name, skipped: { message: `is a symbolic link to ${owner}, which is read already; skipped` } });
      continue;
    }
    claimed.set(link, entry.name);
    entries.push({ name: entry.name });
  }
  return entries.sort((a, b) => comparePaths(a.name, b.name));
}

/** Path order: folder by folder, each level by name. */
function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

/** The real path of a link's target when it is a regular file inside `root`, `'not-a-file'`, or why it is skipped. */
async function resolveCorpusLink(path: string, root: string): Promise<string | { message: string; problem: string }> {
  const target = await readlink(path).catch(() => '?');
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'which does not exist' : code === 'ELOOP' ? 'which loops' : `which cannot be read (${code ?? String(error)})`;
    return { message: `is a broken symbolic link to ${target}, ${reason}; skipped`, problem: `a broken symbolic link to ${target}` };
  }
  const inside = relative(root, real);
  // `..data/x.txt` (a ConfigMap's own dot-directory) is inside; only `..` itself or a `../` prefix leaves the folder.
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return {
      message: `is a symbolic link to ${real}, outside the corpus directory; skipped (copy the file into the directory instead)`,
      problem: 'a symbolic link to a file outside the corpus folder',
    };
  }
  const info = await stat(real).catch(() => null);
  if (!info)
    return {
      message: `is a broken symbolic link to ${target}, which cannot be read; skipped`,
      problem: `a broken symbolic link to ${target}`,
    };
  return info.isFile() ? real : 'not-a-file';
}

/** Files read at the same time: enough to keep the disk and the hashing busy, few enough for any machine. */
const FILES_AT_ONCE = 8;

/** `run` over the items, at most `limit` at a time, results in the items' order. */
async function mapInOrder<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++;
      results[at] = await run(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function skippedPart(name: string, skipped: { message: string; problem?: string }): CorpusPart {
  return {
    read: { format: null, confidence: 0, papers: [], warnings: [{ file: name, line: 0, message: skipped.message }], quarantined: false },
    bytes: 0,
    ...(skipped.problem ? { problem: skipped.problem } : {}),
  };
}

async function readCachedCorpusFile(
  path: string,
  name: string,
  options: LoadCorpusOptions,
  storing: Promise<StoredState> | null,
): Promise<{ part: CorpusPart; key?: CorpusPartKey; parsed?: boolean }> {
  if (!options.cache && !storing) return { part: await readCorpusPart(path, name, options.referenceDate), parsed: true };
  const info = await stat(path).catch(() => null);
  const cached = options.cache?.get(name);
  if (info && cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) {
    return { part: cached.part, ...(cached.key ? { key: cached.key } : {}) };
  }
  let part: CorpusPart;
  let key: CorpusPartKey | undefined;
  let parsed = false;
  if (storing) {
    // Hashed as it streams: a file already parsed is never held in memory whole.
    const digest = await hashFile(path, name);
    if (!digest.ok) return { part: digest.part };
    key = { file: name, referenceDate: options.referenceDate ?? digest.modified.toISOString().slice(0, 10), sha256: digest.sha256 };
    const known = (await storing).byKey.get(keyText(key));
    if (known) part = known;
    else {
      const file = await readCorpusBytes(path, name);
      if (!file.ok) return { part: file.part };
      // A parse leaves its strings inside the file's text, two bytes a character as soon as one character needs
      // it (a `•` in a footer); read back from JSON they take one byte where they can: half the memory.
      part = JSON.parse(JSON.stringify(parseCorpusPart(file.bytes, name, key.referenceDate))) as CorpusPart;
      parsed = true;
    }
  } else {
    part = await readCorpusPart(path, name, options.referenceDate);
    parsed = true;
  }
  if (info && options.cache) options.cache.set(name, { size: info.size, mtimeMs: info.mtimeMs, part, ...(key ? { key } : {}) });
  return { part, parsed, ...(key ? { key } : {}) };
}

/** Reads one file through the format registry; bad bytes are replaced (with a warning), never a reason to skip. */
async function readCorpusPart(path: string, name: string, referenceDate: string | undefined): Promise<CorpusPart> {
  const file = await readCorpusBytes(path, name);
  if (!file.ok) return file.part;
  return parseCorpusPart(file.bytes, name, referenceDate ?? file.modified.toISOString().slice(0, 10));
}

/** The SHA-256 of a file's bytes, read in chunks, and its modification time; or the part of a file that cannot be read. */
async function hashFile(
  path: string,
  name: string,
): Promise<{ ok: true; sha256: string; modified: Date } | { ok: false; part: CorpusPart }> {
  try {
    const hash = createHash('sha256');
    const modified = (await stat(path)).mtime;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    return { ok: true, sha256: hash.digest('hex'), modified };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      ok: false,
      part: { read: skippedRead(name, `cannot be read (${code}); skipped`), bytes: 0, problem: `cannot be read (${code})` },
    };
  }
}

/** A file's bytes and modification time, or the part of a file that cannot be read. */
async function readCorpusBytes(
  path: string,
  name: string,
): Promise<{ ok: true; bytes: Buffer; modified: Date } | { ok: false; part: CorpusPart }> {
  try {
    const [bytes, modified] = await Promise.all([readFile(path), stat(path).then((s) => s.mtime)]);
    return { ok: true, bytes, modified };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      ok: false,
      part: { read: skippedRead(name, `cannot be read (${code}); skipped`), bytes: 0, problem: `cannot be read (${code})` },
    };
  }
}

/** Parses one file's bytes through the format registry. */
function parseCorpusPart(bytes: Buffer, name: string, referenceDate: string): CorpusPart {
  const decoded = decodeCorpusBytes(bytes, name);
  if (decoded.binary)
    return { read: { ...skippedRead(name, ''), warnings: decoded.warnings }, bytes: bytes.length, problem: 'not text (a binary file)' };
  const text = readCorpusText(decoded.text, { file: name, referenceDate });
  const read: CorpusFileRead = { ...text, papers: text.papers.map(identifyPaper), warnings: [...decoded.warnings, ...text.warnings] };
  const problem = read.quarantined
    ? `quarantined: read as ${read.format}, but its entries do not look like papers (a damaged or unknown layout), so nothing from it is posted`
    : read.format === null && decoded.text.trim() !== ''
      ? 'no corpus format recognises it'
      : read.format !== null && read.papers.length === 0 && text.warnings.length > 0
        ? `read as ${read.format}, but none of its entries is a paper (see its warnings)`
        : undefined;
  return { read, bytes: bytes.length, ...(problem ? { problem } : {}) };
}

function skippedRead(file: string, message: string): CorpusFileRead {
  const warnings: CorpusWarning[] = message ? [{ file, line: 0, message }] : [];
  return { format: null, confidence: 0, papers: [], warnings, quarantined: false };
}
