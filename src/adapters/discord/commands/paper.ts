import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { formatPaperEmbed } from '../../../core/format.js';
import { escapeAndFit, escapeMarkdown, sliceText } from '../../../core/markdown.js';
import { isPaperIdShape, type Paper } from '../../../core/paper.js';
import { suggestPaperChoices } from '../choices.js';
import type { CommandContext, CommandData, SlashCommand } from '../command.js';
import { readFocusedText, readOptions } from '../command-options.js';
import { answer, text } from '../replies.js';

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'paper',
  description: 'Look up a paper of the corpus',
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'query',
      description: 'Title words, a topic, or pick a suggestion',
      required: true,
      autocomplete: true,
      min_length: 1,
      max_length: 200,
    },
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'public',
      description: 'Show the answer to the whole channel (default: only you)',
      required: false,
    },
  ],
} as const satisfies CommandData;

/** `/paper query:<text> public:<bool>`: a paper card, from a picked suggestion or the best match of typed words. */
export const paperCommand = {
  data,
  async execute(interaction, context) {
    const options = readOptions(interaction, data);
    const query = sliceText(options.query, 300);
    const isPublic = options.public ?? false;
    context.catalog.refreshIfStale();
    const { index } = context.catalog.current();
    const picked = isPaperIdShape(query.trim()) ? index.get(query.trim()) : undefined;
    const hits = picked ? [picked] : index.search(query, { limit: 5 }).map((hit) => hit.paper);
    const [best, ...others] = hits;
    if (!best) {
      // Below the relevance floor the best papers are offered as the closest titles, never shown as the answer.
      const closest = index.closest(query, { limit: 3 }).map((hit) => hit.paper);
      await answer(interaction, text(describeNoMatch(query, closest, context)), true);
      return;
    }
    const embed = formatPaperEmbed(best, { fullAbstract: true, postedLink: postedLink(best, context, interaction.guildId) ?? undefined });
    const also = others.length
      ? `Also matching: ${others.map((p, i) => `${i + 1}. ${escapeAndFit(p.title, 150)}`).join(' · ')}`
      : undefined;
    await answer(interaction, { ...(also ? { content: also } : {}), embeds: [embed], allowed_mentions: { parse: [] } }, !isPublic);
  },
  autocomplete(interaction, context) {
    context.catalog.refreshIfStale();
    return suggestPaperChoices(context.catalog.current().index, readFocusedText(interaction));
  },
} satisfies SlashCommand;

/** The link to the digest message that posted a paper, when a feed of this server posted it (never another server's). */
function postedLink(paper: Paper, context: CommandContext, guildId: string | null): string | null {
  if (!guildId) return null;
  for (const { feed } of context.desk.list(guildId)) {
    const posted = context.store.posted(feed.id).get(paper.id);
    if (posted && feed.channelId && /^\d+$/.test(posted.messageId))
      return `https://discord.com/channels/${guildId}/${feed.channelId}/${posted.messageId}`;
  }
  return null;
}

/**
 * A friendly "nothing found": the closest titles, labelled as such, when the corpus has any; else corpus topics close
 * to what was typed (same first letters), else popular ones.
 */
function describeNoMatch(query: string, closest: readonly Paper[], context: CommandContext): string {
  const shown = escapeMarkdown(query.length > 80 ? `${sliceText(query, 77)}...` : query);
  if (closest.length > 0) {
    const titles = closest.map((p, i) => `${i + 1}. ${escapeAndFit(p.title, 150)}`).join(' · ');
    return `No paper matches "${shown}". Closest titles (not a match): ${titles}. Pick one of the suggestions as you type to see it.`;
  }
  const { topics } = context.catalog.current();
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3)
    .slice(0, 6);
  const close = topics.filter((t) => !t.topic.includes(' ') && words.some((w) => t.topic.startsWith(w.slice(0, 3)))).slice(0, 3);
  const offer = close.length ? close : topics.slice(0, 3);
  const hint = offer.length
    ? `${close.length ? 'Closer terms' : 'Popular topics'}: ${offer.map((t) => `**${escapeMarkdown(t.topic)}**`).join(', ')}. Or pick one of the suggestions as you type.`
    : 'The corpus is empty: an admin can add page copies to the corpus folder.';
  return `No paper matches "${shown}". ${hint}`;
}
