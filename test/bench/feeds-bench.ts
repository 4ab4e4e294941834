import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { openPostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { spawnBot } from '../support/bot-process.js';
import { startFakeDiscord } from '../support/fake-discord/index.js';
import { makeFeed } from '../support/memory-ports.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { databaseIn } from '../support/read-state.js';
import { readPeakRssMb } from '../soak/report.js';

/** Many servers with one feed each, all due at the same second, against Discord's own rate limits. */
export interface FeedsBenchRow {
  /** Where the records are and how many processes run: `sqlite`, `postgres`, `postgres, 2 shards`... */
  setup: string;
  servers: number;
  messages: number;
  /** From the due second to the last message of the last feed. */
  allPostedMs: number;
  /** The same, for the feeds other than the one whose channel refuses the bot. */
  othersPostedMs: number;
  /** Answers 429 the fake Discord gave; each retried by discord.js's queue, none surfaced as a failure. */
  rateLimited: number;
  failedFeeds: number;
  /** Channels with more messages than one digest (an opening and a card): a post made twice would show here. */
  overPosted: number;
  idleRssMb: number;
  peakRssMb: number | null;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/** A process and its children (a shard manager and its shards), by /proc's children lists. */
const treeOf = (pid: number): number[] => {
  let children: number[] = [];
  try {
    children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    // Gone meanwhile.
  }
  return [pid, ...children.flatMap(treeOf)];
};
const treeRssMb = (pid: number) =>
  treeOf(pid).reduce(
    (sum, p) =>
      sum +
      (() => {
        try {
          return rssMb(p);
        } catch {
          return 0;
        }
      })(),
    0,
  );

/** Where a run keeps its records, and how many shard processes it runs. */
export interface FeedsSetup {
  label: string;
  postgres: boolean;
  shards: number | null;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(servers: number, setup: FeedsSetup, postgres: TestPostgres | null): Promise<FeedsBenchRow> {
  // Snowflakes as Discord makes them: the creation time sits above bit 22, so servers created one after another fall
  // on every shard in turn (`(id >> 22) % count`). Ids 1,000 apart in the low bits would all sit on one shard.
  const guildId = (i: number) => String((120_000_000_000n + BigInt(i) * 7919n) << 22n);
  const channelId = (i: number) => String(((120_000_000_000n + BigInt(i) * 7919n) << 22n) + 1n);
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
  // (shards start one IDENTIFY interval apart, 5.5 s each)
  const due = new Date(Math.ceil((Date.now() + 20_000 + servers * 10 + (setup.shards ?? 0) * 8000) / 1000) * 1000);
  const cron = `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} * * *`;
  const url = setup.postgres ? await postgres!.createDatabase() : null;
  const store = url ? await openPostgresStore(url) : await openSqliteStore(databaseIn(dir));
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
    LOG_LEVEL: process.env.BENCH_FEEDS_LOG ?? 'warn',
    ...(url ? { DATABASE_URL: url } : {}),
    ...(setup.shards ? { SHARDS: String(setup.shards) } : {}),
  });
  try {
    while (Date.now() < due.getTime() - 2000) await sleep(200);
    const idleRssMb = treeRssMb(bot.child.pid!);
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
    const over = Array.from({ length: servers }, (_, i) => channelId(i)).filter((id) => discord.messages(id).length > 2);
    for (const id of over.slice(0, 3)) {
      const feedId = `f-${Array.from({ length: servers }, (_, i) => channelId(i)).indexOf(id)}`;
      const lines = `${bot.stdout()}\n${bot.stderr()}`.split('\n').filter((line) => line.includes(`"${feedId}"`));
      console.error(`[bench feeds] ${setup.label}: the log of feed ${feedId}:\n${lines.join('\n')}`);
      console.error(
        `[bench feeds] ${setup.label}: channel ${id} has ${discord.messages(id).length} messages:`,
        JSON.stringify(
          discord
            .messages(id)
            .map((m) => ({ content: m.content, nonce: m.nonce, footers: m.embeds.map((e) => JSON.stringify(e.footer ?? null)) })),
        ),
      );
    }
    return {
      setup: setup.label,
      servers,
      messages,
      allPostedMs: Math.max(othersPostedMs, refusedLast - due.getTime()),
      othersPostedMs,
      rateLimited: discord.requests.filter((r) => r.status === 429).length,
      failedFeeds,
      overPosted: over.length,
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

const SETUPS: FeedsSetup[] = [
  { label: 'SQLite, one process', postgres: false, shards: null },
  { label: 'PostgreSQL, one process', postgres: true, shards: null },
  { label: 'PostgreSQL, 2 shards', postgres: true, shards: 2 },
  { label: 'PostgreSQL, 4 shards', postgres: true, shards: 4 },
];

/**
 * 2 and 1,000 servers on SQLite (the time to post and the memory a feed costs), then 1,000 on PostgreSQL with one
 * process, 2 and 4 shards (BENCH_FEEDS: the sizes; BENCH_FEEDS_SETUPS=sqlite to skip PostgreSQL).
 */
export async function benchFeeds(): Promise<FeedsBenchRow[]> {
  const sizes = (process.env.BENCH_FEEDS ?? '1,1000').split(',').map(Number);
  const rows: FeedsBenchRow[] = [];
  if (process.env.BENCH_FEEDS_SHARDS === undefined)
    for (const servers of sizes) rows.push(await measure(Math.max(2, servers), SETUPS[0]!, null));
  if (process.env.BENCH_FEEDS_SETUPS === 'sqlite') return rows;
  const only = process.env.BENCH_FEEDS_SHARDS ? Number(process.env.BENCH_FEEDS_SHARDS) : undefined;
  const started = await startTestPostgres({ durable: true });
  if (!started.server) {
    console.log(`(PostgreSQL rows skipped: ${started.skip})`);
    return rows;
  }
  try {
    for (const setup of SETUPS.slice(1).filter((s) => only === undefined || (s.shards ?? 1) === only))
      rows.push(await measure(Math.max(2, sizes.at(-1)!), setup, started.server));
  } finally {
    await started.server.stop();
  }
  return rows;
}

export function printFeedsBench(rows: FeedsBenchRow[]): void {
  console.log('\n## Feeds: servers with one feed each, all due at the same second (fake Discord, 50 req/s, 5 msg / 5 s / channel)\n');
  console.log(
    '| setup | servers | messages | all others posted | 429 answered (retried) | feeds that failed | channels over one digest | idle RSS (all processes) | peak RSS (first) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.setup} | ${r.servers} | ${r.messages} | ${(r.othersPostedMs / 1000).toFixed(1)} s | ${r.rateLimited} | ${r.failedFeeds} | ${r.overPosted} | ${r.idleRssMb.toFixed(0)} MB | ${r.peakRssMb?.toFixed(0) ?? '?'} MB |`,
    );
  if (rows.length >= 2) {
    const [small, large] = [rows[0]!, rows.filter((r) => r.setup === rows[0]!.setup).at(-1)!];
    console.log(`\nMemory per feed: ${(((large.idleRssMb - small.idleRssMb) * 1024) / (large.servers - small.servers)).toFixed(1)} KB`);
  }
}
