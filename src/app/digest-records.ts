import { createHeaderNonce } from '../core/digest.js';
import { recordAudience, releaseAudience } from '../core/notices.js';
import {
  type Audience,
  type DestinationState,
  getDestination,
  markFailed,
  markPending,
  markPosted,
  startDigest,
  type State,
} from '../core/state.js';

/*
 * The state changes of a digest run that take more than one core transition, each as one pure, named step: the
 * run saves each with a single store update, so a crash never splits what must happen together.
 */

/** Starts the next digest of a destination with its plan; its opening message's nonce follows from its number. */
export function beginDigest(state: State, destination: string, plan: { papers: string[]; remainingAfter: number; at: string }): State {
  const digest = getDestination(state, destination).digests + 1;
  return startDigest(state, destination, { ...plan, headerNonce: createHeaderNonce(destination, digest) });
}

/**
 * Records the intent to post a paper (unless a crash left it pending already) together with who it notifies, in
 * one step: a resumed post mentions the members it was planned with.
 */
export function recordPostIntent(
  state: State,
  destination: string,
  paperId: string,
  intent: { nonce: string; at: string; after?: string; audience: Audience },
): State {
  const pending = getDestination(state, destination).pending[paperId]
    ? state
    : markPending(state, destination, paperId, intent.nonce, intent.at, intent.after);
  return recordAudience(pending, destination, paperId, intent.audience);
}

/** Records a paper posted and, in the same step, who is owed a notification: a crash cannot lose it. */
export function recordPosted(state: State, destination: string, paperId: string, messageId: string, at: string): State {
  return releaseAudience(markPosted(state, destination, paperId, messageId, at), destination, paperId, at);
}

/** Records a paper Discord refused as malformed; the notifications it would have owed are dropped with it. */
export function recordRefused(state: State, destination: string, paperId: string, reason: string, at: string): State {
  return releaseAudience(markFailed(state, destination, paperId, reason, at), destination, paperId, at);
}

/** True once a paper of the digest went out or was settled: a missing opening message is then not posted late. */
export function isUnderWay(dest: DestinationState, papers: readonly string[]): boolean {
  return papers.some((id) => dest.posted[id] || dest.pending[id] || dest.unverified?.[id] || dest.failed[id] || dest.waiting?.[id]);
}
