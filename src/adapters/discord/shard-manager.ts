import { REST, Routes, ShardingManager, type Shard } from 'discord.js';
import type { Logger } from '../../app/ports.js';
import { fetchRecommendedShardCount } from './shard-count.js';

/** How long the shards get to stop after SIGTERM before they are killed (Docker sends SIGKILL after 10 s). */
const STOP_BUDGET_MS = 9_000;

/** What the manager needs: the script a shard runs and how, and the count (`auto`: asked through the API URL). */
export interface ShardManagerOptions {
  /** The CLI script a shard process runs (`dist/cli.js`), with `args` (`start`). */
  file: string;
  args: readonly string[];
  execArgv?: readonly string[];
  count: number | 'auto';
  token: string;
  apiUrl: string;
  logger: Logger;
  /** Set in the children's environment only (e.g. no health port of their own: the manager has it). */
  childEnv?: Record<string, string>;
}

/** A running manager: its shard count, the shards, and a stop that ends every shard within the budget. */
export interface RunningShardManager {
  count: number;
  shards(): Shard[];
  stop(reason: string): Promise<number>;
  /** Resolves with the exit code once every shard has ended after a stop (or one failed for good). */
  exited: Promise<number>;
}

/**
 * The spawn interval Discord allows: one IDENTIFY per 5 s per rate-limit bucket, with `max_concurrency` buckets
 * (gateway, Session Start Limit). discord.js's default of 5.5 s assumes one bucket.
 */
async function spawnDelayMs(token: string, apiUrl: string): Promise<number> {
  const body = (await new REST({ api: apiUrl, retries: 1 })
    .setToken(token)
    .get(Routes.gatewayBot())
    .catch(() => null)) as { session_start_limit?: { max_concurrency?: unknown } } | null;
  const concurrency = body?.session_start_limit?.max_concurrency;
  return typeof concurrency === 'number' && concurrency >= 1 ? Math.ceil(5_500 / concurrency) : 5_500;
}

/**
 * Runs every shard as its own process with discord.js's ShardingManager (`SHARDS=auto|N`). Each child is a full
 * Paperboy (`paperboy start`) that discord.js tells its shard through SHARDING_MANAGER, SHARDS and SHARD_COUNT; it
 * owns the feeds of the guilds on its shard. A shard that dies is respawned by the manager; a stop sends SIGTERM
 * to every shard and waits for them, killing what is left when the budget is spent.
 */
export async function startShardManager(options: ShardManagerOptions): Promise<RunningShardManager> {
  const { logger } = options;
  const count = options.count === 'auto' ? await fetchRecommendedShardCount(options) : options.count;
  logger.info({ shards: count, auto: options.count === 'auto' }, `starting ${count} shard${count === 1 ? '' : 's'}, one process each`);
  // Shards inherit this process's environment at spawn; their own settings go there first.
  for (const [key, value] of Object.entries(options.childEnv ?? {})) process.env[key] = value;
  const manager = new ShardingManager(options.file, {
    totalShards: count,
    token: options.token,
    mode: 'process',
    respawn: true,
    shardArgs: [...options.args],
    execArgv: [...(options.execArgv ?? [])],
  });
  let stopping = false;
  const ended = new Map<number, number>();
  /** Set when the manager stops because of a shard's own verdict (exit 2), which then is the manager's. */
  let forcedCode: number | null = null;
  let settle!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (settle = resolve));
  const resolveExit = (code: number) => settle(forcedCode ?? code);
  const isStopping = () => stopping;

  manager.on('shardCreate', (shard) => {
    logger.info({ shard: shard.id }, `shard ${shard.id} started`);
    shard.on('death', (child) => {
      const code = 'exitCode' in child ? child.exitCode : null;
      if (stopping) {
        ended.set(shard.id, code ?? 1);
        if (ended.size === manager.shards.size) resolveExit([...ended.values()].every((c) => c === 0) ? 0 : 1);
        return;
      }
      // Exit code 2 is a configuration a restart cannot fix: stop everything rather than respawn it forever.
      if (code === 2) {
        logger.error({ shard: shard.id }, `shard ${shard.id} stopped on an invalid configuration: stopping every shard`);
        forcedCode = 2;
        void stop('a shard found the configuration invalid');
        return;
      }
      logger.warn({ shard: shard.id, code }, `shard ${shard.id} exited (code ${code ?? 'signal'}); discord.js starts it again`);
    });
  });

  async function stop(reason: string): Promise<number> {
    if (stopping) return exited;
    stopping = true;
    manager.respawn = false;
    logger.info({ reason }, `stopping every shard: ${reason}`);
    const alive = [...manager.shards.values()].filter((shard) => shard.process && shard.process.exitCode === null);
    for (const shard of manager.shards.values()) if (!alive.includes(shard)) ended.set(shard.id, 0);
    if (alive.length === 0) resolveExit(0);
    for (const shard of alive) shard.process?.kill('SIGTERM');
    const budget = setTimeout(() => {
      for (const shard of alive) if (shard.process?.exitCode === null) shard.process.kill('SIGKILL');
    }, STOP_BUDGET_MS);
    budget.unref();
    const code = await exited;
    clearTimeout(budget);
    logger.info({ code }, 'every shard stopped');
    return code;
  }

  const running: RunningShardManager = { count, shards: () => [...manager.shards.values()], stop, exited };
  try {
    await manager.spawn({ amount: count, delay: await spawnDelayMs(options.token, options.apiUrl), timeout: 60_000 });
  } catch (error) {
    // A shard that died of an invalid configuration already stopped the rest: its exit code (2) is the answer.
    if (isStopping()) return running;
    await stop(`a shard could not start: ${(error as Error).message}`);
    throw error;
  }
  return running;
}
