import { formatDigestHeader, formatPaperMessage, type OutgoingMessage } from '../core/format.js';
import type { Paper } from '../core/paper.js';
import type { Audience, FeedProgress, InFlightDigest, Recipient } from '../core/state.js';
import { formatLocalDay } from '../core/time.js';

/** Who a paper notifies (the subscriptions feature): members to mention, members to send a direct message. */
export type AudienceOf = (paper: Paper) => { mentions: Recipient[]; direct: Recipient[] };

/** What posting one paper of a digest sends: its card (carrying the first mentions) and who it notifies. */
export interface PaperMessage {
  card: OutgoingMessage;
  /** Recorded with the intent to post; its later mentions and direct messages are released once the card is out. */
  audience: Audience;
}

/** The opening message of the digest in flight: its number, its local day, its papers and what remains after it. */
export function buildHeaderMessage(inFlight: InFlightDigest, timezone: string): OutgoingMessage {
  return formatDigestHeader({
    digest: inFlight.digest,
    day: formatLocalDay(inFlight.startedAt, timezone),
    count: inFlight.papers.length,
    remaining: inFlight.remainingAfter,
  });
}

/**
 * The message a paper's post sends in a feed: with the audience recorded with an earlier intent (so a resumed
 * post mentions the members it was planned with), or the one `audienceFor` picks now. The run and its preview
 * both build their cards here; the mentions beyond the card's first chunk are released from the same audience
 * (core/notices.ts). `inThread` (feed option `threads`): every mention goes in the paper's thread, none on the card.
 */
export function buildPaperMessage(
  progress: FeedProgress,
  paper: Paper,
  options: { excerptLength?: number; audienceFor?: AudienceOf; inThread?: boolean },
): PaperMessage {
  const recorded = progress.audiences?.[paper.id];
  const audience = recorded ?? {
    title: paper.title,
    ...(options.audienceFor?.(paper) ?? { mentions: [], direct: [] }),
    ...(options.inThread ? { inThread: true } : {}),
  };
  // With a discussion thread, the mentions go in the thread: the card pings nobody.
  const mentions = audience.inThread ? [] : audience.mentions;
  return { card: formatPaperMessage(paper, { excerptLength: options.excerptLength, mentions }), audience };
}
