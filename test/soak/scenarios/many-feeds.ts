import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { openSqliteStore } from '../../../src/adapters/sqlite/sqlite-store.js';
import type { Feed } from '../../../src/core/feed.js';
import { createPaperFilter } from '../../../src/core/feed-filter.js';
import { spawnBot, type BotProcess } from '../../support/bot-process.js';
import { startFakeDiscord } from '../../support/fake-discord/index.js';
import { createRandom, formatPage, generatePapers } from '../../support/generate-corpus.js';
import { makeFeed } from '../../support/memory-ports.js';
import { databaseIn } from '../../support/read-state.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isAlive = (bot: BotProcess) => bot.child.exitCode === null && bot.child.signalCode === null;

// Three servers, each with its channels and its members.
const SERVERS = [0, 1, 2].map((k) => ({
  guild: String(610000000000000001n + BigInt(k) * 1000n),
  channels: [String(610000000000000011n + BigInt(k) * 1000n), String(610000000000000012n + BigInt(k) * 1000n)],
  members: Array.from({ length: 20 }, (_, i) => String(610000000000000100n + BigInt(k) * 1000n + BigInt(i))),
}));
const TOPIC = 'scaling laws';

/**
 * Many feeds: three servers and six feeds on a schedule of every second, two of them sharing a channel, two
 * filtered by topics (one excluding a topic), different sizes, 5xx on some creates, members of every server
 * subscribed to one topic, and the bot killed with SIGKILL at random instants and restarted. In the end every feed
 * posted each of its papers exactly once, members were pinged in their own server only, and no feed was starved.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const random = createRandom(20261202);
  const problems: string[] = [];
  const papersCount = Math.max(60, Math.round(600 * scale));
  const kills = Math.max(4, Math.round(40 * scale));

  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-feeds-'));
  const corpusDir = join(dir, 'corpus');
  await mkdir(corpusDir);
  await writeFile(join(corpusDir, 'generated.txt'), formatPage(generatePapers(papersCount, 11)));
  const papers = (await loadCorpus(corpusDir)).papers;

  const [s0, s1, s2] = SERVERS as [(typeof SERVERS)[0], (typeof SERVERS)[0], (typeof SERVERS)[0]];
  const every = { cron: '* * * * * *', timezone: 'UTC' };
  const feeds: Array<Partial<Feed>> = [
    { id: 'f-a-all', guildId: s0.guild, channelId: s0.channels[0]!, schedule: every, size: 4 },
    { id: 'f-a-topic', guildId: s0.guild, channelId: s0.channels[0]!, schedule: every, size: 2, include: [TOPIC] },
    { id: 'f-a-other', guildId: s0.guild, channelId: s0.channels[1]!, schedule: every, size: 3, exclude: [TOPIC] },
    { id: 'f-b-all', guildId: s1.guild, channelId: s1.channels[0]!, schedule: { cron: '*/2 * * * * *', timezone: 'Asia/Tokyo' }, size: 5 },
    { id: 'f-c-all', guildId: s2.guild, channelId: s2.channels[0]!, schedule: every, size: 6 },
    { id: 'f-c-topic', guildId: s2.guild, channelId: s2.channels[1]!, schedule: every, size: 1, include: [TOPIC] },
  ];
  const expectedOf = (feed: Partial<Feed>) =>
    papers.filter(createPaperFilter({ include: feed.include ?? [], exclude: feed.exclude ?? [], minUpvotes: null })).map((p) => p.id);

  const store = await openSqliteStore(databaseIn(dir));
  for (const feed of feeds) await store.saveFeed(makeFeed(feed));
  const topics = { topics: [TOPIC], dm: false, updatedAt: '2026-01-01T00:00:00.000Z' };
  for (const server of SERVERS) for (const member of server.members) await store.updateSubscriber(server.guild, member, () => topics);
  await store.close();

  const discord = await startFakeDiscord({
    nonceWindowMs: 0,
    rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 }, globalPerSecond: 500 },
    guilds: SERVERS.map((s, k) => ({
      id: s.guild,
      name: `server ${k}`,
      channels: s.channels.map((id, i) => ({ id, name: `papers-${i}` })),
      members: s.members.map((userId, i) => ({ userId, username: `member-${k}-${i}` })),
    })),
  });
  discord.faults.failRate({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, 0.03, 500);
  const env = { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, DATA_DIR: dir, CORPUS_DIR: corpusDir, LOG_LEVEL: 'info' };

  let crashes = 0;
  let peakRss = 0;
  let killed = 0;
  const watch = (bot: BotProcess) =>
    void bot.exited.then((code) => {
      if (code !== 0 && code !== 'SIGKILL' && code !== 'SIGTERM') {
        crashes += 1;
        problems.push(`the bot exited with ${String(code)}: ${bot.stderr().split('\n').slice(-3).join(' ').slice(0, 300)}`);
      }
    });
  for (let i = 0; i < kills; i += 1) {
    const bot = spawnBot(env);
    watch(bot);
    await bot.waitFor(/next digest/, 60_000).catch(() => undefined);
    await sleep(500 + Math.floor(random() * 2500));
    peakRss = Math.max(peakRss, readPeakRssMb(bot.child.pid) ?? 0);
    if (isAlive(bot)) {
      bot.kill('SIGKILL');
      killed += 1;
    }
    await bot.exited;
  }

  // The last run, undisturbed: every feed posts what it has left.
  const finisher = spawnBot(env);
  watch(finisher);
  // Its own start first: the earlier runs may have posted everything, and a stop must find it running.
  await finisher.waitFor(/next digest/, 60_000).catch(() => problems.push('the finisher never started'));
  const channelFeeds = new Map<string, Array<Partial<Feed>>>();
  for (const feed of feeds) channelFeeds.set(feed.channelId!, [...(channelFeeds.get(feed.channelId!) ?? []), feed]);
  const expectedIn = (channel: string) => channelFeeds.get(channel)!.reduce((n, feed) => n + expectedOf(feed).length, 0);
  const channels = [...channelFeeds.keys()];
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline && channels.some((c) => discord.postedPaperIds(c).length < expectedIn(c))) await sleep(500);
  peakRss = Math.max(peakRss, readPeakRssMb(finisher.child.pid) ?? 0);
  finisher.kill('SIGTERM');
  if ((await finisher.exited) !== 0) problems.push('the final stop did not exit 0');

  // Each channel holds each of its feeds' papers once per feed (a paper in two feeds of one channel: twice).
  let duplicates = 0;
  let lost = 0;
  let expectedTotal = 0;
  let posted = 0;
  for (const channel of channels) {
    const want = new Map<string, number>();
    for (const feed of channelFeeds.get(channel)!) for (const id of expectedOf(feed)) want.set(id, (want.get(id) ?? 0) + 1);
    const got = new Map<string, number>();
    for (const id of discord.postedPaperIds(channel)) got.set(id, (got.get(id) ?? 0) + 1);
    for (const [id, n] of want) {
      expectedTotal += n;
      const have = got.get(id) ?? 0;
      posted += Math.min(have, n);
      if (have < n) lost += n - have;
      if (have > n) duplicates += have - n;
    }
    for (const [id, n] of got) if (!want.has(id)) problems.push(`${id} posted ${n}× in ${channel}, which no feed there should post`);
  }
  // Pings stay in their server.
  let foreign = 0;
  for (const server of SERVERS) {
    const outsiders = new Set(SERVERS.filter((s) => s !== server).flatMap((s) => s.members));
    for (const channel of server.channels)
      for (const m of discord.messages(channel)) foreign += m.pinged.users.filter((u) => outsiders.has(u)).length;
  }
  if (foreign) problems.push(`${foreign} pings reached members of another server`);
  if (duplicates) problems.push(`${duplicates} duplicates`);
  if (lost) problems.push(`${lost} papers never posted`);

  await discord.close();
  await rm(dir, { recursive: true, force: true });
  return {
    scenario: 'many feeds',
    load: `${papers.length} papers, 3 servers, ${feeds.length} feeds (two sharing a channel, two filtered, one every 2 s in Asia/Tokyo), ${SERVERS.length * 20} subscribers, ${killed} kill -9 with restarts`,
    faults: '3% 5xx on creates, nonce window 0',
    papersExpected: expectedTotal,
    papersPosted: posted,
    duplicates,
    lost,
    foreignActions: foreign,
    interactionsSent: null,
    interactionsAnswered: null,
    p99Ms: null,
    peakRssMb: peakRss || null,
    crashes,
    problems,
    durationMs: Date.now() - started,
  };
}
