import { UserFacingError } from '../../src/app/errors.js';
import { type FeedChanges, type FeedDesk, FeedNotFoundError, type FeedView } from '../../src/app/feed-desk.js';
import type { Clock, CorpusSource, Logger, Poster, Store } from '../../src/app/ports.js';
import { createDigestRunner, type DigestRunner } from '../../src/app/run-digest.js';
import { readCronSchedule } from '../../src/adapters/cron-scheduler.js';
import { feedSchema, type Feed } from '../../src/core/feed.js';
import { listDigestConcerns } from '../../src/core/health.js';
import { findNextRun } from '../../src/core/schedule.js';
import { selectAudience } from '../../src/core/subscriptions.js';

/**
 * A FeedDesk over a store, for the command tests: what `src/app/feed-desk.ts` documents (scoped by server, a feed of
 * another server unknown, FeedNotFoundError, setUp creating or changing the feed of a channel, validation), with the
 * real digest runner per feed; no schedule runs (the next run is computed, never fired).
 */
export function createMemoryDesk(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  corpus: CorpusSource;
  /** The poster of a feed's channel (a runner is built once per feed, at its first use). */
  posterFor: (feed: Feed) => Poster;
}): FeedDesk & { readonly calls: string[] } {
  const { store, clock } = deps;
  const runners = new Map<string, DigestRunner>();
  const calls: string[] = [];

  const feedsOf = (guildId: string): Feed[] =>
    [...store.read().feeds.values()]
      .filter((feed) => feed.guildId === guildId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const viewOf = (feed: Feed): FeedView => {
    const progress = store.read().progress.get(feed.id);
    return {
      feed,
      nextRun: feed.paused ? null : findNextRun(readCronSchedule(feed.schedule.cron), feed.schedule.timezone, clock.now()),
      posted: store.posted(feed.id).size,
      concerns: [...(feed.paused ? [`it is paused: ${feed.paused.reason}`] : []), ...(progress ? listDigestConcerns(progress, {}) : [])],
    };
  };
  const known = (guildId: string, feedId: string): Feed => {
    const feed = store.read().feeds.get(feedId);
    if (!feed || feed.guildId !== guildId) throw new FeedNotFoundError(feedId);
    return feed;
  };
  const save = async (feed: Feed): Promise<FeedView> => {
    const checked = feedSchema.safeParse(feed);
    if (!checked.success) throw new UserFacingError(`The feed cannot be saved: ${checked.error.issues[0]!.message}`);
    try {
      readCronSchedule(feed.schedule.cron);
      new Intl.DateTimeFormat('en-US', { timeZone: feed.schedule.timezone });
    } catch (error) {
      throw new UserFacingError(`The schedule cannot be used: ${(error as Error).message}`);
    }
    await store.saveFeed(feed);
    return viewOf(feed);
  };

  return {
    calls,
    list: (guildId) => feedsOf(guildId).map(viewOf),
    get(guildId, feedId) {
      const feed = store.read().feeds.get(feedId);
      return feed && feed.guildId === guildId ? viewOf(feed) : null;
    },
    inChannel: (guildId, channelId) =>
      feedsOf(guildId)
        .filter((feed) => feed.channelId === channelId)
        .map(viewOf),
    async setUp(guildId, changes: FeedChanges, by, feedId) {
      calls.push(`setUp ${guildId} ${feedId ?? changes.channelId} by ${by}`);
      const at = clock.now().toISOString();
      let base: Feed;
      if (feedId !== undefined) base = known(guildId, feedId);
      else {
        const here = feedsOf(guildId).filter((feed) => feed.channelId === changes.channelId);
        if (here.length > 1) throw new UserFacingError(`Several feeds post to <#${changes.channelId}>: name one with \`feed\`.`);
        let n = store.read().feeds.size + 1;
        while (store.read().feeds.has(`feed-${n}`)) n += 1;
        base = here[0] ?? {
          id: `feed-${n}`,
          guildId,
          channelId: changes.channelId,
          schedule: { cron: '0 9 * * *', timezone: 'UTC' },
          size: 3,
          order: 'corpus',
          include: [],
          exclude: [],
          minUpvotes: null,
          paused: null,
          options: {},
          createdAt: at,
          updatedAt: at,
        };
      }
      // Its channel may change: the next run posts through a poster of the new one.
      runners.delete(base.id);
      return save({
        ...base,
        channelId: changes.channelId,
        schedule: { cron: changes.cron ?? base.schedule.cron, timezone: changes.timezone ?? base.schedule.timezone },
        size: changes.size ?? base.size,
        order: changes.order ?? base.order,
        include: [...(changes.include ?? base.include)],
        exclude: [...(changes.exclude ?? base.exclude)],
        minUpvotes: changes.minUpvotes === undefined ? base.minUpvotes : changes.minUpvotes,
        options: { ...base.options, ...changes.options },
        updatedAt: at,
      });
    },
    async pause(guildId, feedId, reason, by) {
      calls.push(`pause ${guildId} ${feedId} by ${by}`);
      const feed = known(guildId, feedId);
      return save({ ...feed, paused: { reason, since: clock.now().toISOString(), by }, updatedAt: clock.now().toISOString() });
    },
    async resume(guildId, feedId, by) {
      calls.push(`resume ${guildId} ${feedId} by ${by}`);
      const feed = known(guildId, feedId);
      return save({ ...feed, paused: null, updatedAt: clock.now().toISOString() });
    },
    async remove(guildId, feedId, by) {
      calls.push(`remove ${guildId} ${feedId} by ${by}`);
      known(guildId, feedId);
      runners.delete(feedId);
      await store.removeFeed(feedId);
    },
    runner(guildId, feedId) {
      const feed = known(guildId, feedId);
      let runner = runners.get(feedId);
      if (!runner) {
        runner = createDigestRunner({
          store,
          feedId,
          poster: deps.posterFor(feed),
          corpus: deps.corpus,
          clock,
          logger: deps.logger,
          retryDelaysMs: [0],
          audienceFor: (paper) => selectAudience(paper, store.read().subscriptions.get(guildId) ?? []),
        });
        runners.set(feedId, runner);
      }
      return runner;
    },
  };
}
