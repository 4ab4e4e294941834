import { readGuildId } from '../command-options.js';
import { ApplicationCommandType } from 'discord.js';
import { listLikedPapers } from '../../../app/reading-list.js';
import { describeFollow } from '../../../core/follows.js';
import { suggestLikedTopics } from '../../../core/liked-topics.js';
import { escapeAndFit, escapeMarkdown } from '../../../core/markdown.js';
import { MAX_TOPICS } from '../../../core/subscriptions.js';
import type { CommandContext, CommandData, SlashCommand } from '../command.js';
import { answer, text } from '../replies.js';

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'subscriptions',
  description: 'List the topics you follow, with topics suggested from the papers you saved',
} as const satisfies CommandData;

/** "Because you liked X": up to 3 corpus topics the member's saved papers match and they do not follow yet, or ''. */
function describeSuggestions(context: CommandContext, guildId: string, userId: string, topics: readonly string[]): string {
  if (topics.length >= MAX_TOPICS) return '';
  context.catalog.refreshIfStale();
  const liked = listLikedPapers(context, guildId, userId);
  const suggested = suggestLikedTopics(liked, context.catalog.current().topics, topics);
  if (suggested.length === 0) return '';
  const lines = suggested.map((s) => `• **${escapeMarkdown(s.topic)}**, because you liked **${escapeAndFit(s.because.title, 120)}**`);
  return `\n\nYou might like (add one with \`/subscribe topic:\`):\n${lines.join('\n')}`;
}

/** `/subscriptions`: the member's topics and how they are notified, and topics suggested from their reading list. */
export const subscriptionsCommand = {
  data,
  async execute(interaction, context) {
    const guildId = readGuildId(interaction);
    const { topics, dm } = context.subscriptions.list(guildId, interaction.user.id);
    const suggestions = describeSuggestions(context, guildId, interaction.user.id, topics);
    if (topics.length === 0) {
      await answer(
        interaction,
        text(`You follow no topics yet. Add one with /subscribe, e.g. \`/subscribe topic:scaling laws\`.${suggestions}`),
      );
      return;
    }
    const how = dm ? 'by direct message, once per digest' : 'by a mention under each matching paper';
    await answer(
      interaction,
      text(
        `You follow ${topics.length}/${MAX_TOPICS} topics, notified ${how}:\n${topics.map((t) => `• ${describeFollow(t, escapeMarkdown)}`).join('\n')}${suggestions}`,
      ),
    );
  },
} satisfies SlashCommand;
