import { createHash } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';

/** A slash command definition exactly as Discord's bulk-overwrite endpoint takes it. */
export type CommandDefinition = RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Every slash command of Paperboy, as plain data (the registry is this list; nothing is loaded by globbing). */
export const COMMAND_DEFINITIONS: readonly CommandDefinition[] = [
  {
    type: ApplicationCommandType.ChatInput,
    name: 'paper',
    description: 'Look up a paper of the corpus',
    options: [
      { type: ApplicationCommandOptionType.String, name: 'query', description: 'Title words, a topic, or pick a suggestion', required: true, autocomplete: true, min_length: 1, max_length: 200 },
      { type: ApplicationCommandOptionType.Boolean, name: 'public', description: 'Show the answer to the whole channel (default: only you)', required: false },
    ],
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: 'subscribe',
    description: 'Get mentioned when a digest posts a paper on a topic',
    options: [
      { type: ApplicationCommandOptionType.String, name: 'topic', description: 'A word or phrase, e.g. "scaling laws"', required: true, autocomplete: true, min_length: 2, max_length: 100 },
      { type: ApplicationCommandOptionType.Boolean, name: 'dm', description: 'Get one direct message per digest instead of mentions', required: false },
    ],
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: 'unsubscribe',
    description: 'Stop following a topic',
    options: [{ type: ApplicationCommandOptionType.String, name: 'topic', description: 'One of your topics', required: true, autocomplete: true, min_length: 1, max_length: 100 }],
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: 'subscriptions',
    description: 'List the topics you follow',
  },
  {
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
  },
];

/** Where commands are registered: one server (instant) or everywhere (global; Discord may take a while to show them). */
export type CommandScope = { kind: 'guild'; guildId: string } | { kind: 'global' };

/** A short name of a scope for logs and the state file. */
export function describeScope(scope: CommandScope): string {
  return scope.kind === 'guild' ? `guild:${scope.guildId}` : 'global';
}

/**
 * The definitions for a scope. Global commands say they work in servers only (never in DMs with the bot);
 * guild commands may not carry `contexts` at all (Discord refuses them), as they only exist in their server.
 */
export function buildDefinitions(scope: CommandScope): CommandDefinition[] {
  if (scope.kind === 'guild') return [...COMMAND_DEFINITIONS];
  return COMMAND_DEFINITIONS.map((d) => ({ ...d, contexts: [InteractionContextType.Guild], integration_types: [ApplicationIntegrationType.GuildInstall] }));
}

/** A hash of what is registered: registration is skipped at start when it has not changed (Discord rate-limits it). */
export function hashDefinitions(scope: CommandScope): string {
  return createHash('sha256').update(JSON.stringify(buildDefinitions(scope))).digest('hex').slice(0, 16);
}
