import { ApplicationCommandOptionType, ApplicationCommandType, MessageFlags } from 'discord.js';
import { formatCompactDigest } from '../../../core/format-compact.js';
import { escapeAndFit, escapeMarkdown, sliceText } from '../../../core/markdown.js';
import { isPaperIdShape, type Paper } from '../../../core/paper.js';
import { createSimilarityIndex, type SimilarityIndex } from '../../../core/search/similar.js';
import { suggestPaperChoices } from '../choices.js';
import type { CommandData, SlashCommand } from '../command.js';
import { readFocusedText, readOptions } from '../command-options.js';
import { answer, text } from '../replies.js';

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'similar',
  description: 'Papers of the corpus most like a given one ("more like this")',
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'paper',
      description: 'Title words, or pick a suggestion',
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

const SHOWN = 5;
/** One similarity index per corpus snapshot (the snapshot's paper list), built on first use and dropped with it. */
const indexes = new WeakMap<readonly Paper[], SimilarityIndex>();

/** `/similar paper:<paper> public:<bool>`: the 5 papers of the corpus most like the picked (or best matching) one. */
export const similarCommand = {
  data,
  async execute(interaction, context) {
    const options = readOptions(interaction, data);
    const query = sliceText(options.paper, 300);
    const isPublic = options.public ?? false;
    context.catalog.refreshIfStale();
    const { index, papers } = context.catalog.current();
    const paper = (isPaperIdShape(query.trim()) ? index.get(query.trim()) : undefined) ?? index.search(query, { limit: 1 })[0]?.paper;
    if (!paper) {
      await answer(
        interaction,
        text(`No paper matches "${escapeMarkdown(sliceText(query, 80))}". Pick one of the suggestions as you type.`),
      );
      return;
    }
    let similarity = indexes.get(papers);
    if (!similarity) {
      // Building reads every abstract once per corpus version: on a large corpus that outlasts Discord's 3 s to answer.
      if (papers.length > 2000) await interaction.deferReply(isPublic ? {} : { flags: MessageFlags.Ephemeral });
      similarity = createSimilarityIndex(papers);
      indexes.set(papers, similarity);
    }
    const found = similarity.similar(paper, SHOWN);
    const header = `More like **${escapeAndFit(paper.title, 200)}**:`;
    if (found.length === 0) {
      await answer(interaction, text(`${header} no other paper of the corpus shares enough of its words.`), !isPublic);
      return;
    }
    // Within 2,000 characters; a list that cannot fit goes on in a follow-up.
    for (const message of formatCompactDigest(found, { header })) await answer(interaction, message, !isPublic);
  },
  autocomplete(interaction, context) {
    context.catalog.refreshIfStale();
    return suggestPaperChoices(context.catalog.current().index, readFocusedText(interaction));
  },
} satisfies SlashCommand;
