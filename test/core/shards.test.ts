import { describe, expect, it } from 'vitest';
import { ownsGuild, parseShardPlan, shardOf, shardSetOf, ShardSettingError } from '../../src/core/shards.js';

describe('shardOf', () => {
  // Expected values computed apart, with Python's arbitrary-precision integers: (guild_id >> 22) % count.
  it.each([
    ['197038439483310086', [0, 0, 2, 2]],
    ['41771983423143937', [0, 0, 2, 6]],
    ['1100000000000000000', [0, 1, 3, 3]],
  ] as const)('given guild %s, then its shard among 1, 2, 4 and 16 follows (id >> 22) %% count', (guild, expected) => {
    expect([1, 2, 4, 16].map((count) => shardOf(guild, count))).toEqual(expected);
  });

  it('given a snowflake past 2^53, then it is not rounded (BigInt arithmetic)', () => {
    // 2^53 + 2^22 * 3: a Number would lose the low bits and land on another shard.
    const id = (2n ** 53n + 3n * 2n ** 22n).toString();
    expect(shardOf(id, 1000)).toBe(Number(((2n ** 53n + 3n * 2n ** 22n) >> 22n) % 1000n));
  });

  it('given a shard count below 1, then it throws', () => {
    expect(() => shardOf('1', 0)).toThrow(RangeError);
  });

  it('given a process without shards, then it owns every guild; with shards, only the guilds on them', () => {
    expect(ownsGuild(null, '197038439483310086')).toBe(true);
    expect(ownsGuild({ ids: [2], count: 4 }, '197038439483310086')).toBe(true);
    expect(ownsGuild({ ids: [0, 1, 3], count: 4 }, '197038439483310086')).toBe(false);
  });
});

describe('parseShardPlan', () => {
  it.each([
    [{}, { kind: 'single' }],
    [{ SHARDS: '', SHARD_IDS: ' ', SHARD_COUNT: '' }, { kind: 'single' }],
    [{ SHARDS: 'auto' }, { kind: 'manager', count: 'auto' }],
    [{ SHARDS: '4' }, { kind: 'manager', count: 4 }],
    [
      { SHARD_IDS: '1, 0', SHARD_COUNT: '4' },
      { kind: 'fixed', ids: [0, 1], count: 4 },
    ],
  ])('given %j, then the plan is %j', (env, plan) => {
    expect(parseShardPlan(env)).toEqual(plan);
  });

  it.each([
    [{ SHARDS: 'four' }, /SHARDS "four" is neither "auto" nor a whole number/],
    [{ SHARDS: '0' }, /SHARDS "0"/],
    [{ SHARDS: '2', SHARD_IDS: '0', SHARD_COUNT: '2' }, /not both/],
    [{ SHARD_IDS: '0,1' }, /SHARD_COUNT is missing/],
    [{ SHARD_COUNT: '4' }, /SHARD_IDS is missing/],
    [{ SHARD_IDS: '0,4', SHARD_COUNT: '4' }, /"4" is not a shard id from 0 to 3/],
    [{ SHARD_IDS: '0,x,-1', SHARD_COUNT: '4' }, /"x", "-1" are not a shard id/],
    [{ SHARD_IDS: '1,1', SHARD_COUNT: '4' }, /names a shard twice/],
    [{ SHARD_IDS: '0', SHARD_COUNT: '1.5' }, /SHARD_COUNT "1.5"/],
    [{ SHARDING_MANAGER: 'true', SHARDS: '3', SHARD_COUNT: '3' }, /not a shard/],
  ])('given %j, then a setting error says what to fix', (env, message) => {
    expect(() => parseShardPlan(env)).toThrow(ShardSettingError);
    expect(() => parseShardPlan(env)).toThrow(message);
  });
});

describe('shardSetOf', () => {
  it('given each kind of plan, then only a fixed subset or a manager child runs shards itself', () => {
    expect(shardSetOf({ kind: 'single' })).toBeNull();
    expect(shardSetOf({ kind: 'manager', count: 'auto' })).toBeNull();
    expect(shardSetOf({ kind: 'fixed', ids: [0, 2], count: 4 })).toEqual({ ids: [0, 2], count: 4 });
    expect(shardSetOf({ kind: 'child', ids: [1], count: 2 })).toEqual({ ids: [1], count: 2 });
  });
});
