/** A session's shard: `[shard_id, num_shards]` as sent in IDENTIFY. */
export type ShardKey = readonly [id: number, count: number];

/** The shard a session without `shard` in its IDENTIFY is: it receives everything. */
export const UNSHARDED: ShardKey = [0, 1];

/** Discord's limit: "Each shard can only support a maximum of 2500 guilds" (events/gateway, Sharding). */
export const MAX_GUILDS_PER_SHARD = 2500;

/** The shard that receives a guild's events: `(guild_id >> 22) % num_shards` (events/gateway, Sharding Formula). */
export function shardOf(guildId: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new Error(`fake-discord: shard count must be a positive integer, got ${count}`);
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/**
 * Reads IDENTIFY's `shard`: absent is {@link UNSHARDED}; anything but two integers with `0 <= id < count` is null
 * (Discord closes with 4010 Invalid Shard).
 */
export function parseShard(value: unknown): ShardKey | null {
  if (value === undefined) return UNSHARDED;
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [id, count] = value as unknown[];
  if (!Number.isInteger(id) || !Number.isInteger(count)) return null;
  const [i, n] = [id as number, count as number];
  return n >= 1 && i >= 0 && i < n ? [i, n] : null;
}

/**
 * Whether a session on `shard` receives an event of `guildId`. Routing is per session, so sessions with other counts
 * (resharding) or the same key (a rolling deploy) each get what their own key selects; events without a guild (DMs)
 * go to shard 0 only (events/gateway: "Gateway events that do not contain a guild_id will only be sent to the first
 * shard").
 */
export function routesTo(shard: ShardKey, guildId: string | null): boolean {
  return guildId === null ? shard[0] === 0 : shardOf(guildId, shard[1]) === shard[0];
}

/** The smallest shard count for which no shard holds more than `maxPerShard` of `guildIds` (at least 1). */
export function recommendShardCount(guildIds: readonly string[], maxPerShard: number): number {
  const last = guildIds.length * 4 + 16;
  for (let count = Math.max(1, Math.ceil(guildIds.length / maxPerShard)); count <= last; count += 1) {
    const perShard = new Array<number>(count).fill(0);
    for (const id of guildIds) perShard[shardOf(id, count)]! += 1;
    if (perShard.every((n) => n <= maxPerShard)) return count;
  }
  // Guilds whose ids share their timestamp bits land on one shard whatever the count.
  throw new Error(`fake-discord: no shard count keeps every shard at ${maxPerShard} guilds or fewer`);
}
