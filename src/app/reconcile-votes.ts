import { type ReactionEmoji, voteEmojiOf } from '../core/vote-emoji.js';
import type { Clock, Logger, Store } from './ports.js';

/*
 * Votes cast or taken back while the bot was away (down, or its gateway session lost) never arrived as events: at
 * the start, and when a new session replaces a lost one, the reactions of the recent paper cards are read back and
 * each card's votes replaced with what they say. Bounded: the cards of the last RECONCILE_DAYS days, at most
 * RECONCILE_MAX_MESSAGES of them (newest first), each read in pages of 100 up to RECONCILE_MAX_PAGES; discord.js's
 * REST queue keeps the requests within Discord's rate limits.
 */

/** How far back, in days, the paper cards whose reactions are read again after a gap go. */
export const RECONCILE_DAYS = 7;
/** The most paper cards read again after a gap (the newest first). */
export const RECONCILE_MAX_MESSAGES = 300;
/** The most pages of 100 reactors read per card: a card with more keeps its votes (only additions are taken). */
export const RECONCILE_MAX_PAGES = 10;
/** Reactors per page: Discord's maximum for Get Reactions. */
export const REACTORS_PER_PAGE = 100;

/** One page of the members who reacted to a message with an emoji, by ascending id after `after`; null: the message is gone or unreadable. */
export type ReadReactors = (
  channelId: string,
  messageId: string,
  emoji: ReactionEmoji,
  page: { after: string | null; limit: number },
) => Promise<string[] | null>;

/** What a reconciliation did. */
export interface VoteReconciliation {
  messages: number;
  added: number;
  removed: number;
  /** Cards that could not be read (deleted, or the channel is gone or hidden). */
  unreadable: number;
}

/** Reads back the reactions of this process's recent paper cards and replaces each card's votes with them. */
export async function reconcileVotes(deps: {
  store: Pick<Store, 'read' | 'posted' | 'replaceMessageVotes' | 'addVote'>;
  readReactors: ReadReactors;
  botUserId: string;
  /** Whether this process handles the server (its shard's). */
  owns: (guildId: string) => boolean;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  /** Runs each card's read and replacement between two reaction events (see ReactionRouter.serialize). */
  serialize?: <T>(task: () => Promise<T>) => Promise<T>;
  /**
   * Whether a feed's channel is a forum: a forum post's first message (the card) lives in the post's own thread,
   * whose id is that message's, not in the forum channel.
   */
  isForum?: (channelId: string) => boolean;
}): Promise<VoteReconciliation> {
  const serialize = deps.serialize ?? (<T>(task: () => Promise<T>) => task());
  const { store, clock } = deps;
  const now = clock.now();
  const since = now.getTime() - RECONCILE_DAYS * 86_400_000;
  const cards: Array<{ guildId: string; channelId: string; paperId: string; messageId: string; emoji: ReactionEmoji; at: number }> = [];
  for (const feed of store.read().feeds.values()) {
    if (!feed.guildId || !feed.channelId || !deps.owns(feed.guildId)) continue;
    const emoji = voteEmojiOf(feed);
    for (const entry of store.posted(feed.id).newestFirst()) {
      const at = Date.parse(entry.postedAt);
      if (at < since) break;
      // A card posted in another channel before the feed moved is read where the feed posts now: found or skipped.
      const channelId = deps.isForum?.(feed.channelId) ? entry.messageId : feed.channelId;
      cards.push({ guildId: feed.guildId, channelId, paperId: entry.paperId, messageId: entry.messageId, emoji, at });
    }
  }
  cards.sort((a, b) => b.at - a.at);
  const result: VoteReconciliation = { messages: 0, added: 0, removed: 0, unreadable: 0 };
  const reconcileCard = async (card: (typeof cards)[number]): Promise<void> => {
    const users: string[] = [];
    let after: string | null = null;
    let complete = false;
    let unreadable = false;
    for (let page = 0; page < RECONCILE_MAX_PAGES; page += 1) {
      const found = await deps.readReactors(card.channelId, card.messageId, card.emoji, { after, limit: REACTORS_PER_PAGE });
      if (found === null) {
        unreadable = true;
        break;
      }
      users.push(...found);
      if (found.length < REACTORS_PER_PAGE) {
        complete = true;
        break;
      }
      after = found.at(-1)!;
    }
    if (unreadable) {
      result.unreadable += 1;
      return;
    }
    const members = users.filter((id) => id !== deps.botUserId);
    const at = clock.now().toISOString();
    const target = { guildId: card.guildId, paperId: card.paperId, messageId: card.messageId };
    if (complete) {
      const changed = await store.replaceMessageVotes(target, members, at);
      result.added += changed.added;
      result.removed += changed.removed;
    } else {
      // More reactors than the pages read: what was read is added, nothing is taken away on a partial read.
      for (const userId of members) if (await store.addVote({ ...target, userId, at })) result.added += 1;
    }
  };
  const seen = new Set<string>();
  for (const card of cards) {
    if (result.messages >= RECONCILE_MAX_MESSAGES || deps.signal?.aborted) break;
    // A compact post carries several papers in one message: its reactions are read once, for its first paper.
    if (seen.has(card.messageId)) continue;
    seen.add(card.messageId);
    result.messages += 1;
    await serialize(() => reconcileCard(card));
  }
  if (result.added > 0 || result.removed > 0 || result.unreadable > 0)
    deps.logger.info(
      { ...result },
      `votes reconciled: ${result.added} added, ${result.removed} removed over ${result.messages} paper cards`,
    );
  else deps.logger.debug({ ...result }, `votes reconciled: no change over ${result.messages} paper cards`);
  return result;
}
