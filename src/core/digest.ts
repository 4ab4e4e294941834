import { createHash } from 'node:crypto';
import { DISCORD_LIMITS } from './discord-limits.js';
import type { Paper } from './paper.js';
import type { DestinationState } from './state.js';

/** Which papers go first: page order of the corpus, or newest publication date first. */
export type DigestOrder = 'corpus' | 'newest';

/**
 * True when a paper still has to be posted to the destination: not posted, not refused as malformed, and not held
 * as unverified (its post may exist; only a trusted read of the history may send it again).
 */
export function isUnposted(paper: Paper, destination: DestinationState): boolean {
  return !destination.posted[paper.id] && !destination.failed[paper.id] && !destination.unverified?.[paper.id];
}

/** The papers still to post, in the order the digest takes them. */
export function listUnposted(papers: readonly Paper[], destination: DestinationState, order: DigestOrder): Paper[] {
  const left = papers.filter((p) => isUnposted(p, destination));
  if (order === 'corpus') return left;
  // Stable: same-day papers keep corpus order; papers without a date go last.
  return left
    .map((paper, index) => ({ paper, index }))
    .sort((a, b) => (b.paper.published ?? '').localeCompare(a.paper.published ?? '') || a.index - b.index)
    .map(({ paper }) => paper);
}

/** The next digest: up to `size` unposted papers and how many will remain after it. */
export function selectNextPapers(
  papers: readonly Paper[],
  destination: DestinationState,
  size: number,
  order: DigestOrder,
): { papers: Paper[]; remainingAfter: number } {
  const left = listUnposted(papers, destination, order);
  const chosen = left.slice(0, size);
  return { papers: chosen, remainingAfter: left.length - chosen.length };
}

/**
 * The nonce a paper's post carries in a destination: the same on every attempt, so Discord returns the message
 * it already created instead of a duplicate when a create is retried (nonces are limited in length).
 */
export function createPaperNonce(destination: string, paperId: string): string {
  return createHash('sha256').update(`paper\u0000${destination}\u0000${paperId}`).digest('base64url').slice(0, DISCORD_LIMITS.nonce);
}

/** The nonce of a digest's opening message. */
export function createHeaderNonce(destination: string, digest: number): string {
  return createHash('sha256').update(`header\u0000${destination}\u0000${digest}`).digest('base64url').slice(0, DISCORD_LIMITS.nonce);
}
