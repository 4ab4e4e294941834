import { randomBytes } from 'node:crypto';
import {
  ButtonStyle,
  ComponentType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import { FeedNotFoundError, type FeedView } from '../../../app/feed-desk.js';
import type { CommandContext } from '../command.js';
import { nameFeed } from './pick-feed.js';

/** How long a remove button stays valid: long enough to read the question, short enough that a stale one is refused. */
export const CONFIRM_TTL_MS = 5 * 60_000;
// Bounds the questions kept when admins never answer them.
const MAX_PENDING = 1000;

/** A removal asked for and not answered yet. */
interface Pending {
  guildId: string;
  feedId: string;
  userId: string;
  expiresAt: number;
}

/** The confirmations under way, by nonce: in memory, so a restart expires them (the click then says so). */
const pending = new Map<string, Pending>();

const CUSTOM_ID = /^digest:(remove|keep):([a-z0-9][a-z0-9_-]{0,63}):([0-9a-f]{16})$/;

/** `/digest remove`: asks the admin to confirm with a button that only they can use, for a few minutes. */
export async function askRemoval(interaction: ChatInputCommandInteraction, context: CommandContext, view: FeedView): Promise<void> {
  const now = context.clock.now().getTime();
  for (const [nonce, question] of pending) if (question.expiresAt <= now || pending.size >= MAX_PENDING) pending.delete(nonce);
  const nonce = randomBytes(8).toString('hex');
  pending.set(nonce, { guildId: view.feed.guildId!, feedId: view.feed.id, userId: interaction.user.id, expiresAt: now + CONFIRM_TTL_MS });
  await interaction.reply({
    content: `Remove the feed ${nameFeed(view)} (${view.posted} papers posted)? Its schedule and history are deleted; a feed set up later may post the same papers again. This button works for 5 minutes.`,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Remove', custom_id: `digest:remove:${view.feed.id}:${nonce}` },
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Keep it', custom_id: `digest:keep:${view.feed.id}:${nonce}` },
        ],
      },
    ],
    allowedMentions: { parse: [] },
    flags: MessageFlags.Ephemeral,
  });
}

/**
 * A click on a remove or keep button: acts only for the admin who asked, in the server it was asked in, while they
 * still have Manage Server, within {@link CONFIRM_TTL_MS}, and once.
 */
export async function answerRemoval(interaction: ButtonInteraction, context: CommandContext): Promise<void> {
  const match = CUSTOM_ID.exec(interaction.customId);
  const question = match ? pending.get(match[3]!) : undefined;
  const settle = (content: string) => interaction.update({ content, components: [], allowedMentions: { parse: [] } });
  if (!match || !question || question.feedId !== match[2] || question.guildId !== interaction.guildId) {
    await settle('This button has expired or was already used: nothing was changed. Run `/digest remove` again.');
    return;
  }
  if (question.userId !== interaction.user.id) {
    await interaction.reply({
      content: 'Only the admin who asked can answer this.',
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
    return;
  }
  pending.delete(match[3]!);
  if (question.expiresAt <= context.clock.now().getTime()) {
    await settle('This button has expired: nothing was removed. Run `/digest remove` again.');
    return;
  }
  // A permission gate fails closed, even without permissions.
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    context.logger.warn({ user: interaction.user.id, feed: question.feedId }, '/digest remove refused: the member lacks Manage Server');
    await settle('Only members with the Manage Server permission can remove a feed: nothing was removed.');
    return;
  }
  if (match[1] === 'keep') {
    await settle(`Kept the feed \`${question.feedId}\`: nothing was removed.`);
    return;
  }
  try {
    await context.desk.remove(question.guildId, question.feedId, interaction.user.id);
  } catch (error) {
    if (!(error instanceof FeedNotFoundError)) throw error;
    await settle(`The feed \`${question.feedId}\` no longer exists: nothing was removed.`);
    return;
  }
  context.logger.info(
    { guild: question.guildId, user: interaction.user.id, feed: question.feedId },
    `/digest remove: removed feed ${question.feedId}`,
  );
  await settle(`Removed the feed \`${question.feedId}\`: it posts nothing more, and its history is deleted.`);
}
