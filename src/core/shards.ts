/*
 * Discord gateway sharding, as Discord documents it (events/gateway, Sharding): a guild's events go to shard
 * `(guild_id >> 22) % shard_count`, and direct messages to shard 0. A process that runs some of the shards owns the
 * feeds of the guilds on them: it schedules and posts those, and no other.
 */

/** The shard a guild belongs to among `shardCount` shards (Discord's rule; ids are snowflakes, hence BigInt). */
export function shardOf(guildId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`a shard count is a whole number ≥ 1, not ${shardCount}`);
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** How this process shards: not at all, a manager spawning every shard (`auto` or N), or a fixed subset of them. */
export type ShardPlan =
  | { kind: 'single' }
  | { kind: 'manager'; count: number | 'auto' }
  | { kind: 'fixed'; ids: readonly number[]; count: number }
  /** A child of the manager: discord.js set SHARDING_MANAGER, SHARDS (this child's shard id) and SHARD_COUNT. */
  | { kind: 'child'; ids: readonly number[]; count: number };

/** The shards a process runs, to decide which guilds' feeds it owns. */
export interface ShardSet {
  ids: readonly number[];
  count: number;
}

/** Whether a process running `shards` owns the feeds of `guildId` (a process without shards owns every guild). */
export function ownsGuild(shards: ShardSet | null, guildId: string): boolean {
  if (!shards) return true;
  return shards.ids.includes(shardOf(guildId, shards.count));
}

/** A shard setting an admin must fix, with what to put instead. */
export class ShardSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardSettingError';
  }
}

const WHOLE = /^\d+$/;
/** Discord's documented ceiling is far below this; it only keeps a typo (SHARDS=1000000) from spawning a million processes. */
const MAX_SHARDS = 4096;

/** The shards a plan runs in this process; null when it runs none itself (no sharding, or the manager). */
export function shardSetOf(plan: ShardPlan): ShardSet | null {
  return plan.kind === 'fixed' || plan.kind === 'child' ? { ids: plan.ids, count: plan.count } : null;
}

/**
 * Reads SHARDS (`auto` or a count), SHARD_IDS (`0,1`) and SHARD_COUNT: empty means one process without sharding.
 * SHARDS runs every shard from one manager; SHARD_IDS with SHARD_COUNT runs that subset (machines split the shards).
 */
export function parseShardPlan(env: { SHARDS?: string; SHARD_IDS?: string; SHARD_COUNT?: string; SHARDING_MANAGER?: string }): ShardPlan {
  if (env.SHARDING_MANAGER === 'true') {
    // discord.js's ShardingManager replaced SHARDS with this child's shard id (its Client reads them the same way).
    const id = Number(env.SHARDS);
    const count = Number(env.SHARD_COUNT);
    if (!Number.isInteger(id) || !Number.isInteger(count) || id < 0 || id >= count)
      throw new ShardSettingError(
        `a shard process got SHARDS="${env.SHARDS}" and SHARD_COUNT="${env.SHARD_COUNT}" from its manager: not a shard.`,
      );
    return { kind: 'child', ids: [id], count };
  }
  const shards = env.SHARDS?.trim() ?? '';
  const ids = env.SHARD_IDS?.trim() ?? '';
  const count = env.SHARD_COUNT?.trim() ?? '';
  if (shards && (ids || count))
    throw new ShardSettingError(
      'SHARDS runs every shard from one process; SHARD_IDS with SHARD_COUNT runs some of them on this machine. Set one or the other, not both.',
    );
  if (shards) {
    if (shards === 'auto') return { kind: 'manager', count: 'auto' };
    if (!WHOLE.test(shards) || Number(shards) < 1 || Number(shards) > MAX_SHARDS)
      throw new ShardSettingError(`SHARDS "${shards}" is neither "auto" nor a whole number from 1 to ${MAX_SHARDS}.`);
    return { kind: 'manager', count: Number(shards) };
  }
  if (!ids && !count) return { kind: 'single' };
  if (!ids || !count)
    throw new ShardSettingError(
      `SHARD_IDS and SHARD_COUNT go together (SHARD_IDS=0,1 with SHARD_COUNT=4): ${ids ? 'SHARD_COUNT' : 'SHARD_IDS'} is missing.`,
    );
  if (!WHOLE.test(count) || Number(count) < 1 || Number(count) > MAX_SHARDS)
    throw new ShardSettingError(`SHARD_COUNT "${count}" is not a whole number from 1 to ${MAX_SHARDS}.`);
  const total = Number(count);
  const parts = ids.split(',').map((part) => part.trim());
  const bad = parts.filter((part) => !WHOLE.test(part) || Number(part) >= total);
  if (bad.length > 0)
    throw new ShardSettingError(
      `SHARD_IDS "${ids}": ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a shard id from 0 to ${total - 1} (SHARD_COUNT=${total}).`,
    );
  const unique = [...new Set(parts.map(Number))].sort((a, b) => a - b);
  if (unique.length !== parts.length) throw new ShardSettingError(`SHARD_IDS "${ids}" names a shard twice.`);
  return { kind: 'fixed', ids: unique, count: total };
}
