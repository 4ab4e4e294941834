import { describe, expect, it } from 'vitest';
import { PostError, type Poster } from '../../src/app/ports.js';
import { createDigestRunner, type DigestDeps } from '../../src/app/run-digest.js';
import { readPaperIdFromFooter, type OutgoingMessage } from '../../src/core/format.js';
import type { Subscriber } from '../../src/core/state.js';
import {
  createFakePoster,
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  audienceOf,
  createMemoryStore,
  makePapers,
  recordsOf,
  TEST_GUILD,
} from '../support/memory-ports.js';

const AT = '2026-06-22T08:00:00.000Z';
const member = (i: number) => String(500000000000000000n + BigInt(i));

/** A state where `mentioned` members follow a topic every paper matches by mention, and `direct` members by DM. */
function stateWith(mentioned: number, direct: number): Record<string, Subscriber> {
  const subscriptions: Record<string, Subscriber> = {};
  for (let i = 0; i < mentioned; i += 1) subscriptions[member(i)] = { topics: ['sentences'], dm: false, updatedAt: AT };
  for (let i = 0; i < direct; i += 1) subscriptions[member(1000 + i)] = { topics: ['sentences'], dm: true, updatedAt: AT };
  return subscriptions;
}

type Hang = 'before' | 'after-commit';

/**
 * "Discord" shared across restarts: channel posts and DMs, deduplicated by nonce like `enforce_nonce` (only
 * within `windowMs` of the first create), DMs closed for some members, and sends that hang forever (a kill -9).
 */
function createDiscord(clock: { now(): Date }) {
  const channel = createFakePoster();
  const dms: Array<{ userId: string; nonce: string; message: OutgoingMessage; at: number }> = [];
  const closed = new Set<string>();
  const hangs: Array<{ match: (m: OutgoingMessage, direct: boolean) => boolean; how: Hang }> = [];
  const never = new Promise<never>(() => undefined);
  const windowMs = 5 * 60_000;
  const hang = (message: OutgoingMessage, direct: boolean): Hang | null => {
    const i = hangs.findIndex((h) => h.match(message, direct));
    return i < 0 ? null : hangs.splice(i, 1)[0]!.how;
  };
  const poster: Poster = {
    destination: channel.destination,
    async post(message, nonce) {
      const how = hang(message, false);
      if (how === 'before') return never;
      const result = await channel.post(message, nonce);
      return how === 'after-commit' ? never : result;
    },
    readOwnMessages: (from) => channel.readOwnMessages(from),
    async sendDirect(userId, message, nonce) {
      if (closed.has(userId)) throw new PostError('forbidden', 'Cannot send messages to this user', 403, 50007);
      const how = hang(message, true);
      if (how === 'before') return never;
      const now = clock.now().getTime();
      const existing = dms.find((d) => d.nonce === nonce && now - d.at < windowMs);
      if (!existing) dms.push({ userId, nonce, message, at: now });
      return how === 'after-commit' ? never : { messageId: String(dms.length) };
    },
  };
  const cards = () => channel.postedPaperIds();
  /** How many times each member was pinged in the channel, per paper (follow-ups and fallbacks name their paper). */
  const pings = () => {
    const counts = new Map<string, number>();
    for (const { message } of channel.posts) for (const u of message.allowed_mentions.users ?? []) counts.set(u, (counts.get(u) ?? 0) + 1);
    return counts;
  };
  const dmCount = (userId: string) => dms.filter((d) => d.userId === userId).length;
  return { poster, channel, dms, closed, hangs, cards, pings, dmCount };
}

function setup(subscriptions: Record<string, Subscriber>, papers = 3, overrides: Partial<DigestDeps> = {}, size = papers) {
  const store = createMemoryStore({ subscriptions, feed: { size } });
  const clock = createManualClock();
  const discord = createDiscord(clock);
  const corpus = createListCorpus(makePapers(papers));
  const sleeps: number[] = [];
  const logger = createMemoryLogger();
  const runner = () =>
    createDigestRunner({
      store,
      feedId: store.feedId,
      poster: discord.poster,
      corpus,
      clock,
      logger,
      retryDelaysMs: [0, 0],
      audienceFor: audienceOf(store),
      sleep: async (ms) => void sleeps.push(ms),
      ...overrides,
    });
  const dest = () => recordsOf(store);
  return { store, clock, discord, corpus, sleeps, logger, runner, dest };
}

/** Waits until the state shows `check`, for a run that is about to hang (a process about to be killed). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i += 1) await new Promise((r) => setTimeout(r, 1));
  expect(check()).toBe(true);
}

describe('durable notifications', () => {
  it('given a kill between posting and the direct messages, then after a restart each member gets one DM', async () => {
    const { discord, runner, dest } = setup(stateWith(0, 3));
    discord.hangs.push({ match: (_m, direct) => direct, how: 'before' });
    void runner().run();
    await until(() => Object.keys(dest().notices ?? {}).length === 1);
    expect(Object.keys(dest().posted)).toHaveLength(3);

    await runner().deliverNotifications();
    for (let i = 0; i < 3; i += 1) expect(discord.dmCount(member(1000 + i))).toBe(1);
    expect(discord.dms[0]!.message.content).toMatch(/Paper number 1[\s\S]*Paper number 2[\s\S]*Paper number 3/);
    expect(dest().notices).toBeUndefined();
    expect(dest().directDue).toBeUndefined();
  });

  it('given a kill after Discord created a DM but before it was recorded, then a quick restart re-sends it with the same nonce and Discord returns the first', async () => {
    const { discord, runner, dest } = setup(stateWith(0, 2));
    discord.hangs.push({ match: (_m, direct) => direct, how: 'after-commit' });
    void runner().run();
    await until(() => discord.dms.length === 1);
    await runner().deliverNotifications();
    expect(discord.dmCount(member(1000))).toBe(1);
    expect(discord.dmCount(member(1001))).toBe(1);
    expect(discord.pings().size).toBe(0);
    expect(dest().notices).toBeUndefined();
  });

  it('given that DM left in doubt and a restart after Discord forgot its nonce, then no second DM: the member is mentioned in the channel instead', async () => {
    const { discord, runner, dest, clock } = setup(stateWith(0, 1), 2);
    discord.hangs.push({ match: (_m, direct) => direct, how: 'after-commit' });
    void runner().run();
    await until(() => discord.dms.length === 1);
    clock.advance(10 * 60_000);
    await runner().deliverNotifications();
    expect(discord.dmCount(member(1000))).toBe(1);
    // One mention per paper it owed, each naming the paper.
    expect(discord.pings().get(member(1000))).toBe(2);
    expect(discord.channel.posts.at(-1)!.message.content).toMatch(
      /^🔔 \*\*Paper number 2\*\* matches your topics \(here instead of a direct message\): <@500000000000001000>/,
    );
    expect(dest().notices).toBeUndefined();
  });

  it("given a digest that fails after posting a paper, then that paper's subscribers are notified by the failed run", async () => {
    const { discord, runner, dest } = setup(stateWith(1, 1));
    const original = discord.poster.post.bind(discord.poster);
    let cards = 0;
    discord.poster.post = async (message, nonce) => {
      if (message.embeds && ++cards === 2) throw new PostError('forbidden', 'Missing Permissions', 403, 50013);
      return original(message, nonce);
    };
    const result = await runner().run();
    expect(result.outcome).toBe('failed');
    expect(Object.keys(dest().posted)).toHaveLength(1);
    expect(discord.dmCount(member(1000))).toBe(1);
    expect(discord.dms[0]!.message.content).toMatch(/Paper number 1\b/);
    expect(discord.dms[0]!.message.content).not.toMatch(/Paper number 2\b/);
    expect(discord.pings().get(member(0))).toBe(1);
  });

  it('given a card a crash left unrecorded and recovery then found it, then its subscribers are notified too, once', async () => {
    const { discord, runner, dest } = setup(stateWith(150, 1), 2);
    discord.hangs.push({
      match: (m) => readPaperIdFromFooter(m.embeds?.[0]?.footer?.text)?.startsWith('paper-001') ?? false,
      how: 'after-commit',
    });
    void runner().run();
    await until(() => discord.cards().length === 1);
    expect(dest().pending).not.toEqual({});

    const result = await runner().run();
    expect(result.posted.map((p) => p.title)).toEqual(['Paper number 2']);
    expect(discord.cards()).toHaveLength(2);
    expect(discord.dmCount(member(1000))).toBe(1);
    expect(discord.dms[0]!.message.content).toMatch(/Paper number 1\b[\s\S]*Paper number 2\b/);
    // Every mentioned member pinged once per paper: on the card or in a follow-up.
    for (let i = 0; i < 150; i += 1) expect(discord.pings().get(member(i))).toBe(2);
  });
});

describe('direct message limits', () => {
  it('given more DM subscribers than the per-digest cap, then the cap get DMs paced apart and the rest one mention each per paper', async () => {
    const { discord, runner, sleeps, dest } = setup(stateWith(0, 13), 4, { directMessages: { perDigest: 10, pacingMs: 1500 } }, 2);
    await runner().run();
    expect(discord.dms).toHaveLength(10);
    expect(sleeps.filter((ms) => ms === 1500)).toHaveLength(9);
    const dmed = new Set(discord.dms.map((d) => d.userId));
    for (let i = 0; i < 13; i += 1) {
      const id = member(1000 + i);
      expect(discord.pings().get(id) ?? 0, id).toBe(dmed.has(id) ? 0 : 2);
    }
    expect(dest().directBudget).toEqual({ digest: 1, sent: 10 });
    // The cap is per digest: the next digest has a fresh one.
    await runner().run();
    expect(discord.dms).toHaveLength(20);
    expect(dest().directBudget).toEqual({ digest: 2, sent: 10 });
  });

  it('given closed DMs, then the member is mentioned in the channel instead, once per paper', async () => {
    const { discord, runner } = setup(stateWith(0, 2), 2);
    discord.closed.add(member(1001));
    await runner().run();
    expect(discord.dmCount(member(1000))).toBe(1);
    expect(discord.dmCount(member(1001))).toBe(0);
    expect(discord.pings().get(member(1001))).toBe(2);
    expect(discord.pings().has(member(1000))).toBe(false);
  });
});

describe('every subscriber of a topic is mentioned', () => {
  it('given 300 subscribers and a kill in the middle of the follow-ups, then after a restart each is pinged exactly once per paper', async () => {
    const { discord, runner, dest } = setup(stateWith(300, 0), 2);
    let followUps = 0;
    discord.hangs.push({
      match: (m) => !m.embeds && m.content?.startsWith('🔔 Also for') === true && ++followUps === 2,
      how: 'after-commit',
    });
    void runner().run();
    await until(() => followUps === 2);
    await runner().run();
    expect(discord.cards()).toHaveLength(2);
    for (let i = 0; i < 300; i += 1) expect(discord.pings().get(member(i)), member(i)).toBe(2);
    for (const { message } of discord.channel.posts) {
      expect((message.allowed_mentions.users ?? []).length).toBeLessThanOrEqual(100);
      expect((message.content ?? '').length).toBeLessThanOrEqual(2000);
    }
    expect(dest().notices).toBeUndefined();
    expect(dest().audiences).toBeUndefined();
  });

  it('given members who subscribe while a paper is being posted, then a resumed post still mentions the members it was planned with', async () => {
    const { discord, runner, store } = setup(stateWith(150, 0), 1);
    discord.hangs.push({ match: (m) => Boolean(m.embeds), how: 'before' });
    void runner().run();
    await until(() => Object.keys(recordsOf(store).pending).length === 1);
    await store.updateSubscriber(TEST_GUILD, member(9999), () => ({ topics: ['sentences'], dm: false, updatedAt: AT }));
    await runner().run();
    for (let i = 0; i < 150; i += 1) expect(discord.pings().get(member(i))).toBe(1);
    expect(discord.pings().has(member(9999))).toBe(false);
  });
});

describe('preview', () => {
  it('given mentions, follow-ups, DMs and fallbacks, then the preview is exactly what the run then posts and sends', async () => {
    const { discord, runner, store } = setup(stateWith(250, 12), 3, { directMessages: { perDigest: 10 } });
    discord.hangs.length = 0;
    const preview = await runner().preview();
    const saves = store.saves;
    await runner().run();
    expect(store.saves).toBeGreaterThan(saves);
    expect(preview.messages).toEqual(discord.channel.posts.map((p) => p.message));
    expect(preview.directMessages).toEqual(discord.dms.map((d) => ({ userId: d.userId, message: d.message })));
    expect(preview.messages.length).toBeGreaterThan(1 + 3 * 3);
  });
});
