import type { AutocompleteInteraction, ChatInputCommandInteraction, ButtonInteraction } from 'discord.js';
import { UserFacingError } from '../../../app/errors.js';
import { FeedNotFoundError, type FeedDesk, type FeedView } from '../../../app/feed-desk.js';
import { DISCORD_LIMITS } from '../../../core/discord-limits.js';
import { describeSchedule } from '../../../core/feed-input.js';
import { escapeMarkdown, sliceText } from '../../../core/markdown.js';
import type { AutocompleteChoice } from '../choices.js';

/** A feed id as a member typed it, safe to show back (it is untrusted text). */
export function showFeedId(id: string): string {
  return escapeMarkdown(sliceText(id.trim(), 64));
}

/** A feed as one short line: `` `nlp` in <#123> ``. */
export function nameFeed(view: FeedView): string {
  return `\`${view.feed.id}\`${view.feed.channelId ? ` in <#${view.feed.channelId}>` : ''}`;
}

/**
 * The feed a `/digest` subcommand acts on, within the server it was typed in: the one named by `feed` (a feed of
 * another server is unknown, the same answer as an id nobody uses), else the one of the current channel. When the
 * channel has none or several, the error lists the `feed:` values this server has.
 */
export function pickFeed(desk: FeedDesk, guildId: string, channelId: string | null, feedId: string | undefined): FeedView {
  if (feedId !== undefined && feedId.trim() !== '') {
    const view = desk.get(guildId, feedId.trim());
    if (!view) throw new FeedNotFoundError(showFeedId(feedId));
    return view;
  }
  const all = desk.list(guildId);
  if (all.length === 0) throw new UserFacingError('This server has no digest yet: create one with `/digest setup channel:#a-channel`.');
  const here = channelId ? all.filter((view) => view.feed.channelId === channelId) : [];
  if (here.length === 1) return here[0]!;
  const choices = (here.length > 1 ? here : all).map(nameFeed);
  const listed = `${choices.slice(0, 20).join(', ')}${choices.length > 20 ? `, and ${choices.length - 20} more (\`/digest list\`)` : ''}`;
  throw new UserFacingError(
    here.length > 1
      ? `Several feeds post to this channel: pick one with the \`feed\` option: ${listed}.`
      : `This channel has no feed: pick one with the \`feed\` option (this server's feeds: ${listed}), or run the command in its channel.`,
  );
}

/** The autocomplete of a `feed` option: this server's feeds (and no other's) whose id or channel name holds the typed text. */
export function suggestFeeds(
  desk: FeedDesk,
  interaction: AutocompleteInteraction | ChatInputCommandInteraction | ButtonInteraction,
  typed: string,
): AutocompleteChoice[] {
  if (!interaction.guildId) return [];
  const wanted = typed.trim().toLowerCase();
  return desk
    .list(interaction.guildId)
    .map((view) => {
      const channel = view.feed.channelId ? interaction.guild?.channels.cache.get(view.feed.channelId)?.name : undefined;
      const where = channel ? `#${channel}` : 'no channel';
      return { view, where };
    })
    .filter(({ view, where }) => !wanted || view.feed.id.includes(wanted) || where.toLowerCase().includes(wanted))
    .slice(0, DISCORD_LIMITS.autocompleteChoices)
    .map(({ view, where }) => ({
      name: sliceText(
        `${view.feed.id} · ${where} · ${describeSchedule(view.feed.schedule)}${view.feed.paused ? ' · paused' : ''}`,
        DISCORD_LIMITS.choiceName,
      ),
      value: view.feed.id,
    }));
}
