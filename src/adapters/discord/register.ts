import { REST, Routes } from 'discord.js';
import { buildDefinitions, type CommandScope } from './definitions.js';
import { classifyDiscordError } from './channel-poster.js';

/** Puts the command definitions on Discord (bulk overwrite: the list replaces whatever was registered before). */
export async function registerCommands(options: { rest: REST; applicationId: string; scope: CommandScope }): Promise<number> {
  const route =
    options.scope.kind === 'guild'
      ? Routes.applicationGuildCommands(options.applicationId, options.scope.guildId)
      : Routes.applicationCommands(options.applicationId);
  try {
    const result = (await options.rest.put(route, { body: buildDefinitions(options.scope) })) as unknown[];
    return result.length;
  } catch (error) {
    throw classifyDiscordError(error, `PUT ${route}`);
  }
}

/** A REST client for one-off commands (no gateway connection needed). */
export function createRestClient(token: string, apiUrl: string): REST {
  return new REST({ api: apiUrl }).setToken(token);
}

/** The application id of the bot behind a token (`GET /applications/@me`). */
export async function fetchApplicationId(rest: REST): Promise<string> {
  try {
    const app = (await rest.get(Routes.currentApplication())) as { id: string };
    return app.id;
  } catch (error) {
    throw classifyDiscordError(error, 'GET /applications/@me');
  }
}
