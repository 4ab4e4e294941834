import { sliceText } from '../../core/markdown.js';
import { randomUUID } from 'node:crypto';
import type { Interaction } from 'discord.js';
import { UserFacingError } from '../../app/errors.js';
import type { AutocompleteChoice, CommandContext, CommandHandler } from './command.js';
import { digestCommand } from './commands/digest.js';
import { paperCommand } from './commands/paper.js';
import { subscribeCommand, subscriptionsCommand, unsubscribeCommand } from './commands/subscribe.js';
import { answer, text } from './replies.js';

/** Every command handler by name: the one registry (it matches COMMAND_DEFINITIONS). */
export const COMMAND_HANDLERS: ReadonlyMap<string, CommandHandler> = new Map(
  [paperCommand, subscribeCommand, unsubscribeCommand, subscriptionsCommand, digestCommand].map((h) => [h.name, h as CommandHandler]),
);

/** Keeps autocomplete answers within Discord's rules whatever a handler returned. */
export function sanitizeChoices(choices: readonly AutocompleteChoice[]): AutocompleteChoice[] {
  const seen = new Set<string>();
  const out: AutocompleteChoice[] = [];
  for (const choice of choices) {
    const name = sliceText(choice.name, 100);
    const value = sliceText(choice.value, 100);
    if (!name || seen.has(value)) continue;
    seen.add(value);
    out.push({ name, value });
    if (out.length === 25) break;
  }
  return out;
}

/**
 * The one place interactions are handled and errors caught: expected problems get their own ephemeral message,
 * anything else is logged with an error id that the member's ephemeral reply also shows.
 */
export function createInteractionRouter(context: CommandContext, handlers: ReadonlyMap<string, CommandHandler> = COMMAND_HANDLERS) {
  const { logger } = context;
  return async function route(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) {
      let choices: AutocompleteChoice[] = [];
      try {
        const handler = handlers.get(interaction.commandName);
        choices = handler?.autocomplete ? sanitizeChoices(await handler.autocomplete(interaction, context)) : [];
      } catch (error) {
        logger.error({ command: interaction.commandName, err: error instanceof Error ? error.stack : String(error) }, 'autocomplete failed; answering with no choices');
      }
      await interaction.respond(choices).catch((error: unknown) => logger.warn({ command: interaction.commandName, err: String(error) }, 'could not answer autocomplete'));
      return;
    }
    if (!interaction.isRepliable()) return;
    if (!interaction.isChatInputCommand()) {
      await answer(interaction, text('Paperboy does not know this interaction.')).catch(() => undefined);
      return;
    }
    const handler = handlers.get(interaction.commandName);
    try {
      if (!handler) throw new UserFacingError(`Paperboy has no \`/${interaction.commandName.slice(0, 32)}\` command (its commands may be out of date: an admin can run \`paperboy register\`).`);
      if (!interaction.inGuild()) throw new UserFacingError("Paperboy's commands work inside its server, not in direct messages.");
      await handler.execute(interaction, context);
    } catch (error) {
      let message: string;
      if (error instanceof UserFacingError) {
        message = error.message;
      } else {
        const errorId = randomUUID().slice(0, 8);
        logger.error({ errorId, command: interaction.commandName, user: interaction.user.id, err: error instanceof Error ? error.stack : String(error) }, `command failed (error id ${errorId})`);
        message = `Something went wrong on Paperboy's side (error id ${errorId}). An admin can find it in the logs.`;
      }
      await answer(interaction, text(message)).catch((replyError: unknown) => logger.warn({ command: interaction.commandName, err: String(replyError) }, 'could not send the error reply'));
    }
  };
}
