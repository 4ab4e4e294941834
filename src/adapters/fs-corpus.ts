import type { Dirent } from 'node:fs';
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import { parseCorpus, type ParsedCorpus } from '../core/corpus.js';
import { mergeCorpora } from '../core/corpus-merge.js';
import type { CorpusWarning } from '../core/paper.js';

/** The whole corpus of a directory, plus how many papers each file gave. */
export interface LoadedCorpus extends ParsedCorpus {
  dir: string;
  files: Array<{ file: string; papers: number; warnings: number; bytes: number }>;
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
}

/** A parsed corpus file and what identifies its version on disk. */
export interface CachedCorpusFile {
  size: number;
  mtimeMs: number;
  part: { parsed: ParsedCorpus; bytes: number };
}

/** A corpus directory that cannot be listed: the message names the directory and what to do. */
export class CorpusDirectoryError extends Error {}

/**
 * Reads every `*.txt` file of a corpus directory in file-name order into one deduplicated corpus; symbolic links
 * to regular files inside the directory count as files (a Kubernetes ConfigMap mount is made of them).
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<LoadedCorpus> {
  const entries = await listCorpusFiles(dir);
  const parts: ParsedCorpus[] = [];
  const files: LoadedCorpus['files'] = [];
  for (const entry of entries) {
    const part = entry.skipped
      ? { parsed: { papers: [], warnings: [{ file: entry.name, line: 0, message: entry.skipped }] }, bytes: 0 }
      : await readCachedCorpusFile(join(dir, entry.name), entry.name, options);
    parts.push(part.parsed);
    files.push({ file: entry.name, papers: part.parsed.papers.length, warnings: part.parsed.warnings.length, bytes: part.bytes });
  }
  const merged = mergeCorpora(parts);
  // Duplicates are counted against the file that lost them.
  for (const entry of files) entry.papers = merged.papers.filter((p) => p.source.file === entry.file).length;
  for (const entry of files) entry.warnings = merged.warnings.filter((w) => w.file === entry.file).length;
  return { dir, files, ...merged };
}

/** A `*.txt` name of the corpus directory, or a link skipped with the reason. */
interface CorpusEntry {
  name: string;
  skipped?: string;
}

/**
 * Lists the directory's `*.txt` regular files and the links that resolve to one inside the directory, sorted by
 * name. Only the top level is listed, so the dot-directories of a ConfigMap (`..data`, `..2024_…`) are never read
 * as corpus files; their files are read once, through the top-level links.
 */
async function listCorpusFiles(dir: string): Promise<CorpusEntry[]> {
  let listing: Dirent[];
  let root: string;
  try {
    listing = await readdir(dir, { withFileTypes: true });
    root = await realpath(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a directory' : `cannot be read (${code ?? String(error)})`;
    throw new CorpusDirectoryError(`corpus directory ${dir} ${reason}; set CORPUS_DIR (or --dir) to a folder of *.txt page copies`);
  }
  const candidates = listing
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && entry.name.toLowerCase().endsWith('.txt'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A link to a file that is read anyway (`alias.txt -> a.txt`) would turn every paper into a duplicate warning.
  const claimed = new Map<string, string>(candidates.filter((e) => e.isFile()).map((e) => [join(root, e.name), e.name]));
  const entries: CorpusEntry[] = [];
  for (const entry of candidates) {
    if (entry.isFile()) {
      entries.push({ name: entry.name });
      continue;
    }
    const link = await resolveCorpusLink(join(dir, entry.name), root);
    if (link === 'not-a-file') continue; // A link to a directory is ignored like a directory.
    if (typeof link !== 'string') {
      entries.push({ name: entry.name, skipped: link.skipped });
      continue;
    }
    const owner = claimed.get(link);
    if (owner !== undefined) {
      entries.push({ name: entry.name, skipped: `is a symbolic link to ${owner}, which is read already; skipped` });
      continue;
    }
    claimed.set(link, entry.name);
    entries.push({ name: entry.name });
  }
  return entries;
}

/** The real path of a link's target when it is a regular file inside `root`, else why it is skipped. */
async function resolveCorpusLink(path: string, root: string): Promise<string | 'not-a-file' | { skipped: string }> {
  const target = await readlink(path).catch(() => '?');
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'which does not exist' : code === 'ELOOP' ? 'which loops' : `which cannot be read (${code ?? String(error)})`;
    return { skipped: `is a broken symbolic link to ${target}, ${reason}; skipped` };
  }
  const inside = relative(root, real);
  // `..data/x.txt` (a ConfigMap's own dot-directory) is inside; only `..` itself or a `../` prefix leaves the folder.
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { skipped: `is a symbolic link to ${real}, outside the corpus directory; skipped (copy the file into the directory instead)` };
  }
  const info = await stat(real).catch(() => null);
  if (!info) return { skipped: `is a broken symbolic link to ${target}, which cannot be read; skipped` };
  return info.isFile() ? real : 'not-a-file';
}

async function readCachedCorpusFile(path: string, name: string, options: LoadCorpusOptions): Promise<{ parsed: ParsedCorpus; bytes: number }> {
  if (!options.cache) return readCorpusFile(path, name, options.referenceDate);
  const info = await stat(path).catch(() => null);
  const cached = options.cache.get(name);
  if (info && cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return cached.part;
  const part = await readCorpusFile(path, name, options.referenceDate);
  if (info) options.cache.set(name, { size: info.size, mtimeMs: info.mtimeMs, part });
  return part;
}

async function readCorpusFile(path: string, name: string, referenceDate: string | undefined) {
  const warn = (line: number, message: string): { parsed: ParsedCorpus; bytes: number } => ({
    parsed: { papers: [], warnings: [{ file: name, line, message } satisfies CorpusWarning] },
    bytes: 0,
  });
  let bytes: Buffer;
  let modified: Date;
  try {
    [bytes, modified] = await Promise.all([readFile(path), stat(path).then((s) => s.mtime)]);
  } catch (error) {
    return warn(0, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); skipped`);
  }
  const decoded = decodeUtf8(bytes);
  if (typeof decoded !== 'string') {
    return warn(decoded.line, `is not UTF-8 text (${decoded.reason} at line ${decoded.line}); skipped the whole file`);
  }
  const parsed = parseCorpus(decoded, { file: name, referenceDate: referenceDate ?? modified.toISOString().slice(0, 10) });
  return { parsed, bytes: bytes.length };
}

/** Decodes strict UTF-8; binary files (invalid sequences or NUL bytes) report the line where they go wrong. */
function decodeUtf8(bytes: Buffer): string | { line: number; reason: string } {
  const nul = bytes.indexOf(0);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (nul === -1) return text;
    return { line: lineOf(bytes, nul), reason: 'a NUL byte' };
  } catch {
    return { line: lineOf(bytes, firstInvalidUtf8(bytes)), reason: 'an invalid byte sequence' };
  }
}

function lineOf(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i += 1) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/** Bisects to the first byte offset where strict decoding fails. */
function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      // Allow a sequence cut at the boundary: stream mode keeps incomplete trailing bytes.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return lo;
}
