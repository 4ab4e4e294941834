import {
  countDirectMessages,
  createDirectNonce,
  dropNotice,
  fallBackToChannel,
  listReleasableAudiences,
  markNoticeSent,
  recordDirectNotice,
  releaseAudience,
  releaseFallbacks,
  toNoticeMessage,
} from '../core/notices.js';
import { isWaitingForThread, moveNoticeToChannel } from '../core/discussion.js';
import type { FeedStore } from './feed-store.js';
import { type Clock, type Logger, PostError, type Poster } from './ports.js';

/** How Paperboy keeps its direct messages clear of Discord's anti-spam (bots that DM many members get quarantined). */
export interface DirectMessageLimits {
  /** Direct messages per digest at most; the members beyond it are mentioned in the channel instead. */
  perDigest: number;
  /** Pause between two direct messages. */
  pacingMs: number;
  /**
   * A direct message recorded but not confirmed (a crash between Discord's answer and the state write) is sent
   * again, with the same nonce, only this long after its first send: well inside the few minutes during which
   * Discord's `enforce_nonce` returns the first message instead of a second one.
   */
  resendWindowMs: number;
}

/** The documented defaults (README, "Subscriptions and notifications"). */
export const DEFAULT_DIRECT_MESSAGE_LIMITS: DirectMessageLimits = { perDigest: 10, pacingMs: 1500, resendWindowMs: 2 * 60_000 };

/** What delivering notifications needs; the digest runner passes its own. */
export interface NotifierDeps {
  feed: FeedStore;
  poster: Poster;
  clock: Clock;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  /** Runs a Discord call with the runner's bounded retries of transient failures; throws a {@link PostError}. */
  retrying: <T>(call: () => Promise<T>) => Promise<T>;
  limits: DirectMessageLimits;
}

/** Delivers what subscribers are owed, each notification once, from the records in the state. */
export interface Notifier {
  /** Releases posted papers' audiences, then sends the channel notifications recorded so far, oldest first. */
  sendChannelNotices(signal?: AbortSignal): Promise<void>;
  /** Everything owed: channel notices, direct messages (capped and paced), then the fallbacks they left. */
  deliver(signal?: AbortSignal): Promise<void>;
}

type SendOutcome = 'sent' | 'refused' | 'failed' | 'stop';

/** Creates the notifier for one feed. */
export function createNotifier(deps: NotifierDeps): Notifier {
  const { feed } = deps;
  const destination = deps.poster.destination;
  const iso = () => deps.clock.now().toISOString();
  const dest = () => feed.progress();
  const sent = { channel: 0, direct: 0, instead: 0 };

  async function sendChannelNotices(signal?: AbortSignal): Promise<void> {
    // Papers posted without their audience released yet: found by recovery, or a crash came in between.
    for (const id of listReleasableAudiences(feed.view())) await feed.step((s) => releaseAudience(s, id, iso()));
    for (const [nonce, notice] of Object.entries(dest().notices ?? {})) {
      if (notice.kind !== 'channel') continue;
      if (signal?.aborted) return;
      // A paper's mentions in its discussion thread wait until the thread exists (or goes to the channel without one).
      if (isWaitingForThread(feed.view(), notice.thread)) continue;
      const threadId = notice.thread === undefined ? undefined : feed.view().posted.get(notice.thread)?.messageId;
      const postInThread = deps.poster.postInThread?.bind(deps.poster);
      try {
        await deps.retrying(() =>
          threadId !== undefined && postInThread
            ? postInThread(threadId, toNoticeMessage(notice), nonce)
            : deps.poster.post(toNoticeMessage(notice), nonce),
        );
        await feed.step((s) => markNoticeSent(s, nonce));
        sent.channel += 1;
      } catch (error) {
        if (threadId !== undefined && error instanceof PostError && error.kind === 'forbidden') {
          deps.logger.warn(
            { destination, nonce, problem: error.message },
            'a discussion thread refused its mentions; they go to the channel',
          );
          await feed.step((s) => moveNoticeToChannel(s, nonce));
          continue;
        }
        if (!(error instanceof PostError) || error.kind !== 'invalid-payload') throw error;
        deps.logger.error(
          { destination, nonce, problem: error.message },
          'Discord refused a notification as malformed (a formatting bug); it is dropped',
        );
        await feed.step((s) => dropNotice(s, nonce));
      }
    }
  }

  /** One direct message, already recorded; a refusal (DMs closed) turns it into a channel mention at once. */
  async function sendDirect(userId: string, nonce: string): Promise<SendOutcome> {
    const notice = dest().notices?.[nonce];
    if (!notice || !deps.poster.sendDirect) return 'refused';
    try {
      await deps.retrying(() => deps.poster.sendDirect!(userId, toNoticeMessage(notice), nonce));
      await feed.step((s) => markNoticeSent(s, nonce));
      sent.direct += 1;
      return 'sent';
    } catch (error) {
      if (!(error instanceof PostError)) throw error;
      if (error.kind === 'transient' || error.kind === 'unauthorized') {
        // It may have gone out: it stays recorded, and the next delivery sends it again with the same nonce.
        deps.logger.warn({ destination, user: userId, err: error }, 'a direct message failed for now; it is retried at the next delivery');
        return error.kind === 'unauthorized' ? 'stop' : 'failed';
      }
      deps.logger.info(
        { destination, user: userId, err: error },
        'cannot send this member a direct message (closed DMs?); mentioning them in the channel instead',
      );
      await feed.step((s) => fallBackToChannel(s, [{ nonce }]));
      sent.instead += 1;
      return 'refused';
    }
  }

  async function sendDirectMessages(signal?: AbortSignal): Promise<void> {
    const { limits } = deps;
    let attempts = 0;
    const pace = async () => {
      if (attempts > 0) await deps.sleep(limits.pacingMs);
      attempts += 1;
    };
    // First the direct messages a crash or a failure left recorded but unconfirmed.
    for (const [nonce, notice] of Object.entries(dest().notices ?? {})) {
      if (notice.kind !== 'direct' || !notice.userId) continue;
      if (signal?.aborted) return;
      const age = deps.clock.now().getTime() - Date.parse(notice.recordedAt);
      if (!deps.poster.sendDirect || age >= limits.resendWindowMs) {
        // Discord no longer deduplicates this nonce: a second DM could double one that went out. The member is
        // mentioned in the channel instead (at least once, and never a second DM).
        deps.logger.warn(
          { destination, user: notice.userId, papers: notice.items.map((i) => i.paper) },
          'a direct message may or may not have gone out before an interruption; mentioning the member in the channel instead',
        );
        await feed.step((s) => fallBackToChannel(s, [{ nonce }]));
        sent.instead += 1;
        continue;
      }
      await pace();
      if ((await sendDirect(notice.userId, nonce)) === 'stop') return;
    }
    const overflow: string[] = [];
    for (const [userId, items] of Object.entries(dest().directDue ?? {})) {
      if (signal?.aborted) break;
      if (!deps.poster.sendDirect || countDirectMessages(dest()) >= limits.perDigest) {
        overflow.push(userId);
        continue;
      }
      await pace();
      await feed.step((s) => recordDirectNotice(s, userId, iso()));
      if ((await sendDirect(userId, createDirectNonce(feed.feedId, userId, items))) === 'stop') break;
    }
    if (overflow.length > 0) {
      deps.logger.info(
        { destination, members: overflow.length, cap: limits.perDigest },
        deps.poster.sendDirect
          ? `${overflow.length} members are mentioned in the channel instead of a direct message (at most ${limits.perDigest} direct messages per digest)`
          : `${overflow.length} members who asked for direct messages are mentioned instead (this destination cannot send direct messages)`,
      );
      await feed.step((s) =>
        fallBackToChannel(
          s,
          overflow.map((userId) => ({ userId })),
        ),
      );
      sent.instead += overflow.length;
    }
  }

  return {
    sendChannelNotices,
    async deliver(signal) {
      Object.assign(sent, { channel: 0, direct: 0, instead: 0 });
      try {
        await sendChannelNotices(signal);
        await sendDirectMessages(signal);
        if (Object.keys(dest().fallbackDue ?? {}).length > 0) {
          await feed.step((s) => releaseFallbacks(s, iso()));
          await sendChannelNotices(signal);
        }
      } finally {
        const owed = Object.keys(dest().notices ?? {}).length + Object.keys(dest().directDue ?? {}).length;
        if (sent.channel + sent.direct + sent.instead + owed > 0) {
          deps.logger.info(
            { destination, ...sent, owed },
            `notified subscribers: ${sent.direct} direct messages, ${sent.channel} mention messages, ${sent.instead} members mentioned instead of a direct message; ${owed} notifications still owed`,
          );
        }
      }
    },
  };
}
