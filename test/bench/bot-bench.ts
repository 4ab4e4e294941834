import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.js';
import { formatPage, generatePapers } from '../support/generate-corpus.js';
import { percentile } from '../support/stats.js';
import { buildPreviousRelease, type Release, THIS_RELEASE } from './previous-release.js';

/** Memory of a bot process after a GC (what the memory probe prints). */
interface MemoryFigures {
  rssMb: number;
  heapUsedMb: number;
  /** Typed arrays and buffers (outside the JavaScript heap): the search index lives there. */
  arrayBuffersMb: number;
}

/** One release on one corpus: a first start (nothing kept), a restart, memory, and interaction latencies. */
export interface BotBenchRow {
  corpus: string;
  papers: number;
  release: string;
  firstStartMs: number;
  restartMs: number;
  /** The search index at the restart: built, or loaded from the cache (this release logs which, and how long). */
  index: { ms: number; how: 'built' | 'loaded' };
  /** RSS 3 s after ready, as `ps` would show it, without forcing a GC. */
  idleRssMb: number;
  /** RSS 30 s after ready: V8 gives back the young generation it grew during start-up after ~20 s of quiet. */
  settledRssMb: number;
  idle: MemoryFigures;
  /** After the requests below, from as many distinct members (what the members' traffic leaves behind), after a GC. */
  afterLoad: MemoryFigures;
  paper: { p50: number; p99: number; n: number };
  autocomplete: { p50: number; p99: number; n: number };
}

const PROBE = pathToFileURL(fileURLToPath(new URL('./memory-probe.js', import.meta.url))).href;

const QUERIES = [
  'scaling laws',
  'quantization',
  'checkpoint',
  'mixture of experts',
  'benchmark',
  'tokenization',
  'long context',
  'distilation',
  'transformr',
  'low-bit',
  'retrieval',
  'alignment',
];

/** How long after ready the settled RSS is read. */
const SETTLE_MS = 30_000;

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the memory probe inside the bot for a GC and its figures. */
async function probe(bot: BotProcess): Promise<MemoryFigures> {
  const lines = () =>
    bot
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('PAPERBOY_MEMORY '));
  const before = lines().length;
  bot.child.kill('SIGUSR2');
  for (let waited = 0; lines().length === before; waited += 50) {
    if (waited > 30_000) throw new Error('the memory probe did not answer');
    await sleep(50);
  }
  const usage = JSON.parse(lines().at(-1)!.slice('PAPERBOY_MEMORY '.length)) as { rss: number; heapUsed: number; arrayBuffers: number };
  return { rssMb: usage.rss / 2 ** 20, heapUsedMb: usage.heapUsed / 2 ** 20, arrayBuffersMb: usage.arrayBuffers / 2 ** 20 };
}

function start(server: FakeDiscord, release: Release, corpusDir: string, stateDir: string): BotProcess {
  return spawnBot(
    {
      ...discordEnv(server),
      // DATA_DIR for a release with the database, STATE_FILE for one before it (never created by one with the database).
      DATA_DIR: stateDir,
      STATE_FILE: join(stateDir, 'state.json'),
      CORPUS_DIR: corpusDir,
      DIGEST_CRON: '0 0 1 1 *',
      DIGEST_CATCH_UP: 'false',
    },
    ['start'],
    { cli: release.cli, nodeArgs: ['--import', PROBE] },
  );
}

async function startAndWait(
  server: FakeDiscord,
  release: Release,
  corpusDir: string,
  stateDir: string,
): Promise<{ bot: BotProcess; ms: number }> {
  const started = performance.now();
  const bot = start(server, release, corpusDir, stateDir);
  await bot.waitFor(/next digest: /, 600_000);
  return { bot, ms: performance.now() - started };
}

async function stop(bot: BotProcess): Promise<void> {
  bot.kill('SIGTERM');
  await bot.exited;
}

/** Sequential waves of 10 concurrent members: realistic load, and each latency measures the bot, not a queue. */
async function interact(server: FakeDiscord, requests: number, firstUser: bigint) {
  const paper: number[] = [];
  const autocomplete: number[] = [];
  for (let i = 0; i < requests; i += 10) {
    const wave = await Promise.all(
      Array.from({ length: 10 }, (_, j) => {
        const q = QUERIES[(i + j) % QUERIES.length]!;
        const user = { id: String(firstUser + BigInt(i + j)) };
        return (i + j) % 2
          ? server.interact({ type: 'command', name: 'paper', options: { query: q }, user })
          : server.interact({
              type: 'autocomplete',
              name: 'paper',
              options: { query: q.slice(0, 3 + ((i + j) % 6)) },
              focused: 'query',
              user,
            });
      }),
    );
    wave.forEach((o, j) => ((i + j) % 2 ? paper : autocomplete).push(o.latencyMs ?? 3000));
  }
  const stats = (v: number[]) => ({ p50: percentile(v, 50) ?? NaN, p99: percentile(v, 99) ?? NaN, n: v.length });
  return { paper: stats(paper), autocomplete: stats(autocomplete) };
}

let nextUser = 500000000000000000n;

async function measure(
  server: FakeDiscord,
  release: Release,
  corpus: { label: string; dir: string; papers: number },
  requests: number,
): Promise<BotBenchRow> {
  const stateDir = await mkdtemp(join(tmpdir(), 'paperboy-bench-'));
  try {
    const first = await startAndWait(server, release, corpus.dir, stateDir);
    // This release keeps its index in the background after ready; the previous one keeps nothing.
    if (release === THIS_RELEASE) await first.bot.waitFor(/search index kept/, 120_000);
    else await sleep(500);
    await stop(first.bot);
    const again = await startAndWait(server, release, corpus.dir, stateDir);
    const { bot } = again;
    try {
      const logged = /search index (built|loaded) in (\d+) ms/.exec(bot.stderr());
      const index = logged
        ? { ms: Number(logged[2]), how: logged[1] as 'built' | 'loaded' }
        : { ms: measureIndexBuild(release, corpus.dir), how: 'built' as const };
      await sleep(3000);
      const idleRssMb = rssOf(bot.child.pid!);
      await sleep(SETTLE_MS - 3000);
      const settledRssMb = rssOf(bot.child.pid!);
      const idle = await probe(bot);
      const latencies = await interact(server, requests, nextUser);
      nextUser += BigInt(requests);
      const afterLoad = await probe(bot);
      return {
        corpus: corpus.label,
        papers: corpus.papers,
        release: release.name,
        firstStartMs: first.ms,
        restartMs: again.ms,
        index,
        idleRssMb,
        settledRssMb,
        idle,
        afterLoad,
        ...latencies,
      };
    } finally {
      await stop(bot);
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/**
 * A release that does not log its index build is timed in a separate process: its own corpus reader and
 * `createSearchIndex`, as its bot runs them at start.
 */
function measureIndexBuild(release: Release, corpusDir: string): number {
  const script = `
    const { loadCorpus } = await import(${JSON.stringify(pathToFileURL(join(release.root, 'dist/adapters/fs-corpus.js')).href)});
    const { createSearchIndex } = await import(${JSON.stringify(pathToFileURL(join(release.root, 'dist/core/search.js')).href)});
    const { papers } = await loadCorpus(${JSON.stringify(corpusDir)});
    const started = performance.now();
    createSearchIndex(papers);
    process.stdout.write(String(performance.now() - started));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 }));
}

/** Runs this release and the previous one on the seed corpus and on generated corpora, in the same run. */
export async function benchBot(options: { sizes?: number[]; requests?: number } = {}): Promise<BotBenchRow[]> {
  const releases = [THIS_RELEASE, buildPreviousRelease()];
  const server = await startFakeDiscord();
  const rows: BotBenchRow[] = [];
  const corpora: Array<{ label: string; dir: string; papers: number; temporary?: boolean }> = [
    { label: 'seed', dir: fileURLToPath(new URL('../../seeds', import.meta.url)), papers: 51 },
  ];
  try {
    for (const size of options.sizes ?? [10_000, 100_000]) {
      const dir = await mkdtemp(join(tmpdir(), 'paperboy-bench-corpus-'));
      await writeFile(join(dir, 'generated.txt'), formatPage(generatePapers(size)));
      corpora.push({ label: 'generated', dir, papers: size, temporary: true });
    }
    for (const corpus of corpora) {
      for (const release of releases) {
        console.error(`… ${release.name} on ${corpus.papers} papers`);
        rows.push(await measure(server, release, corpus, options.requests ?? 1000));
      }
    }
  } finally {
    await server.close();
    for (const corpus of corpora) if (corpus.temporary) await rm(corpus.dir, { recursive: true, force: true });
  }
  return rows;
}

/** Prints the bot benchmark: start and memory, then latency, each release beside the previous one. */
export function printBotBench(rows: BotBenchRow[]): void {
  const mb = (value: number) => value.toFixed(0);
  console.log('\n## Bot process (real discord.js client, fake Discord on loopback), this release beside the previous one');
  console.log(`- first start → ready: an empty data folder (nothing kept); restart → ready: the same corpus, started again;
- index: building the search index, or loading it from the cache (this release logs which; the previous release's
  build is timed in a separate process with its own code);
- RSS 3 s / 30 s: the process's resident memory (as ps shows it) 3 s and 30 s after ready, idle; V8 gives back the
  young generation it grew during start-up after about 20 s of quiet, so the 30 s figure is what an idle bot holds;
- after GC: resident memory, JavaScript heap in use, and typed arrays (the search index), after a forced garbage
  collection (at 30 s);
- after 1,000 requests: the same after the latency run below (every request from a different member), after a GC.`);
  console.table(
    rows.map((r) => ({
      papers: r.papers,
      release: r.release,
      'first start s': (r.firstStartMs / 1000).toFixed(2),
      'restart s': (r.restartMs / 1000).toFixed(2),
      'index ms': `${Math.round(r.index.ms)} ${r.index.how}`,
      'RSS 3 s MB': mb(r.idleRssMb),
      'RSS 30 s MB': mb(r.settledRssMb),
      'after GC: RSS MB': mb(r.idle.rssMb),
      'heap MB': mb(r.idle.heapUsedMb),
      'arrays MB': mb(r.idle.arrayBuffersMb),
      'after 1,000 requests: RSS MB': mb(r.afterLoad.rssMb),
      'heap MB ': mb(r.afterLoad.heapUsedMb),
    })),
  );
  console.log(
    'Latency = from the fake server dispatching INTERACTION_CREATE to it receiving the response (gateway + REST on loopback included), 10 members at a time.',
  );
  console.table(
    rows.map((r) => ({
      papers: r.papers,
      release: r.release,
      '/paper p50 ms': r.paper.p50.toFixed(1),
      '/paper p99 ms': r.paper.p99.toFixed(1),
      'autocomplete p50 ms': r.autocomplete.p50.toFixed(1),
      'autocomplete p99 ms': r.autocomplete.p99.toFixed(1),
      requests: r.paper.n + r.autocomplete.n,
    })),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  printBotBench(await benchBot(sizes.length > 0 ? { sizes } : {}));
}
