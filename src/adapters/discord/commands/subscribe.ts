import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import { UserFacingError } from '../../../app/errors.js';
import { DISCORD_LIMITS } from '../../../core/discord-limits.js';
import { AUTHOR_PREFIX, collectNames, describeFollow, filterNames, type NameCount, ORG_PREFIX } from '../../../core/follows.js';
import { escapeMarkdown, sliceText } from '../../../core/markdown.js';
import type { Paper } from '../../../core/paper.js';
import { MAX_TOPICS } from '../../../core/subscriptions.js';
import { filterTopicSuggestions, TOPIC_MAX_LENGTH, TOPIC_MIN_LENGTH } from '../../../core/topics.js';
import type { CommandData, SlashCommand } from '../command.js';
import { readFocusedText, readOptions, readGuildId } from '../command-options.js';
import { answer, text } from '../replies.js';

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'subscribe',
  description: 'Get mentioned when a digest posts a paper on a topic, by an author, or from an organisation',
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'topic',
      description: 'A word or phrase, e.g. "scaling laws"; leave words out with a minus: "rl -robotics"',
      autocomplete: true,
      min_length: TOPIC_MIN_LENGTH,
      max_length: TOPIC_MAX_LENGTH,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'author',
      description: 'Follow an author (names the corpus lists are suggested)',
      autocomplete: true,
      min_length: 2,
      max_length: TOPIC_MAX_LENGTH - AUTHOR_PREFIX.length,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'org',
      description: 'Follow an organisation (those the corpus names are suggested)',
      autocomplete: true,
      min_length: 2,
      max_length: TOPIC_MAX_LENGTH - ORG_PREFIX.length,
    },
    {
      type: ApplicationCommandOptionType.Boolean,
      name: 'dm',
      description: 'Get one direct message per digest instead of mentions',
      required: false,
    },
  ],
} as const satisfies CommandData;

// The corpus's authors and organisations, counted once per corpus snapshot (its papers array), not per keystroke.
const namesCache = new WeakMap<readonly Paper[], { author?: NameCount[]; org?: NameCount[] }>();

function namesOf(papers: readonly Paper[], kind: 'author' | 'org'): NameCount[] {
  let cached = namesCache.get(papers);
  if (!cached) namesCache.set(papers, (cached = {}));
  return (cached[kind] ??= collectNames(papers, kind));
}

/** What the member asked to follow, as the store keeps it: exactly one of a topic, an author or an organisation. */
function readFollow(options: { topic?: string | undefined; author?: string | undefined; org?: string | undefined }): string {
  const given = [
    options.topic !== undefined && options.topic.trim() !== '' ? options.topic : null,
    options.author !== undefined ? `${AUTHOR_PREFIX}${options.author}` : null,
    options.org !== undefined ? `${ORG_PREFIX}${options.org}` : null,
  ].filter((v) => v !== null);
  if (given.length !== 1)
    throw new UserFacingError(
      given.length === 0
        ? 'Give a `topic`, an `author` or an `org` to follow, e.g. `/subscribe topic:scaling laws`.'
        : 'Give one of `topic`, `author` or `org` at a time.',
    );
  return given[0]!;
}

/**
 * `/subscribe topic:<text> | author:<name> | org:<name> [dm:<bool>]`: follow a topic (with words to leave out), an
 * author or an organisation; says how many corpus papers already match.
 */
export const subscribeCommand = {
  data,
  async execute(interaction, context) {
    const options = readOptions(interaction, data);
    const guildId = readGuildId(interaction);
    const result = await context.subscriptions.subscribe(guildId, interaction.user.id, readFollow(options), options.dm);
    // Saved all the same: the topics apply from the first digest an admin sets up here.
    const noDigest =
      context.desk.list(guildId).length === 0
        ? '\nThis server has no digest yet, so nothing is posted here for now: an admin can create one with `/digest setup`.'
        : '';
    const topic = describeFollow(result.topic, escapeMarkdown);
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
    const focused = interaction.options.getFocused(true).name;
    if (focused === 'author' || focused === 'org')
      return filterNames(
        namesOf(context.catalog.current().papers, focused),
        readFocusedText(interaction),
        DISCORD_LIMITS.autocompleteChoices,
      ).map(({ name, papers }) => ({
        name: sliceText(`${name} (${papers} ${papers === 1 ? 'paper' : 'papers'})`, DISCORD_LIMITS.choiceName),
        value: name,
      }));
    return filterTopicSuggestions(context.catalog.current().topics, readFocusedText(interaction));
  },
} satisfies SlashCommand;
