import { createHash } from 'node:crypto';
import { ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import type { CommandDefinition, SlashCommand } from './command.js';
import { SLASH_COMMANDS } from './commands/index.js';

/** Where commands are registered: one server (instant) or everywhere (global; Discord may take a while to show them). */
export type CommandScope = { kind: 'guild'; guildId: string } | { kind: 'global' };

/** The scope the configuration asks for: the configured server (DISCORD_GUILD_ID), else global. */
export function commandScopeFor(guildId: string | null): CommandScope {
  return guildId ? { kind: 'guild', guildId } : { kind: 'global' };
}

/** A short name of a scope for logs and the state file. */
export function describeScope(scope: CommandScope): string {
  return scope.kind === 'guild' ? `guild:${scope.guildId}` : 'global';
}

/**
 * The definitions for a scope, from the command list. Global commands say they work in servers only (never in DMs
 * with the bot); guild commands may not carry `contexts` at all (Discord refuses them), as they only exist in their
 * server.
 */
export function buildDefinitions(scope: CommandScope, commands: readonly SlashCommand[] = SLASH_COMMANDS): CommandDefinition[] {
  // A copy: the modules' `data` stays untouched whatever a caller does with the result.
  const definitions = commands.map((command) => structuredClone(command.data) as CommandDefinition);
  if (scope.kind === 'guild') return definitions;
  return definitions.map((d) => ({
    ...d,
    contexts: [InteractionContextType.Guild],
    integration_types: [ApplicationIntegrationType.GuildInstall],
  }));
}

/** A hash of what is registered: registration is skipped at start when it has not changed (Discord rate-limits it). */
export function hashDefinitions(scope: CommandScope, commands: readonly SlashCommand[] = SLASH_COMMANDS): string {
  return createHash('sha256')
    .update(JSON.stringify(buildDefinitions(scope, commands)))
    .digest('hex')
    .slice(0, 16);
}
