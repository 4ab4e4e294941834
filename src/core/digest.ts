import { createHash } from 'node:crypto';
import { DISCORD_LIMITS } from './discord-limits.js';
import { createPaperFilter, NO_FILTER, type PaperFilter } from './feed-filter.js';
import type { Paper } from './paper.js';
import type { FeedView } from './state.js';

/** Which papers go first: page order of the corpus, newest publication date first, or most upvoted first. */
export type DigestOrder = 'corpus' | 'newest' | 'upvotes';

/**
 * True when a paper still has to be posted by the feed: not posted, not refused as malformed, and not held as
 * unverified (its post may exist; only a trusted read of the history may send it again), under its id or any of
 * its aliases (the ids older versions recorded it under, until the digest moves those records to its id).
 */
export function isUnposted(paper: Paper, feed: FeedView): boolean {
  if (isSettled(paper.id, feed)) return false;
  return !paper.aliases?.some((alias) => isSettled(alias, feed));
}

function isSettled(id: string, { progress, posted }: FeedView): boolean {
  return posted.has(id) || Boolean(progress.failed[id] || progress.unverified?.[id]);
}

/**
 * The papers still to post, in the order the digest takes them: unposted, and passing the feed's filter (topics,
 * minimum upvotes; none by default).
 */
export function listUnposted(papers: readonly Paper[], feed: FeedView, order: DigestOrder, filter: PaperFilter = NO_FILTER): Paper[] {
  const passes = createPaperFilter(filter);
  const left = papers.filter((p) => isUnposted(p, feed) && passes(p));
  if (order === 'corpus') return left;
  // Stable: ties keep corpus order; papers without a date (or without upvotes) go last.
  const compare =
    order === 'upvotes'
      ? (a: Paper, b: Paper) => upvotesOf(b) - upvotesOf(a)
      : (a: Paper, b: Paper) => (b.published ?? '').localeCompare(a.published ?? '');
  return left
    .map((paper, index) => ({ paper, index }))
    .sort((a, b) => compare(a.paper, b.paper) || a.index - b.index)
    .map(({ paper }) => paper);
}

/** A paper's upvotes for ordering; unknown (or not a count) sorts below every known count, 0 included. */
function upvotesOf(paper: Paper): number {
  const { upvotes } = paper;
  return typeof upvotes === 'number' && Number.isSafeInteger(upvotes) && upvotes >= 0 ? upvotes : -1;
}

/** The next digest: up to `size` unposted papers that pass the feed's filter, and how many will remain after it. */
export function selectNextPapers(
  papers: readonly Paper[],
  feed: FeedView,
  size: number,
  order: DigestOrder,
  filter: PaperFilter = NO_FILTER,
): { papers: Paper[]; remainingAfter: number } {
  const left = listUnposted(papers, feed, order, filter);
  const chosen = left.slice(0, size);
  return { papers: chosen, remainingAfter: left.length - chosen.length };
}

/**
 * The nonce a paper's post carries in a feed: the same on every attempt, so Discord returns the message it
 * already created instead of a duplicate when a create is retried (nonces are limited in length). Derived from
 * the feed, not the channel: two feeds sharing a channel never get each other's message back.
 */
export function createPaperNonce(feedId: string, paperId: string): string {
  return createHash('sha256').update(`paper\u0000${feedId}\u0000${paperId}`).digest('base64url').slice(0, DISCORD_LIMITS.nonce);
}

/** The nonce of a digest's opening message. */
export function createHeaderNonce(feedId: string, digest: number): string {
  return createHash('sha256').update(`header\u0000${feedId}\u0000${digest}`).digest('base64url').slice(0, DISCORD_LIMITS.nonce);
}
