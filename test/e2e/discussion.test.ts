import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import type { Feed } from '../../src/core/feed.js';
import { createPaperFilter } from '../../src/core/feed-filter.js';
import { readPaperIdFromFooter } from '../../src/core/format.js';
import type { Paper } from '../../src/core/paper.js';
import { formatThreadName } from '../../src/core/thread-name.js';
import { spawnBot } from '../support/bot-process.js';
import { writeSeedSubset } from '../support/seed-subset.js';
import { type FakeDiscord, Perm, startFakeDiscord } from '../support/fake-discord/index.js';
import { makeFeed } from '../support/memory-ports.js';
import { databaseIn, readState } from '../support/read-state.js';

// Issue 15, "Discussion": a thread on each paper's message (feed option `threads: on`) and forum feeds (each paper a
// post), through the real bot on the fake Discord, exactly once across kill -9.

const G = { guild: '510000000000000001', papers: '510000000000000011', forum: '510000000000000012', member: '510000000000000031' };
const EVERY_SECOND = { cron: '* * * * * *', timezone: 'UTC' };
const TOPICS = ['reasoning', 'agents'];

let papers: Paper[];
let forumPapers: Paper[];
const servers: FakeDiscord[] = [];
const dirs: string[] = [];

let corpusDir: string;

beforeAll(async () => {
  // About a dozen seed papers, half of them on the forum's topics (both tags): two digests of 10 for the threads feed.
  const onTopic = createPaperFilter({ include: TOPICS, exclude: [], minUpvotes: null });
  const { papers: seed } = await loadCorpus('seeds');
  const about = (topic: string) => seed.filter(createPaperFilter({ include: [topic], exclude: [], minUpvotes: null }));
  const picked = new Set(
    [...about('reasoning').slice(0, 3), ...about('agents').slice(0, 3), ...seed.filter((p) => !onTopic(p)).slice(0, 6)].map((p) => p.id),
  );
  corpusDir = await mkdtemp(join(tmpdir(), 'paperboy-discussion-corpus-'));
  dirs.push(corpusDir);
  papers = await writeSeedSubset(corpusDir, (paper) => picked.has(paper.id));
  forumPapers = papers.filter(onTopic);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A server with a text channel (a threads feed) and a forum (a forum feed), a member subscribed to "reasoning". */
async function setup(options: { feeds?: Array<Partial<Feed>>; delayMs?: number; manageTags?: boolean } = {}) {
  const server = await startFakeDiscord({
    rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } },
    guilds: [
      {
        id: G.guild,
        name: 'Guild',
        channels: [
          { id: G.papers, name: 'papers' },
          // "Reasoning" exists (matched by name, any case); "agents" is created when the bot may manage the forum.
          { id: G.forum, name: 'paper-forum', type: 15, availableTags: [{ name: 'Reasoning' }, { name: 'vision' }] },
        ],
        members: [{ userId: G.member, username: 'alice' }],
      },
    ],
  });
  servers.push(server);
  if (options.manageTags) server.setOverwrite(G.forum, { id: server.botRoleId(G.guild), type: 'role', allow: Perm.ManageChannels });
  if (options.delayMs) {
    server.faults.delay({ method: 'POST', path: /\/messages$/ }, options.delayMs);
    server.faults.delay({ method: 'POST', path: /\/threads$/ }, options.delayMs);
  }
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-discussion-'));
  dirs.push(dir);
  const store = await openSqliteStore(databaseIn(dir));
  const feeds = options.feeds ?? [
    { id: 'threads', guildId: G.guild, channelId: G.papers, schedule: EVERY_SECOND, size: 10, options: { threads: 'on' } },
    { id: 'forum', guildId: G.guild, channelId: G.forum, schedule: EVERY_SECOND, size: 10, include: TOPICS },
  ];
  for (const feed of feeds) await store.saveFeed(makeFeed(feed));
  await store.updateSubscriber(G.guild, G.member, () => ({ topics: ['reasoning'], dm: false, updatedAt: '2026-01-01T00:00:00.000Z' }));
  await store.close();
  const env = { DISCORD_TOKEN: server.token, DISCORD_API_URL: server.apiUrl, DATA_DIR: dir, CORPUS_DIR: corpusDir, LOG_LEVEL: 'info' };
  const feedOf = async (id: string) => (await readState(dir))!.feeds.find((f) => f.feed.id === id)!;
  const footerId = (embeds: Array<Record<string, unknown>>) =>
    readPaperIdFromFooter((embeds[0]?.footer as { text?: string } | undefined)?.text);
  /** Each paper's card in the text channel and the threads started from it. */
  const threadCounts = () => {
    const threads = server.threadsOf(G.papers);
    return new Map(
      server
        .messages(G.papers)
        .filter((m) => footerId(m.embeds))
        .map((m) => [footerId(m.embeds)!, threads.filter((t) => t.id === m.id).length]),
    );
  };
  /** How many forum posts each paper has (read from each post's first message). */
  const postCounts = () => {
    const seen = new Map<string, number>();
    for (const post of server.threadsOf(G.forum)) {
      const id = footerId(post.messages.find((m) => m.id === post.id)?.embeds ?? []);
      if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    return seen;
  };
  return { server, dir, env, feedOf, threadCounts, postCounts };
}

const once = (list: readonly Paper[]) => new Map(list.map((p) => [p.id, 1]));

describe('discussion threads and forum feeds', () => {
  it('given a feed with threads on and a forum feed, then each paper gets one thread named by its title with its mentions in it, and one tagged forum post', async () => {
    const { server, env, feedOf, threadCounts, postCounts } = await setup({ manageTags: true });
    const bot = spawnBot(env);
    await vi.waitFor(() => expect(threadCounts()).toEqual(once(papers)), { timeout: 90_000, interval: 200 });
    await vi.waitFor(() => expect(postCounts()).toEqual(once(forumPapers)), { timeout: 90_000, interval: 200 });
    await bot.waitFor(/digest empty/, 30_000);
    const byId = new Map(papers.map((p) => [p.id, p]));

    // Threads: the message's id, the paper's title as its name; the mentions go in the thread, none in the channel.
    for (const thread of server.threadsOf(G.papers)) {
      const card = server.messages(G.papers).find((m) => m.id === thread.id)!;
      const paper = byId.get(readPaperIdFromFooter((card.embeds[0]?.footer as { text: string }).text)!)!;
      expect(thread.name).toBe(formatThreadName(paper.title, paper.id));
      expect(thread.starterMessageId).toBe(card.id);
    }
    expect(server.messages(G.papers).flatMap((m) => m.pinged.users)).toEqual([]);
    const pingedIn = server.threadsOf(G.papers).filter((t) => t.messages.some((m) => m.pinged.users.includes(G.member)));
    const reasoning = papers.filter(createPaperFilter({ include: ['reasoning'], exclude: [], minUpvotes: null }));
    expect(reasoning.length).toBeGreaterThan(0);
    expect(pingedIn).toHaveLength(reasoning.length);
    for (const thread of pingedIn) expect(thread.messages.filter((m) => m.pinged.users.length > 0)).toHaveLength(1);

    // Forum: no opening message, one post per paper, named by its title, tagged with its matched topics.
    const tags = new Map(server.forumTags(G.forum).map((t) => [t.id, t.name]));
    expect([...tags.values()].sort()).toEqual(['Reasoning', 'agents', 'vision']);
    for (const post of server.threadsOf(G.forum)) {
      const paper = byId.get(readPaperIdFromFooter((post.messages[0]!.embeds[0]?.footer as { text: string }).text)!)!;
      expect(post.name).toBe(formatThreadName(paper.title, paper.id));
      const names = post.appliedTags.map((id) => tags.get(id));
      expect(names.length).toBeGreaterThan(0);
      expect(names.every((n) => n === 'Reasoning' || n === 'agents')).toBe(true);
    }
    expect((await feedOf('threads')).progress.threads).toBeUndefined();
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 180_000);

  it('given no Create Public Threads in the channel, then the feed posts without threads, mentions ride on the cards, and the state says why (no thread request at all)', async () => {
    const { server, env, feedOf, threadCounts } = await setup({
      feeds: [{ id: 'threads', guildId: G.guild, channelId: G.papers, schedule: EVERY_SECOND, size: 10, options: { threads: 'on' } }],
    });
    server.setOverwrite(G.papers, { id: server.botRoleId(G.guild), type: 'role', deny: Perm.CreatePublicThreads });
    const bot = spawnBot(env);
    await vi.waitFor(() => expect(server.postedPaperIds(G.papers)).toHaveLength(papers.length), { timeout: 90_000 });
    await bot.waitFor(/digest empty/, 30_000);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect([...threadCounts().values()].every((n) => n === 0)).toBe(true);
    const progress = (await feedOf('threads')).progress;
    expect(progress.threads).toBeUndefined();
    expect(progress.threadsUnavailable?.reason).toMatch(/Create Public Threads/);
    // The member is still told, on the cards, as in a feed without threads.
    const pinging = server.messages(G.papers).filter((m) => m.pinged.users.includes(G.member));
    expect(pinging.length).toBeGreaterThan(0);
    expect(pinging.every((m) => m.embeds.length === 1)).toBe(true);
    expect(server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/threads'))).toEqual([]);
  }, 180_000);

  it('given Discord refusing one thread (403, 50013) though the cached permissions allowed it, then that paper goes without a thread, once, with no retry, and the next papers get theirs', async () => {
    const { server, env, feedOf, threadCounts } = await setup({
      feeds: [{ id: 'threads', guildId: G.guild, channelId: G.papers, schedule: EVERY_SECOND, size: 10, options: { threads: 'on' } }],
    });
    const start = { method: 'POST', path: /\/messages\/\d+\/threads$/ };
    server.faults.failNext(start, { status: 403, code: 50013 });
    const bot = spawnBot(env);
    await vi.waitFor(() => expect([...threadCounts().values()].filter((n) => n === 1)).toHaveLength(papers.length - 1), {
      timeout: 90_000,
      interval: 200,
    });
    await bot.waitFor(/digest empty/, 60_000);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    const without = [...threadCounts()].filter(([, n]) => n === 0).map(([id]) => id);
    expect(without).toHaveLength(1);
    expect(server.requests.filter((r) => r.method === 'POST' && start.path.test(r.path))).toHaveLength(papers.length);
    const progress = (await feedOf('threads')).progress;
    // A later thread was started: threads work again, nothing is left owed.
    expect([progress.threads, progress.threadsUnavailable]).toEqual([undefined, undefined]);
  }, 180_000);

  it('given a thread that refuses its mentions (403), then they go to the channel instead, once, and the other papers keep theirs in their threads', async () => {
    const { server, env } = await setup({
      feeds: [{ id: 'threads', guildId: G.guild, channelId: G.papers, schedule: EVERY_SECOND, size: 10, options: { threads: 'on' } }],
    });
    // Any channel but the feed's own: a thread's messages.
    server.faults.failNext({ method: 'POST', path: new RegExp(`^/channels/(?!${G.papers})\\d+/messages$`) }, { status: 403, code: 50001 });
    const bot = spawnBot(env);
    const reasoning = papers.filter(createPaperFilter({ include: ['reasoning'], exclude: [], minUpvotes: null }));
    const pingsInThreads = () => server.threadsOf(G.papers).flatMap((t) => t.messages.filter((m) => m.pinged.users.includes(G.member)));
    const pingsInChannel = () => server.messages(G.papers).filter((m) => m.pinged.users.includes(G.member));
    await vi.waitFor(() => expect(pingsInThreads().length + pingsInChannel().length).toBe(reasoning.length), { timeout: 90_000 });
    await bot.waitFor(/digest empty/, 60_000);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(pingsInChannel()).toHaveLength(1);
    expect(pingsInChannel()[0]!.content).toMatch(/^🔔 \*\*.+\*\* matches your topics: <@\d+> \(reasoning\)$/);
    expect(pingsInThreads()).toHaveLength(reasoning.length - 1);
  }, 180_000);

  it('given a kill -9 after Discord created a thread (or a forum post) but before the bot heard back, then the restart finds it (160004, the forum read) and makes no second one', async () => {
    const { server, env, feedOf, threadCounts, postCounts } = await setup({
      feeds: [
        { id: 'threads', guildId: G.guild, channelId: G.papers, schedule: EVERY_SECOND, size: 10, options: { threads: 'on' } },
        { id: 'forum', guildId: G.guild, channelId: G.forum, schedule: EVERY_SECOND, size: 10, include: TOPICS },
      ],
    });
    // The creations happen at once, their answers never come back before the kill.
    server.faults.holdAfterCommit({ method: 'POST', path: /\/threads$/ }, 60_000);
    const first = spawnBot(env);
    await vi.waitFor(() => expect(server.threadsOf(G.papers)).toHaveLength(1), { timeout: 60_000 });
    await vi.waitFor(() => expect(server.threadsOf(G.forum)).toHaveLength(1), { timeout: 60_000 });
    first.kill('SIGKILL');
    await first.exited;
    expect(Object.keys((await feedOf('threads')).progress.threads ?? {})).toHaveLength(1);
    expect(Object.keys((await feedOf('forum')).progress.pending)).toHaveLength(1);
    server.faults.clearDelays();

    const second = spawnBot(env);
    await second.waitFor(/found the discussion thread a crash left unrecorded/, 60_000);
    await second.waitFor(/found a post a crash left unrecorded/, 60_000);
    await vi.waitFor(() => expect(threadCounts()).toEqual(once(papers)), { timeout: 90_000, interval: 200 });
    await vi.waitFor(() => expect(postCounts()).toEqual(once(forumPapers)), { timeout: 90_000, interval: 200 });
    await second.waitFor(/digest empty/, 60_000);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // The second start of the same thread was refused as a duplicate: that is how it was found.
    expect(server.requests.some((r) => /\/messages\/\d+\/threads$/.test(r.path) && r.status === 400)).toBe(true);
  }, 240_000);

  it('given forum post creations that Discord did but whose answer was lost (5xx, a reset connection), then neither discord.js nor the bot retries them blindly: one post per paper', async () => {
    const { server, env, postCounts } = await setup({
      feeds: [{ id: 'forum', guildId: G.guild, channelId: G.forum, schedule: EVERY_SECOND, size: 10, include: TOPICS }],
    });
    // A forum post takes no nonce: a create retried after these would be a second post.
    const create = { method: 'POST', path: new RegExp(`^/channels/${G.forum}/threads$`) };
    server.faults.resetConnectionNext(create, { afterCommit: true });
    server.faults.failNext(create, { status: 502, count: 1, afterCommit: true });
    const bot = spawnBot(env);
    await vi.waitFor(() => expect(postCounts()).toEqual(once(forumPapers)), { timeout: 90_000, interval: 200 });
    await bot.waitFor(/digest empty/, 60_000);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(postCounts()).toEqual(once(forumPapers));
  }, 180_000);

  // Random kills around thread and forum post creation: the soak row `discussion` (its short version in npm test).
});
