import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { escapeMarkdown } from '../../../core/markdown.js';
import { MAX_TOPICS } from '../../../core/subscriptions.js';
import { filterTopicSuggestions, TOPIC_MAX_LENGTH, TOPIC_MIN_LENGTH } from '../../../core/topics.js';
import type { CommandData, SlashCommand } from '../command.js';
import { readFocusedText, readOptions, readGuildId } from '../command-options.js';
import { answer, text } from '../replies.js';

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'subscribe',
  description: 'Get mentioned when a digest posts a paper on a topic',
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'topic',
      description: 'A word or phrase, e.g. "scaling laws"',
      required: true,
      autocomplete: true,
      min_length: TOPIC_MIN_LENGTH,
      max_length: TOPIC_MAX_LENGTH,
    },
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'dm',
      description: 'Get one direct message per digest instead of mentions',
      required: false,
    },
  ],
} as const satisfies CommandData;

/** `/subscribe topic:<text> dm:<bool>`: follow a topic; says how many corpus papers already match it. */
export const subscribeCommand = {
  data,
  async execute(interaction, context) {
    const options = readOptions(interaction, data);
    const guildId = readGuildId(interaction);
    const result = await context.subscriptions.subscribe(guildId, interaction.user.id, options.topic, options.dm);
    // Saved all the same: the topics apply from the first digest an admin sets up here.
    const noDigest =
      context.desk.list(guildId).length === 0
        ? '\nThis server has no digest yet, so nothing is posted here for now: an admin can create one with `/digest setup`.'
        : '';
    const topic = `**${escapeMarkdown(result.topic)}**`;
    const how = result.dm ? 'by direct message (one per digest)' : 'with a mention under each matching paper';
    if (result.kind === 'already') {
      const note = result.dmChanged ? ` From now on you are notified ${how}.` : '';
      await answer(interaction, text(`You already follow ${topic}.${note}${noDigest}`));
      return;
    }
    const matches =
      result.matches === 0
        ? `No paper of the corpus matches it yet (${result.total} papers); check the spelling, or pick a suggestion as you type.`
        : `${result.atLeast ? 'At least ' : ''}${result.matches} of the ${result.total} papers of the corpus already match it.`;
    await answer(
      interaction,
      text(`Subscribed to ${topic}: you will be notified ${how}. ${matches} (${result.count}/${MAX_TOPICS} topics)${noDigest}`),
    );
  },
  autocomplete(interaction, context) {
    context.catalog.refreshIfStale();
    return filterTopicSuggestions(context.catalog.current().topics, readFocusedText(interaction));
  },
} satisfies SlashCommand;
