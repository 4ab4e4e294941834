import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { openPostgresStore } from '../../../src/adapters/postgres/postgres-store.js';
import { spawnBot, type BotProcess } from '../../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../../support/fake-discord/index.js';
import { createRandom, formatPage, generatePapers } from '../../support/generate-corpus.js';
import { makeFeed } from '../../support/memory-ports.js';
import { startTestPostgres, type TestPostgres } from '../../support/postgres.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';

/*
 * Several processes on one PostgreSQL database (issue 14): two shard processes, a rolling deploy, and a database
 * outage. Each row seeds servers with one feed each in the database, runs real bot processes against the fake
 * Discord's sharded gateway, and counts every feed's papers in its channel at the end: once each, none missing.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isAlive = (bot: BotProcess) => bot.child.exitCode === null && bot.child.signalCode === null;
// Snowflakes whose timestamp part (id >> 22) is T + k: among 2 shards, server k is on shard k % 2.
const T = 310_000_000_000n;
const guildOf = (k: number) => (((T + BigInt(k)) << 22n) | 1n).toString();
const channelOf = (k: number) => (((T + BigInt(k)) << 22n) | 2n).toString();

interface World {
  discord: FakeDiscord;
  postgres: TestPostgres;
  url: string;
  dir: string;
  corpusDir: string;
  servers: number;
  papers: string[];
  env: (extra?: Record<string, string>) => Record<string, string>;
  /** Every channel holds each paper once: duplicates and papers missing over all feeds. */
  tally(): { expected: number; posted: number; duplicates: number; lost: number };
  done(): boolean;
  close(): Promise<void>;
}

async function createWorld(options: {
  servers: number;
  papers: number;
  cron: string;
  size: number;
  seed: number;
}): Promise<World | string> {
  const started = await startTestPostgres();
  if (!started.server) return started.skip;
  const postgres = started.server;
  const url = await postgres.createDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-pg-'));
  const corpusDir = join(dir, 'corpus');
  await mkdir(corpusDir);
  await writeFile(join(corpusDir, 'generated.txt'), formatPage(generatePapers(options.papers, options.seed)));
  const papers = (await loadCorpus(corpusDir)).papers.map((p) => p.id);
  const store = await openPostgresStore(url);
  for (let k = 0; k < options.servers; k += 1)
    await store.saveFeed(
      makeFeed({
        id: `f-${k}`,
        guildId: guildOf(k),
        channelId: channelOf(k),
        schedule: { cron: options.cron, timezone: 'UTC' },
        size: options.size,
      }),
    );
  await store.close();
  const discord = await startFakeDiscord({
    nonceWindowMs: 0,
    recommendedShards: 2,
    rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 }, globalPerSecond: 500 },
    guilds: Array.from({ length: options.servers }, (_, k) => ({
      id: guildOf(k),
      name: `server ${k}`,
      channels: [{ id: channelOf(k), name: 'papers' }],
    })),
  });
  let dataDirs = 0;
  const world: World = {
    discord,
    postgres,
    url,
    dir,
    corpusDir,
    servers: options.servers,
    papers,
    env: (extra = {}) => ({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DATABASE_URL: url,
      // Each process its own folder for its health file; the records are in PostgreSQL.
      DATA_DIR: join(dir, `process-${(dataDirs += 1)}`),
      CORPUS_DIR: corpusDir,
      LOG_LEVEL: 'info',
      ...extra,
    }),
    tally() {
      let duplicates = 0;
      let lost = 0;
      let posted = 0;
      for (let k = 0; k < options.servers; k += 1) {
        const seen = new Map<string, number>();
        for (const id of discord.postedPaperIds(channelOf(k))) seen.set(id, (seen.get(id) ?? 0) + 1);
        for (const id of papers) {
          const n = seen.get(id) ?? 0;
          if (n === 0) lost += 1;
          else posted += 1;
          if (n > 1) duplicates += n - 1;
        }
      }
      return { expected: papers.length * options.servers, posted, duplicates, lost };
    },
    done: () => world.tally().lost === 0,
    async close() {
      await discord.close();
      await postgres.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Members asking `/paper` in random servers while processes come and go: answered, or lost with a dead process. */
function startInteractions(world: World, random: () => number, live: () => BotProcess[]) {
  const counts = { sent: 0, answered: 0, lostToKills: 0, lostToOutages: 0, unexplained: 0 };
  const pending = new Set<Promise<void>>();
  let on = true;
  const loop = (async () => {
    while (on) {
      await sleep(250 + random() * 250);
      const k = Math.floor(random() * world.servers);
      // A copy: a killed process is replaced in the list, and an interaction sent to it is lost to that kill.
      const before = [...live()];
      counts.sent += 1;
      const settled: Promise<void> = world.discord
        .interact({
          type: 'command',
          name: 'paper',
          options: { query: 'model' },
          guildId: guildOf(k),
          channelId: channelOf(k),
          user: { id: '700000000000000001' },
        })
        .then((outcome) => {
          if (!outcome.error) counts.answered += 1;
          else if (before.some((bot) => !isAlive(bot))) counts.lostToKills += 1;
          else if (!outcome.delivered) counts.lostToOutages += 1;
          else counts.unexplained += 1;
        })
        .catch(() => {
          // Refused before the commands were registered (the first start).
          counts.sent -= 1;
        })
        .finally(() => pending.delete(settled));
      pending.add(settled);
    }
  })();
  return {
    counts,
    async stop() {
      on = false;
      await loop;
      await Promise.all(pending);
    },
  };
}

function report(
  scenario: string,
  world: World,
  started: number,
  problems: string[],
  extra: {
    load: string;
    faults: string;
    peakRss: number;
    crashes: number;
    interactions?: { sent: number; answered: number; unexplained: number };
  },
): ScenarioReport {
  const t = world.tally();
  if (t.duplicates) problems.push(`${t.duplicates} duplicates`);
  if (t.lost) problems.push(`${t.lost} papers never posted`);
  if (extra.interactions?.unexplained) problems.push(`${extra.interactions.unexplained} interactions to a live process went unanswered`);
  return {
    scenario,
    load: extra.load,
    faults: extra.faults,
    papersExpected: t.expected,
    papersPosted: t.posted,
    duplicates: t.duplicates,
    lost: t.lost,
    interactionsSent: extra.interactions?.sent ?? null,
    interactionsAnswered: extra.interactions?.answered ?? null,
    p99Ms: null,
    peakRssMb: extra.peakRss || null,
    crashes: extra.crashes,
    problems,
    durationMs: Date.now() - started,
  };
}

const skipped = (scenario: string, why: string, started: number): ScenarioReport => ({
  scenario,
  load: '',
  faults: '',
  papersExpected: null,
  papersPosted: null,
  duplicates: 0,
  lost: 0,
  interactionsSent: null,
  interactionsAnswered: null,
  p99Ms: null,
  peakRssMb: null,
  crashes: 0,
  problems: [],
  skipped: `no PostgreSQL: ${why}`,
  durationMs: Date.now() - started,
});

/** Watches a bot: an exit other than a kill or a clean stop is a crash. */
function watcher(problems: string[], counts: { crashes: number; peakRss: number }) {
  return (bot: BotProcess) =>
    void bot.exited.then((code) => {
      if (code !== 0 && code !== 'SIGKILL' && code !== 'SIGTERM') {
        counts.crashes += 1;
        problems.push(`a bot exited with ${String(code)}: ${bot.stderr().split('\n').slice(-3).join(' ').slice(0, 300)}`);
      }
    });
}

/** Two shard processes (SHARD_IDS 0 and 1 of 2) on PostgreSQL, either killed -9 at random and restarted, with 5xx. */
export async function runTwoShards(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const world = await createWorld({ servers: 50, papers: Math.max(10, Math.round(40 * scale)), cron: '*/2 * * * * *', size: 5, seed: 31 });
  if (typeof world === 'string') return skipped('two shards', world, started);
  const problems: string[] = [];
  const random = createRandom(20261203);
  const stats = { crashes: 0, peakRss: 0 };
  const watch = watcher(problems, stats);
  world.discord.faults.failRate({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, 0.03, 500);
  const shardEnv = (id: number) => ({ SHARD_IDS: String(id), SHARD_COUNT: '2' });
  const bots: BotProcess[] = [0, 1].map((id) => spawnBot(world.env(shardEnv(id))));
  bots.forEach(watch);
  const interactions = startInteractions(world, random, () => bots);
  let kills = 0;
  const killsWanted = Math.max(4, Math.round(20 * scale));
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline && (kills < killsWanted || !world.done())) {
    await sleep(1500 + random() * 2500);
    if (kills >= killsWanted) continue;
    const id = random() < 0.5 ? 0 : 1;
    stats.peakRss = Math.max(stats.peakRss, readPeakRssMb(bots[id]!.child.pid) ?? 0);
    bots[id]!.kill('SIGKILL');
    await bots[id]!.exited;
    kills += 1;
    bots[id] = spawnBot(world.env(shardEnv(id)));
    watch(bots[id]);
  }
  await interactions.stop();
  for (const bot of bots) bot.kill('SIGTERM');
  for (const bot of bots) if ((await bot.exited) !== 0) problems.push('a shard did not stop cleanly');
  const result = report('two shards', world, started, problems, {
    load: `50 servers with a feed each (every 2 s), ${world.papers.length} papers each, two shard processes (SHARD_IDS 0 and 1 of 2), ${kills} kill -9 with restarts`,
    faults: "3% 5xx on creates, Discord's nonce window 0",
    ...stats,
    interactions: {
      ...interactions.counts,
      sent: interactions.counts.sent - interactions.counts.lostToKills - interactions.counts.lostToOutages,
    },
  });
  await world.close();
  return result;
}

/** A rolling deploy: a second copy of the same process started while the first runs, then the first killed; repeated. */
export async function runRollingDeploy(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const world = await createWorld({ servers: 20, papers: Math.max(10, Math.round(40 * scale)), cron: '* * * * * *', size: 3, seed: 32 });
  if (typeof world === 'string') return skipped('rolling deploy', world, started);
  const problems: string[] = [];
  const random = createRandom(20261204);
  const stats = { crashes: 0, peakRss: 0 };
  const watch = watcher(problems, stats);
  let current = spawnBot(world.env());
  watch(current);
  const live: BotProcess[] = [current];
  const interactions = startInteractions(world, random, () => live);
  const deploys = Math.max(3, Math.round(12 * scale));
  for (let i = 0; i < deploys; i += 1) {
    await current.waitFor(/next digest/, 60_000).catch(() => undefined);
    const next = spawnBot(world.env());
    watch(next);
    live.push(next);
    await next.waitFor(/next digest/, 60_000).catch(() => undefined);
    // Both run the same feeds for a while, then the old one goes (killed: the worst case).
    await sleep(1000 + random() * 2000);
    stats.peakRss = Math.max(stats.peakRss, readPeakRssMb(current.child.pid) ?? 0);
    current.kill('SIGKILL');
    await current.exited;
    live.splice(live.indexOf(current), 1);
    current = next;
  }
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline && !world.done()) await sleep(500);
  await interactions.stop();
  current.kill('SIGTERM');
  if ((await current.exited) !== 0) problems.push('the last copy did not stop cleanly');
  const result = report('rolling deploy', world, started, problems, {
    load: `20 servers with a feed each (every second), ${world.papers.length} papers each, ${deploys} deploys: a new copy started beside the old, then the old killed -9`,
    faults: "two copies running the same feeds at each overlap, Discord's nonce window 0",
    ...stats,
    interactions: {
      ...interactions.counts,
      sent: interactions.counts.sent - interactions.counts.lostToKills - interactions.counts.lostToOutages,
    },
  });
  await world.close();
  return result;
}

/** PostgreSQL refuses connections and cuts the open ones for 10 s in the middle of digests, then comes back. */
export async function runDatabaseOutage(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const world = await createWorld({ servers: 10, papers: Math.max(20, Math.round(60 * scale)), cron: '* * * * * *', size: 2, seed: 33 });
  if (typeof world === 'string') return skipped('database outage', world, started);
  const problems: string[] = [];
  const stats = { crashes: 0, peakRss: 0 };
  const watch = watcher(problems, stats);
  let bot = spawnBot(world.env());
  watch(bot);
  const name = new URL(world.url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: world.postgres.url });
  await admin.connect();
  const outages = Math.max(1, Math.round(3 * scale));
  let restarts = 0;
  for (let i = 0; i < outages; i += 1) {
    await bot.waitFor(/next digest/, 60_000).catch(() => undefined);
    await sleep(2500);
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    const postedAtStart = world.tally().posted;
    await sleep(10_000);
    // Nothing may be posted that cannot be recorded: at most the posts under way when the outage began.
    const duringOutage = world.tally().posted - postedAtStart;
    if (duringOutage > world.servers) problems.push(`${duringOutage} papers were posted while the database was down`);
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    // A bot that gave up (exit 1 on a fatal error) is restarted, as a supervisor would.
    if (!isAlive(bot)) {
      restarts += 1;
      bot = spawnBot(world.env());
      watch(bot);
    }
  }
  await admin.end();
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline && !world.done()) await sleep(500);
  stats.peakRss = readPeakRssMb(bot.child.pid) ?? 0;
  bot.kill('SIGTERM');
  if ((await bot.exited) !== 0) problems.push('the bot did not stop cleanly after the outages');
  const result = report('database outage', world, started, problems, {
    load: `10 servers with a feed each (every second), ${world.papers.length} papers each, ${outages} outages of 10 s, ${restarts} restarts needed`,
    faults: 'PostgreSQL refusing connections and cutting the open ones for 10 s mid-digest',
    ...stats,
  });
  await world.close();
  return result;
}
