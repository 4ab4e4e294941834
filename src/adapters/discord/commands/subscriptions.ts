import { readGuildId } from '../command-options.js';
import { ApplicationCommandType } from 'discord.js';
import { describeFollow } from '../../../core/follows.js';
import { escapeMarkdown } from '../../../core/markdown.js';
import { MAX_TOPICS } from '../../../core/subscriptions.js';
import type { CommandData, SlashCommand } from '../command.js';
import { answer, text } from '../replies.js';

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'subscriptions',
  description: 'List the topics you follow',
} as const satisfies CommandData;

/** `/subscriptions`: the member's topics and how they are notified. */
export const subscriptionsCommand = {
  data,
  async execute(interaction, context) {
    const { topics, dm } = context.subscriptions.list(readGuildId(interaction), interaction.user.id);
    if (topics.length === 0) {
      await answer(interaction, text('You follow no topics yet. Add one with /subscribe, e.g. `/subscribe topic:scaling laws`.'));
      return;
    }
    const how = dm ? 'by direct message, once per digest' : 'by a mention under each matching paper';
    await answer(
      interaction,
      text(
        `You follow ${topics.length}/${MAX_TOPICS} topics, notified ${how}:\n${topics.map((t) => `• ${describeFollow(t, escapeMarkdown)}`).join('\n')}`,
      ),
    );
  },
} satisfies SlashCommand;
