import { DISCORD_LIMITS } from './discord-limits.js';
import type { Paper } from './paper.js';
import type { Recipient, State, Subscriber } from './state.js';
import { matchTopics } from './topics.js';

/** A member follows at most this many topics: as many as one autocomplete answer shows (for `/unsubscribe`). */
export const MAX_TOPICS = DISCORD_LIMITS.autocompleteChoices;

/** What adding a topic did. */
export type AddTopicOutcome = 'added' | 'already' | 'limit';

/** A member's record, or an empty one. */
export function getSubscriber(state: State, userId: string): Subscriber | null {
  return state.subscriptions[userId] ?? null;
}

/** Adds a normalised topic to a member (and sets their DM preference when given). */
export function addTopic(
  state: State,
  userId: string,
  topic: string,
  at: string,
  dm?: boolean,
): { state: State; outcome: AddTopicOutcome } {
  const current = state.subscriptions[userId] ?? { topics: [], dm: false, updatedAt: at };
  const nextDm = dm ?? current.dm;
  if (current.topics.includes(topic)) {
    if (nextDm === current.dm) return { state, outcome: 'already' };
    return { state: withSubscriber(state, userId, { ...current, dm: nextDm, updatedAt: at }), outcome: 'already' };
  }
  if (current.topics.length >= MAX_TOPICS) return { state, outcome: 'limit' };
  return { state: withSubscriber(state, userId, { topics: [...current.topics, topic], dm: nextDm, updatedAt: at }), outcome: 'added' };
}

/** Removes a topic from a member; a member left with no topics is forgotten. */
export function removeTopic(state: State, userId: string, topic: string, at: string): { state: State; removed: boolean } {
  const current = state.subscriptions[userId];
  if (!current?.topics.includes(topic)) return { state, removed: false };
  const topics = current.topics.filter((t) => t !== topic);
  if (topics.length === 0) {
    const { [userId]: _gone, ...rest } = state.subscriptions;
    return { state: { ...state, subscriptions: rest }, removed: true };
  }
  return { state: withSubscriber(state, userId, { ...current, topics, updatedAt: at }), removed: true };
}

/** Who a paper notifies: members to mention under it, and members who asked for a direct message instead. */
export function selectAudience(paper: Pick<Paper, 'title' | 'abstract'>, state: State): { mentions: Recipient[]; direct: Recipient[] } {
  const mentions: Recipient[] = [];
  const direct: Recipient[] = [];
  for (const [userId, subscriber] of Object.entries(state.subscriptions)) {
    const topics = matchTopics(paper, subscriber.topics);
    if (topics.length > 0) (subscriber.dm ? direct : mentions).push({ userId, topics });
  }
  return { mentions, direct };
}

function withSubscriber(state: State, userId: string, subscriber: Subscriber): State {
  return { ...state, subscriptions: { ...state.subscriptions, [userId]: subscriber } };
}
