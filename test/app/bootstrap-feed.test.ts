import { describe, expect, it } from 'vitest';
import { assignBootstrapGuild, saveEnvironmentFeed, subscribersOf } from '../../src/app/bootstrap-feed.js';
import { createMemoryStore } from '../../src/app/memory-store.js';
import { BOOTSTRAP_FEED_ID, CONSOLE_FEED_ID, type FeedSettings, PENDING_GUILD } from '../../src/core/feed.js';
import { markPosted } from '../../src/core/state.js';
import { createMemoryLogger } from '../support/memory-ports.js';

const AT = '2026-06-22T09:00:00.000Z';
const LATER = '2026-06-23T09:00:00.000Z';
const SETTINGS: FeedSettings = { guildId: null, channelId: '111', cron: '0 9 * * *', timezone: 'UTC', size: 3, order: 'corpus' };
const member = (topics: string[]) => ({ topics, dm: false, updatedAt: AT });

describe('the feed the environment defines', () => {
  it('given a first start, then it is created; given new settings, then it changes and keeps its progress; given the same, then nothing is written', async () => {
    const store = createMemoryStore();
    const first = await saveEnvironmentFeed(store, BOOTSTRAP_FEED_ID, SETTINGS, AT);
    expect(first).toMatchObject({ id: 'env', channelId: '111', guildId: null, paused: null, createdAt: AT });
    await store.step(BOOTSTRAP_FEED_ID, (s) => markPosted(s, 'a', '1000000000000000001', AT));
    const moved = await saveEnvironmentFeed(store, BOOTSTRAP_FEED_ID, { ...SETTINGS, channelId: '222', size: 5 }, LATER);
    expect(moved).toMatchObject({ channelId: '222', size: 5, createdAt: AT, updatedAt: LATER });
    expect(store.posted(BOOTSTRAP_FEED_ID).has('a')).toBe(true);
    expect(
      await saveEnvironmentFeed(store, BOOTSTRAP_FEED_ID, { ...SETTINGS, channelId: '222', size: 5 }, '2026-06-24T09:00:00.000Z'),
    ).toBe(store.read().feeds.get(BOOTSTRAP_FEED_ID));
  });

  it('given a server learned later, then the environment naming none keeps it', async () => {
    const store = createMemoryStore();
    await saveEnvironmentFeed(store, BOOTSTRAP_FEED_ID, SETTINGS, AT);
    await assignBootstrapGuild(store, '900', AT, createMemoryLogger());
    expect((await saveEnvironmentFeed(store, BOOTSTRAP_FEED_ID, SETTINGS, LATER)).guildId).toBe('900');
  });
});

describe("the bootstrap feed's server", () => {
  it('given topics imported before the server was known, then they move to it once it is, and the feed records it', async () => {
    const store = createMemoryStore();
    await saveEnvironmentFeed(store, BOOTSTRAP_FEED_ID, SETTINGS, AT);
    await store.updateSubscriber(PENDING_GUILD, '1', () => member(['llm']));
    expect([...subscribersOf(store, BOOTSTRAP_FEED_ID)].map(([id]) => id)).toEqual(['1']);
    const logger = createMemoryLogger();
    await assignBootstrapGuild(store, '900', LATER, logger);
    expect(store.read().feeds.get(BOOTSTRAP_FEED_ID)?.guildId).toBe('900');
    expect([...store.read().subscriptions.keys()]).toEqual(['900']);
    expect([...subscribersOf(store, BOOTSTRAP_FEED_ID)].map(([id]) => id)).toEqual(['1']);
    expect(logger.lines.map((l) => l.message)).toEqual(["the topics of 1 member(s) now belong to server 900, the digest's server"]);
  });

  it("given the console feed, then its papers notify the bootstrap feed's members; a feed of another server, its own", async () => {
    const store = createMemoryStore();
    await saveEnvironmentFeed(store, BOOTSTRAP_FEED_ID, { ...SETTINGS, guildId: '900' }, AT);
    await saveEnvironmentFeed(store, CONSOLE_FEED_ID, { ...SETTINGS, channelId: null }, AT);
    await saveEnvironmentFeed(store, 'other', { ...SETTINGS, guildId: '800' }, AT);
    await store.updateSubscriber('900', '1', () => member(['llm']));
    await store.updateSubscriber('800', '2', () => member(['llm']));
    expect([...subscribersOf(store, CONSOLE_FEED_ID)].map(([id]) => id)).toEqual(['1']);
    expect([...subscribersOf(store, 'other')].map(([id]) => id)).toEqual(['2']);
  });
});
