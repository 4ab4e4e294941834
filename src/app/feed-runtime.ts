import { randomBytes } from 'node:crypto';
import { BOOTSTRAP_FEED_ID, type Feed } from '../core/feed.js';
import { isFiltering } from '../core/feed-filter.js';
import {
  CHANNEL_DELETED_REASON,
  GUILD_REMOVED_REASON,
  isScheduledFeed,
  listFeedsOfDeletedChannel,
  listFeedsToPauseForRemoval,
  listFeedsToResumeOnReturn,
  listGuildsToPurge,
  pauseFeed,
  resumeFeed,
} from '../core/feed-life.js';
import { type FeedHealth, summarizeFleetHealth } from '../core/fleet-health.js';
import { listDigestConcerns, overdueSeconds } from '../core/health.js';
import type { CorpusFileProblem } from '../core/paper.js';
import type { FeedProgress } from '../core/state.js';
import { formatLocalTime } from '../core/time.js';
import { UserFacingError } from './errors.js';
import { type FeedDesk, FeedNotFoundError, type FeedView } from './feed-desk.js';
import { scopeToFeed } from './feed-store.js';
import type { FeedFleet, FleetHooks, FleetStatus } from './lifecycle.js';
import type { Clock, Logger, Store } from './ports.js';
import { createRunGate } from './run-gate.js';
import type { DigestRunner } from './run-digest.js';
import { createScheduledFeed, type Schedule, type ScheduledFeed } from './scheduled-feed.js';
import { checkFeedChanges } from './feed-changes.js';
import { weeklyCronOf } from '../core/best-of.js';
import type { BestOfRunner } from './best-of.js';

/** What the runtime of every server's feeds needs (the composition root builds it). */
export interface FeedRuntimeDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** A feed's runner (its poster follows the feed's channel); built once per feed and kept, so its runs never overlap. */
  createRunner(feedId: string): DigestRunner;
  /** A feed's schedule, in the feed's own time zone. */
  createSchedule(feed: Feed, onTick: () => Promise<void>): Schedule;
  /** When a schedule would fire next after now (for a feed not scheduled yet). */
  nextRunOf(feed: Feed): Date | null;
  /** Why a cron expression cannot be used, or null. */
  checkCron(cron: string): string | null;
  /** What a new feed gets for what `/digest setup` leaves out. */
  defaults: Pick<Feed, 'size' | 'order'> & { cron: string; timezone: string };
  /** DIGEST_CATCH_UP: a run missed while the bot was down runs at start. */
  catchUp: boolean;
  /** Feeds posting at once at most; default 4 (Discord's REST queue handles each route's limits). */
  maxConcurrentRuns?: number;
  /** Where the corpus lives and which files give nothing, for concerns. */
  corpus?: () => { location?: string | undefined; problems?: readonly CorpusFileProblem[] };
  /** A new feed's id; default `f-` and 8 random base-36 characters. */
  newFeedId?: () => string;
  /** How often removed servers' data is checked for purging; default daily. */
  purgeEveryMs?: number;
  /**
   * Whether this process owns a server's feeds: with gateway shards, the servers on its shards (Discord's rule,
   * src/core/shards.ts); a feed whose server is not known yet belongs to shard 0's process. Default: every server.
   */
  owns?: (guildId: string | null) => boolean;
  /** A feed's weekly best-of (feed option `weekly`); without it, no best-of is scheduled. */
  createBestOf?(feedId: string): BestOfRunner;
}

/** Every server's feeds, scheduled and run; what the slash commands and Discord's events act on. */
export interface FeedRuntime {
  desk: FeedDesk;
  /** The feeds as the lifecycle runs them (called once, by the lifecycle). */
  fleet(hooks: FleetHooks): FeedFleet;
  /** The runner of any feed, by id (the bootstrap feed's commands). */
  runnerOf(feedId: string): DigestRunner;
  /** When a feed runs next (null: paused, unknown or not scheduled). */
  nextRunOf(feedId: string): Date | null;
  /** The bot was removed from a server (kicked, banned, or the server deleted; not an outage): its feeds pause. */
  guildRemoved(guildId: string): Promise<void>;
  /** The bot is in a server (invited, or back): feeds paused because it had been removed resume where they were. */
  guildPresent(guildId: string): Promise<void>;
  /** A channel was deleted: the feeds posting there pause. */
  channelDeleted(channelId: string): Promise<void>;
  /**
   * At start: the servers the bot is in. Feeds of servers it left while it was down pause (except the bootstrap
   * feed, which the environment names), and servers it came back to resume.
   */
  reconcileGuilds(present: ReadonlySet<string>): Promise<void>;
  /** Deletes the data of servers removed more than 30 days ago; resolves with their ids. */
  purgeRemovedGuilds(): Promise<string[]>;
}

interface Entry {
  runner: DigestRunner;
  scheduled: ScheduledFeed | null;
  /** The schedule it runs on (`cron|zone`), to tell a change. */
  key: string;
  /** The weekly best-of's schedule, and the one it runs on (`cron|zone`). */
  bestOf?: { schedule: Schedule; key: string } | null;
  bestOfRunner?: BestOfRunner;
}

const DAY_MS = 86_400_000;

/** Creates the runtime of every server's feeds: desk, schedules, bounded concurrent runs, life events and health. */
export function createFeedRuntime(deps: FeedRuntimeDeps): FeedRuntime {
  const { store, logger, clock } = deps;
  const entries = new Map<string, Entry>();
  const gate = createRunGate(deps.maxConcurrentRuns ?? 4);
  const stopping = new Set<Promise<unknown>>();
  const owedRuns = new Set<Promise<unknown>>();
  let hooks: FleetHooks | null = null;
  let started = false;
  let planned = false;
  let purgeTimer: NodeJS.Timeout | null = null;
  const iso = () => clock.now().toISOString();
  const newFeedId = deps.newFeedId ?? (() => `f-${randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, '0').slice(-8)}`);

  const owns = deps.owns ?? (() => true);
  /** Feeds this process runs: those of its servers (another process schedules, pauses and purges the others). */
  const ownFeeds = (): Feed[] => [...store.read().feeds.values()].filter((f) => owns(f.guildId));

  const entryOf = (feedId: string): Entry => {
    let entry = entries.get(feedId);
    if (!entry) entries.set(feedId, (entry = { runner: deps.createRunner(feedId), scheduled: null, key: '' }));
    return entry;
  };

  /** Stops a schedule without waiting for its run under way (a command must answer); the stop of the bot waits for it. */
  const retire = (scheduled: ScheduledFeed) => {
    const done = scheduled.stop().finally(() => stopping.delete(done));
    stopping.add(done);
  };

  /** Runs what a feed scheduled after the start owes (an interrupted digest), without a catch-up: a pause is not a miss. */
  const runOwedLater = async (scheduled: ScheduledFeed) => {
    const run = (async () => {
      const owed = await scheduled.planStartup();
      await owed();
    })().catch((error: unknown) => logger.error({ err: error, feed: scheduled.feedId }, 'a digest owed by a feed failed'));
    owedRuns.add(run);
    await run.finally(() => owedRuns.delete(run));
  };

  /** Brings one feed's schedule in line with the store: created, changed, paused or removed. */
  const sync = (feedId: string): void => {
    const feed = store.read().feeds.get(feedId);
    const entry = entries.get(feedId);
    if (!feed) {
      if (entry?.scheduled) retire(entry.scheduled);
      if (entry?.bestOf) void entry.bestOf.schedule.stop();
      entries.delete(feedId);
      return;
    }
    if (!started || !hooks) return;
    const current = entryOf(feedId);
    syncBestOf(feed, current);
    if (!isScheduledFeed(feed) || !owns(feed.guildId)) {
      if (current.scheduled) {
        retire(current.scheduled);
        current.scheduled = null;
        logger.info(
          { feed: feedId, reason: feed.paused?.reason },
          `feed ${feedId} is no longer scheduled${feed.paused ? `: ${feed.paused.reason}` : ''}`,
        );
      }
      return;
    }
    const key = `${feed.schedule.cron}|${feed.schedule.timezone}`;
    if (current.scheduled && current.key === key) return;
    if (current.scheduled) retire(current.scheduled);
    const fleetHooks = hooks;
    const scheduled = createScheduledFeed({
      feed: scopeToFeed(store, feedId),
      runner: current.runner,
      createSchedule: (onTick) => deps.createSchedule(feed, onTick),
      clock,
      logger,
      timezone: feed.schedule.timezone,
      catchUp: deps.catchUp && !planned,
      consoleMode: false,
      shutdown: fleetHooks.shutdown,
      onFatal: (message) => fleetHooks.onFatal(message),
      onRun: (result) => fleetHooks.onRun(result),
      gate,
    });
    current.scheduled = scheduled;
    current.key = key;
    scheduled.start();
    // Scheduled after the start (a new feed, a change, a resume): it saves its next due time and resumes what it had under way.
    if (planned) void runOwedLater(scheduled);
  };

  /**
   * Schedules a feed's weekly best-of (option `weekly`, in the feed's time zone) while the feed runs; each tick posts
   * the best-of of the time it was due at. At its first scheduling it resumes a best-of a crash left unposted.
   */
  const syncBestOf = (feed: Feed, entry: Entry): void => {
    const cron = isScheduledFeed(feed) && owns(feed.guildId) && deps.createBestOf ? weeklyCronOf(feed) : null;
    const key = cron ? `${cron}|${feed.schedule.timezone}` : '';
    if ((entry.bestOf?.key ?? '') === key) return;
    if (entry.bestOf) void entry.bestOf.schedule.stop();
    entry.bestOf = null;
    if (!cron || !deps.createBestOf) return;
    const runner = (entry.bestOfRunner ??= deps.createBestOf(feed.id));
    const schedule = deps.createSchedule({ ...feed, schedule: { cron, timezone: feed.schedule.timezone } }, async () => {
      const period = slot.toISOString();
      slot = schedule.nextRun();
      await runner.run(period).catch((error: unknown) => logger.error({ err: error, feed: feed.id }, 'the weekly best-of failed'));
    });
    schedule.start();
    let slot = schedule.nextRun();
    entry.bestOf = { schedule, key };
    logger.info({ feed: feed.id, nextRun: slot.toISOString() }, `next weekly best-of: ${formatLocalTime(slot, feed.schedule.timezone)}`);
    void runner.resume().catch((error: unknown) => logger.error({ err: error, feed: feed.id }, 'resuming the weekly best-of failed'));
  };

  const viewOf = (feed: Feed): FeedView => {
    const entry = entries.get(feed.id);
    const progress = store.read().progress.get(feed.id);
    const nextRun = isScheduledFeed(feed) ? (entry?.scheduled?.nextRun() ?? deps.nextRunOf(feed)) : null;
    const concerns: string[] = [];
    if (feed.paused) concerns.push(`paused since ${formatLocalTime(feed.paused.since, feed.schedule.timezone)}: ${feed.paused.reason}`);
    if (feed.channelId === null) concerns.push('it has no channel: `/digest setup` gives it one');
    const problem = entry?.scheduled?.problem();
    if (problem) concerns.push(problem);
    if (progress) concerns.push(...listDigestConcerns(progress, { location: deps.corpus?.().location, filtered: isFiltering(feed) }));
    return { feed, nextRun, posted: store.posted(feed.id).size, concerns };
  };

  const feedsOf = (guildId: string): Feed[] =>
    [...store.read().feeds.values()]
      .filter((feed) => feed.guildId === guildId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));

  const findFeed = (guildId: string, feedId: string): Feed => {
    const feed = store.read().feeds.get(feedId);
    if (!feed || feed.guildId !== guildId) throw new FeedNotFoundError(feedId);
    return feed;
  };

  const save = async (feed: Feed): Promise<FeedView> => {
    await store.saveFeed(feed);
    sync(feed.id);
    return viewOf(store.read().feeds.get(feed.id)!);
  };

  const desk: FeedDesk = {
    list: (guildId) => feedsOf(guildId).map(viewOf),
    get(guildId, feedId) {
      const feed = store.read().feeds.get(feedId);
      return feed && feed.guildId === guildId ? viewOf(feed) : null;
    },
    inChannel: (guildId, channelId) =>
      feedsOf(guildId)
        .filter((feed) => feed.channelId === channelId)
        .map(viewOf),
    async setUp(guildId, changes, by, feedId) {
      let existing: Feed | null;
      if (feedId !== undefined) existing = findFeed(guildId, feedId);
      else {
        const there = feedsOf(guildId).filter((feed) => feed.channelId === changes.channelId);
        if (there.length > 1)
          throw new UserFacingError(
            `${there.length} feeds post in <#${changes.channelId}> (${there.map((f) => f.id).join(', ')}): say which one with the \`feed\` option.`,
          );
        existing = there[0] ?? null;
      }
      const at = iso();
      const checked = checkFeedChanges(changes, (cron) => deps.checkCron(cron));
      let id = existing?.id ?? newFeedId();
      while (!existing && store.read().feeds.has(id)) id = newFeedId();
      const base: Feed = existing ?? {
        id,
        guildId,
        channelId: changes.channelId,
        schedule: { cron: deps.defaults.cron, timezone: deps.defaults.timezone },
        size: deps.defaults.size,
        order: deps.defaults.order,
        include: [],
        exclude: [],
        minUpvotes: null,
        paused: null,
        options: {},
        createdAt: at,
        updatedAt: at,
      };
      const next: Feed = {
        ...base,
        channelId: changes.channelId,
        schedule: { cron: checked.cron ?? base.schedule.cron, timezone: checked.timezone ?? base.schedule.timezone },
        size: checked.size ?? base.size,
        order: checked.order ?? base.order,
        include: [...(checked.include ?? base.include)],
        exclude: [...(checked.exclude ?? base.exclude)],
        minUpvotes: checked.minUpvotes === undefined ? base.minUpvotes : checked.minUpvotes,
        options: mergeOptions(base.options, checked.options),
        // A feed paused because its channel was deleted posts again once it has a channel.
        paused: base.paused?.reason === CHANNEL_DELETED_REASON && base.channelId !== changes.channelId ? null : base.paused,
        updatedAt: at,
      };
      logger.info(
        { guild: guildId, feed: id, channel: next.channelId, by, created: existing === null },
        `${existing ? 'changed' : 'created'} feed ${id} in server ${guildId}`,
      );
      return save(next);
    },
    async pause(guildId, feedId, reason, by) {
      const feed = findFeed(guildId, feedId);
      logger.info({ guild: guildId, feed: feedId, by, reason }, `feed ${feedId} paused: ${reason}`);
      return save(pauseFeed(feed, reason, iso(), by));
    },
    async resume(guildId, feedId, by) {
      const feed = findFeed(guildId, feedId);
      logger.info({ guild: guildId, feed: feedId, by }, `feed ${feedId} resumed`);
      return save(resumeFeed(feed, iso()));
    },
    async remove(guildId, feedId, by) {
      findFeed(guildId, feedId);
      const entry = entries.get(feedId);
      entries.delete(feedId);
      // Its run under way ends first: a step after the removal would find no feed.
      if (entry?.scheduled) await entry.scheduled.stop();
      await store.removeFeed(feedId);
      logger.info({ guild: guildId, feed: feedId, by }, `feed ${feedId} removed`);
    },
    runner(guildId, feedId) {
      findFeed(guildId, feedId);
      const { runner } = entryOf(feedId);
      // A run by command (`/digest now`) changes what health reports as much as a scheduled one: it is reported at once.
      return {
        ...runner,
        run: async (options) => {
          const result = await runner.run(options);
          await hooks?.onRun(result);
          return result;
        },
      };
    },
  };

  const saveAll = async (feeds: readonly Feed[]) => {
    for (const feed of feeds) {
      await store.saveFeed(feed);
      sync(feed.id);
    }
  };

  const runtime: FeedRuntime = {
    desk,
    runnerOf: (feedId) => entryOf(feedId).runner,
    nextRunOf(feedId) {
      const feed = store.read().feeds.get(feedId);
      return feed ? viewOf(feed).nextRun : null;
    },
    async guildRemoved(guildId) {
      const at = iso();
      const feeds = listFeedsToPauseForRemoval(store.read().feeds.values(), guildId);
      if (!store.read().removedGuilds.has(guildId)) await store.markGuildRemoved(guildId, at);
      await saveAll(feeds.map((feed) => pauseFeed(feed, GUILD_REMOVED_REASON, at)));
      logger.warn(
        { guild: guildId, feeds: feeds.map((f) => f.id) },
        `the bot was removed from server ${guildId}: ${feeds.length} feed(s) paused; its data is deleted in 30 days unless the bot is invited back`,
      );
    },
    async guildPresent(guildId) {
      const feeds = listFeedsToResumeOnReturn(store.read().feeds.values(), guildId);
      const wasRemoved = store.read().removedGuilds.has(guildId);
      if (!wasRemoved && feeds.length === 0) return;
      if (wasRemoved) await store.markGuildRemoved(guildId, null);
      const at = iso();
      await saveAll(feeds.map((feed) => resumeFeed(feed, at)));
      logger.info(
        { guild: guildId, feeds: feeds.map((f) => f.id) },
        `the bot is back in server ${guildId}: ${feeds.length} feed(s) resumed`,
      );
    },
    async channelDeleted(channelId) {
      const at = iso();
      const feeds = listFeedsOfDeletedChannel(store.read().feeds.values(), channelId);
      if (feeds.length === 0) return;
      await saveAll(feeds.map((feed) => pauseFeed(feed, CHANNEL_DELETED_REASON, at)));
      logger.warn(
        { channel: channelId, feeds: feeds.map((f) => f.id) },
        `channel ${channelId} was deleted: ${feeds.length} feed(s) paused until \`/digest setup\` gives them a channel`,
      );
    },
    async reconcileGuilds(present) {
      // Only this process's servers: a shard sees only the servers on it, and the others are not gone.
      const { removedGuilds } = store.read();
      const gone = new Set(
        ownFeeds()
          .filter((f) => f.id !== BOOTSTRAP_FEED_ID && f.guildId !== null && f.paused === null && !present.has(f.guildId))
          .map((f) => f.guildId!),
      );
      for (const guildId of gone) await runtime.guildRemoved(guildId);
      for (const guildId of [...removedGuilds.keys()]) if (owns(guildId) && present.has(guildId)) await runtime.guildPresent(guildId);
    },
    async purgeRemovedGuilds() {
      const due = listGuildsToPurge(store.read().removedGuilds, clock.now()).filter((guildId) => owns(guildId));
      for (const guildId of due) {
        for (const feed of feedsOf(guildId)) {
          const entry = entries.get(feed.id);
          entries.delete(feed.id);
          if (entry?.scheduled) retire(entry.scheduled);
        }
        const feedIds = await store.purgeGuild(guildId);
        logger.info({ guild: guildId, feeds: feedIds }, `deleted the data of server ${guildId}: the bot was removed from it 30 days ago`);
      }
      return due;
    },
    fleet(given) {
      hooks = given;
      const fleet: FeedFleet = {
        start() {
          started = true;
          for (const id of store.read().feeds.keys()) sync(id);
          const purge = () =>
            void runtime.purgeRemovedGuilds().catch((error: unknown) => logger.error({ err: error }, 'purging removed servers failed'));
          purge();
          purgeTimer = setInterval(purge, deps.purgeEveryMs ?? DAY_MS);
          purgeTimer.unref();
        },
        async planStartup() {
          const owed: Array<() => Promise<void>> = [];
          for (const entry of entries.values()) if (entry.scheduled) owed.push(await entry.scheduled.planStartup());
          planned = true;
          return async () => {
            await Promise.all(owed.map((run) => run()));
          };
        },
        async stop() {
          if (purgeTimer) clearInterval(purgeTimer);
          purgeTimer = null;
          const scheduled = [...entries.values()].flatMap((entry) => (entry.scheduled ? [entry.scheduled] : []));
          const bestOfs = [...entries.values()].flatMap((entry) => (entry.bestOf ? [entry.bestOf.schedule.stop()] : []));
          await Promise.all([...scheduled.map((s) => s.stop()), ...bestOfs, ...stopping, ...owedRuns]);
        },
        nextRun: earliestRun,
        status: () => statusOf(),
      };
      return fleet;
    },
  };

  function earliestRun(): Date | null {
    let next: Date | null = null;
    for (const entry of entries.values()) {
      const at = entry.scheduled?.nextRun();
      if (at && (next === null || at < next)) next = at;
    }
    return next;
  }

  /** Health over every feed; a single feed reports as a single-channel Paperboy always did. */
  const statusOf = (): FleetStatus => {
    const corpus = deps.corpus?.() ?? {};
    // Running feeds, and feeds paused because their channel was deleted (an admin must act); not the feeds an admin
    // paused, nor those of servers the bot was removed from (nothing to do there), nor the console feed.
    const feeds = ownFeeds().filter((f) => f.channelId !== null && (isScheduledFeed(f) || f.paused?.reason === CHANNEL_DELETED_REASON));
    const healths: FeedHealth[] = feeds.map((feed) => ({
      label: `feed ${feed.id}${feed.guildId ? ` (server ${feed.guildId}, channel ${feed.channelId})` : ` (channel ${feed.channelId})`}`,
      progress: store.read().progress.get(feed.id)!,
      problem: entries.get(feed.id)?.scheduled?.problem() ?? null,
      paused: feed.paused?.reason ?? null,
      filtered: isFiltering(feed),
    }));
    const nextRun = earliestRun();
    const running = feeds.filter(isScheduledFeed);
    const owned = {
      feeds: { running: running.length, paused: ownFeeds().filter((f) => f.channelId !== null && f.paused !== null).length },
      lagSeconds: overdueSeconds(
        running.map((f) => store.read().progress.get(f.id)!),
        clock.now(),
      ),
    };
    if (healths.length === 1 && healths[0]!.paused === null) {
      const only = healths[0]!;
      const last = only.progress.lastRun;
      return {
        nextRun,
        lastRun: last ? formatRun(last) : null,
        problem: only.problem,
        concerns: listDigestConcerns(only.progress, { ...corpus, filtered: only.filtered }),
        ...owned,
      };
    }
    const summary = summarizeFleetHealth(healths, corpus);
    return {
      nextRun,
      lastRun: summary.lastRun ? formatRun(summary.lastRun) : null,
      problem: summary.problem,
      concerns: summary.concerns,
      ...owned,
    };
  };

  return runtime;
}

/** A feed's options with `changes` laid over them (a null value removes the option). */
function mergeOptions(options: Feed['options'], changes: Readonly<Record<string, unknown>> | undefined): Feed['options'] {
  if (!changes) return options;
  const next: Feed['options'] = { ...options };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** A feed's last run as health shows it. */
function formatRun(last: NonNullable<FeedProgress['lastRun']>): NonNullable<FleetStatus['lastRun']> {
  return {
    at: last.at,
    outcome: last.outcome,
    ...(last.error ? { error: last.error } : {}),
    ...(last.reason ? { reason: last.reason } : {}),
  };
}
