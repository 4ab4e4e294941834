import { DiscordAPIError, REST, Routes } from 'discord.js';
import { DISCORD_LIMITS } from '../../core/discord-limits.js';
import { buildDefinitions, describeScope, type CommandScope } from './definitions.js';
import { classifyDiscordError } from './channel-poster.js';

/** What a registration did: commands put in the scope, stale scopes emptied, and those that could not be. */
export interface Registration {
  count: number;
  /** Scopes (`global`, `guild:<id>`) whose leftover Paperboy commands were removed. */
  cleared: string[];
  /** One line per scope that may still hold leftover commands, with why. */
  problems: string[];
}

const routeOf = (applicationId: string, scope: CommandScope) =>
  scope.kind === 'guild' ? Routes.applicationGuildCommands(applicationId, scope.guildId) : Routes.applicationCommands(applicationId);

/**
 * Puts the command definitions on Discord (bulk overwrite: the list replaces whatever was registered before), then
 * removes Paperboy's commands from every scope it no longer uses: left there, members would see each command twice,
 * and a global copy would let any server that invited the bot use it.
 */
export async function registerCommands(options: {
  rest: REST;
  applicationId: string;
  scope: CommandScope;
  previousScope?: string | null;
}): Promise<Registration> {
  const route = routeOf(options.applicationId, options.scope);
  let count: number;
  try {
    count = ((await options.rest.put(route, { body: buildDefinitions(options.scope) })) as unknown[]).length;
  } catch (error) {
    throw classifyDiscordError(error, `PUT ${route}`);
  }
  // Registered first: a failure below leaves duplicates for a while, never a server without commands.
  return { count, ...(await clearStaleCommands(options)) };
}

/**
 * Empties every scope of the application but `scope`: the global one (when registering in a server), the recorded
 * previous server, and every server the bot is in. Each is read first, so a scope that is already empty costs
 * one GET and no write.
 */
export async function clearStaleCommands(options: {
  rest: REST;
  applicationId: string;
  scope: CommandScope;
  previousScope?: string | null;
}): Promise<{ cleared: string[]; problems: string[] }> {
  const { rest, applicationId, scope } = options;
  const cleared: string[] = [];
  const problems: string[] = [];
  const stale: CommandScope[] = scope.kind === 'guild' ? [{ kind: 'global' }] : [];
  const guildIds = new Set<string>();
  const previous = /^guild:(\d{1,20})$/.exec(options.previousScope ?? '');
  if (previous) guildIds.add(previous[1]!);
  try {
    for (const id of await listBotGuildIds(rest)) guildIds.add(id);
  } catch (error) {
    problems.push(`cannot list the bot's servers (GET /users/@me/guilds): ${describeError(error)}`);
  }
  if (scope.kind === 'guild') guildIds.delete(scope.guildId);
  for (const guildId of guildIds) stale.push({ kind: 'guild', guildId });

  for (const target of stale) {
    const route = routeOf(applicationId, target);
    try {
      const existing = (await rest.get(route)) as unknown[];
      if (existing.length === 0) continue;
      await rest.put(route, { body: [] });
      cleared.push(describeScope(target));
    } catch (error) {
      // Missing Access: the bot left that server (or never had the commands scope there): no commands to remove.
      if (error instanceof DiscordAPIError && error.status === 403 && error.code === 50001) continue;
      problems.push(`${describeScope(target)}: ${describeError(error)}`);
    }
  }
  return { cleared, problems };
}

/** Every server the bot is in (`GET /users/@me/guilds`, a full page at a time, in id order). */
export async function listBotGuildIds(rest: REST): Promise<string[]> {
  const ids: string[] = [];
  // 1,000 pages are 200,000 servers: far beyond any Paperboy, and a bound should a page ever repeat itself.
  for (let pages = 0; pages < 1000; pages += 1) {
    const query = new URLSearchParams({ limit: String(DISCORD_LIMITS.guildsPerPage), ...(ids.length ? { after: ids.at(-1)! } : {}) });
    const page = (await rest.get(Routes.userGuilds(), { query })) as Array<{ id: string }>;
    ids.push(...page.map((g) => g.id));
    if (page.length < DISCORD_LIMITS.guildsPerPage) break;
  }
  return ids;
}

function describeError(error: unknown): string {
  return error instanceof DiscordAPIError ? `${error.status} ${error.message}` : error instanceof Error ? error.message : String(error);
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
