import { createHash } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  ComponentType,
  DiscordAPIError,
  type InteractionUpdateOptions,
  MessageFlags,
  RESTJSONErrorCodes,
} from 'discord.js';
import { UserFacingError } from '../../../app/errors.js';
import { createReadingLists, describeSave, READING_LIST_PAGE_SIZE, type ReadingLists } from '../../../app/reading-list.js';
import { escapeAndFit } from '../../../core/markdown.js';
import { isPaperIdShape } from '../../../core/paper.js';
import { formatReadingListEmbed } from '../../../core/reading-list-format.js';
import type { ReadingListView } from '../../../core/reading-list-format.js';
import { suggestPaperChoices } from '../choices.js';
import type { CommandContext, CommandData, SlashCommand } from '../command.js';
import { findSubcommand, readFocusedText, readGuildId, readOptions, readSubcommand } from '../command-options.js';
import { answer, text } from '../replies.js';

/*
 * `/reading-list save|show|export`. Not `/paper save`: /paper takes a `query` option, and Discord does not allow
 * subcommands next to options (a command with subcommands cannot be run without one), so the reading list is a
 * command of its own with one subcommand per action.
 */

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'reading-list',
  description: 'Papers you saved for later (private: only you see your list)',
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'show',
      description: 'Show your reading list, with buttons to page through it and remove papers',
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'save',
      description: 'Save a paper of the corpus to your reading list',
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
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'export',
      description: 'Get your reading list as a markdown file, by direct message',
    },
  ],
} as const satisfies CommandData;

const NO_PINGS = { parse: [] } as const;
// `reading-list:page:<member>:<offset>` and `reading-list:rm:<member>:<offset>:<paper key>`: within Discord's 100
// characters whatever the paper id (the key is a hash of it), and naming the member whose list it is.
const CUSTOM_ID = /^reading-list:(page|rm):(\d{1,20}):(\d{1,4})(?::([0-9a-f]{12}))?$/;
const EXPORT_FILE = 'reading-list.md';

/** The short key of a paper id in a remove button (ids may be 64 characters; a custom id holds 100). */
function paperKey(paperId: string): string {
  return createHash('sha256').update(paperId).digest('hex').slice(0, 12);
}

const listsOf = (context: CommandContext): ReadingLists =>
  createReadingLists({ store: context.store, catalog: context.catalog, clock: context.clock });

/** The message of one page: the embed, a remove button per paper, and Previous/Next. */
function renderPage(view: ReadingListView, userId: string, note?: string): InteractionUpdateOptions {
  if (view.total === 0)
    return {
      content: `${note ? `${note}\n` : ''}Your reading list is empty. Save a paper with \`/reading-list save paper:\`.`,
      embeds: [],
      components: [],
      allowedMentions: NO_PINGS,
    };
  const removes = view.items.map((item, i) => ({
    type: ComponentType.Button as const,
    style: ButtonStyle.Secondary as const,
    label: `Remove ${view.offset + i + 1}`,
    custom_id: `reading-list:rm:${userId}:${view.offset}:${paperKey(item.entry.paperId)}`,
  }));
  const previous = Math.max(0, view.offset - READING_LIST_PAGE_SIZE);
  const next = view.offset + READING_LIST_PAGE_SIZE;
  return {
    content: note ?? '',
    embeds: [formatReadingListEmbed(view)],
    components: [
      { type: ComponentType.ActionRow, components: removes },
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Primary,
            label: 'Previous',
            custom_id: `reading-list:page:${userId}:${previous}`,
            disabled: view.offset === 0,
          },
          {
            type: ComponentType.Button,
            style: ButtonStyle.Primary,
            label: 'Next',
            custom_id: `reading-list:page:${userId}:${next}`,
            disabled: next >= view.total,
          },
        ],
      },
    ],
    allowedMentions: NO_PINGS,
  };
}

async function save(interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string): Promise<void> {
  const { paper: typed } = readOptions(interaction, findSubcommand(data, 'save'));
  const query = typed.trim();
  context.catalog.refreshIfStale();
  const { index } = context.catalog.current();
  const paper = isPaperIdShape(query) ? index.get(query) : index.search(query, { limit: 1 })[0]?.paper;
  if (!paper) throw new UserFacingError('No paper of the corpus matches that: pick one of the suggestions as you type.');
  const saved = await listsOf(context).save(guildId, interaction.user.id, paper.id);
  await answer(interaction, text(describeSave(saved)));
}

async function show(interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string): Promise<void> {
  const page = renderPage(listsOf(context).page(guildId, interaction.user.id, 0), interaction.user.id);
  await interaction.reply({ ...page, content: page.content || undefined, flags: MessageFlags.Ephemeral });
}

async function exportList(interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string): Promise<void> {
  const { markdown, count } = listsOf(context).exportMarkdown(guildId, interaction.user.id);
  if (count === 0) {
    await answer(
      interaction,
      text('Your reading list is empty: there is nothing to export. Save a paper with `/reading-list save paper:`.'),
    );
    return;
  }
  // Opening the DM and uploading may take longer than the 3 seconds an interaction waits for its first answer.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const file = () => ({ attachment: Buffer.from(markdown, 'utf8'), name: EXPORT_FILE });
  const papers = `${count} ${count === 1 ? 'paper' : 'papers'}`;
  try {
    await interaction.user.send({
      content: `Your Paperboy reading list (${papers}), newest first.`,
      files: [file()],
      allowedMentions: NO_PINGS,
    });
  } catch (error) {
    // 50007: the member does not accept direct messages from this server's members or from bots.
    if (!(error instanceof DiscordAPIError) || error.code !== RESTJSONErrorCodes.CannotSendMessagesToThisUser) throw error;
    await interaction.editReply({
      content: `Your direct messages are closed, so here is your reading list (${papers}) as a file only you see.`,
      files: [file()],
      allowedMentions: NO_PINGS,
    });
    return;
  }
  await interaction.editReply({ content: `Sent your reading list (${papers}) to you by direct message.`, allowedMentions: NO_PINGS });
}

const SUBCOMMANDS = { show, save, export: exportList } as const;

/** `/reading-list show|save|export`: a member's private list of papers saved for later. */
export const readingListCommand = {
  data,
  async execute(interaction, context) {
    const guildId = readGuildId(interaction);
    await SUBCOMMANDS[readSubcommand(interaction, data)](interaction, context, guildId);
  },
  autocomplete(interaction, context) {
    context.catalog.refreshIfStale();
    return suggestPaperChoices(context.catalog.current().index, readFocusedText(interaction));
  },
  /** Paging and remove buttons: they act on the list of the member who clicks, and only when it is theirs. */
  async button(interaction: ButtonInteraction, context) {
    const guildId = readGuildId(interaction);
    const match = CUSTOM_ID.exec(interaction.customId);
    if (!match || (match[1] === 'rm') !== (match[4] !== undefined))
      throw new UserFacingError('This button no longer does anything: run `/reading-list show` again.');
    const [, action, owner, offsetText, key] = match;
    if (owner !== interaction.user.id) {
      await interaction.reply({
        content: 'This reading list is not yours: nothing was changed. See your own with `/reading-list show`.',
        flags: MessageFlags.Ephemeral,
        allowedMentions: NO_PINGS,
      });
      return;
    }
    const lists = listsOf(context);
    const offset = Number(offsetText);
    let note: string | undefined;
    if (action === 'rm') {
      const entry = context.store.readingList(guildId, owner).find((e) => paperKey(e.paperId) === key);
      const removed = entry ? await lists.remove(guildId, owner, entry.paperId) : false;
      const paper = entry && context.catalog.current().index.get(entry.paperId);
      const name = paper ? `**${escapeAndFit(paper.title, 200)}**` : 'That paper';
      note = removed ? `Removed ${name} from your reading list.` : 'That paper was already removed.';
    }
    await interaction.update(renderPage(lists.page(guildId, owner, offset), owner, note));
  },
} satisfies SlashCommand;
