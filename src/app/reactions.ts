import type { Feed } from '../core/feed.js';
import type { PostedEntry } from '../core/posted-log.js';
import { isSameEmoji, type ReactionEmoji, voteEmojiOf } from '../core/vote-emoji.js';
import type { Clock, Logger, Store } from './ports.js';

/*
 * Reactions on the papers the bot posted: each event is matched to the paper card it is on (by message id, in the
 * posted logs of that server's feeds), then handed to the handlers: votes here; others (a reading-list bookmark)
 * join the list. Reactions on any other message, and the bot's own, are ignored.
 */

/** A member added or removed a reaction on a server's message. */
export interface ReactionEvent {
  kind: 'add' | 'remove';
  guildId: string;
  channelId: string;
  messageId: string;
  userId: string;
  emoji: ReactionEmoji;
}

/** The paper card a reaction is on: the feed that posted it and its posted row. */
export interface PaperPost {
  feed: Feed;
  entry: PostedEntry;
}

/** Something done about a reaction on a paper card (a vote, a bookmark); it decides itself which emoji it wants. */
export type ReactionHandler = (event: ReactionEvent, post: PaperPost) => Promise<void>;

/** The paper card a message of a server is, if one of that server's feeds posted it. */
export function findPaperPost(store: Pick<Store, 'read' | 'posted'>, guildId: string, messageId: string): PaperPost | null {
  for (const feed of store.read().feeds.values()) {
    if (feed.guildId !== guildId) continue;
    const entry = store.posted(feed.id).byMessage(messageId);
    if (entry) return { feed, entry };
  }
  return null;
}

/** Reaction events in, one at a time. */
export interface ReactionRouter {
  /** Handles one event after those that came before it. */
  handle(event: ReactionEvent): Promise<void>;
  /**
   * Runs a task between two events (a read of a card's reactions and the replacement of its votes): an event that
   * arrives meanwhile is handled after it, so the read never undoes it.
   */
  serialize<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * Routes reaction events to the handlers, one event at a time in arrival order (an add then a remove of the same
 * reaction must be written in that order). A handler that fails is logged; the others still run.
 */
export function createReactionRouter(deps: {
  store: Pick<Store, 'read' | 'posted'>;
  botUserId: () => string | null;
  logger: Logger;
  handlers: readonly ReactionHandler[];
}): ReactionRouter {
  let queue: Promise<unknown> = Promise.resolve();
  const handle = async (event: ReactionEvent) => {
    if (event.userId === deps.botUserId()) return;
    const post = findPaperPost(deps.store, event.guildId, event.messageId);
    if (!post) return;
    for (const handler of deps.handlers) {
      try {
        await handler(event, post);
      } catch (error) {
        deps.logger.error(
          { err: error, guild: event.guildId, message: event.messageId, user: event.userId },
          `a reaction on paper ${post.entry.paperId} could not be handled`,
        );
      }
    }
  };
  const serialize = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };
  return { handle: (event) => serialize(() => handle(event)), serialize };
}

/** Counts the feed's vote emoji as a vote for the paper (a member once), and its removal as taking it back. */
export function createVoteHandler(deps: { store: Pick<Store, 'addVote' | 'removeVote'>; clock: Clock; logger: Logger }): ReactionHandler {
  return async (event, { feed, entry }) => {
    if (!isSameEmoji(event.emoji, voteEmojiOf(feed))) return;
    const key = { guildId: event.guildId, paperId: entry.paperId, userId: event.userId, messageId: event.messageId };
    const changed =
      event.kind === 'add' ? await deps.store.addVote({ ...key, at: deps.clock.now().toISOString() }) : await deps.store.removeVote(key);
    if (changed)
      deps.logger.debug(
        { guild: event.guildId, paper: entry.paperId, user: event.userId },
        `vote ${event.kind === 'add' ? 'added' : 'removed'}`,
      );
  };
}
