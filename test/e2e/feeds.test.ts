import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import type { Feed } from '../../src/core/feed.js';
import { createPaperFilter } from '../../src/core/feed-filter.js';
import { CHANNEL_DELETED_REASON, GUILD_REMOVED_REASON } from '../../src/core/feed-life.js';
import type { Paper } from '../../src/core/paper.js';
import { spawnBot } from '../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { createRandom } from '../support/generate-corpus.js';
import { makeFeed } from '../support/memory-ports.js';
import { databaseIn, readState } from '../support/read-state.js';

// Two servers set up by /digest setup before this start (seeded in the database): no DISCORD_CHANNEL_ID at all.
const A = { guild: '310000000000000001', papers: '310000000000000011', member: '310000000000000031' };
const B = { guild: '320000000000000001', papers: '320000000000000011', quiet: '320000000000000012', member: '320000000000000031' };
const EVERY_SECOND = { cron: '* * * * * *', timezone: 'UTC' };
// A feed of its own schedule that never comes during the test: it posts nothing while the others post.
const NEW_YEAR = { cron: '0 0 1 1 *', timezone: 'Pacific/Auckland' };
const FILTER = { include: ['reasoning'], exclude: ['reinforcement learning'] };

const FEEDS: Array<Partial<Feed>> = [
  { id: 'a-all', guildId: A.guild, channelId: A.papers, schedule: EVERY_SECOND, size: 10 },
  // Shares its channel with a-all, and posts only its topics.
  { id: 'a-reasoning', guildId: A.guild, channelId: A.papers, schedule: EVERY_SECOND, size: 2, ...FILTER },
  { id: 'b-all', guildId: B.guild, channelId: B.papers, schedule: EVERY_SECOND, size: 10 },
  { id: 'b-yearly', guildId: B.guild, channelId: B.quiet, schedule: NEW_YEAR, size: 10 },
];

let papers: Paper[];
let filtered: string[];
const servers: FakeDiscord[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  ({ papers } = await loadCorpus('seeds'));
  filtered = papers.filter(createPaperFilter({ ...FILTER, minUpvotes: null })).map((p) => p.id);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fake Discord with both servers, and a data folder whose database holds the feeds and members' topics. */
async function setup(options: { postDelayMs?: number } = {}) {
  const server = await startFakeDiscord({
    rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } },
    guilds: [
      { id: A.guild, name: 'Guild A', channels: [{ id: A.papers, name: 'papers' }], members: [{ userId: A.member, username: 'alice' }] },
      {
        id: B.guild,
        name: 'Guild B',
        channels: [
          { id: B.papers, name: 'papers' },
          { id: B.quiet, name: 'quiet' },
        ],
        members: [{ userId: B.member, username: 'bea' }],
      },
    ],
  });
  servers.push(server);
  if (options.postDelayMs) server.faults.delay({ method: 'POST', path: /\/messages$/ }, options.postDelayMs);
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-feeds-'));
  dirs.push(dir);
  const store = await openSqliteStore(databaseIn(dir));
  for (const feed of FEEDS) await store.saveFeed(makeFeed(feed));
  const topics = { topics: ['reasoning'], dm: false, updatedAt: '2026-01-01T00:00:00.000Z' };
  await store.updateSubscriber(A.guild, A.member, () => topics);
  await store.updateSubscriber(B.guild, B.member, () => topics);
  await store.close();
  const env = { DISCORD_TOKEN: server.token, DISCORD_API_URL: server.apiUrl, DATA_DIR: dir, CORPUS_DIR: 'seeds', LOG_LEVEL: 'info' };
  const feedOf = async (id: string) => (await readState(dir))!.feeds.find((f) => f.feed.id === id)!;
  /** How often each paper is in a channel. */
  const counts = (channelId: string) => {
    const seen = new Map<string, number>();
    for (const id of server.postedPaperIds(channelId)) seen.set(id, (seen.get(id) ?? 0) + 1);
    return seen;
  };
  return { server, dir, env, feedOf, counts };
}

/** Every paper once for a-all, once more for a-reasoning's: what the shared channel holds when both are done. */
const expectedInSharedChannel = () => new Map(papers.map((p) => [p.id, filtered.includes(p.id) ? 2 : 1]));
const everyPaperOnce = () => new Map(papers.map((p) => [p.id, 1]));

describe('many servers, many feeds', () => {
  it('given two servers and four feeds seeded before start, then each feed posts its own papers on its own schedule, members are notified in their own server only, and life events pause and resume feeds', async () => {
    const { server, env, feedOf, counts } = await setup();
    const bot = spawnBot(env);
    await bot.waitFor(/no DISCORD_CHANNEL_ID: feeds are set up with \/digest setup/, 30_000);
    await vi.waitFor(() => expect(server.postedPaperIds(A.papers)).toHaveLength(papers.length + filtered.length), { timeout: 60_000 });
    await vi.waitFor(() => expect(server.postedPaperIds(B.papers)).toHaveLength(papers.length), { timeout: 60_000 });
    expect(counts(A.papers)).toEqual(expectedInSharedChannel());
    expect(counts(B.papers)).toEqual(everyPaperOnce());
    expect(server.postedPaperIds(B.quiet)).toEqual([]);
    expect((await feedOf('a-reasoning')).posted.map((e) => e.paperId).sort()).toEqual([...filtered].sort());
    expect((await feedOf('a-all')).posted).toHaveLength(papers.length);
    expect((await feedOf('b-yearly')).progress.nextDueAt).toMatch(/-12-31T11:00:00.000Z$|-12-31T12:00:00.000Z$/);

    // Members' topics match in their own server: each paper about reasoning pings the member of that server only.
    const pinged = (channelId: string) => new Set(server.messages(channelId).flatMap((m) => m.pinged.users));
    expect(pinged(A.papers)).toEqual(new Set([A.member]));
    expect(pinged(B.papers)).toEqual(new Set([B.member]));

    // An outage of server A (GUILD_DELETE with unavailable), then the bot removed from B: once B's removal is seen,
    // A's outage (dispatched before it) was seen too, and paused nothing.
    server.setGuildUnavailable(A.guild, true);
    server.removeGuild(B.guild);
    await vi.waitFor(async () => expect((await feedOf('b-all')).feed.paused?.reason).toBe(GUILD_REMOVED_REASON), { timeout: 20_000 });
    expect((await feedOf('b-yearly')).feed.paused?.reason).toBe(GUILD_REMOVED_REASON);
    expect((await feedOf('a-all')).feed.paused).toBeNull();
    expect((await feedOf('a-reasoning')).feed.paused).toBeNull();
    expect((await readState(env.DATA_DIR))!.feeds.map((f) => f.feed.id)).toHaveLength(4);
    server.setGuildUnavailable(A.guild, false);

    server.addGuild({
      id: B.guild,
      name: 'Guild B',
      channels: [
        { id: B.papers, name: 'papers' },
        { id: B.quiet, name: 'quiet' },
      ],
    });
    // Each feed of the server resumes in its own step: wait for both.
    await vi.waitFor(async () => expect((await feedOf('b-all')).feed.paused).toBeNull(), { timeout: 20_000 });
    await vi.waitFor(async () => expect((await feedOf('b-yearly')).feed.paused).toBeNull(), { timeout: 20_000 });

    server.deleteChannel(B.quiet);
    await vi.waitFor(async () => expect((await feedOf('b-yearly')).feed.paused?.reason).toBe(CHANNEL_DELETED_REASON), { timeout: 20_000 });
    expect((await feedOf('b-all')).feed.paused).toBeNull();

    // Some ticks later: resumed, nothing was posted again.
    await bot.waitFor(/digest empty/, 20_000);
    expect(counts(B.papers)).toEqual(everyPaperOnce());
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 180_000);

  it('given the bot killed at random instants while several feeds post at once, then every feed posts each of its papers exactly once', async () => {
    const { server, env, counts } = await setup({ postDelayMs: 30 });
    for (let seed = 1; seed <= 8; seed += 1) {
      const random = createRandom(seed);
      const bot = spawnBot(env);
      await bot.waitFor(/connected to Discord/, 30_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 2000)));
      bot.kill('SIGKILL');
      await bot.exited;
      for (const channel of [A.papers, B.papers]) for (const [, n] of counts(channel)) expect(n).toBeLessThanOrEqual(2);
      for (const [, n] of counts(B.papers)) expect(n, `duplicate after kill #${seed}`).toBe(1);
    }
    const finisher = spawnBot(env);
    await finisher.waitFor(/next digest/, 30_000);
    await vi.waitFor(() => expect(server.postedPaperIds(A.papers)).toHaveLength(papers.length + filtered.length), { timeout: 90_000 });
    await vi.waitFor(() => expect(server.postedPaperIds(B.papers)).toHaveLength(papers.length), { timeout: 90_000 });
    finisher.kill('SIGTERM');
    expect(await finisher.exited).toBe(0);
    expect(counts(A.papers)).toEqual(expectedInSharedChannel());
    expect(counts(B.papers)).toEqual(everyPaperOnce());
  }, 240_000);
});
