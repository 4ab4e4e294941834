import { addTopic, MAX_TOPICS, removeTopic, type AddTopicOutcome } from '../core/subscriptions.js';
import { matchesFollow, parseFollow } from '../core/follows.js';
import { escapeMarkdown } from '../core/markdown.js';
import { UserFacingError } from './errors.js';
import type { CorpusCatalog } from './corpus-catalog.js';
import type { Clock, Logger, Store } from './ports.js';

/** Up to this many papers, `/subscribe` counts every matching paper exactly. */
const EXACT_COUNT_LIMIT = 5000;

/** What `/subscribe` tells the member. */
export type SubscribeResult =
  | { kind: 'added'; topic: string; matches: number; atLeast: boolean; total: number; dm: boolean; count: number }
  | { kind: 'already'; topic: string; dm: boolean; dmChanged: boolean };

/** Members' topics, per server (a member's topics in one server never notify them of another's feeds). */
export interface Subscriptions {
  subscribe(guildId: string, userId: string, rawTopic: string, dm?: boolean): Promise<SubscribeResult>;
  unsubscribe(guildId: string, userId: string, rawTopic: string): Promise<{ removed: boolean; topic: string; left: string[] }>;
  list(guildId: string, userId: string): { topics: string[]; dm: boolean };
}

/** Creates the subscriptions use cases over the store and the corpus catalog. */
export function createSubscriptions(deps: { store: Store; catalog: CorpusCatalog; clock: Clock; logger: Logger }): Subscriptions {
  const iso = () => deps.clock.now().toISOString();
  const current = (guildId: string, userId: string) => deps.store.read().subscriptions.get(guildId)?.get(userId) ?? null;

  function parseOrThrow(raw: string) {
    const result = parseFollow(raw);
    if (!result.ok) throw new UserFacingError(result.reason);
    return result.follow;
  }

  return {
    async subscribe(guildId, userId, rawTopic, dm) {
      const follow = parseOrThrow(rawTopic);
      const topic = follow.key;
      const refuse = () =>
        new UserFacingError(
          `You already follow ${MAX_TOPICS} topics, the most a member can have, so **${escapeMarkdown(topic)}** was not added. Drop one with /unsubscribe first.`,
        );
      if (addTopic(current(guildId, userId), topic, iso(), dm).outcome === 'limit') throw refuse();
      // The outcome is decided again inside the store's write: of two concurrent calls at the limit, only the one
      // that was saved is told "added".
      let outcome: AddTopicOutcome = 'limit';
      let dmBefore: boolean | undefined;
      const saved = await deps.store.updateSubscriber(guildId, userId, (record) => {
        dmBefore = record?.dm;
        const added = addTopic(record, topic, iso(), dm);
        outcome = added.outcome;
        return added.subscriber;
      });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside the update, which TypeScript does not follow
      if (outcome === 'limit') throw refuse();
      const after = saved!;
      if (outcome === 'already') return { kind: 'already', topic, dm: after.dm, dmChanged: dmBefore !== after.dm };
      const { papers, index } = deps.catalog.current();
      // Counting over a large corpus would hold the event loop for seconds: there, only the best search hits are
      // checked, and the member is told "at least". An author or an organisation is compared by name: every paper is
      // checked, cheaply.
      const searched = follow.kind === 'topic' && papers.length > EXACT_COUNT_LIMIT ? follow.include : null;
      const large = searched !== null;
      const candidates = searched !== null ? index.search(searched, { limit: 100 }).map((hit) => hit.paper) : papers;
      const matches = candidates.filter((p) => matchesFollow(p, follow)).length;
      return {
        kind: 'added',
        topic,
        matches,
        atLeast: large && matches === candidates.length && matches > 0,
        total: papers.length,
        dm: after.dm,
        count: after.topics.length,
      };
    },
    async unsubscribe(guildId, userId, rawTopic) {
      const normalized = parseFollow(rawTopic);
      const topic = normalized.ok ? normalized.follow.key : rawTopic.trim();
      const topics = current(guildId, userId)?.topics ?? [];
      if (!topics.includes(topic)) return { removed: false, topic, left: topics };
      // Decided inside the store's write, like subscribe: a concurrent call may have removed it first.
      let removed = false;
      const saved = await deps.store.updateSubscriber(guildId, userId, (record) => {
        const result = removeTopic(record, topic, iso());
        removed = result.removed;
        return result.subscriber;
      });
      return { removed, topic, left: saved?.topics ?? [] };
    },
    list(guildId, userId) {
      const subscriber = current(guildId, userId);
      return { topics: subscriber?.topics ?? [], dm: subscriber?.dm ?? false };
    },
  };
}
