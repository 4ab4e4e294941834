import { DISCORD_LIMITS } from './discord-limits.js';
import type { Recipient, Subscriber } from './state.js';
import { type FollowedPaper, matchFollows } from './follows.js';

/** A member follows at most this many topics: as many as one autocomplete answer shows (for `/unsubscribe`). */
export const MAX_TOPICS = DISCORD_LIMITS.autocompleteChoices;

/** What adding a topic did. */
export type AddTopicOutcome = 'added' | 'already' | 'limit';

/** Adds a normalised topic to a member's record in a server (and sets their DM preference when given). */
export function addTopic(
  current: Subscriber | null,
  topic: string,
  at: string,
  dm?: boolean,
): { subscriber: Subscriber | null; outcome: AddTopicOutcome } {
  const record = current ?? { topics: [], dm: false, updatedAt: at };
  const nextDm = dm ?? record.dm;
  if (record.topics.includes(topic)) {
    if (nextDm === record.dm) return { subscriber: current, outcome: 'already' };
    return { subscriber: { ...record, dm: nextDm, updatedAt: at }, outcome: 'already' };
  }
  if (record.topics.length >= MAX_TOPICS) return { subscriber: current, outcome: 'limit' };
  return { subscriber: { topics: [...record.topics, topic], dm: nextDm, updatedAt: at }, outcome: 'added' };
}

/** Removes a topic from a member; a member left with no topics is forgotten (null). */
export function removeTopic(current: Subscriber | null, topic: string, at: string): { subscriber: Subscriber | null; removed: boolean } {
  if (!current?.topics.includes(topic)) return { subscriber: current, removed: false };
  const topics = current.topics.filter((t) => t !== topic);
  return { subscriber: topics.length === 0 ? null : { ...current, topics, updatedAt: at }, removed: true };
}

/**
 * Who a paper notifies among a server's members: members to mention under it, and members who asked for a direct
 * message instead. A member's topics are follows (src/core/follows.ts): a topic whose left-out terms the paper has,
 * an author or an organisation the paper does not name, does not notify them.
 */
export function selectAudience(
  paper: FollowedPaper,
  subscribers: Iterable<readonly [string, Subscriber]>,
): { mentions: Recipient[]; direct: Recipient[] } {
  const mentions: Recipient[] = [];
  const direct: Recipient[] = [];
  for (const [userId, subscriber] of subscribers) {
    const topics = matchFollows(paper, subscriber.topics);
    if (topics.length > 0) (subscriber.dm ? direct : mentions).push({ userId, topics });
  }
  return { mentions, direct };
}
