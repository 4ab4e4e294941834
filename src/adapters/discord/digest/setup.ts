import { ChannelType, type ChatInputCommandInteraction, type Client, type GuildBasedChannel, MessageFlags } from 'discord.js';
import { UserFacingError } from '../../../app/errors.js';
import { FeedNotFoundError, type FeedView } from '../../../app/feed-desk.js';
import type { Feed } from '../../../core/feed.js';
import { parseFeedInput, type RawFeedInput } from '../../../core/feed-input.js';
import { isThreadsOn, parseThreadsInput, readDiscussionOptions } from '../../../core/feed-options.js';
import { escapeAndFit } from '../../../core/markdown.js';
import { listMissingPermissions } from '../channel-poster.js';
import { listMissingThreadPermissions } from '../discussion-poster.js';
import { CorpusDirectoryError } from '../../fs-corpus.js';
import type { CommandContext } from '../command.js';
import { answer, text } from '../replies.js';
import { describeFeedSettings, listPreviewTitles } from './feed-text.js';
import { nameFeed, showFeedId } from './pick-feed.js';

/** The channel types a digest can be posted to (in a forum each paper is a post; a voice channel is not for reading). */
export const POSTABLE_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum] as const;

let knownZones: readonly string[] | null = null;
/** The time zones the runtime knows (ICU leaves UTC out of the list, though it accepts it), read once. */
export function listTimeZones(): readonly string[] {
  knownZones ??= ['UTC', ...Intl.supportedValuesOf('timeZone')];
  return knownZones;
}

/**
 * The channel `/digest setup` names, if the bot can post there: a text channel of this very server (the id of another
 * server's channel gets the same answer as an id that names nothing), where the bot has View Channel, Send Messages,
 * Embed Links and Read Message History, computed by discord.js from the cached roles and overwrites.
 */
export function checkDigestChannel(interaction: ChatInputCommandInteraction, guildId: string, channelId: string): GuildBasedChannel {
  const channel = interaction.client.channels.cache.get(channelId);
  if (!channel || channel.isDMBased() || channel.guildId !== guildId)
    throw new UserFacingError('That channel is not a channel of this server: pick one from the list Discord shows.');
  if (!(POSTABLE_CHANNEL_TYPES as readonly ChannelType[]).includes(channel.type))
    throw new UserFacingError(`<#${channel.id}> is not a text channel: digests go to a text, announcement or forum channel.`);
  const permissions = channel.permissionsFor(interaction.client.user);
  if (!permissions) throw new UserFacingError(`Paperboy cannot tell its permissions in <#${channel.id}> yet; try again in a minute.`);
  const missing = listMissingPermissions(permissions.bitfield);
  if (missing.length > 0) {
    const names = missing.length === 1 ? missing[0]! : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)!}`;
    throw new UserFacingError(
      `Paperboy cannot post digests in <#${channel.id}>: it lacks ${names} there. Grant ${missing.length === 1 ? 'it' : 'them'} to Paperboy in the channel's settings (Edit Channel → Permissions), then run \`/digest setup\` again.`,
    );
  }
  return channel;
}

/**
 * `/digest setup`: creates the feed of a channel, or changes it (or the feed `feed` names, which then moves to the
 * channel), after checking every value; replies with the settings, the next run and a preview of the next digest.
 */
export async function runSetup(
  interaction: ChatInputCommandInteraction,
  context: CommandContext,
  guildId: string,
  options: RawFeedInput & { channel: string; feed?: string | undefined; threads?: string | undefined },
): Promise<void> {
  const { desk } = context;
  const channel = checkDigestChannel(interaction, guildId, options.channel);
  const parsed = parseFeedInput(options, listTimeZones());
  const threads = options.threads === undefined ? undefined : parseThreadsInput(options.threads);
  const reasons = [...(parsed.ok ? [] : parsed.reasons), ...(threads && !threads.ok ? [threads.reason] : [])];
  if (!parsed.ok || (threads && !threads.ok)) throw new UserFacingError(`Nothing was changed:\n${reasons.map((r) => `• ${r}`).join('\n')}`);
  let before: FeedView | null;
  if (options.feed !== undefined) {
    before = desk.get(guildId, options.feed.trim());
    if (!before) throw new FeedNotFoundError(showFeedId(options.feed));
  } else {
    const here = desk.inChannel(guildId, channel.id);
    if (here.length > 1)
      throw new UserFacingError(
        `Several feeds post to <#${channel.id}>: name the one to change with the \`feed\` option: ${here.map(nameFeed).join(', ')}.`,
      );
    before = here[0] ?? null;
  }
  // Saving and the preview read the corpus and the database: more than Discord's 3 seconds on a large corpus.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { layout, ...settings } = parsed.value;
  const featureOptions = { ...settings.options, ...(layout ? { layout } : {}), ...(threads?.ok ? { threads: threads.value } : {}) };
  const changes = { channelId: channel.id, ...settings, ...(Object.keys(featureOptions).length > 0 ? { options: featureOptions } : {}) };
  const view = await desk.setUp(guildId, changes, interaction.user.id, before?.feed.id);
  const moved =
    before?.feed.channelId && before.feed.channelId !== channel.id
      ? ` (moved from <#${before.feed.channelId}>: what it posted stays posted)`
      : '';
  context.logger.info(
    { guild: guildId, user: interaction.user.id, feed: view.feed.id, channel: channel.id },
    `/digest setup: ${before ? 'changed' : 'created'} feed ${view.feed.id}`,
  );
  const head = `${before ? 'Changed' : 'Created'} the feed${moved}.`;
  const discussion = describeDiscussion(interaction.client, view.feed);
  await answer(
    interaction,
    text(
      `${head}\n${describeFeedSettings(view)}${discussion ? `\n${discussion}` : ''}\n${await describeNextDigest(context, guildId, view)}`,
    ),
  );
}

/**
 * How a feed's papers are discussed, checked against the bot's permissions now: a forum post each, a thread each
 * (or why not: Create Public Threads and Send Messages in Threads are missing), or null when threads are off.
 */
export function describeDiscussion(client: Client, feed: Feed): string | null {
  const { problem } = readDiscussionOptions(feed.options);
  if (problem)
    return `**Discussion:** ⚠️ the feed's stored options are invalid (${escapeAndFit(problem, 200)}), so it posts without threads; set them again with \`/digest setup threads:\`.`;
  const channel = feed.channelId ? client.channels.cache.get(feed.channelId) : undefined;
  if (channel?.type === ChannelType.GuildForum)
    return `**Discussion:** each paper is a post of the forum, tagged with its topics${isThreadsOn(feed) ? ' (the `threads` option does not apply to a forum)' : ''}.`;
  if (!isThreadsOn(feed)) return null;
  const granted = channel && !channel.isDMBased() && client.user ? channel.permissionsFor(client.user)?.bitfield : undefined;
  const missing = granted === undefined ? [] : listMissingThreadPermissions(granted);
  if (missing.length > 0)
    return `**Discussion:** ⚠️ threads are on, but Paperboy lacks ${missing.join(' and ')} in <#${channel!.id}>: papers are posted without threads until ${missing.length === 1 ? 'it is' : 'they are'} granted (Edit Channel → Permissions).`;
  return "**Discussion:** a public thread on each paper's message, named after the paper; mentions go in the thread.";
}

/** The preview part of the setup reply: what the next digest of the feed would post. */
async function describeNextDigest(context: CommandContext, guildId: string, view: FeedView): Promise<string> {
  try {
    const preview = await context.desk.runner(guildId, view.feed.id).preview();
    if (preview.papers.length === 0) return '**Next digest:** nothing to post: no unposted papers match this feed in the corpus.';
    return `**Next digest** (${preview.papers.length} of them, ${preview.remainingAfter} left after):\n${listPreviewTitles(preview.papers)}`;
  } catch (error) {
    if (error instanceof CorpusDirectoryError) return `**Next digest:** cannot be previewed: ${escapeAndFit(error.message, 500)}`;
    throw error;
  }
}
