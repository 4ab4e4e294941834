import { escapeMarkdown, sliceText } from '../../../core/markdown.js';
import { MAX_TOPICS } from '../../../core/subscriptions.js';
import { filterTopicSuggestions } from '../../../core/topics.js';
import { readBooleanOption, readStringOption, type CommandHandler } from '../command.js';
import { answer, text } from '../replies.js';

/** `/subscribe topic:<text> dm:<bool>`: follow a topic; says how many corpus papers already match it. */
export const subscribeCommand = {
  name: 'subscribe',
  async execute(interaction, context) {
    const raw = readStringOption(interaction, 'topic');
    const dm = readBooleanOption(interaction, 'dm');
    const result = await context.subscriptions.subscribe(interaction.user.id, raw, dm);
    const topic = `**${escapeMarkdown(result.topic)}**`;
    const how = result.dm ? 'by direct message (one per digest)' : 'with a mention under each matching paper';
    if (result.kind === 'already') {
      const note = result.dmChanged ? ` From now on you are notified ${how}.` : '';
      await answer(interaction, text(`You already follow ${topic}.${note}`));
      return;
    }
    const matches =
      result.matches === 0
        ? `No paper of the corpus matches it yet (${result.total} papers); check the spelling, or pick a suggestion as you type.`
        : `${result.atLeast ? 'At least ' : ''}${result.matches} of the ${result.total} papers of the corpus already match it.`;
    await answer(interaction, text(`Subscribed to ${topic}: you will be notified ${how}. ${matches} (${result.count}/${MAX_TOPICS} topics)`));
  },
  autocomplete(interaction, context) {
    context.catalog.refreshIfStale();
    const focused = interaction.options.getFocused();
    return filterTopicSuggestions(context.catalog.current().topics, typeof focused === 'string' ? focused : '');
  },
} satisfies CommandHandler;

/** `/unsubscribe topic:<one of yours>`. */
export const unsubscribeCommand = {
  name: 'unsubscribe',
  async execute(interaction, context) {
    const raw = readStringOption(interaction, 'topic');
    const result = await context.subscriptions.unsubscribe(interaction.user.id, raw);
    if (result.removed) {
      const left = result.left.length ? `You still follow ${result.left.length} topic${result.left.length === 1 ? '' : 's'}.` : 'You follow no topics now.';
      await answer(interaction, text(`Unsubscribed from **${escapeMarkdown(result.topic)}**. ${left}`));
      return;
    }
    const yours = result.left.length ? `Your topics: ${result.left.map((t) => `**${escapeMarkdown(t)}**`).join(', ')}.` : 'You follow no topics; add one with /subscribe.';
    await answer(interaction, text(`You don't follow **${escapeMarkdown(result.topic)}**, so there was nothing to remove. ${yours}`));
  },
  autocomplete(interaction, context) {
    const focused = interaction.options.getFocused();
    const typed = (typeof focused === 'string' ? focused : '').trim().toLowerCase();
    return context.subscriptions
      .list(interaction.user.id)
      .topics.filter((t) => t.includes(typed))
      .slice(0, 25)
      .map((t) => ({ name: sliceText(t, 100), value: sliceText(t, 100) }));
  },
} satisfies CommandHandler;

/** `/subscriptions`: the member's topics and how they are notified. */
export const subscriptionsCommand = {
  name: 'subscriptions',
  async execute(interaction, context) {
    const { topics, dm } = context.subscriptions.list(interaction.user.id);
    if (topics.length === 0) {
      await answer(interaction, text('You follow no topics yet. Add one with /subscribe, e.g. `/subscribe topic:scaling laws`.'));
      return;
    }
    const how = dm ? 'by direct message, once per digest' : 'by a mention under each matching paper';
    await answer(interaction, text(`You follow ${topics.length}/${MAX_TOPICS} topics, notified ${how}:\n${topics.map((t) => `• ${escapeMarkdown(t)}`).join('\n')}`));
  },
} satisfies CommandHandler;
