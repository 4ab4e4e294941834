import { randomUUID } from 'node:crypto';
import type { Interaction } from 'discord.js';
import { UserFacingError } from '../../app/errors.js';
import { DISCORD_LIMITS } from '../../core/discord-limits.js';
import { type AutocompleteChoice, sanitizeChoices } from './choices.js';
import type { CommandContext, SlashCommand } from './command.js';
import { SLASH_COMMANDS } from './commands/index.js';
import { NOT_IN_A_SERVER } from './command-options.js';
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

const REFUSED_CHOICE_VALUE = 'paperboy-refused';

/**
 * The one gate on where an interaction comes from: every server is served, each with its own feeds and members'
 * topics (the handlers scope everything by the interaction's server); a direct message has no server, so it is
 * refused before any handler runs.
 */
function checkOrigin(interaction: Interaction): string | null {
  return interaction.inGuild() ? null : NOT_IN_A_SERVER;
}

/**
 * The one place interactions (commands, autocomplete, buttons) are handled and errors caught: where an interaction
 * comes from is checked first ({@link checkOrigin}); expected problems get their own ephemeral message, anything else
 * is logged with an error id that the member's ephemeral reply also shows.
 */
export function createInteractionRouter(context: CommandContext, options: { commands?: readonly SlashCommand[] } = {}) {
  const { logger } = context;
  const byName = mapCommandsByName(options.commands ?? SLASH_COMMANDS);

  return async function route(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) {
      let choices: AutocompleteChoice[] = [];
      try {
        const refusal = checkOrigin(interaction);
        if (refusal) {
          choices = [{ name: "Paperboy's commands work inside a server only", value: REFUSED_CHOICE_VALUE }];
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
    const commandName = interaction.isChatInputCommand() ? interaction.commandName : interaction.isButton() ? interaction.customId : null;
    try {
      const refusal = checkOrigin(interaction);
      if (refusal) throw new UserFacingError(refusal);
      if (interaction.isButton()) {
        // A button's custom id starts with the name of the command whose reply carries it.
        const owner = byName.get(interaction.customId.split(':')[0] ?? '');
        if (!owner?.button) throw new UserFacingError('This button no longer does anything: run the command again.');
        await owner.button(interaction, context);
        return;
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
