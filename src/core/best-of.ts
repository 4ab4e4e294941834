import { z } from 'zod';
import type { Feed } from './feed.js';
import type { FeedProgress, FeedState } from './state.js';
import { updateProgress } from './state.js';

/*
 * A feed's weekly best-of (feed option `weekly: <cron>`, in the feed's time zone): at each time of that schedule, one
 * compact message with the papers the feed posted since its last best-of (the past 7 days the first time), ranked
 * by votes then upvotes. Exactly once per period: the intent (period, nonce, content) is recorded before the post,
 * the message id after; a restart finding an intent without its message posts it again with the same nonce.
 */

/** The feed option that holds the best-of schedule. */
export const WEEKLY_OPTION = 'weekly';
/** What clears the option in `/digest setup`. */
export const WEEKLY_OFF = 'off';
/** How far back the first best-of of a feed looks. */
export const FIRST_BEST_OF_DAYS = 7;

/** The latest best-of of a feed, as its progress records it. */
export type BestOfRecord = NonNullable<FeedProgress['bestOf']>;

/** A feed's best-of schedule (a cron expression), or null when it has none (or the stored value is not text). */
export function weeklyCronOf(feed: Pick<Feed, 'options'>): string | null {
  const checked = z.string().min(1).safeParse(feed.options[WEEKLY_OPTION]);
  return checked.success ? checked.data : null;
}

/** Where the next best-of's papers start: the last one's decision time, else FIRST_BEST_OF_DAYS before `now`. */
export function bestOfSince(progress: FeedProgress, now: Date): Date {
  const last = progress.bestOf?.at;
  return last ? new Date(last) : new Date(now.getTime() - FIRST_BEST_OF_DAYS * 86_400_000);
}

/** The nonce a feed's best-of of a period is posted with (Discord's limit is 25 characters; a stable hash of both). */
export function bestOfNonce(feedId: string, period: string): string {
  // FNV-1a over the two, twice with different seeds: 16 hex digits, the same at every attempt of the period.
  const hash = (seed: number) => {
    let h = seed >>> 0;
    for (const ch of `${feedId}|${period}`) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  return `b${hash(2166136261)}${hash(0x9747b28c)}`;
}

/** Records the intent to post a period's best-of (before the post), or that the period had nothing to post. */
export function recordBestOfIntent(s: FeedState, intent: Omit<BestOfRecord, 'messageId'>): FeedState {
  return updateProgress(s, (p) => ({ ...p, bestOf: { ...intent, messageId: null } }));
}

/** Records the message a period's best-of was posted as. */
export function markBestOfPosted(s: FeedState, period: string, messageId: string): FeedState {
  return updateProgress(s, (p) => (p.bestOf?.period === period ? { ...p, bestOf: { ...p.bestOf, messageId } } : p));
}
