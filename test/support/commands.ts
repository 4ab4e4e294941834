import { SLASH_COMMANDS } from '../../src/adapters/discord/commands/index.js';

/** How many slash commands Paperboy registers: tests read it from the one command list instead of a number. */
export const COMMAND_COUNT = SLASH_COMMANDS.length;
/** The names of Paperboy's slash commands, sorted. */
export const COMMAND_NAMES: readonly string[] = SLASH_COMMANDS.map((command) => command.data.name).sort();
/** Matches the log line of a registration of every command (optionally in a scope such as `global`). */
export const registeredAll = (scope?: string): RegExp =>
  new RegExp(`registered ${COMMAND_COUNT} slash commands${scope ? ` \\(${scope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)` : ''}`);
