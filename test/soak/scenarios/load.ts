import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBot, discordEnv } from '../../support/bot-process.js';
import { startFakeDiscord, type InteractionOutcome } from '../../support/fake-discord/index.js';
import { createRandom, formatPage, generatePapers } from '../../support/generate-corpus.js';
import { percentile } from '../../support/stats.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';

const QUERIES = [
  'efficient transformers',
  'scaling laws',
  'quantization',
  'mixture of experts',
  'retreival',
  'distilation',
  'long context',
  'low-bit',
  'code generation',
  'robust agents',
  'tokenisation',
  'speech recognition',
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Load: bursts of 200 concurrent `/paper` commands and autocompletes from 200 different members while digests are
 * being posted (slow message creates keep one in flight). Every interaction must be answered within Discord's 3 s.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const bursts = Math.max(1, Math.round(10 * scale));
  const burstSize = 200;
  const papersCount = 3000;
  const random = createRandom(7);
  const problems: string[] = [];

  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-load-'));
  await mkdir(join(dir, 'corpus'));
  await writeFile(join(dir, 'corpus', 'generated.txt'), formatPage(generatePapers(papersCount, 3)));
  const server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 } } });
  // Slow creates: a digest of 10 papers takes a couple of seconds, so the bursts land while it is posting.
  server.faults.delay({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, 200);
  const bot = spawnBot({
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: join(dir, 'corpus'),
    DIGEST_CRON: '*/3 * * * * *',
    DIGEST_SIZE: '10',
    LOG_LEVEL: 'warn',
  });
  const outcomes: InteractionOutcome[] = [];
  let sent = 0;
  let duringDigest = 0;
  try {
    // Wait until the commands are registered (the fake refuses interactions for unknown commands).
    for (let i = 0; i < 200 && server.commands(server.guildId).length < 6; i += 1) await sleep(100);
    for (let b = 0; b < bursts; b += 1) {
      // Start each burst right after a digest began posting.
      const before = server.messages(server.channelId).length;
      // (up to 15 s: on a loaded 2-core machine the first digest after the start can take several runs of the schedule)
      for (let i = 0; i < 300 && server.messages(server.channelId).length === before; i += 1) await sleep(50);
      const inFlight = server.messages(server.channelId).length > before;
      const wave = await Promise.all(
        Array.from({ length: burstSize }, (_, i) => {
          const user = { id: String(700000000000000000n + BigInt(b * burstSize + i)) };
          const query = QUERIES[Math.floor(random() * QUERIES.length)]!;
          sent += 1;
          return i % 2
            ? server.interact({ type: 'command', name: 'paper', options: { query, public: random() < 0.2 }, user })
            : server.interact({
                type: 'autocomplete',
                name: 'paper',
                options: { query: query.slice(0, 2 + Math.floor(random() * 8)) },
                focused: 'query',
                user,
              });
        }),
      );
      if (inFlight) duringDigest += 1;
      outcomes.push(...wave);
      await sleep(500);
    }
  } catch (error) {
    problems.push((error as Error).message.slice(0, 300));
  }
  const peakRssMb = readPeakRssMb(bot.child.pid);
  bot.kill('SIGTERM');
  const code = await bot.exited;
  if (code !== 0) problems.push(`bot exited with ${code}`);

  const answered = outcomes.filter((o) => !o.error && (o.latencyMs ?? Infinity) < 3000);
  if (answered.length !== sent) problems.push(`${sent - answered.length} interactions were not answered within 3 s`);
  if (duringDigest === 0) problems.push('no burst overlapped a digest');
  const ids = server.postedPaperIds();
  const duplicates = ids.length - new Set(ids).size;
  const latencies = outcomes.map((o) => o.latencyMs ?? 3000);
  await server.close();
  await rm(dir, { recursive: true, force: true });
  return {
    scenario: 'load',
    load: `${bursts} bursts × ${burstSize} concurrent /paper + autocomplete (${duringDigest} during a digest), ${papersCount.toLocaleString('en-US')} papers; p50 ${percentile(latencies, 50)} ms`,
    faults: '200 ms message creates',
    papersExpected: null,
    papersPosted: ids.length,
    duplicates,
    lost: 0,
    interactionsSent: sent,
    interactionsAnswered: answered.length,
    p99Ms: percentile(latencies, 99),
    peakRssMb,
    crashes: code === 0 ? 0 : 1,
    problems,
    durationMs: Date.now() - started,
  };
}
