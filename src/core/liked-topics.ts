import { parseFollow } from './follows.js';
import type { Paper } from './paper.js';
import { createTopicMatcher, type TopicSuggestion } from './topics.js';

/** A topic suggested to a member because of papers they liked (saved, or voted for). */
export interface LikedTopic {
  topic: string;
  /** The most recent liked paper it matches: the "X" of "because you liked X". */
  because: Paper;
  /** How many of the liked papers it matches. */
  liked: number;
}

/** How many topics `/subscriptions` suggests. */
export const LIKED_TOPICS_LIMIT = 3;

/**
 * "Because you liked X": the corpus topics (`candidates`, most papers first) that most of the member's liked papers
 * (newest first) match, leaving out what they already follow, at most `limit`. A topic matching more liked papers
 * comes first; among equals, the corpus's order (broader topics) decides. A topic matching a single liked paper is
 * still offered when nothing better is there: one liked paper is a signal too.
 */
export function suggestLikedTopics(
  liked: readonly Paper[],
  candidates: readonly TopicSuggestion[],
  following: readonly string[],
  limit = LIKED_TOPICS_LIMIT,
): LikedTopic[] {
  if (liked.length === 0 || limit <= 0) return [];
  const followed = new Set<string>();
  for (const topic of following) {
    const read = parseFollow(topic);
    if (read.ok && read.follow.kind === 'topic') followed.add(read.follow.include);
    followed.add(topic);
  }
  const open = candidates.filter((c) => !followed.has(c.topic));
  const matcher = createTopicMatcher(open.map((c) => c.topic));
  const found = new Map<string, { because: Paper; liked: number }>();
  for (const paper of liked) {
    for (const topic of matcher.match(paper)) {
      const entry = found.get(topic);
      if (entry) entry.liked += 1;
      else found.set(topic, { because: paper, liked: 1 });
    }
  }
  const order = new Map(open.map((c, i) => [c.topic, i]));
  return [...found]
    .sort((a, b) => b[1].liked - a[1].liked || order.get(a[0])! - order.get(b[0])!)
    .slice(0, limit)
    .map(([topic, { because, liked: count }]) => ({ topic, because, liked: count }));
}
