import { sliceText } from '../../core/markdown.js';
import { DISCORD_LIMITS } from '../../core/discord-limits.js';
import { type InteractionReplyOptions, MessageFlags, type RepliableInteraction } from 'discord.js';
import type { OutgoingMessage } from '../../core/format.js';

/** Converts a payload of the core to discord.js reply options, keeping mentions explicit. */
export function toReplyOptions(message: OutgoingMessage, ephemeral: boolean): InteractionReplyOptions {
  return {
    ...(message.content !== undefined ? { content: message.content } : {}),
    ...(message.embeds ? { embeds: message.embeds } : {}),
    allowedMentions: {
      parse: message.allowed_mentions.parse,
      ...(message.allowed_mentions.users ? { users: message.allowed_mentions.users } : {}),
    },
    ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

/** Answers an interaction whatever state it is in: reply, edit the deferred reply, or follow up. */
export async function answer(interaction: RepliableInteraction, message: OutgoingMessage, ephemeral = true): Promise<void> {
  const options = toReplyOptions(message, ephemeral);
  if (interaction.deferred && !interaction.replied) {
    const { flags: _flags, ...edit } = options;
    await interaction.editReply(edit);
  } else if (interaction.replied) {
    await interaction.followUp(options);
  } else {
    await interaction.reply(options);
  }
}

/** A plain text answer that pings nobody. */
export function text(content: string): OutgoingMessage {
  return { content: sliceText(content, DISCORD_LIMITS.content), allowed_mentions: { parse: [] } };
}
