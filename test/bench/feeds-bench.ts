import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { spawnBot } from '../support/bot-process.js';
import { startFakeDiscord } from '../support/fake-discord/index.js';
import { makeFeed } from '../support/memory-ports.js';
import { databaseIn } from '../support/read-state.js';
import { readPeakRssMb } from '../soak/report.js';

/** Many servers with one feed each, all due at the same second, against Discord's own rate limits. */
export interface FeedsBenchRow {
  servers: number;
  messages: number;
  /** From the due second to the last message of the last feed. */
  allPostedMs: number;
  /** The same, for the feeds other than the one whose channel refuses the bot. */
  othersPostedMs: number;
  /** Answers 429 the fake Discord gave; each retried by discord.js's queue, none surfaced as a failure. */
  rateLimited: number;
  failedFeeds: number;
  idleRssMb: number;
  peakRssMb: number | null;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(servers: number): Promise<FeedsBenchRow> {
  const guildId = (i: number) => String(500_000_000_000_000_000n + BigInt(i) * 1000n);
  const channelId = (i: number) => String(500_000_000_000_000_000n + BigInt(i) * 1000n + 1n);
  // Discord's documented limits: 50 requests per second globally, 5 messages per 5 s per channel (the defaults).
  const discord = await startFakeDiscord({
    guilds: Array.from({ length: servers }, (_, i) => ({
      id: guildId(i),
      name: `server ${i}`,
      channels: [{ id: channelId(i), name: 'papers' }],
    })),
  });
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-bench-feeds-'));
  // Due at one second, far enough ahead for the start: every feed at once.
  const due = new Date(Math.ceil((Date.now() + 20_000 + servers * 10) / 1000) * 1000);
  const cron = `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} * * *`;
  const store = await openSqliteStore(databaseIn(dir));
  for (let i = 0; i < servers; i += 1)
    await store.saveFeed(
      makeFeed({ id: `f-${i}`, guildId: guildId(i), channelId: channelId(i), schedule: { cron, timezone: 'UTC' }, size: 1 }),
    );
  await store.close();
  // One feed's channel refuses the bot: its failure must not hold the others up.
  discord.setOverwrite(channelId(servers - 1), { id: guildId(servers - 1), type: 'role', deny: PermissionFlagsBits.SendMessages });
  const bot = spawnBot({
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DATA_DIR: dir,
    CORPUS_DIR: 'seeds',
    LOG_LEVEL: 'warn',
  });
  try {
    while (Date.now() < due.getTime() - 2000) await sleep(200);
    const idleRssMb = rssMb(bot.child.pid!);
    const expected = (servers - 1) * 2;
    const lastOf = new Map<string, number>();
    const deadline = due.getTime() + 15 * 60_000;
    while (Date.now() < deadline) {
      let count = 0;
      for (let i = 0; i < servers - 1; i += 1) {
        const n = discord.messages(channelId(i)).length;
        count += n;
        if (n >= 2 && !lastOf.has(channelId(i))) lastOf.set(channelId(i), Date.now());
      }
      if (count >= expected) break;
      await sleep(250);
    }
    const refusedLast = Date.now();
    const messages = Array.from({ length: servers }, (_, i) => discord.messages(channelId(i)).length).reduce((a, b) => a + b, 0);
    const othersPostedMs = Math.max(...lastOf.values()) - due.getTime();
    const failedFeeds = Array.from({ length: servers - 1 }, (_, i) => discord.messages(channelId(i)).length < 2).filter(Boolean).length;
    return {
      servers,
      messages,
      allPostedMs: Math.max(othersPostedMs, refusedLast - due.getTime()),
      othersPostedMs,
      rateLimited: discord.requests.filter((r) => r.status === 429).length,
      failedFeeds,
      idleRssMb,
      peakRssMb: readPeakRssMb(bot.child.pid),
    };
  } finally {
    bot.kill('SIGTERM');
    await bot.exited;
    await discord.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** 1 and 1,000 servers, for the time to post and the memory a feed costs. */
export async function benchFeeds(): Promise<FeedsBenchRow[]> {
  const sizes = (process.env.BENCH_FEEDS ?? '1,1000').split(',').map(Number);
  const rows: FeedsBenchRow[] = [];
  for (const servers of sizes) rows.push(await measure(Math.max(2, servers)));
  return rows;
}

export function printFeedsBench(rows: FeedsBenchRow[]): void {
  console.log('\n## Feeds: servers with one feed each, all due at the same second (fake Discord, 50 req/s, 5 msg / 5 s / channel)\n');
  console.log('| servers | messages | all others posted | 429 answered (retried) | feeds that failed | idle RSS | peak RSS |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.servers} | ${r.messages} | ${(r.othersPostedMs / 1000).toFixed(1)} s | ${r.rateLimited} | ${r.failedFeeds} | ${r.idleRssMb.toFixed(0)} MB | ${r.peakRssMb?.toFixed(0) ?? '?'} MB |`,
    );
  if (rows.length >= 2) {
    const [small, large] = [rows[0]!, rows.at(-1)!];
    console.log(`\nMemory per feed: ${(((large.idleRssMb - small.idleRssMb) * 1024) / (large.servers - small.servers)).toFixed(1)} KB`);
  }
}
