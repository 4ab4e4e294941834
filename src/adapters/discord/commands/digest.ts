import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type ChatInputCommandInteraction,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import { listUnposted } from '../../../core/digest.js';
import { listDigestConcerns } from '../../../core/health.js';
import { escapeAndFit } from '../../../core/markdown.js';
import { formatLocalTime } from '../../../core/time.js';
import { UserFacingError } from '../../../app/errors.js';
import { REMOVED_FROM_CORPUS_REASON, requeueRefused } from '../../../app/run-digest.js';
import { CorpusDirectoryError } from '../../fs-corpus.js';
import type { CommandContext, CommandData, SlashCommand } from '../command.js';
import { readSubcommand, type SubcommandName } from '../command-options.js';
import { answer, text } from '../replies.js';

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'digest',
  description: 'Control the paper digest (admins)',
  // Hidden from members without Manage Server by default; the handler checks again on the server side.
  default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'now', description: 'Post the next digest now' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'preview', description: 'Show what the next digest will contain' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'status', description: 'Next run, last run, papers posted and left' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'retry', description: 'Queue the papers Discord refused again' },
  ],
} as const satisfies CommandData;

type Subcommand = (interaction: ChatInputCommandInteraction, context: CommandContext) => Promise<void>;

/** One handler per subcommand of the definition (the type makes a missing one a compile error). */
const SUBCOMMANDS: Record<SubcommandName<typeof data>, Subcommand> = {
  async now(interaction, context) {
    // Posting takes longer than Discord's 3 seconds: acknowledge first, then report.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await context.runner.run();
    const summary =
      result.outcome === 'busy'
        ? 'A digest is being posted right now; try again in a moment.'
        : result.outcome === 'empty'
          ? 'No unposted papers remain in the corpus: nothing was posted. Add page copies to the corpus folder to post more.'
          : result.outcome === 'failed'
            ? `The digest could not be posted: ${result.error ?? 'unknown error'}. Unposted papers stay queued for the next run.`
            : `Posted digest #${result.digest}: ${result.posted.length} paper${result.posted.length === 1 ? '' : 's'}${result.failed.length ? `, ${result.failed.length} refused by Discord (see /digest status)` : ''}; ${result.remaining} left.${result.outcome === 'partial' && result.failed.length === 0 ? ' Some papers of it are held back or missing from the corpus: see `/digest status`.' : ''}`;
    await answer(interaction, text(summary));
  },
  async preview(interaction, context) {
    const preview = await context.runner.preview().catch((error: unknown) => {
      if (error instanceof CorpusDirectoryError)
        throw new UserFacingError(`The next digest cannot be previewed: ${escapeAndFit(error.message, 500)}`);
      throw error;
    });
    if (preview.papers.length === 0) {
      await answer(interaction, text('The next digest would post nothing: no unposted papers remain in the corpus.'));
      return;
    }
    const lines = preview.papers.map((p, i) => `${i + 1}. ${escapeAndFit(p.title, 180)}${p.published ? ` (${p.published})` : ''}`);
    await answer(
      interaction,
      text(
        `The next digest${preview.resuming ? ' (finishing an interrupted one)' : ''} will post ${preview.papers.length} paper${preview.papers.length === 1 ? '' : 's'}; ${preview.remainingAfter} will remain:\n${lines.join('\n')}`,
      ),
    );
  },
  async status(interaction, context) {
    await answer(interaction, text(describeStatus(context)));
  },
  async retry(interaction, context) {
    const ids = await requeueRefused(context.store, context.feedId);
    context.logger.info({ user: interaction.user.id, papers: ids }, `/digest retry: ${ids.length} refused paper(s) queued again`);
    await answer(
      interaction,
      text(
        ids.length === 0
          ? 'No refused papers to retry: nothing changed.'
          : `Queued ${ids.length} refused paper${ids.length === 1 ? '' : 's'} again: ${ids.length === 1 ? 'it goes' : 'they go'} out with the next digests, in corpus order. If Discord refuses one again, \`/digest status\` says so.`,
      ),
    );
  },
};

/**
 * `/digest now|preview|status|retry` for admins. The definition hides it from members without Manage Server, but a
 * server admin can grant it to anyone in the integration settings, so the permission is checked here again.
 */
export const digestCommand = {
  data,
  async execute(interaction, context) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a permission gate fails closed, even without permissions
    if (!interaction.inGuild() || !interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      context.logger.warn({ user: interaction.user.id }, '/digest refused: the member lacks Manage Server');
      throw new UserFacingError('Only members with the Manage Server permission can control the digest.');
    }
    await SUBCOMMANDS[readSubcommand(interaction, data)](interaction, context);
  },
} satisfies SlashCommand;

/** The digest's state for admins: next run, last run, posted, left, refused papers, and why nothing was posted. */
export function describeStatus(context: CommandContext): string {
  const { papers } = context.catalog.current();
  const dest = context.store.read().progress.get(context.feedId);
  if (!dest) return 'This digest has no record yet: it is being set up.';
  const view = { progress: dest, posted: context.store.posted(context.feedId) };
  const next = context.nextRun();
  const left = listUnposted(papers, view, 'corpus').length;
  const failures = Object.values(dest.failed);
  // Older versions recorded a planned paper missing from the corpus as failed: Discord never refused those.
  const removed = failures.filter((f) => f.reason === REMOVED_FROM_CORPUS_REASON).length;
  const failed = failures.length - removed;
  const concerns = [
    ...listDigestConcerns(dest, { location: context.catalog.source.location, problems: context.catalog.problems() }),
    ...(context.sourceConcerns?.() ?? []),
  ];
  const last = dest.lastRun
    ? `${formatLocalTime(dest.lastRun.at, context.timezone)}: ${dest.lastRun.outcome}, ${dest.lastRun.posted} posted${dest.lastRun.error ? ` (${escapeAndFit(dest.lastRun.error, 300)})` : ''}`
    : 'never';
  return [
    `**Next run:** ${next ? formatLocalTime(next, context.timezone) : 'not scheduled'}`,
    `**Last run:** ${last}`,
    `**Posted:** ${view.posted.size} papers in ${dest.digests} digests`,
    `**Left:** ${left === 0 ? 'none: no unposted papers remain' : `${left} of ${papers.length}`}`,
    ...(dest.inFlight ? [`**Interrupted digest:** #${dest.inFlight.digest} will be finished at the next run`] : []),
    ...(failed ? [`**Refused by Discord:** ${failed} (see the logs for why; \`/digest retry\` queues them again)`] : []),
    ...(removed ? [`**Skipped as missing from the corpus by an older version:** ${removed} (\`/digest retry\` queues them again)`] : []),
    ...concerns.map((concern) => `**Attention:** ${escapeAndFit(concern, 450)}`),
  ].join('\n');
}
