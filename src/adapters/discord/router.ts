import { randomUUID } from 'node:crypto';
import type { Interaction } from 'discord.js';
import { UserFacingError } from '../../app/errors.js';
import { DISCORD_LIMITS } from '../../core/discord-limits.js';
import { type AutocompleteChoice, sanitizeChoices } from './choices.js';
import type { CommandContext, SlashCommand } from './command.js';
import { SLASH_COMMANDS } from './commands/index.js';
import type { HomeGuild } from './home-guild.js';
import { answer, text } from './replies.js';

/** The commands by name, as the router finds them; two commands with one name are a mistake caught here. */
export function mapCommandsByName(commands: readonly SlashCommand[]): ReadonlyMap<string, SlashCommand> {
  const byName = new Map<string, SlashCommand>();
  for (const command of commands) {
    if (byName.has(command.data.name)) throw new Error(`two slash commands are named /${command.data.name}`);
    byName.set(command.data.name, command);
  }
  return byName;
}

/** Why an interaction is refused before any handler sees it: the member's message and its autocomplete form. */
interface Refusal {
  message: string;
  /** The one autocomplete choice that says why (its value is refused in turn if picked). */
  choice: string;
  log: string | null;
}

const REFUSED_CHOICE_VALUE = 'paperboy-refused';

/**
 * The one gate on where an interaction comes from: Paperboy serves one server's digest (its channel's server), so
 * anything from another server, from a DM, or while that server is unknown is refused and touches nothing. A later
 * per-server design replaces this function and nothing else.
 */
async function checkOrigin(interaction: Interaction, homeGuild: HomeGuild): Promise<Refusal | null> {
  if (!interaction.inGuild()) {
    return {
      message: "Paperboy's commands work inside its server, not in direct messages.",
      choice: "Paperboy's commands work inside its server only",
      log: null,
    };
  }
  const home = await homeGuild.verdict();
  if (home.guildId === null) {
    return {
      message:
        'Paperboy cannot tell yet which server its digest belongs to, so it answers no commands for now. An admin of its server can find why in its logs.',
      choice: 'Paperboy cannot answer commands right now',
      log: `refused: ${home.reason}`,
    };
  }
  if (interaction.guildId === home.guildId) return null;
  return {
    message: 'Paperboy here serves the digest of another server; it cannot be used in this server.',
    choice: "Paperboy serves another server's digest; it cannot be used here",
    log: "refused an interaction from another server: Paperboy serves one server only (its digest channel's)",
  };
}

/**
 * The one place interactions are handled and errors caught: where an interaction comes from is checked first
 * ({@link checkOrigin}); expected problems get their own ephemeral message, anything else is logged with an error
 * id that the member's ephemeral reply also shows.
 */
export function createInteractionRouter(context: CommandContext, options: { homeGuild: HomeGuild; commands?: readonly SlashCommand[] }) {
  const { logger } = context;
  const byName = mapCommandsByName(options.commands ?? SLASH_COMMANDS);
  // One warning per foreign server and reason (a stranger's every keystroke would flood the log otherwise).
  const warned = new Set<string>();
  const noteRefusal = (interaction: Interaction, refusal: Refusal): void => {
    if (!refusal.log) return;
    const key = `${interaction.guildId ?? 'dm'}:${refusal.log}`;
    const fields = {
      guild: interaction.guildId,
      user: interaction.user.id,
      command: 'commandName' in interaction ? interaction.commandName : null,
    };
    if (warned.has(key) || warned.size >= 1000) {
      logger.debug(fields, refusal.log);
      return;
    }
    warned.add(key);
    logger.warn(fields, refusal.log);
  };

  return async function route(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) {
      let choices: AutocompleteChoice[] = [];
      try {
        const refusal = await checkOrigin(interaction, options.homeGuild);
        if (refusal) {
          noteRefusal(interaction, refusal);
          choices = [{ name: refusal.choice, value: REFUSED_CHOICE_VALUE }];
        } else {
          const command = byName.get(interaction.commandName);
          choices = command?.autocomplete ? sanitizeChoices(await command.autocomplete(interaction, context)) : [];
        }
      } catch (error) {
        logger.error({ command: interaction.commandName, err: error }, 'autocomplete failed; answering with no choices');
      }
      await interaction
        .respond(choices)
        .catch((error: unknown) => logger.warn({ command: interaction.commandName, err: error }, 'could not answer autocomplete'));
      return;
    }
    if (!interaction.isRepliable()) return;
    const commandName = interaction.isChatInputCommand() ? interaction.commandName : null;
    try {
      const refusal = await checkOrigin(interaction, options.homeGuild);
      if (refusal) {
        noteRefusal(interaction, refusal);
        throw new UserFacingError(refusal.message);
      }
      if (!interaction.isChatInputCommand()) throw new UserFacingError('Paperboy does not know this interaction.');
      const command = byName.get(interaction.commandName);
      if (!command)
        throw new UserFacingError(
          `Paperboy has no \`/${interaction.commandName.slice(0, DISCORD_LIMITS.commandName)}\` command (its commands may be out of date: an admin can run \`paperboy register\`).`,
        );
      await command.execute(interaction, context);
    } catch (error) {
      let message: string;
      if (error instanceof UserFacingError) {
        message = error.message;
      } else {
        const errorId = randomUUID().slice(0, 8);
        logger.error({ errorId, command: commandName, user: interaction.user.id, err: error }, `command failed (error id ${errorId})`);
        message = `Something went wrong on Paperboy's side (error id ${errorId}). An admin can find it in the logs.`;
      }
      await answer(interaction, text(message)).catch((replyError: unknown) =>
        logger.warn({ command: commandName, err: replyError }, 'could not send the error reply'),
      );
    }
  };
}
