import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { UserFacingError } from '../../../app/errors.js';
import { escapeMarkdown } from '../../../core/markdown.js';
import { formatTopPapers, periodStart, rankTopPapers, type SentPaper, TOP_PERIODS, type TopPeriod } from '../../../core/top-papers.js';
import { normalizeTopic } from '../../../core/topics.js';
import { showEmoji, voteEmojiOf } from '../../../core/vote-emoji.js';
import { countVoters } from '../../../core/votes.js';
import type { CommandContext, CommandData, SlashCommand } from '../command.js';
import { readGuildId, readOptions } from '../command-options.js';
import { answer, text } from '../replies.js';

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'top',
  description: "This server's most voted papers (react to a paper card to vote)",
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'period',
      description: 'Papers posted in the last day, week (default), month, or ever',
      required: false,
      choices: TOP_PERIODS.map((period) => ({ name: period, value: period })),
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'topic',
      description: 'Only papers about this topic (like /subscribe topics)',
      required: false,
      min_length: 2,
      max_length: 100,
    },
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'public',
      description: 'Show the answer to the whole channel (default: only you)',
      required: false,
    },
  ],
} as const satisfies CommandData;

const PERIOD_WORDS: Record<TopPeriod, string> = { day: 'the last day', week: 'the last 7 days', month: 'the last 30 days', all: 'ever' };

/** `/top period:<day|week|month|all> topic:<text> public:<bool>`: the papers this server was sent, by votes then upvotes. */
export const topCommand = {
  data,
  async execute(interaction, context) {
    const guildId = readGuildId(interaction);
    const options = readOptions(interaction, data);
    const period = (TOP_PERIODS as readonly string[]).includes(options.period ?? '') ? (options.period as TopPeriod) : 'week';
    let topic: string | null = null;
    if (options.topic !== undefined) {
      const normal = normalizeTopic(options.topic);
      if (!normal.ok) throw new UserFacingError(`\`topic\`: ${normal.reason}`);
      topic = normal.topic;
    }
    context.catalog.refreshIfStale();
    const { index } = context.catalog.current();
    const since = periodStart(period, context.clock.now());
    const feeds = [...context.store.read().feeds.values()].filter((feed) => feed.guildId === guildId);
    const ranked = rankTopPapers({
      sent: listSent(context, feeds, since),
      votesOf: (paper) => countVoters(context.store.read().votes, guildId, [paper.id, ...(paper.aliases ?? [])]),
      paperOf: (id) => index.get(id),
      since,
      topic,
    });
    const about = topic ? ` about **${escapeMarkdown(topic)}**` : '';
    const emoji = showEmoji(voteEmojiOf(feeds[0] ?? { options: {} }));
    if (ranked.length === 0) {
      await answer(interaction, text(`No paper${about} was posted in this server in ${PERIOD_WORDS[period]}.`), !options.public);
      return;
    }
    const header = `🏆 **Top papers${about}**, posted in ${PERIOD_WORDS[period]}: by votes (react ${emoji} on a paper card), then Hugging Face upvotes`;
    await answer(interaction, formatTopPapers(ranked, { header, emoji }), !options.public);
  },
} satisfies SlashCommand;

/** The papers the server's feeds posted since `since` (the posted logs newest first, so a short period reads little). */
function* listSent(context: CommandContext, feeds: ReadonlyArray<{ id: string }>, since: Date | null): Iterable<SentPaper> {
  const from = since?.toISOString() ?? null;
  for (const feed of feeds) {
    for (const entry of context.store.posted(feed.id).newestFirst()) {
      if (from !== null && entry.postedAt < from) break;
      yield entry;
    }
  }
}
