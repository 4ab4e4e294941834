import { type Client, Events, type MessageReaction, type PartialMessageReaction, type PartialUser, type User } from 'discord.js';
import type { Logger } from '../../app/ports.js';
import type { ReactionEvent } from '../../app/reactions.js';

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
