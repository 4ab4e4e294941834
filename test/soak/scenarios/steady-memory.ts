import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnBot, type BotProcess, discordEnv } from '../../support/bot-process.js';
import { startFakeDiscord } from '../../support/fake-discord/index.js';
import { startFakeSources } from '../../support/fake-sources.js';
import { createRandom, formatPage, generatePapers } from '../../support/generate-corpus.js';
import { ROOT, runCli } from '../../support/run-cli.js';
import { percentile } from '../../support/stats.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';
import { plotMemory } from './memory-plot.js';

/** Where the RSS curve is drawn: the soak's output folder (gitignored). */
export const PLOT_FILE = join(ROOT, '.soak', 'steady-memory.svg');

const QUERIES = [
  'scaling laws',
  'quantization',
  'mixture of experts',
  'long context',
  'distilation',
  'transformr',
  'retrieval',
  'alignment',
];
const TOPICS = ['benchmarks', 'scaling laws', 'quantization', 'retrieval', 'robotics', 'distillation', 'alignment', 'tokenization'];
/** Compressed time: one second stands for one minute, so a day is 1,440 seconds, a digest every second. */
const DAY_SECONDS = 1440;
/** RSS may end at most this much above what it was after warm-up. */
const TOLERANCE = 0.1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rssMb = (pid: number): number | null => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return null;
  }
};

/** Daily Papers API items for a day: real items from the fixture, each given its own arXiv id and title. */
function dailyItems(day: number, count: number): unknown[] {
  const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/real/07-d-api-json-daily-2024-10-25.json'), 'utf8')) as Array<
    Record<string, unknown> & { paper: Record<string, unknown> }
  >;
  return Array.from({ length: count }, (_, i) => {
    const item = structuredClone(fixture[i % fixture.length]!);
    const id = `2607.${String(10000 + day * 100 + i)}`;
    const title = `${String(item.paper.title)} (day ${day}, ${i})`;
    item.paper = { ...item.paper, id, title };
    if ('title' in item) item.title = title;
    return item;
  });
}

/**
 * Steady memory: a day of compressed time (a digest every second, members searching, autocompleting and
 * subscribing all along, a fetch from the Daily Papers API every simulated hour adding a day's file to the
 * corpus). The bot's RSS, sampled every second after a warm-up, must end within 10% of where it was after the
 * warm-up; the curve is drawn in .soak/steady-memory.svg.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const seconds = Math.max(60, Math.round(DAY_SECONDS * scale));
  const warmUp = Math.max(20, Math.round(seconds * 0.15));
  const fetchEvery = Math.max(10, Math.round(seconds / 24));
  const random = createRandom(20261202);
  const problems: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-memory-'));
  const corpusDir = join(dir, 'corpus');
  await mkdir(corpusDir);
  await writeFile(join(corpusDir, 'generated.txt'), formatPage(generatePapers(Math.max(500, seconds * 2), 11)));

  const server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 }, globalPerSecond: 500 } });
  const sources = await startFakeSources();
  let bot: BotProcess | null = null;
  const samples: Array<{ second: number; rssMb: number }> = [];
  const latencies: number[] = [];
  let sent = 0;
  let answered = 0;
  let fetches = 0;
  let peakRss: number;
  try {
    bot = spawnBot({
      ...discordEnv(server),
      DATA_DIR: join(dir, 'data'),
      CORPUS_DIR: corpusDir,
      DIGEST_CRON: '* * * * * *',
      DIGEST_SIZE: '2',
      DIGEST_CATCH_UP: 'false',
      LOG_LEVEL: 'info',
    });
    await bot.waitFor(/next digest: /, 120_000);
    const pid = bot.child.pid!;
    const t0 = Date.now();
    let running = true;

    // Members: a few interactions a second, from a pool of 3,000 (each seen again now and then).
    const members = (async () => {
      const pending = new Set<Promise<void>>();
      for (let n = 0; running; n++) {
        await sleep(150 + random() * 200);
        const user = { id: String(700000000000000000n + BigInt(Math.floor(random() * 3000))) };
        const roll = random();
        const query = QUERIES[Math.floor(random() * QUERIES.length)]!;
        const interaction =
          roll < 0.45
            ? server.interact({
                type: 'autocomplete',
                name: 'paper',
                options: { query: query.slice(0, 3 + (n % 5)) },
                focused: 'query',
                user,
              })
            : roll < 0.9
              ? server.interact({ type: 'command', name: 'paper', options: { query }, user })
              : server.interact({ type: 'command', name: 'subscribe', options: { topic: TOPICS[n % TOPICS.length]! }, user });
        sent += 1;
        const settled: Promise<void> = interaction
          .then((outcome) => {
            if (outcome.error) return;
            answered += 1;
            latencies.push(outcome.latencyMs ?? 0);
          })
          .catch(() => undefined)
          .finally(() => pending.delete(settled));
        pending.add(settled);
      }
      await Promise.all([...pending]);
    })();

    for (let second = 1; second <= seconds; second++) {
      await sleep(Math.max(0, t0 + second * 1000 - Date.now()));
      const rss = rssMb(pid);
      if (rss === null) {
        problems.push(`the bot stopped at second ${second}: ${bot.stderr().slice(-400)}`);
        break;
      }
      samples.push({ second, rssMb: rss });
      if (second % fetchEvery === 0) {
        // A simulated hour: the Daily Papers API has a new day, and a fetch writes it into the corpus folder.
        fetches += 1;
        const day = `2026-07-${String(1 + (fetches % 28)).padStart(2, '0')}`;
        sources.setDay(day, dailyItems(fetches, 40));
        const fetched = await runCli(['fetch', '--date', day, '--days', '1'], {
          env: { CORPUS_DIR: corpusDir, SOURCES: 'hf-daily', HF_API_URL: sources.hfApiUrl },
        });
        if (fetched.code !== 0) problems.push(`fetch ${fetches} exited with ${fetched.code}: ${fetched.stderr.slice(0, 300)}`);
      }
    }
    running = false;
    await members;
    peakRss = readPeakRssMb(pid) ?? 0;
  } finally {
    if (bot) {
      bot.kill('SIGTERM');
      const code = await bot.exited;
      if (code !== 0) problems.push(`the bot exited with ${code}: ${bot.stderr().slice(-400)}`);
    }
    await sources.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }

  // Medians over a minute of samples (30 s at short scales): RSS moves with every young-generation collection.
  const span = Math.max(10, Math.min(60, Math.round(seconds / 20)));
  const median = (from: number) =>
    percentile(
      samples.filter((s) => s.second > from && s.second <= from + span).map((s) => s.rssMb),
      50,
    ) ?? NaN;
  const afterWarmUp = median(warmUp);
  const atEnd = median(seconds - span);
  if (!(atEnd <= afterWarmUp * (1 + TOLERANCE))) {
    problems.push(
      `RSS grew from ${afterWarmUp.toFixed(0)} MB after warm-up to ${atEnd.toFixed(0)} MB at the end (more than ${TOLERANCE * 100}%)`,
    );
  }
  if (answered < sent * 0.99) problems.push(`${sent - answered} of ${sent} interactions were not answered`);
  const posted = server.postedPaperIds();
  const duplicates = posted.length - new Set(posted).size;
  await mkdir(dirname(PLOT_FILE), { recursive: true });
  await writeFile(
    PLOT_FILE,
    plotMemory(samples, {
      title: `Paperboy RSS over a compressed day (${seconds} s, a digest every second, ${fetches} fetches, ${sent} interactions)`,
      warmUp,
      reference: afterWarmUp,
      tolerance: TOLERANCE,
    }),
  );
  console.log(`\n   RSS ${afterWarmUp.toFixed(0)} MB after warm-up, ${atEnd.toFixed(0)} MB at the end; curve: ${PLOT_FILE}`);
  return {
    scenario: 'steady-memory',
    load: `${seconds} s (a day at a minute a second), a digest every second, ${fetches} fetches, ${posted.length} papers posted`,
    faults: '–',
    papersExpected: null,
    papersPosted: new Set(posted).size,
    duplicates,
    lost: 0,
    interactionsSent: sent,
    interactionsAnswered: answered,
    p99Ms: percentile(latencies, 99) ?? null,
    peakRssMb: peakRss,
    crashes: 0,
    problems,
    durationMs: Date.now() - started,
  };
}
