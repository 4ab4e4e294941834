import { createHash } from 'node:crypto';
import { isUnposted } from './digest.js';
import { DISCORD_LIMITS } from './discord-limits.js';
import type { DigestExplanation, DigestSupply } from './empty-digest.js';
import type { Feed } from './feed.js';
import type { OutgoingMessage } from './format.js';
import { neutralizeMentions } from './markdown.js';
import type { Paper } from './paper.js';
import type { FeedView } from './state.js';
import { createTopicMatcher } from './topics.js';

/*
 * What a feed's next digest has to choose from, counted over the corpus (see empty-digest.ts for the sentence that
 * explains it), and the channel message that says it once.
 */

/**
 * Counts the corpus for a feed: posted, held back (refused, unverified), filtered out (under the first of include,
 * exclude and minimum upvotes that leaves a paper out) and waiting (passes every filter), with the feed's size.
 */
export function measureDigestSupply(
  papers: readonly Paper[],
  view: FeedView,
  feed: Pick<Feed, 'include' | 'exclude' | 'minUpvotes' | 'size'>,
): DigestSupply {
  const include = feed.include.length > 0 ? createTopicMatcher(feed.include) : null;
  const exclude = feed.exclude.length > 0 ? createTopicMatcher(feed.exclude) : null;
  const filtered = { include: 0, exclude: 0, minUpvotes: 0 };
  let posted = 0;
  let held = 0;
  let waiting = 0;
  for (const paper of papers) {
    if (view.posted.has(paper.id) || paper.aliases?.some((alias) => view.posted.has(alias))) posted += 1;
    else if (!isUnposted(paper, view)) held += 1;
    else if (include && include.match(paper).length === 0) filtered.include += 1;
    else if (exclude && exclude.match(paper).length > 0) filtered.exclude += 1;
    else if (feed.minUpvotes !== null && !(typeof paper.upvotes === 'number' && paper.upvotes >= feed.minUpvotes)) filtered.minUpvotes += 1;
    else waiting += 1;
  }
  return { corpus: papers.length, posted, filtered, waiting, held, size: feed.size };
}

/** What an explanation is remembered by: its reason, and whether a live source was failing (a new fact to say). */
export function explanationKey(explanation: DigestExplanation, failingSource: string | null | undefined): string {
  return failingSource ? `${explanation.reason}+source-failing` : explanation.reason;
}

const NOTE_PREFIX = '-# Paperboy note: ';
const NOTE_LINE = /^-# Paperboy note: ([a-z+-]{1,40})$/;

/** The channel message of an explanation: its sentence, then a marker line naming its key (read back after a crash). Pings nobody. */
export function formatExplanationMessage(sentence: string, key: string): OutgoingMessage {
  const text = neutralizeMentions(sentence).slice(0, DISCORD_LIMITS.content - 100);
  return { content: `ℹ️ ${text}\n${NOTE_PREFIX}${key}`, allowed_mentions: { parse: [] } };
}

/** The key an explanation message names in its marker line, or null for any other message. */
export function readExplanationKey(content: string | undefined | null): string | null {
  const match = NOTE_LINE.exec((content ?? '').split('\n').at(-1) ?? '');
  return match ? match[1]! : null;
}

/**
 * The nonce of one explanation message: the same on every attempt, distinct for each time a reason is said (`seen`:
 * how far the feed had got, e.g. its posted count and digests, so a reason said again after a full digest differs).
 */
export function createExplanationNonce(feedId: string, key: string, since: string, seen: string): string {
  return createHash('sha256')
    .update(`note\u0000${feedId}\u0000${key}\u0000${since}\u0000${seen}`)
    .digest('base64url')
    .slice(0, DISCORD_LIMITS.nonce);
}
