import type { REST } from 'discord.js';
import type { Clock, Logger, Store } from '../../app/ports.js';
import { recordRegistration } from '../../core/store-dump.js';
import { describeScope, hashDefinitions, type CommandScope } from './definitions.js';
import { registerCommands } from './register.js';

/**
 * Registers the slash commands when their definitions (or scope) changed since the registration the store recorded,
 * and removes them from the scope no longer used. What could not be removed is retried at the next start (nothing is
 * recorded). Never throws: the digests run without commands, and the log says what to do.
 */
export async function registerCommandsIfChanged(options: {
  rest: REST;
  applicationId: string;
  scope: CommandScope;
  store: Store;
  logger: Logger;
  clock: Clock;
}): Promise<void> {
  const { rest, applicationId, scope, store, logger, clock } = options;
  const hash = hashDefinitions(scope);
  const recorded = store.read().meta.commands;
  if (recorded && recorded.hash === hash && recorded.scope === describeScope(scope)) {
    logger.debug({ scope: recorded.scope }, 'slash commands unchanged since the last registration');
    return;
  }
  try {
    const { count, cleared, problems } = await registerCommands({ rest, applicationId, scope, previousScope: recorded?.scope ?? null });
    const removed = cleared.length ? `; removed them from ${cleared.join(', ')}` : '';
    logger.info({ scope: describeScope(scope), count, cleared }, `registered ${count} slash commands (${describeScope(scope)})${removed}`);
    if (problems.length) {
      logger.warn(
        { problems },
        `could not remove Paperboy's commands from a scope it no longer uses (${problems.join('; ')}): members there may see them twice; the next start tries again, or run \`paperboy register\``,
      );
      return;
    }
    await store.updateMeta((m) => recordRegistration(m, { hash, scope: describeScope(scope), at: clock.now().toISOString() }));
  } catch (error) {
    logger.error(
      { err: error },
      'could not register the slash commands; digests still run. Check that the bot was invited with the applications.commands scope, then run `paperboy register`',
    );
  }
}
