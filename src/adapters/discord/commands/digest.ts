import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type ChatInputCommandInteraction,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import { FEED_ORDERS, FEED_SIZE_RANGE, suggestTimeZones } from '../../../core/feed-input.js';
import { FEED_LAYOUTS } from '../../../core/feed-layout.js';
import { THREADS_VALUES } from '../../../core/feed-options.js';
import { escapeAndFit } from '../../../core/markdown.js';
import { UserFacingError } from '../../../app/errors.js';
import { requeueRefused } from '../../../app/run-digest.js';
import { CorpusDirectoryError } from '../../fs-corpus.js';
import type { CommandContext, CommandData, SlashCommand } from '../command.js';
import { findSubcommand, readFocusedText, readGuildId, readOptions, readSubcommand, type SubcommandName } from '../command-options.js';
import { answerRemoval, askRemoval } from '../digest/remove.js';
import { describeFeedList, describeFeedSettings, describeNextRun, describeStatus, listPreviewTitles } from '../digest/feed-text.js';
import { nameFeed, pickFeed, suggestFeeds } from '../digest/pick-feed.js';
import { describeDiscussion, listTimeZones, POSTABLE_CHANNEL_TYPES, runSetup } from '../digest/setup.js';
import { answer, text } from '../replies.js';

const feed = {
  type: ApplicationCommandOptionType.String,
  name: 'feed',
  description: "Which feed (default: this channel's)",
  autocomplete: true,
  max_length: 64,
} as const;

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'digest',
  description: "Set up and control this server's paper digests (admins)",
  // Hidden from members without Manage Server by default; the handler checks again on the server side.
  default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'setup',
      description: 'Create the digest of a channel, or change it',
      options: [
        {
          type: ApplicationCommandOptionType.Channel,
          name: 'channel',
          description: 'Where the digest is posted',
          required: true,
          channel_types: [...POSTABLE_CHANNEL_TYPES],
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'time',
          description: 'Time of day, HH:MM on a 24-hour clock (default 09:00)',
          max_length: 10,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'timezone',
          description: 'Time zone of the time, e.g. Europe/Paris (default UTC)',
          autocomplete: true,
          max_length: 64,
        },
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'size',
          description: 'Papers per digest (default 3)',
          min_value: FEED_SIZE_RANGE.min,
          max_value: FEED_SIZE_RANGE.max,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'order',
          description: 'Which papers first (default corpus)',
          choices: FEED_ORDERS.map((order) => ({ name: order, value: order })),
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'topics',
          description: 'Only papers on one of these topics, comma-separated ("none": every paper)',
          max_length: 1000,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'exclude',
          description: 'Never papers on these topics, comma-separated ("none": clear)',
          max_length: 1000,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'layout',
          description: 'cards: a card per paper (default); compact: one list, cards only for subscribed papers',
          choices: FEED_LAYOUTS.map((layout) => ({ name: layout, value: layout })),
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'threads',
          description: "A discussion thread on each paper's message (default off)",
          choices: THREADS_VALUES.map((value) => ({ name: value, value })),
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'weekly',
          description: 'Weekly best-of: a cron in the time zone, e.g. "0 9 * * 1" (Mondays 09:00); "off" stops it',
          max_length: 100,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'vote_emoji',
          description: 'The emoji members vote with on paper cards (default 👍)',
          max_length: 100,
        },
        { ...feed, description: 'The feed to change (it moves to the channel); default: the channel’s' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: "This server's feeds and their schedules" },
    { type: ApplicationCommandOptionType.Subcommand, name: 'now', description: 'Post the next digest now', options: [feed] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'preview',
      description: 'Show what the next digest will contain',
      options: [feed],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'status',
      description: 'Next run, last run, papers posted and left',
      options: [feed],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'retry',
      description: 'Queue the papers Discord refused again',
      options: [feed],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'pause',
      description: 'Stop posting a digest (its progress is kept)',
      options: [
        feed,
        { type: ApplicationCommandOptionType.String, name: 'reason', description: 'Why (shown by list and status)', max_length: 200 },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'resume', description: 'Post a paused digest again', options: [feed] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Delete a digest (asks first)', options: [feed] },
  ],
} as const satisfies CommandData;

type Subcommand = (interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string) => Promise<void>;

/** The feed a subcommand with a `feed` option acts on (the option is the same in each). */
const feedOf = (interaction: ChatInputCommandInteraction, context: CommandContext, guildId: string) =>
  pickFeed(context.desk, guildId, interaction.channelId, readOptions(interaction, { name: 'digest', options: [feed] }).feed);

/** One handler per subcommand of the definition (the type makes a missing one a compile error). */
const SUBCOMMANDS: Record<SubcommandName<typeof data>, Subcommand> = {
  async setup(interaction, context, guildId) {
    await runSetup(interaction, context, guildId, readOptions(interaction, findSubcommand(data, 'setup')));
  },
  async list(interaction, context, guildId) {
    await answer(interaction, text(describeFeedList(context.desk.list(guildId))));
  },
  async now(interaction, context, guildId) {
    const view = feedOf(interaction, context, guildId);
    const runner = context.desk.runner(guildId, view.feed.id);
    // Posting takes longer than Discord's 3 seconds: acknowledge first, then report.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await runner.run();
    const summary =
      result.outcome === 'busy'
        ? 'A digest of this feed is being posted right now; try again in a moment.'
        : result.outcome === 'empty'
          ? 'No unposted papers remain in the corpus: nothing was posted. Add page copies to the corpus folder to post more.'
          : result.outcome === 'failed'
            ? `The digest could not be posted: ${escapeAndFit(result.error ?? 'unknown error', 500)}. Unposted papers stay queued for the next run.`
            : `Posted digest #${result.digest}: ${result.posted.length} paper${result.posted.length === 1 ? '' : 's'}${result.failed.length ? `, ${result.failed.length} refused by Discord (see /digest status)` : ''}; ${result.remaining} left.${result.outcome === 'partial' && result.failed.length === 0 ? ' Some papers of it are held back or missing from the corpus: see `/digest status`.' : ''}`;
    await answer(interaction, text(summary));
  },
  async preview(interaction, context, guildId) {
    const view = feedOf(interaction, context, guildId);
    const preview = await context.desk
      .runner(guildId, view.feed.id)
      .preview()
      .catch((error: unknown) => {
        if (error instanceof CorpusDirectoryError)
          throw new UserFacingError(`The next digest cannot be previewed: ${escapeAndFit(error.message, 500)}`);
        throw error;
      });
    if (preview.papers.length === 0) {
      await answer(interaction, text('The next digest would post nothing: no unposted papers remain in the corpus.'));
      return;
    }
    await answer(
      interaction,
      text(
        `The next digest${preview.resuming ? ' (finishing an interrupted one)' : ''} will post ${preview.papers.length} paper${preview.papers.length === 1 ? '' : 's'}; ${preview.remainingAfter} will remain:\n${listPreviewTitles(preview.papers)}`,
      ),
    );
  },
  async status(interaction, context, guildId) {
    const view = feedOf(interaction, context, guildId);
    const discussion = describeDiscussion(interaction.client, view.feed);
    await answer(interaction, text(`${describeStatus(context, view)}${discussion ? `\n${discussion}` : ''}`));
  },
  async retry(interaction, context, guildId) {
    const view = feedOf(interaction, context, guildId);
    const ids = await requeueRefused(context.store, view.feed.id);
    context.logger.info(
      { user: interaction.user.id, feed: view.feed.id, papers: ids },
      `/digest retry: ${ids.length} refused paper(s) queued again`,
    );
    await answer(
      interaction,
      text(
        ids.length === 0
          ? 'No refused papers to retry: nothing changed.'
          : `Queued ${ids.length} refused paper${ids.length === 1 ? '' : 's'} again: ${ids.length === 1 ? 'it goes' : 'they go'} out with the next digests, in corpus order. If Discord refuses one again, \`/digest status\` says so.`,
      ),
    );
  },
  async pause(interaction, context, guildId) {
    const { reason } = readOptions(interaction, findSubcommand(data, 'pause'));
    const view = feedOf(interaction, context, guildId);
    if (view.feed.paused) {
      await answer(interaction, text(`The feed ${nameFeed(view)} is already paused.\n${describeFeedSettings(view)}`));
      return;
    }
    const paused = await context.desk.pause(guildId, view.feed.id, reason?.trim() || 'paused with /digest pause', interaction.user.id);
    await answer(
      interaction,
      text(`Paused the feed ${nameFeed(paused)}: nothing is posted until \`/digest resume\`, and its progress is kept.`),
    );
  },
  async resume(interaction, context, guildId) {
    const view = feedOf(interaction, context, guildId);
    if (!view.feed.paused) {
      await answer(interaction, text(`The feed ${nameFeed(view)} is not paused: its next run is ${describeNextRun(view)}.`));
      return;
    }
    const resumed = await context.desk.resume(guildId, view.feed.id, interaction.user.id);
    await answer(interaction, text(`Resumed the feed ${nameFeed(resumed)} where it was: its next run is ${describeNextRun(resumed)}.`));
  },
  async remove(interaction, context, guildId) {
    await askRemoval(interaction, context, feedOf(interaction, context, guildId));
  },
};

/** Refuses a member without Manage Server: the definition hides `/digest` from them, but an admin can grant it to anyone. */
function checkManager(interaction: Interaction, context: CommandContext): void {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a permission gate fails closed, even without permissions
  if (!interaction.inGuild() || !interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    context.logger.warn({ user: interaction.user.id }, '/digest refused: the member lacks Manage Server');
    throw new UserFacingError('Only members with the Manage Server permission can control the digest.');
  }
}

/**
 * `/digest setup|list|now|preview|status|retry|pause|resume|remove` for admins, each acting on the feeds of the server
 * it was typed in only. The permission is checked here again, for commands, autocomplete and buttons alike.
 */
export const digestCommand = {
  data,
  async execute(interaction, context) {
    const guildId = readGuildId(interaction);
    checkManager(interaction, context);
    await SUBCOMMANDS[readSubcommand(interaction, data)](interaction, context, guildId);
  },
  autocomplete(interaction, context) {
    try {
      checkManager(interaction, context);
    } catch {
      return [];
    }
    const typed = readFocusedText(interaction);
    if (interaction.options.getFocused(true).name === 'timezone')
      return suggestTimeZones(typed, listTimeZones()).map((zone) => ({ name: zone, value: zone }));
    return suggestFeeds(context.desk, interaction, typed);
  },
  async button(interaction, context) {
    readGuildId(interaction);
    await answerRemoval(interaction, context);
  },
} satisfies SlashCommand;
