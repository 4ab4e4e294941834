import { createHeaderNonce } from '../core/digest.js';
import { recordAudience, releaseAudience } from '../core/notices.js';
import { type Audience, type FeedState, type FeedView, markFailed, markPending, markPosted, startDigest } from '../core/state.js';

/*
 * The state changes of a digest run that take more than one core transition, each as one pure, named step: the
 * run saves each with a single store step, so a crash never splits what must happen together.
 */

/** Starts the next digest of a feed with its plan; its opening message's nonce follows from its number. */
export function beginDigest(s: FeedState, plan: { papers: string[]; remainingAfter: number; at: string }): FeedState {
  const digest = s.progress.digests + 1;
  return startDigest(s, { ...plan, headerNonce: createHeaderNonce(s.feedId, digest) });
}

/**
 * Records the intent to post a paper (unless a crash left it pending already) together with who it notifies, in
 * one step: a resumed post mentions the members it was planned with.
 */
export function recordPostIntent(
  s: FeedState,
  paperId: string,
  intent: { nonce: string; at: string; after?: string; audience: Audience },
): FeedState {
  const pending = s.progress.pending[paperId] ? s : markPending(s, paperId, intent.nonce, intent.at, intent.after);
  return recordAudience(pending, paperId, intent.audience);
}

/** Records a paper posted and, in the same step, who is owed a notification: a crash cannot lose it. */
export function recordPosted(s: FeedState, paperId: string, messageId: string, at: string): FeedState {
  return releaseAudience(markPosted(s, paperId, messageId, at), paperId, at);
}

/** Records a paper Discord refused as malformed; the notifications it would have owed are dropped with it. */
export function recordRefused(s: FeedState, paperId: string, reason: string, at: string): FeedState {
  return releaseAudience(markFailed(s, paperId, reason, at), paperId, at);
}

/** True once a paper of the digest went out or was settled: a missing opening message is then not posted late. */
export function isUnderWay({ progress: d, posted }: FeedView, papers: readonly string[]): boolean {
  return papers.some((id) => posted.has(id) || d.pending[id] || d.unverified?.[id] || d.failed[id] || d.waiting?.[id]);
}
