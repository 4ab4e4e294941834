import type { AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { CorpusCatalog } from '../../app/corpus-catalog.js';
import { UserFacingError } from '../../app/errors.js';
import type { Clock, Logger, StateStore } from '../../app/ports.js';
import type { DigestRunner } from '../../app/run-digest.js';
import type { Subscriptions } from '../../app/subscriptions.js';

/** What every command handler may use. */
export interface CommandContext {
  catalog: CorpusCatalog;
  store: StateStore;
  runner: DigestRunner;
  subscriptions: Subscriptions;
  clock: Clock;
  logger: Logger;
  timezone: string;
  /** The digest destination's key in the state (`channel:<id>`). */
  destination: string;
  guildId: string | null;
  channelId: string | null;
  nextRun(): Date | null;
}

/** An autocomplete choice as Discord takes it. */
export interface AutocompleteChoice {
  name: string;
  value: string;
}

/** One slash command: its name, what it does, and its autocomplete (if any). */
export interface CommandHandler {
  name: string;
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<AutocompleteChoice[]> | AutocompleteChoice[];
}

const MALFORMED = (name: string) =>
  new UserFacingError(`The \`${name}\` option arrived in a shape Paperboy cannot read. Try the command again, picking from the suggestions.`);

/** Reads a string option; a payload that does not carry it as a string is the member's problem, told kindly. */
export function readStringOption(interaction: ChatInputCommandInteraction, name: string): string {
  let value: unknown;
  try {
    value = interaction.options.getString(name, false);
  } catch {
    throw MALFORMED(name);
  }
  // discord.js checks the option's declared type, not its value: a corrupt payload can carry anything.
  if (value !== null && typeof value !== 'string') throw MALFORMED(name);
  if (value === null || value.trim() === '') throw new UserFacingError(`Please give a \`${name}\`.`);
  return value;
}

/** Reads an optional boolean option; anything that is not a real boolean counts as "not given". */
export function readBooleanOption(interaction: ChatInputCommandInteraction, name: string): boolean | undefined {
  let value: unknown;
  try {
    value = interaction.options.getBoolean(name, false);
  } catch {
    return undefined;
  }
  return typeof value === 'boolean' ? value : undefined;
}
