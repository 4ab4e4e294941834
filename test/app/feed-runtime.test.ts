import { describe, expect, it, vi } from 'vitest';
import { UserFacingError } from '../../src/app/errors.js';
import { FeedNotFoundError } from '../../src/app/feed-desk.js';
import { createFeedRuntime } from '../../src/app/feed-runtime.js';
import { createBotLifecycle, type HealthReporting } from '../../src/app/lifecycle.js';
import { createMemoryStore } from '../../src/app/memory-store.js';
import { PostError } from '../../src/app/ports.js';
import { createDigestRunner } from '../../src/app/run-digest.js';
import type { Schedule } from '../../src/app/scheduled-feed.js';
import type { Feed } from '../../src/core/feed.js';
import { CHANNEL_DELETED_REASON, GUILD_REMOVED_REASON } from '../../src/core/feed-life.js';
import type { HealthStatus } from '../../src/core/health.js';
import { selectAudience } from '../../src/core/subscriptions.js';
import {
  createFakePoster,
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  makeFeed,
  makePapers,
} from '../support/memory-ports.js';

const GUILD_A = '900000000000000001';
const GUILD_B = '900000000000000002';
const CHANNEL_A1 = '910000000000000001';
const CHANNEL_A2 = '910000000000000002';
const CHANNEL_B1 = '920000000000000001';
const NEXT = '2026-06-23T08:00:00.000Z';

/** Schedules that tick only when the test says so, one per feed (a new one each time a feed is rescheduled). */
function createManualSchedules() {
  const made: Array<{
    feedId: string;
    cron: string;
    timezone: string;
    tick: () => Promise<void>;
    schedule: Schedule & { stopped: boolean };
  }> = [];
  return {
    made,
    create(feed: Feed, onTick: () => Promise<void>): Schedule {
      const schedule = {
        stopped: false,
        start: () => undefined,
        stop: async () => void (schedule.stopped = true),
        nextRun: () => new Date(NEXT),
      };
      made.push({ feedId: feed.id, cron: feed.schedule.cron, timezone: feed.schedule.timezone, tick: onTick, schedule });
      return schedule;
    },
    /** The live schedule of a feed (the latest one not stopped). */
    of(feedId: string) {
      return made.filter((m) => m.feedId === feedId && !m.schedule.stopped).at(-1);
    },
  };
}

/** A runtime over the memory store, one fake poster per channel, manual schedules and clock, started by a lifecycle. */
async function setup(
  feeds: Array<Partial<Feed>>,
  options: { maxConcurrentRuns?: number; papers?: number; owns?: (guildId: string | null) => boolean } = {},
) {
  const store = createMemoryStore();
  for (const feed of feeds) await store.saveFeed(makeFeed(feed));
  const clock = createManualClock('2026-06-22T09:00:00.000Z');
  const logger = createMemoryLogger();
  const corpus = createListCorpus(makePapers(options.papers ?? 12));
  const posters = new Map<string, ReturnType<typeof createFakePoster>>();
  const posterOf = (channelId: string) => {
    let poster = posters.get(channelId);
    if (!poster) posters.set(channelId, (poster = createFakePoster(`channel:${channelId}`)));
    return poster;
  };
  const schedules = createManualSchedules();
  let ids = 0;
  const runtime = createFeedRuntime({
    store,
    clock,
    logger,
    createRunner: (feedId) =>
      createDigestRunner({
        store,
        feedId,
        // Follows the feed's channel, as the session's feed poster does.
        poster: {
          destination: `feed:${feedId}`,
          post: (message, nonce) => posterOf(store.read().feeds.get(feedId)!.channelId!).post(message, nonce),
          readOwnMessages: (from) => posterOf(store.read().feeds.get(feedId)!.channelId!).readOwnMessages(from),
        },
        corpus,
        clock,
        logger,
        retryDelaysMs: [0, 0],
        audienceFor: (paper) => selectAudience(paper, store.read().subscriptions.get(store.read().feeds.get(feedId)!.guildId ?? '') ?? []),
      }),
    createSchedule: (feed, onTick) => schedules.create(feed, onTick),
    nextRunOf: () => new Date(NEXT),
    checkCron: (cron) => (cron.split(' ').length === 5 ? null : `DIGEST_CRON "${cron}" has ${cron.split(' ').length} fields`),
    defaults: { cron: '0 9 * * *', timezone: 'UTC', size: 3, order: 'corpus' },
    catchUp: true,
    maxConcurrentRuns: options.maxConcurrentRuns,
    owns: options.owns,
    newFeedId: () => `f-new${(ids += 1)}`,
  });
  const reports: HealthStatus[] = [];
  let status: (() => HealthStatus) | null = null;
  const bot = createBotLifecycle({
    fleet: (hooks) => runtime.fleet(hooks),
    mode: 'discord',
    isConnected: () => true,
    clock,
    logger,
    timezone: 'UTC',
    catchUp: true,
    pid: 1,
    startHealth: async (s): Promise<HealthReporting> => {
      status = s;
      return { report: async () => void reports.push(s()), stop: async () => undefined };
    },
    close: async () => undefined,
    shutdownBudgetMs: 1000,
  });
  const posted = (channelId: string) => posterOf(channelId).postedPaperIds();
  /** Waits until no feed runs (the start's own work, such as delivering owed notifications), so a tick is not `busy`. */
  const idle = () => vi.waitFor(() => expect([...store.read().feeds.keys()].filter((id) => runtime.runnerOf(id).isRunning())).toEqual([]));
  const start = async () => {
    await bot.start();
    await idle();
  };
  return {
    start,
    idle,
    store,
    clock,
    logger,
    corpus,
    runtime,
    desk: runtime.desk,
    schedules,
    bot,
    posted,
    posterOf,
    reports,
    status: () => status!(),
  };
}

const paperIds = (from: number, to: number) =>
  makePapers(to)
    .slice(from - 1)
    .map((p) => p.id);

describe('the desk: every /digest action stays within its server', () => {
  it('given feeds in two servers, then each server lists, gets and runs only its own, and another server’s id is unknown', async () => {
    const env = await setup([
      { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1, createdAt: '2026-01-02T00:00:00.000Z' },
      { id: 'a2', guildId: GUILD_A, channelId: CHANNEL_A1, createdAt: '2026-01-01T00:00:00.000Z' },
      { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1 },
    ]);
    expect(env.desk.list(GUILD_A).map((v) => v.feed.id)).toEqual(['a2', 'a1']);
    expect(env.desk.list(GUILD_B).map((v) => v.feed.id)).toEqual(['b1']);
    expect(env.desk.inChannel(GUILD_A, CHANNEL_A1).map((v) => v.feed.id)).toEqual(['a2', 'a1']);
    expect(env.desk.get(GUILD_B, 'a1')).toBeNull();
    expect(() => env.desk.runner(GUILD_B, 'a1')).toThrow(FeedNotFoundError);
    await expect(env.desk.pause(GUILD_B, 'a1', 'mine now', 'intruder')).rejects.toThrow(FeedNotFoundError);
    await expect(env.desk.resume(GUILD_B, 'a1', 'intruder')).rejects.toThrow(FeedNotFoundError);
    await expect(env.desk.remove(GUILD_B, 'a1', 'intruder')).rejects.toThrow(FeedNotFoundError);
    await expect(env.desk.setUp(GUILD_B, { channelId: CHANNEL_B1, size: 9 }, 'intruder', 'a1')).rejects.toThrow(FeedNotFoundError);
    expect(env.store.read().feeds.get('a1')).toMatchObject({ paused: null, size: 3 });
    // Two feeds in one channel: setup must say which.
    await expect(env.desk.setUp(GUILD_A, { channelId: CHANNEL_A1, size: 2 }, 'admin')).rejects.toThrow(
      /2 feeds post in <#910000000000000001>/,
    );
  });

  it('given setup in a channel without a feed, then it creates one with the defaults and the changes, and setup again changes that feed', async () => {
    const env = await setup([]);
    const created = await env.desk.setUp(
      GUILD_A,
      { channelId: CHANNEL_A1, cron: '0 7 * * 1', timezone: 'Europe/Paris', include: ['Vision', 'vision', 'speech models'] },
      'admin',
    );
    expect(created.feed).toMatchObject({
      id: 'f-new1',
      guildId: GUILD_A,
      channelId: CHANNEL_A1,
      schedule: { cron: '0 7 * * 1', timezone: 'Europe/Paris' },
      size: 3,
      include: ['vision', 'speech models'],
      paused: null,
    });
    expect(created.nextRun).toEqual(new Date(NEXT));
    const changed = await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A1, size: 5, minUpvotes: 10 }, 'admin');
    expect(changed.feed).toMatchObject({ id: 'f-new1', size: 5, minUpvotes: 10, include: ['vision', 'speech models'] });
    expect([...env.store.read().feeds.keys()]).toEqual(['f-new1']);
  });

  it('given setup with options, then they are merged over the options the feed has (other features keep theirs)', async () => {
    const env = await setup([]);
    await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A1, options: { threads: true } }, 'admin');
    const changed = await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A1, options: { layout: 'compact' } }, 'admin');
    expect(changed.feed.options).toEqual({ threads: true, layout: 'compact' });
  });

  it('given setup with feed options (weekly, vote_emoji), then they are checked and laid over the existing ones, and null removes one', async () => {
    const env = await setup([{ id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1, options: { layout: 'compact' } }]);
    await expect(env.desk.setUp(GUILD_A, { channelId: CHANNEL_A1, options: { weekly: '0 9 * *' } }, 'admin')).rejects.toThrow(
      /The `weekly` schedule "0 9 .*" cannot be used: has 4 fields/,
    );
    const set = await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A1, options: { weekly: '0 9 * * 1', vote_emoji: '⭐' } }, 'admin');
    expect(set.feed.options).toEqual({ layout: 'compact', weekly: '0 9 * * 1', vote_emoji: '⭐' });
    const off = await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A1, options: { weekly: null } }, 'admin');
    expect(off.feed.options).toEqual({ layout: 'compact', vote_emoji: '⭐' });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, /"Mars\/Olympus" is not a time zone/],
    ['a bad schedule', { cron: '25:00' }, /The schedule "25:00" cannot be used: has 1 fields/],
    ['a size of 11', { size: 11 }, /1 to 10 papers; 11 is outside/],
    ['a size of 0', { size: 0 }, /1 to 10 papers; 0 is outside/],
    ['a topic of punctuation', { include: ['!!'] }, /The topic "!!" in `topics` cannot be used/],
    ['a negative minimum', { minUpvotes: -1 }, /whole number from 0; -1/],
    ['a layout that is not one', { options: { layout: 'grid' } }, /layout is "grid", not one of cards, compact/],
  ])('given %s, then setup refuses with a message naming it and saves nothing', async (_name, changes, message) => {
    const env = await setup([]);
    const error = await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A1, ...changes }, 'admin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toMatch(message);
    expect(env.store.read().feeds.size).toBe(0);
  });
});

describe('the runtime: many feeds, each on its own schedule', () => {
  it('given two servers and three feeds (two sharing a channel, one filtered), then each tick posts that feed’s papers only, in its channel', async () => {
    const env = await setup([
      { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1, size: 2 },
      { id: 'a2', guildId: GUILD_A, channelId: CHANNEL_A1, size: 1, include: ['number 7'] },
      { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1, size: 3, schedule: { cron: '30 18 * * *', timezone: 'America/New_York' } },
    ]);
    await env.start();
    expect(env.schedules.made.map((m) => [m.feedId, m.cron, m.timezone])).toEqual([
      ['a1', '0 9 * * *', 'UTC'],
      ['a2', '0 9 * * *', 'UTC'],
      ['b1', '30 18 * * *', 'America/New_York'],
    ]);
    await env.schedules.of('b1')!.tick();
    expect(env.posted(CHANNEL_B1)).toEqual(paperIds(1, 3));
    expect(env.posted(CHANNEL_A1)).toEqual([]);
    await env.schedules.of('a2')!.tick();
    await env.schedules.of('a1')!.tick();
    expect(env.posted(CHANNEL_A1)).toEqual([...paperIds(7, 7), ...paperIds(1, 2)]);
    expect(env.store.read().progress.get('b1')!.nextDueAt).toBe(NEXT);
    expect(env.bot.nextRun()).toEqual(new Date(NEXT));
    await env.bot.stop('test');
  });

  it('given members of two servers, then a paper posted by a feed notifies only the members of that feed’s server', async () => {
    const env = await setup([
      { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1, size: 1 },
      { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1, size: 1 },
    ]);
    await env.store.updateSubscriber(GUILD_A, '300000000000000001', () => ({
      topics: ['number 1'],
      dm: false,
      updatedAt: '2026-01-01T00:00:00.000Z',
    }));
    await env.store.updateSubscriber(GUILD_B, '300000000000000002', () => ({
      topics: ['number 1'],
      dm: false,
      updatedAt: '2026-01-01T00:00:00.000Z',
    }));
    await env.start();
    await env.schedules.of('a1')!.tick();
    await env.schedules.of('b1')!.tick();
    const mentioned = (channel: string) => env.posterOf(channel).posts.flatMap((p) => p.message.allowed_mentions?.users ?? []);
    expect(mentioned(CHANNEL_A1)).toEqual(['300000000000000001']);
    expect(mentioned(CHANNEL_B1)).toEqual(['300000000000000002']);
    await env.bot.stop('test');
  });

  it('given feeds created, changed, paused, resumed and removed through the desk, then their schedules follow at once', async () => {
    const env = await setup([{ id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1 }]);
    await env.start();
    const made = await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A2 }, 'admin');
    expect(env.schedules.of(made.feed.id)).toBeDefined();
    await vi.waitFor(() => expect(env.store.read().progress.get(made.feed.id)!.nextDueAt).toBe(NEXT));
    await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A1, cron: '0 6 * * *' }, 'admin', 'a1');
    expect(env.schedules.of('a1')!.cron).toBe('0 6 * * *');
    expect(env.schedules.made.filter((m) => m.feedId === 'a1').map((m) => m.schedule.stopped)).toEqual([true, false]);
    const paused = await env.desk.pause(GUILD_A, 'a1', 'holidays', 'admin');
    expect(paused.nextRun).toBeNull();
    expect(paused.concerns[0]).toMatch(/^paused since .*: holidays$/);
    expect(env.schedules.of('a1')).toBeUndefined();
    await env.desk.resume(GUILD_A, 'a1', 'admin');
    expect(env.schedules.of('a1')).toBeDefined();
    await env.desk.remove(GUILD_A, made.feed.id, 'admin');
    expect(env.schedules.of(made.feed.id)).toBeUndefined();
    expect(env.store.read().feeds.has(made.feed.id)).toBe(false);
    await env.bot.stop('test');
  });

  it('given a feed moved to another channel, then it goes on from where it was: nothing is posted again', async () => {
    const env = await setup([{ id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1, size: 2 }]);
    await env.start();
    await env.schedules.of('a1')!.tick();
    await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A2 }, 'admin', 'a1');
    await env.schedules.of('a1')!.tick();
    expect(env.posted(CHANNEL_A1)).toEqual(paperIds(1, 2));
    expect(env.posted(CHANNEL_A2)).toEqual(paperIds(3, 4));
    await env.bot.stop('test');
  });

  it('given five feeds due together and room for two at once, then no more than two post at the same time and all five post', async () => {
    const feeds = [1, 2, 3, 4, 5].map((n) => ({ id: `f${n}`, guildId: GUILD_A, channelId: `93000000000000000${n}`, size: 1 }));
    const env = await setup(feeds, { maxConcurrentRuns: 2 });
    await env.start();
    let active = 0;
    let peak = 0;
    for (const { channelId } of feeds) {
      const poster = env.posterOf(channelId);
      const post = poster.post.bind(poster);
      poster.post = async (message, nonce) => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active -= 1;
        return post(message, nonce);
      };
    }
    await Promise.all(feeds.map((f) => env.schedules.of(f.id)!.tick()));
    expect(peak).toBe(2);
    for (const { channelId } of feeds) expect(env.posted(channelId)).toEqual(paperIds(1, 1));
    await env.bot.stop('test');
  });

  it('given one feed whose channel refuses the bot among others, then health is degraded naming that feed, not unhealthy', async () => {
    const env = await setup([
      { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1 },
      { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1 },
    ]);
    await env.start();
    env.posterOf(CHANNEL_A1).failNext(new PostError('forbidden', 'Missing Access', 403, 50001));
    await env.schedules.of('a1')!.tick();
    await env.schedules.of('b1')!.tick();
    const status = env.status();
    expect(status.problem).toBeNull();
    expect(status.lastRun?.outcome).toBe('posted');
    expect(status.concerns).toContain(`feed a1 (server ${GUILD_A}, channel ${CHANNEL_A1}): Missing Access`);
    await env.bot.stop('test');
  });
});

describe('a start that takes longer than the due time', () => {
  it('given a scheduled run begun before the start decided for its feed, then the start owes that feed nothing: one digest, not two', async () => {
    const env = await setup([{ id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1, size: 2 }]);
    const poster = env.posterOf(CHANNEL_A1);
    const post = poster.post.bind(poster);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    poster.post = async (message, nonce) => {
      await held;
      return post(message, nonce);
    };
    const fleet = env.runtime.fleet({ shutdown: new AbortController().signal, onFatal: () => undefined, onRun: async () => undefined });
    fleet.start();
    // The feed is due while the start still plans the others (a write per feed, thousands of feeds): its run begins.
    const tick = env.schedules.of('a1')!.tick();
    await vi.waitFor(() => expect(env.store.read().progress.get('a1')!.inFlight).not.toBeNull());
    const owed = await fleet.planStartup();
    release();
    // What the start owes runs once a slot of the concurrent runs is free: here, after the scheduled run ended.
    await tick;
    await owed();
    await env.idle();
    expect(env.store.read().progress.get('a1')!.digests).toBe(1);
    expect(env.posted(CHANNEL_A1)).toEqual(paperIds(1, 2));
    await fleet.stop();
  });
});

describe('health of the feeds this process owns', () => {
  it('given running and paused feeds, then health counts them, and a due time passed without its run is the lag', async () => {
    const env = await setup([
      { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1 },
      { id: 'a2', guildId: GUILD_A, channelId: CHANNEL_A2, paused: { reason: 'holidays', since: '2026-06-01T00:00:00.000Z', by: 'admin' } },
      { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1 },
    ]);
    await env.start();
    expect(env.status()).toMatchObject({ feeds: { running: 2, paused: 1 }, lagSeconds: 0 });
    // The saved next due time (NEXT) passes and no run happens: the process is late by that much.
    env.clock.advance(Date.parse(NEXT) - env.clock.now().getTime() + 90_000);
    expect(env.status().lagSeconds).toBe(90);
    await env.bot.stop('test');
  });

  it('given a digest run by command, then health is reported as soon as it ends, not at the next heartbeat', async () => {
    const env = await setup([{ id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1 }]);
    await env.start();
    const before = env.reports.length;
    const result = await env.desk.runner(GUILD_A, 'a1').run();
    expect(result.outcome).toBe('posted');
    expect(env.reports.length).toBe(before + 1);
    expect(env.reports.at(-1)!.lastRun).toMatchObject({ outcome: 'posted' });
    await env.bot.stop('test');
  });

  it('given a process owning only some servers, then it counts only their feeds', async () => {
    const env = await setup(
      [
        { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1 },
        { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1 },
      ],
      { owns: (guildId) => guildId === GUILD_B },
    );
    await env.start();
    expect(env.status().feeds).toEqual({ running: 1, paused: 0 });
    await env.bot.stop('test');
  });
});

describe('life events', () => {
  it('given the bot removed from a server, then its feeds pause with the reason, an admin pause stays, and re-invited it resumes only those', async () => {
    const env = await setup([
      { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1, size: 2 },
      { id: 'a2', guildId: GUILD_A, channelId: CHANNEL_A2, paused: { reason: 'holidays', since: '2026-06-01T00:00:00.000Z', by: 'admin' } },
      { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1 },
    ]);
    await env.start();
    await env.schedules.of('a1')!.tick();
    await env.runtime.guildRemoved(GUILD_A);
    expect(env.store.read().feeds.get('a1')!.paused).toEqual({ reason: GUILD_REMOVED_REASON, since: '2026-06-22T09:00:00.000Z' });
    expect(env.store.read().feeds.get('a2')!.paused?.reason).toBe('holidays');
    expect(env.store.read().removedGuilds.get(GUILD_A)).toBe('2026-06-22T09:00:00.000Z');
    expect(env.schedules.of('a1')).toBeUndefined();
    expect(env.schedules.of('b1')).toBeDefined();
    expect((env.status().concerns ?? []).join('\n')).not.toMatch(/feed a1/);
    await env.runtime.guildPresent(GUILD_A);
    await env.idle();
    expect(env.store.read().feeds.get('a1')!.paused).toBeNull();
    expect(env.store.read().feeds.get('a2')!.paused?.reason).toBe('holidays');
    expect(env.store.read().removedGuilds.size).toBe(0);
    await env.schedules.of('a1')!.tick();
    expect(env.posted(CHANNEL_A1)).toEqual(paperIds(1, 4));
    await env.bot.stop('test');
  });

  it('given a channel deleted, then its feeds pause and say why, until setup gives them another channel', async () => {
    const env = await setup([
      { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1 },
      { id: 'a2', guildId: GUILD_A, channelId: CHANNEL_A2 },
    ]);
    await env.start();
    await env.runtime.channelDeleted(CHANNEL_A1);
    const view = env.desk.get(GUILD_A, 'a1')!;
    expect(view.feed.paused?.reason).toBe(CHANNEL_DELETED_REASON);
    expect(view.concerns[0]).toMatch(/: the channel was deleted$/);
    expect(env.desk.get(GUILD_A, 'a2')!.feed.paused).toBeNull();
    expect(env.status().concerns).toContain(`feed a1 (server ${GUILD_A}, channel ${CHANNEL_A1}): paused: ${CHANNEL_DELETED_REASON}`);
    const moved = await env.desk.setUp(GUILD_A, { channelId: CHANNEL_A2 }, 'admin', 'a1');
    expect(moved.feed.paused).toBeNull();
    expect(env.schedules.of('a1')).toBeDefined();
    await env.bot.stop('test');
  });

  it('given a server removed 30 days ago, then the purge deletes its feeds, posts and topics, and keeps a server removed 29 days ago', async () => {
    const env = await setup([
      { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1 },
      { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1 },
    ]);
    await env.store.updateSubscriber(GUILD_A, '1', () => ({ topics: ['llm'], dm: false, updatedAt: '2026-01-01T00:00:00.000Z' }));
    await env.runtime.guildRemoved(GUILD_A);
    env.clock.advance(86_400_000);
    await env.runtime.guildRemoved(GUILD_B);
    env.clock.advance(29 * 86_400_000);
    expect(await env.runtime.purgeRemovedGuilds()).toEqual([GUILD_A]);
    expect([...env.store.read().feeds.keys()]).toEqual(['b1']);
    expect(env.store.read().subscriptions.has(GUILD_A)).toBe(false);
    expect([...env.store.read().removedGuilds.keys()]).toEqual([GUILD_B]);
  });

  it('given servers the bot left and came back to while it was down, then the start pauses and resumes their feeds, but never the bootstrap feed', async () => {
    const GUILD_C = '900000000000000003';
    const env = await setup([
      // DISCORD_GUILD_ID names a server the bot is not in: the environment's word, not a removal.
      { id: 'env', guildId: GUILD_A, channelId: CHANNEL_A1 },
      { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1, paused: { reason: GUILD_REMOVED_REASON, since: '2026-06-01T00:00:00.000Z' } },
      { id: 'c1', guildId: GUILD_C, channelId: CHANNEL_A2 },
    ]);
    await env.store.markGuildRemoved(GUILD_B, '2026-06-01T00:00:00.000Z');
    await env.runtime.reconcileGuilds(new Set([GUILD_B]));
    expect(env.store.read().feeds.get('env')!.paused).toBeNull();
    expect(env.store.read().feeds.get('c1')!.paused?.reason).toBe(GUILD_REMOVED_REASON);
    expect(env.store.read().feeds.get('b1')!.paused).toBeNull();
    expect([...env.store.read().removedGuilds.keys()]).toEqual([GUILD_C]);
  });

  it('given a process that owns only some servers (a shard), then it schedules, reconciles and purges only theirs: the servers of other shards are not gone', async () => {
    const env = await setup(
      [
        { id: 'a1', guildId: GUILD_A, channelId: CHANNEL_A1 },
        { id: 'b1', guildId: GUILD_B, channelId: CHANNEL_B1 },
      ],
      { owns: (guildId) => guildId === GUILD_A },
    );
    await env.store.markGuildRemoved(GUILD_B, '2026-05-01T00:00:00.000Z');
    await env.start();
    expect(env.schedules.made.map((m) => m.feedId)).toEqual(['a1']);
    // This shard sees only server A: server B is on another shard, not removed.
    await env.runtime.reconcileGuilds(new Set([GUILD_A]));
    expect(env.store.read().feeds.get('b1')!.paused).toBeNull();
    // B's purge is its own shard's to do.
    expect(await env.runtime.purgeRemovedGuilds()).toEqual([]);
    expect(env.store.read().feeds.has('b1')).toBe(true);
    await env.bot.stop('test');
  });
});
