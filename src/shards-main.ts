// The entry point of `paperboy start` with SHARDS set: the manager process, which runs no bot of its own.
import type { Config } from './config.js';
import type { Logger } from './app/ports.js';
import { startShardManager } from './adapters/discord/shard-manager.js';
import { removeShardHealthFiles, startShardHealthEndpoint } from './adapters/shard-health.js';
import { listenForStop } from './adapters/stop-signals.js';

/**
 * Runs every shard as a child `paperboy start` (discord.js's ShardingManager) until SIGINT or SIGTERM, then stops
 * them all; resolves with the exit code (0 when every shard stopped cleanly).
 */
export async function runShardManager(
  config: Config,
  count: number | 'auto',
  logger: Logger,
  takeHeldSignal: () => NodeJS.Signals | undefined = () => undefined,
): Promise<number> {
  // From the first line: a signal while the shards start (or one held while the program loaded) stops them as usual.
  const signals = listenForStop(takeHeldSignal);
  try {
    const stoppedWhileLoading = signals.requested();
    if (stoppedWhileLoading !== null) {
      logger.info({ reason: stoppedWhileLoading }, `stopped before the shards started (${stoppedWhileLoading})`);
      return 0;
    }
    return await runShards(config, count, logger, (manager) => signals.route((reason) => void manager.stop(reason)));
  } finally {
    signals.dispose();
  }
}

async function runShards(
  config: Config,
  count: number | 'auto',
  logger: Logger,
  onStarted: (manager: { stop(reason: string): unknown }) => void,
): Promise<number> {
  // The shards of this machine write their status files anew; one a previous run left would be judged stale for ever.
  await removeShardHealthFiles(config.databaseFile);
  // HEALTH_PORT is the machine's: the manager serves every shard's verdict there (the shards run without a port).
  const endpoint = config.healthPort
    ? await startShardHealthEndpoint({
        databaseFile: config.databaseFile,
        port: config.healthPort,
        host: config.healthHost,
        logger,
        secrets: [config.discord.token],
      })
    : null;
  const manager = await startShardManager({
    file: process.argv[1]!,
    args: ['start'],
    execArgv: process.execArgv,
    count,
    token: config.discord.token!,
    apiUrl: config.discord.apiUrl,
    logger,
    // One health endpoint per machine: the shards keep their own status files, and a port would collide.
    childEnv: { HEALTH_PORT: '' },
  }).catch(async (error: unknown) => {
    await endpoint?.stop();
    throw error;
  });
  onStarted(manager);
  const code = await manager.exited;
  await endpoint?.stop();
  return code;
}
