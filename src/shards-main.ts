// The entry point of `paperboy start` with SHARDS set: the manager process, which runs no bot of its own.
import type { Config } from './config.js';
import type { Logger } from './app/ports.js';
import { startShardManager } from './adapters/discord/shard-manager.js';

/**
 * Runs every shard as a child `paperboy start` (discord.js's ShardingManager) until SIGINT or SIGTERM, then stops
 * them all; resolves with the exit code (0 when every shard stopped cleanly).
 */
export async function runShardManager(config: Config, count: number | 'auto', logger: Logger): Promise<number> {
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
  });
  const onSignal = (signal: NodeJS.Signals) => void manager.stop(`received ${signal}`);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const code = await manager.exited;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return code;
}
