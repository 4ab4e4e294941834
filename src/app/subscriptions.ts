import { createHash } from 'node:crypto';
import type { Mention, OutgoingMessage } from '../core/format.js';
import { formatDigestDirectMessage } from '../core/format-notify.js';
import type { Paper } from '../core/paper.js';
import type { State } from '../core/state.js';
import { addTopic, getSubscriber, MAX_TOPICS, removeTopic, type AddTopicOutcome } from '../core/subscriptions.js';
import { createTopicMatcher, matchTopics, normalizeTopic } from '../core/topics.js';
import { escapeMarkdown } from '../core/markdown.js';
import { UserFacingError } from './errors.js';
import type { CorpusCatalog } from './corpus-catalog.js';
import type { Clock, Logger, Poster, StateStore } from './ports.js';

/** Up to this many papers, `/subscribe` counts every matching paper exactly. */
const EXACT_COUNT_LIMIT = 5000;

/** What `/subscribe` tells the member. */
export type SubscribeResult =
  | { kind: 'added'; topic: string; matches: number; atLeast: boolean; total: number; dm: boolean; count: number }
  | { kind: 'already'; topic: string; dm: boolean; dmChanged: boolean };

/** Members' topics: subscribe, unsubscribe, list, and who to notify about a paper. */
export interface Subscriptions {
  subscribe(userId: string, rawTopic: string, dm?: boolean): Promise<SubscribeResult>;
  unsubscribe(userId: string, rawTopic: string): Promise<{ removed: boolean; topic: string; left: string[] }>;
  list(userId: string): { topics: string[]; dm: boolean };
  /** Members to mention under a paper (those who want DMs are left to {@link notifyByDirectMessage}). */
  mentionsFor(paper: Paper, state: State): Mention[];
  /** Sends each DM subscriber one message listing their matching papers; a failed DM falls back to a mention. */
  notifyByDirectMessage(papers: Paper[], poster: Poster): Promise<void>;
}

/** Creates the subscriptions use cases over the state store and the corpus catalog. */
export function createSubscriptions(deps: { store: StateStore; catalog: CorpusCatalog; clock: Clock; logger: Logger }): Subscriptions {
  const iso = () => deps.clock.now().toISOString();

  function normalizeOrThrow(raw: string): string {
    const result = normalizeTopic(raw);
    if (!result.ok) throw new UserFacingError(result.reason);
    return result.topic;
  }

  return {
    async subscribe(userId, rawTopic, dm) {
      const topic = normalizeOrThrow(rawTopic);
      const refuse = () =>
        new UserFacingError(`You already follow ${MAX_TOPICS} topics, the most a member can have, so **${escapeMarkdown(topic)}** was not added. Drop one with /unsubscribe first.`);
      if (addTopic(deps.store.read(), userId, topic, iso(), dm).outcome === 'limit') throw refuse();
      // The outcome is decided again inside the serialised update: of two concurrent calls at the limit, only the
      // one that was saved is told "added".
      let outcome: AddTopicOutcome = 'limit';
      let dmBefore: boolean | undefined;
      const saved = await deps.store.update((s) => {
        dmBefore = getSubscriber(s, userId)?.dm;
        const added = addTopic(s, userId, topic, iso(), dm);
        outcome = added.outcome;
        return added.state;
      });
      if (outcome === 'limit') throw refuse();
      const after = getSubscriber(saved, userId)!;
      if (outcome === 'already') return { kind: 'already', topic, dm: after.dm, dmChanged: dmBefore !== after.dm };
      const { papers, index } = deps.catalog.current();
      // Counting over a large corpus would hold the event loop for seconds: there, only the best search hits are
      // checked, and the member is told "at least".
      const large = papers.length > EXACT_COUNT_LIMIT;
      const candidates = large ? index.search(topic, { limit: 100 }).map((hit) => hit.paper) : papers;
      const matcher = createTopicMatcher([topic]);
      const matches = candidates.filter((p) => matcher.match(p).length > 0).length;
      return { kind: 'added', topic, matches, atLeast: large && matches === candidates.length && matches > 0, total: papers.length, dm: after.dm, count: after.topics.length };
    },
    async unsubscribe(userId, rawTopic) {
      const normalized = normalizeTopic(rawTopic);
      const topic = normalized.ok ? normalized.topic : rawTopic.trim();
      const current = getSubscriber(deps.store.read(), userId)?.topics ?? [];
      if (!current.includes(topic)) return { removed: false, topic, left: current };
      // Decided inside the serialised update, like subscribe: a concurrent call may have removed it first.
      let removed = false;
      const saved = await deps.store.update((s) => {
        const result = removeTopic(s, userId, topic, iso());
        removed = result.removed;
        return result.state;
      });
      return { removed, topic, left: getSubscriber(saved, userId)?.topics ?? [] };
    },
    list(userId) {
      const subscriber = getSubscriber(deps.store.read(), userId);
      return { topics: subscriber?.topics ?? [], dm: subscriber?.dm ?? false };
    },
    mentionsFor(paper, state) {
      const mentions: Mention[] = [];
      for (const [userId, subscriber] of Object.entries(state.subscriptions)) {
        if (subscriber.dm) continue;
        const topics = matchTopics(paper, subscriber.topics);
        if (topics.length > 0) mentions.push({ userId, topics });
      }
      return mentions;
    },
    async notifyByDirectMessage(papers, poster) {
      const state = deps.store.read();
      for (const [userId, subscriber] of Object.entries(state.subscriptions)) {
        if (!subscriber.dm) continue;
        const matched = papers.flatMap((paper) => {
          const topics = matchTopics(paper, subscriber.topics);
          return topics.length ? [{ paper, topics }] : [];
        });
        if (matched.length === 0) continue;
        const message: OutgoingMessage = formatDigestDirectMessage(matched);
        try {
          if (!poster.sendDirect) throw new Error('this destination cannot send direct messages');
          await poster.sendDirect(userId, message);
        } catch (error) {
          deps.logger.warn({ user: userId, err: error instanceof Error ? error.message : String(error) }, 'direct message failed; mentioning the member in the channel instead');
          const fallback = formatDigestDirectMessage(matched, userId);
          await poster.post(fallback, createFallbackNonce(userId, matched.map((m) => m.paper.id))).catch((postError: unknown) =>
            deps.logger.error({ user: userId, err: String(postError) }, 'the fallback mention failed too'),
          );
        }
      }
    },
  };
}

/** A retried fallback for the same member and papers is deduplicated by Discord; another digest's is not. */
function createFallbackNonce(userId: string, paperIds: string[]): string {
  return createHash('sha256').update(`dm-fallback\u0000${userId}\u0000${paperIds.join(',')}`).digest('base64url').slice(0, 25);
}
