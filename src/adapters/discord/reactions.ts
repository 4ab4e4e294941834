import {
  type Client,
  DiscordAPIError,
  Events,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  type REST,
  Routes,
  type User,
} from 'discord.js';
import type { Logger } from '../../app/ports.js';
import type { ReactionEvent } from '../../app/reactions.js';
import type { ReadReactors } from '../../app/reconcile-votes.js';
import { emojiRouteKey } from '../../core/vote-emoji.js';

/**
 * Hands the server reactions the gateway sends (the Guild Message Reactions intent) to `onReaction`. The client keeps
 * no messages (see createClientOptions), so they arrive as partials: message, reaction and user ids are all that is
 * read, and nothing is fetched.
 */
export function listenToReactions(client: Client, onReaction: (event: ReactionEvent) => Promise<void>, logger: Logger): void {
  const forward = (kind: ReactionEvent['kind']) => (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser) => {
    const { message } = reaction;
    // Direct messages carry no votes.
    if (!message.guildId) return;
    onReaction({
      kind,
      guildId: message.guildId,
      channelId: message.channelId,
      messageId: message.id,
      userId: user.id,
      emoji: { id: reaction.emoji.id, name: reaction.emoji.name },
    }).catch((error: unknown) => logger.error({ err: error, message: message.id }, 'a reaction could not be handled'));
  };
  client.on(Events.MessageReactionAdd, forward('add'));
  client.on(Events.MessageReactionRemove, forward('remove'));
}

/**
 * Reads one page of the members who reacted to a message with an emoji (Get Reactions: `limit` up to 100, `after`
 * a user id), through discord.js's REST queue, which waits out rate limits. A message or channel that is gone, or
 * that the bot may no longer read, answers null.
 */
export function createReactorReader(rest: REST): ReadReactors {
  return async (channelId, messageId, emoji, page) => {
    const query = new URLSearchParams({ limit: String(page.limit) });
    if (page.after) query.set('after', page.after);
    try {
      const users = (await rest.get(Routes.channelMessageReaction(channelId, messageId, emojiRouteKey(emoji)), { query })) as Array<{
        id: string;
      }>;
      return users.map((user) => user.id);
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.status === 404 || error.status === 403)) return null;
      throw error;
    }
  };
}

/**
 * Calls `onSession` each time a gateway session starts after the first (a lost session replaced by a new one: the
 * events in between are lost, unlike a resumed session's, which Discord replays).
 */
export function onNewSession(client: Client, onSession: () => void): void {
  client.on(Events.ShardReady, () => onSession());
}
