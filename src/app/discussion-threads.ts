import { giveUpThread, listOwedThreads, markThreadStarted, markThreadsUnavailable, recordThreadIntent } from '../core/discussion.js';
import type { Feed } from '../core/feed.js';
import { isThreadsOn } from '../core/feed-options.js';
import type { Paper } from '../core/paper.js';
import type { Audience, FeedState } from '../core/state.js';
import { formatThreadName } from '../core/thread-name.js';
import { matchTopics } from '../core/topics.js';
import { type Retrying, toPostError } from './digest-retry.js';
import type { FeedStore } from './feed-store.js';
import type { Clock, Logger, PaperPost, Poster } from './ports.js';

/** How a paper is discussed in a feed: a thread started on its message (`thread`), and what a forum post of it is. */
export interface DiscussionPlan {
  /** True when the destination is a forum: the paper's post is a thread created without a nonce. */
  forum: boolean;
  /** Why the feed wants threads but none can be started now (missing permissions): its mentions stay on the card. */
  blocked: string | null;
  /** True when the feed starts a thread on the paper's message (option `threads: on`, a destination with threads). */
  thread: boolean;
  /** The thread or forum post's name, and the topics the feed's filter matched (a forum post's tags). */
  post: PaperPost;
}

/** How a paper of this feed is discussed: in a forum every paper is a post; elsewhere a thread when `threads` is on. */
export function planDiscussion(feed: Feed, poster: Poster, paper: Paper): DiscussionPlan {
  const forum = poster.channelKind?.() === 'forum';
  const wanted = !forum && poster.startThread !== undefined && isThreadsOn(feed);
  const blocked = wanted ? (poster.threadsBlocked?.() ?? null) : null;
  return {
    forum,
    blocked,
    thread: wanted && blocked === null,
    post: { name: formatThreadName(paper.title, paper.id), topics: matchTopics(paper, feed.include) },
  };
}

/** A forum post's topics: the feed's matched topics first, then those of the subscribers it notifies. */
export function withAudienceTopics(post: PaperPost, audience: Audience): PaperPost {
  const topics = [...post.topics, ...[...audience.mentions, ...audience.direct].flatMap((r) => r.topics)];
  return { ...post, topics: [...new Set(topics)] };
}

/**
 * The intent to post a paper with, when its feed starts threads, the thread it owes; when threads are wanted but
 * blocked, why (kept for `/digest status`) instead.
 */
export function withThreadIntent(s: FeedState, paperId: string, plan: DiscussionPlan, at: string): FeedState {
  if (plan.thread) return recordThreadIntent(s, paperId, plan.post.name, at);
  return plan.blocked === null ? s : markThreadsUnavailable(s, plan.blocked, at);
}

/** Starts the discussion threads a feed owes its posted papers (feed option `threads`); see {@link createThreadStarter}. */
export interface ThreadStarter {
  /** Starts every owed thread whose paper is posted, each once; a transient failure rejects and leaves it owed. */
  startOwed(signal?: AbortSignal): Promise<void>;
}

// Discord's JSON error code for "Unknown Message": the card was deleted before its thread was started.
const UNKNOWN_MESSAGE = 10008;

/**
 * Creates the thread step of a digest run. Each owed thread was recorded with the intent to post its paper; once the
 * paper is recorded posted the thread is started from its message, then forgotten. After a crash the same start is
 * made again: Discord refuses a second thread on a message (160004), which the poster reports as the thread that
 * exists, so no paper ever gets two threads or loses its one. Missing permissions end in no thread (recorded for
 * `/digest status`), never in a retry loop.
 */
export function createThreadStarter(deps: {
  feed: FeedStore;
  poster: Poster;
  clock: Clock;
  logger: Logger;
  retrying: Retrying;
}): ThreadStarter {
  const { feed, poster, logger } = deps;
  const iso = () => deps.clock.now().toISOString();

  return {
    async startOwed(signal) {
      for (const owed of listOwedThreads(feed.view())) {
        if (signal?.aborted) return;
        if (owed.status === 'waiting') continue;
        const destination = poster.destination;
        if (owed.status === 'refused' || !owed.messageId) {
          await feed.step((s) => giveUpThread(s, owed.paperId, iso()));
          continue;
        }
        // A forum post is its own thread; a destination without threads (the terminal) has none to start.
        if (poster.channelKind?.() === 'forum' || !poster.startThread) {
          await feed.step((s) => markThreadStarted(s, owed.paperId));
          continue;
        }
        const messageId = owed.messageId;
        const startThread = poster.startThread.bind(poster);
        try {
          const { threadId, existed } = await deps.retrying(() => startThread(messageId, owed.name));
          await feed.step((s) => markThreadStarted(s, owed.paperId));
          logger.info(
            { destination, paper: owed.paperId, thread: threadId, existed },
            existed ? 'found the discussion thread a crash left unrecorded' : 'started the discussion thread of a paper',
          );
        } catch (error) {
          const failure = toPostError(error);
          if (failure.kind === 'forbidden' || failure.kind === 'invalid-payload') {
            const reason = failure.advice ?? failure.message;
            const known = feed.progress().threadsUnavailable?.reason === reason;
            if (!known) logger.warn({ destination, paper: owed.paperId, code: failure.code }, `no discussion thread: ${reason}`);
            await feed.step((s) => giveUpThread(s, owed.paperId, iso(), reason));
          } else if (failure.code === UNKNOWN_MESSAGE) {
            logger.warn({ destination, paper: owed.paperId }, "the paper's message was deleted before its thread was started: no thread");
            await feed.step((s) => giveUpThread(s, owed.paperId, iso()));
          } else throw failure;
        }
      }
    },
  };
}
