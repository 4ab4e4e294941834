import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { DISCORD_LIMITS } from '../../../core/discord-limits.js';
import { describeFollow } from '../../../core/follows.js';
import { escapeMarkdown, sliceText } from '../../../core/markdown.js';
import { TOPIC_MAX_LENGTH } from '../../../core/topics.js';
import type { CommandData, SlashCommand } from '../command.js';
import { readFocusedText, readOptions, readGuildId } from '../command-options.js';
import { answer, text } from '../replies.js';

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'unsubscribe',
  description: 'Stop following a topic',
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'topic',
      description: 'One of your topics',
      required: true,
      autocomplete: true,
      min_length: 1,
      max_length: TOPIC_MAX_LENGTH,
    },
  ],
} as const satisfies CommandData;

/** `/unsubscribe topic:<one of yours>`. */
export const unsubscribeCommand = {
  data,
  async execute(interaction, context) {
    const options = readOptions(interaction, data);
    const result = await context.subscriptions.unsubscribe(readGuildId(interaction), interaction.user.id, options.topic);
    if (result.removed) {
      const left = result.left.length
        ? `You still follow ${result.left.length} topic${result.left.length === 1 ? '' : 's'}.`
        : 'You follow no topics now.';
      await answer(interaction, text(`Unsubscribed from ${describeFollow(result.topic, escapeMarkdown)}. ${left}`));
      return;
    }
    const yours = result.left.length
      ? `Your topics: ${result.left.map((t) => `**${escapeMarkdown(t)}**`).join(', ')}.`
      : 'You follow no topics; add one with /subscribe.';
    await answer(interaction, text(`You don't follow **${escapeMarkdown(result.topic)}**, so there was nothing to remove. ${yours}`));
  },
  autocomplete(interaction, context) {
    const typed = readFocusedText(interaction).trim().toLowerCase();
    return context.subscriptions
      .list(readGuildId(interaction), interaction.user.id)
      .topics.filter((t) => t.toLowerCase().includes(typed))
      .slice(0, DISCORD_LIMITS.autocompleteChoices)
      .map((t) => ({ name: sliceText(t, DISCORD_LIMITS.choiceName), value: sliceText(t, DISCORD_LIMITS.choiceValue) }));
  },
} satisfies SlashCommand;
