import { loadConfig } from '../../config.js';
import { SLASH_COMMANDS } from '../../adapters/discord/commands/index.js';
import { commandScopeFor, describeScope, hashDefinitions } from '../../adapters/discord/definitions.js';
import { createRestClient, fetchApplicationId, registerCommands } from '../../adapters/discord/register.js';
import { openDataStore, readDataStore } from '../../adapters/open-store.js';
import { createLogger } from '../../adapters/logger.js';
import { InvalidTokenError } from '../../adapters/discord/client.js';
import { systemClock } from '../../adapters/system-clock.js';
import { PostError } from '../../app/ports.js';
import { recordRegistration } from '../../core/store-dump.js';
import { dataStoreOptionsOf } from '../../session.js';
import { parseCommandArgs, UsageError } from '../args.js';
import type { CliCommand } from '../context.js';

/** `paperboy register`: puts the slash commands on Discord (guild-scoped with DISCORD_GUILD_ID, else global). */
export const registerCommand: CliCommand = {
  name: 'register',
  usage: `Usage: paperboy register

Puts ${listCommands()} on Discord. With
DISCORD_GUILD_ID they are registered in that server and appear at once; without it they are
global (Discord may take up to an hour to show them everywhere). Then it removes Paperboy's
commands from the scope no longer used: the global ones when registering in a server, and
those of every other server the bot is in (or was, as the database recorded). \`paperboy start\`
does this by itself whenever the definitions or the scope changed, so you only need this after
inviting the bot or changing DISCORD_GUILD_ID while the bot is stopped.

Exit codes: 0 registered (and nothing stale left), 1 a failure the message explains.

Options:
  -h, --help  show this help`,
  async run(argv, context) {
    parseCommandArgs('register', argv, {});
    const config = loadConfig(context.env);
    if (!config.discord.token)
      throw new UsageError('register needs DISCORD_TOKEN (set it in .env); console mode has no slash commands', 'register');
    const rest = createRestClient(config.discord.token, config.discord.apiUrl);
    const applicationId = await fetchApplicationId(rest).catch((error: unknown) => {
      throw error instanceof PostError && error.kind === 'unauthorized' ? new InvalidTokenError() : error;
    });
    const scope = commandScopeFor(config.discord.guildId);
    const logger = createLogger({ level: config.logLevel, secrets: [config.discord.token], pretty: context.isTty });
    const where = dataStoreOptionsOf(config, logger);
    // The previous scope is only a hint (every server the bot is in is checked too): an unreadable database is no reason to stop.
    const previousScope = await readDataStore(where).then(
      (store) => store.read().meta.commands?.scope ?? null,
      () => null,
    );
    const { count, cleared, problems } = await registerCommands({ rest, applicationId, scope, previousScope });
    context.out(
      `Registered ${count} slash commands (${describeScope(scope)}).${cleared.length ? ` Removed Paperboy's commands from ${cleared.join(', ')}.` : ''}\n`,
    );
    if (problems.length) {
      context.err(
        `paperboy register: could not remove Paperboy's commands from a scope it no longer uses (${problems.join('; ')}); run it again\n`,
      );
      return 1;
    }
    // Record the hash so the next start does not register again; a running bot holds the lock, which is fine.
    try {
      const store = await openDataStore(where);
      await store.updateMeta((m) =>
        recordRegistration(m, { hash: hashDefinitions(scope), scope: describeScope(scope), at: systemClock.now().toISOString() }),
      );
      await store.close();
    } catch (error) {
      context.err(
        `paperboy register: registered, but could not record it in the database (${(error as Error).message}); the next start registers once more\n`,
      );
    }
    return 0;
  },
};

/** The slash commands, as the help lists them: `/a, /b and /c`. */
function listCommands(): string {
  const names = SLASH_COMMANDS.map((command) => `/${command.data.name}`);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
