// The corpus readers (`npm run bench -- formats`): throughput per format on the real captures templated to
// several MB, a mixed corpus of every format at 10k/50k/100k papers (throughput, retained heap), fetch-plus-parse of
// a day's list from the fake sources on loopback, and the bot's start with a 10,000-paper mixed corpus.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus, type CachedCorpusFile } from '../../src/adapters/fs-corpus.js';
import { createSourceFetcher } from '../../src/adapters/sources/source-fetcher.js';
import { readCorpusFile } from '../../src/core/formats/index.js';
import { spawnBot, discordEnv } from '../support/bot-process.js';
import { startFakeDiscord } from '../support/fake-discord/index.js';
import { startFakeSources } from '../support/fake-sources.js';
import { percentile } from '../support/stats.js';
import { createIdAllocator, loadTemplates, type FormatTemplate } from './format-templates.js';

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const seconds = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;
const CONTEXT = { referenceDate: '2026-10-06' };

/** Parse throughput of one capture templated to about `targetMb`. */
export interface FormatThroughputRow {
  capture: string;
  format: string;
  papers: number;
  megabytes: number;
  mbPerSecond: number;
  /** Throughput in CPU time: steadier than wall-clock time on a machine shared with other work. */
  mbPerCpuSecond: number;
  papersPerSecond: number;
}

/** Parses each capture, templated to several MB, three times (after a warm-up) and keeps the best. */
export function benchFormatThroughput(targetMb = 4): FormatThroughputRow[] {
  const ids = createIdAllocator();
  return loadTemplates().map((template) => {
    const papers = Math.ceil((targetMb * 1e6) / template.bytesPerPaper);
    const bytes = Buffer.from(template.render(papers, ids));
    const file = `bench${template.ext}`;
    readCorpusFile(bytes.subarray(0, 0), { file, ...CONTEXT });
    readCorpusFile(Buffer.from(template.render(200, ids)), { file, ...CONTEXT });
    let best = Infinity;
    let bestCpu = Infinity;
    let read = readCorpusFile(bytes, { file, ...CONTEXT });
    for (let run = 0; run < 3; run += 1) {
      const started = process.hrtime.bigint();
      const usage = process.cpuUsage();
      read = readCorpusFile(bytes, { file, ...CONTEXT });
      const used = process.cpuUsage(usage);
      best = Math.min(best, seconds(started));
      bestCpu = Math.min(bestCpu, (used.user + used.system) / 1e6);
    }
    if (read.format !== template.format || read.papers.length !== papers)
      throw new Error(`${template.label}: read ${read.papers.length} papers as ${read.format}, expected ${papers} as ${template.format}`);
    return {
      capture: template.label,
      format: template.format,
      papers,
      megabytes: bytes.length / 1e6,
      mbPerSecond: bytes.length / 1e6 / best,
      mbPerCpuSecond: bytes.length / 1e6 / bestCpu,
      papersPerSecond: papers / best,
    };
  });
}

/** Writes a mixed corpus of `papers` papers: files of `perFile` papers, each template in turn, in sub-folders by format. */
async function writeMixedCorpus(dir: string, papers: number, perFile = 200): Promise<Array<{ path: string; papers: number }>> {
  const templates = loadTemplates();
  const ids = createIdAllocator();
  const files: Array<{ path: string; papers: number }> = [];
  for (let written = 0, n = 0; written < papers; n += 1) {
    const template: FormatTemplate = templates[n % templates.length]!;
    const count = Math.min(perFile, papers - written);
    const path = join(template.format, `${String(n).padStart(5, '0')}${template.ext}`);
    await mkdir(join(dir, template.format), { recursive: true });
    await writeFile(join(dir, path), template.render(count, ids));
    files.push({ path, papers: count });
    written += count;
  }
  return files;
}

/** A folder holding (hard links to) the first files of a mixed corpus, up to `papers` papers. */
async function linkSubset(source: string, files: Array<{ path: string; papers: number }>, papers: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `paperboy-bench-mixed-${papers}-`));
  let total = 0;
  for (const file of files) {
    if (total >= papers) break;
    await mkdir(join(dir, file.path.split('/')[0]!), { recursive: true });
    await link(join(source, file.path), join(dir, file.path));
    total += file.papers;
  }
  return dir;
}

/** A mixed corpus loaded from its folder the way the bot does (list, read, decode, detect, parse, merge). */
export interface MixedCorpusRow {
  papers: number;
  files: number;
  megabytes: number;
  mbPerSecond: number;
  /** Throughput in CPU time: steadier than wall-clock time on a machine shared with other work. */
  mbPerCpuSecond: number;
  retainedMb: number;
  peakRssMb: number;
}

/** The best of three loads of a folder, in wall-clock and CPU seconds, with its size; no corpus outlives the call. */
async function timeLoads(dir: string): Promise<{ wall: number; cpu: number; bytes: number; files: number }> {
  const first = await loadCorpus(dir, CONTEXT);
  const bytes = first.files.reduce((sum, f) => sum + f.bytes, 0);
  const files = first.files.length;
  let wall = Infinity;
  let cpu = Infinity;
  for (let run = 0; run < 3; run += 1) {
    gc();
    const started = process.hrtime.bigint();
    const usage = process.cpuUsage();
    await loadCorpus(dir, CONTEXT);
    const used = process.cpuUsage(usage);
    wall = Math.min(wall, seconds(started));
    cpu = Math.min(cpu, (used.user + used.system) / 1e6);
  }
  return { wall, cpu, bytes, files };
}

/** In a fresh process: the heap one loaded corpus keeps (measured first, on a heap that never held one), then the best of three loads. */
async function measureMixed(dir: string): Promise<MixedCorpusRow> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = await loadCorpus(dir, CONTEXT);
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  const papers = kept.papers.length;
  // Timed only now: a corpus loaded before the measurement could linger in an async frame and hide what one keeps.
  const { wall, cpu, bytes, files } = await timeLoads(dir);
  return {
    papers,
    files,
    megabytes: bytes / 1e6,
    mbPerSecond: bytes / 1e6 / wall,
    mbPerCpuSecond: bytes / 1e6 / cpu,
    retainedMb: retained / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1e3,
  };
}

/** Fetch-plus-parse of one day of the daily list, as a digest does it: fetch into the corpus folder, then read it. */
export interface FetchBenchRow {
  day: string;
  papers: number;
  pages: number;
  /** First fetch into an empty folder, then a full read of the folder. */
  fetchAndParse: { p50: number; p99: number };
  /** The next digest's fetch (304, nothing written) and re-read (the file unchanged, so not parsed again). */
  refetch: { p50: number; p99: number };
}

async function benchFetch(runs = 20): Promise<FetchBenchRow[]> {
  const fake = await startFakeSources();
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const clock = { now: () => new Date('2026-10-06T12:00:00Z') };
  const capture = JSON.parse(
    readFileSync(new URL('../fixtures/real/07-d-api-json-daily-2024-10-25.json', import.meta.url), 'utf8'),
  ) as Array<{ paper: { id: string } }>;
  // A busy day: 230 papers (five pages of 50), from the capture with new ids.
  const ids = createIdAllocator();
  const busy = Array.from({ length: 230 }, (_, i) => {
    const item = capture[i % capture.length]!;
    return { ...item, paper: { ...item.paper, id: ids() } };
  });
  const rows: FetchBenchRow[] = [];
  try {
    for (const [day, items] of [
      ['2026-10-05', capture],
      ['2026-10-06', busy],
    ] as const) {
      fake.setDay(day, items);
      const first: number[] = [];
      const again: number[] = [];
      for (let run = 0; run < runs; run += 1) {
        const dir = await mkdtemp(join(tmpdir(), 'paperboy-bench-fetch-'));
        try {
          const fetcher = createSourceFetcher(
            {
              corpusDir: dir,
              sources: { list: [{ kind: 'hf-daily' }], hfApiUrl: fake.hfApiUrl, fetchDays: 1, arxivRssUrl: fake.arxivRssUrl },
            },
            quiet,
            clock,
          );
          const cache = new Map<string, CachedCorpusFile>();
          let started = performance.now();
          await fetcher.fetchAll({ date: day, days: 1 });
          const corpus = await loadCorpus(dir, { cache });
          first.push(performance.now() - started);
          if (corpus.papers.length !== items.length) throw new Error(`fetched ${corpus.papers.length} papers, expected ${items.length}`);
          started = performance.now();
          await fetcher.fetchAll({ date: day, days: 1 });
          await loadCorpus(dir, { cache });
          again.push(performance.now() - started);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
      const stats = (v: number[]) => ({ p50: percentile(v, 50) ?? NaN, p99: percentile(v, 99) ?? NaN });
      rows.push({
        day,
        papers: items.length,
        pages: Math.floor(items.length / 50) + 1,
        fetchAndParse: stats(first),
        refetch: stats(again),
      });
    }
  } finally {
    await fake.close();
  }
  return rows;
}

/** The bot process started on a mixed corpus: until it logs its next digest (corpus read, index built, connected). */
async function benchBotStart(corpusDir: string, papers: number): Promise<{ papers: number; startToReadyMs: number; idleRssMb: number }> {
  const server = await startFakeDiscord();
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-bench-bot-'));
  const started = performance.now();
  const bot = spawnBot({
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: corpusDir,
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
  });
  try {
    await bot.waitFor(/next digest: /, 180_000);
    const startToReadyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 3000));
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${bot.child.pid}/status`, 'utf8'))![1]) / 1024;
    const logged = /corpus [^:]*: (\d+) papers/.exec(bot.stderr());
    if (logged && Number(logged[1]) !== papers) throw new Error(`the bot read ${logged[1]} papers, expected ${papers}`);
    return { papers, startToReadyMs, idleRssMb: rss };
  } finally {
    bot.kill('SIGTERM');
    await bot.exited;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Everything the formats section measures. */
export interface FormatsBench {
  throughput: FormatThroughputRow[];
  mixed: MixedCorpusRow[];
  fetch: FetchBenchRow[];
  bot: { papers: number; startToReadyMs: number; idleRssMb: number };
}

/** Runs the whole formats section; each mixed-corpus size is loaded in a fresh process so its memory figures are clean. */
export async function benchFormats(sizes = [10_000, 50_000, 100_000]): Promise<FormatsBench> {
  const throughput = benchFormatThroughput();
  const root = await mkdtemp(join(tmpdir(), 'paperboy-bench-mixed-'));
  const subsets: string[] = [];
  try {
    const files = await writeMixedCorpus(root, Math.max(...sizes));
    const mixed: MixedCorpusRow[] = [];
    for (const size of sizes) {
      const dir = await linkSubset(root, files, size);
      subsets.push(dir);
      const self = fileURLToPath(import.meta.url);
      const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--mixed-child', dir], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      mixed.push(JSON.parse(output) as MixedCorpusRow);
    }
    const fetch = await benchFetch();
    const bot = await benchBotStart(subsets[0]!, sizes[0]!);
    return { throughput, mixed, fetch, bot };
  } finally {
    await Promise.all([root, ...subsets].map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** Prints the formats section. */
export function printFormatsBench(bench: FormatsBench): void {
  console.log('\n## Corpus formats: parse throughput per capture (templated to ~4 MB with new ids and titles; best of 3)');
  console.table(
    bench.throughput.map((r) => ({
      capture: r.capture,
      format: r.format,
      papers: r.papers,
      'size MB': r.megabytes.toFixed(1),
      'MB/s': r.mbPerSecond.toFixed(1),
      'MB/s (CPU time)': r.mbPerCpuSecond.toFixed(1),
      'papers/s': Math.round(r.papersPerSecond),
    })),
  );
  console.log('\n## Mixed corpus folder: every format, 200 papers a file, read as the bot reads it (best of 3 loads)');
  console.table(
    bench.mixed.map((r) => ({
      papers: r.papers,
      files: r.files,
      'size MB': r.megabytes.toFixed(0),
      'MB/s': r.mbPerSecond.toFixed(1),
      'MB/s (CPU time)': r.mbPerCpuSecond.toFixed(1),
      'retained heap MB': r.retainedMb.toFixed(0),
      'bytes / paper': Math.round((r.retainedMb * 1e6) / r.papers),
      'peak RSS MB': r.peakRssMb.toFixed(0),
    })),
  );
  console.log('\n## Fetch + parse of a day of the daily list (fake source on loopback; ms)');
  console.table(
    bench.fetch.map((r) => ({
      day: r.day,
      papers: r.papers,
      pages: r.pages,
      'fetch + parse p50': r.fetchAndParse.p50.toFixed(1),
      'fetch + parse p99': r.fetchAndParse.p99.toFixed(1),
      're-fetch (304) + re-read p50': r.refetch.p50.toFixed(1),
      'p99 ': r.refetch.p99.toFixed(1),
    })),
  );
  console.log('\n## Bot start with a mixed corpus (real bot process, fake Discord on loopback)');
  console.table([
    { papers: bench.bot.papers, 'start → ready ms': Math.round(bench.bot.startToReadyMs), 'idle RSS MB': bench.bot.idleRssMb.toFixed(0) },
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const child = process.argv.indexOf('--mixed-child');
  if (child !== -1) process.stdout.write(JSON.stringify(await measureMixed(process.argv[child + 1]!)));
  else if (process.argv.includes('--throughput')) console.table(benchFormatThroughput());
  else printFormatsBench(await benchFormats());
}
