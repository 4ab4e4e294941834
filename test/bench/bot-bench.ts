import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.js';
import { formatPage, generatePapers } from '../support/generate-corpus.js';
import { percentile } from '../support/stats.js';

/** Startup and interaction figures of the real bot process against the fake Discord on loopback. */
export interface BotBenchRow {
  corpus: string;
  papers: number;
  startToReadyMs: number;
  idleRssMb: number;
  paper: { p50: number; p99: number; n: number };
  autocomplete: { p50: number; p99: number; n: number };
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

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

async function measure(server: FakeDiscord, corpusDir: string, label: string, papers: number, requests: number): Promise<BotBenchRow> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-bench-'));
  const started = performance.now();
  const bot: BotProcess = spawnBot({
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: corpusDir,
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
  });
  try {
    await bot.waitFor(/next digest: /, 120_000);
    const startToReadyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 3000));
    const idleRssMb = rssMb(bot.child.pid!);
    const paperLatencies: number[] = [];
    const autoLatencies: number[] = [];
    // Sequential waves of 10 concurrent members: realistic load, and each latency measures the bot, not a queue.
    for (let i = 0; i < requests; i += 10) {
      const wave = await Promise.all(
        Array.from({ length: 10 }, (_, j) => {
          const q = QUERIES[(i + j) % QUERIES.length]!;
          const user = { id: String(500000000000000000n + BigInt(i + j)) };
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
      wave.forEach((o, j) => ((i + j) % 2 ? paperLatencies : autoLatencies).push(o.latencyMs ?? 3000));
    }
    const stats = (v: number[]) => ({ p50: percentile(v, 50) ?? NaN, p99: percentile(v, 99) ?? NaN, n: v.length });
    return { corpus: label, papers, startToReadyMs, idleRssMb, paper: stats(paperLatencies), autocomplete: stats(autoLatencies) };
  } finally {
    bot.kill('SIGTERM');
    await bot.exited;
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the bot on the seed corpus and on a generated 100,000-paper corpus. */
export async function benchBot(options: { sizes?: number[]; requests?: number } = {}): Promise<BotBenchRow[]> {
  const server = await startFakeDiscord();
  const rows: BotBenchRow[] = [];
  try {
    rows.push(await measure(server, 'seeds', 'seed', 51, options.requests ?? 1000));
    for (const size of options.sizes ?? [100_000]) {
      const dir = await mkdtemp(join(tmpdir(), 'paperboy-bench-corpus-'));
      await writeFile(join(dir, 'generated.txt'), formatPage(generatePapers(size)));
      try {
        rows.push(await measure(server, dir, `generated`, size, options.requests ?? 1000));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await server.close();
  }
  return rows;
}

/** Prints the bot benchmark table. */
export function printBotBench(rows: BotBenchRow[]): void {
  console.log('\n## Bot process (real discord.js client, fake Discord on loopback)');
  console.log(
    'Latency = from the fake server dispatching INTERACTION_CREATE to it receiving the response (gateway + REST on loopback included).',
  );
  console.table(
    rows.map((r) => ({
      corpus: r.corpus,
      papers: r.papers,
      'start → ready ms': Math.round(r.startToReadyMs),
      'idle RSS MB': r.idleRssMb.toFixed(0),
      '/paper p50 ms': r.paper.p50.toFixed(1),
      '/paper p99 ms': r.paper.p99.toFixed(1),
      'autocomplete p50 ms': r.autocomplete.p50.toFixed(1),
      'autocomplete p99 ms': r.autocomplete.p99.toFixed(1),
      requests: r.paper.n + r.autocomplete.n,
    })),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) printBotBench(await benchBot());
