import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceSpec } from '../../../src/config.js';
import type { Logger } from '../../../src/app/ports.js';
import { createSourceFetcher, type SourceFetcherOptions } from '../../../src/adapters/sources/source-fetcher.js';
import type { FakeSources } from '../../support/fake-sources.js';

/** A logger that keeps its lines, so tests can check what an admin would read. */
export function createRecordingLogger(): Logger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const log = (level: string) => (_fields: Record<string, unknown>, message: string) => void lines.push({ level, message });
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A fresh corpus folder in the system temp directory. */
export async function makeCorpusDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-sources-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Virtual time for waits: a sleep is recorded and moves the clock on at once, so spacing is checked, not waited out. */
export function createVirtualTime(onSleep: (ms: number) => void = () => undefined) {
  let time = 0;
  return {
    now: () => time,
    sleep: async (ms: number) => {
      onSleep(ms);
      time += ms;
    },
  };
}

/** A fetcher of `list` against the fake, at a fixed time of day, whose waits are recorded in `sleeps` in virtual time. */
export function createTestFetcher(
  fake: FakeSources,
  dir: string,
  list: SourceSpec[],
  options: SourceFetcherOptions & { now?: string; fetchDays?: number; sleeps?: number[] } = {},
) {
  const { now = '2024-10-25T22:00:00Z', fetchDays = 1, sleeps = [], ...rest } = options;
  const logger = createRecordingLogger();
  const time = createVirtualTime((ms) => sleeps.push(ms));
  const fetcher = createSourceFetcher(
    { corpusDir: dir, sources: { list, hfApiUrl: fake.hfApiUrl, fetchDays, arxivRssUrl: fake.arxivRssUrl } },
    logger,
    { now: () => new Date(now) },
    { sleep: time.sleep, monotonicNow: time.now, timeoutMs: 300, ...rest },
  );
  return { fetcher, logger, sleeps, time };
}

/** A file's bytes and modification time, to prove it was not touched. */
export async function fingerprint(path: string): Promise<{ text: string; mtimeMs: number; ino: number }> {
  const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  return { text, mtimeMs: info.mtimeMs, ino: info.ino };
}

/** The names in a folder, sorted (an absent folder is empty). */
export async function listFolder(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}
