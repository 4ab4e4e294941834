import { bestOfNonce, bestOfSince, markBestOfPosted, recordBestOfIntent } from '../core/best-of.js';
import { formatLocalTime } from '../core/time.js';
import type { Paper } from '../core/paper.js';
import { formatTopPapers, rankTopPapers } from '../core/top-papers.js';
import { showEmoji, voteEmojiOf } from '../core/vote-emoji.js';
import { countVoters } from '../core/votes.js';
import type { Clock, Logger, Poster, Store } from './ports.js';

/** A feed's weekly best-of, run at each time of its `weekly` schedule and resumed at start. */
export interface BestOfRunner {
  /** Posts the best-of of `period` (the scheduled time, ISO 8601) unless it was posted already. */
  run(period: string): Promise<'posted' | 'empty' | 'done'>;
  /** Posts again, with the same nonce, a best-of whose intent was recorded but whose message was not (a crash). */
  resume(): Promise<void>;
}

/** Creates the best-of runner of one feed. */
export function createBestOfRunner(deps: {
  store: Store;
  feedId: string;
  poster: Poster;
  paperOf: (paperId: string) => Paper | undefined;
  clock: Clock;
  logger: Logger;
}): BestOfRunner {
  const { store, feedId, logger } = deps;
  let running: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = running.then(task, task);
    running = next.catch(() => undefined);
    return next;
  };

  /** Posts the recorded intent with its nonce and records the message. */
  const send = async (): Promise<void> => {
    const record = store.read().progress.get(feedId)?.bestOf;
    if (!record || record.content === null || record.messageId !== null) return;
    const { messageId } = await deps.poster.post({ content: record.content, allowed_mentions: { parse: [] } }, record.nonce);
    await store.step(feedId, (s) => markBestOfPosted(s, record.period, messageId));
    logger.info({ feed: feedId, period: record.period, message: messageId }, `weekly best-of posted`);
  };

  return {
    run: (period) =>
      serial(async () => {
        const feed = store.read().feeds.get(feedId);
        const progress = store.read().progress.get(feedId);
        if (!feed || !progress) return 'done';
        if (progress.bestOf?.period === period) {
          await send();
          return 'done';
        }
        const now = deps.clock.now();
        const since = bestOfSince(progress, now);
        const book = store.read().votes;
        const votesOf = (paper: Paper) => (feed.guildId ? countVoters(book, feed.guildId, [paper.id, ...(paper.aliases ?? [])]) : 0);
        const sent = [...store.posted(feedId).newestFirst()].filter((e) => Date.parse(e.postedAt) >= since.getTime());
        const ranked = rankTopPapers({ sent, votesOf, paperOf: deps.paperOf, since, limit: 5 });
        const emoji = showEmoji(voteEmojiOf(feed));
        const content =
          ranked.length === 0
            ? null
            : (formatTopPapers(ranked, {
                header: `🏆 **Best of the week** (since ${formatLocalTime(since, feed.schedule.timezone)}): the most voted papers, then the most upvoted`,
                emoji,
              }).content ?? null);
        await store.step(feedId, (s) =>
          recordBestOfIntent(s, { period, at: now.toISOString(), nonce: bestOfNonce(feedId, period), content }),
        );
        if (content === null) {
          logger.info({ feed: feedId, period }, 'weekly best-of: no paper posted this period, nothing to post');
          return 'empty';
        }
        await send();
        return 'posted';
      }),
    resume: () => serial(send),
  };
}
