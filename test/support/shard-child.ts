// A shard process for the ShardingManager tests: a real discord.js client on the shard its manager gives it
// (SHARDING_MANAGER, SHARDS, SHARD_COUNT, DISCORD_TOKEN in the environment), nothing else. It stops on SIGTERM with
// exit 0, or exits at once with SHARD_CHILD_EXIT_CODE when set (a child that finds its configuration invalid).
import { Client, GatewayIntentBits } from 'discord.js';

if (process.env.SHARD_CHILD_EXIT_CODE) process.exit(Number(process.env.SHARD_CHILD_EXIT_CODE));
const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.DISCORD_API_URL } });
process.once('SIGTERM', () => {
  void client.destroy().then(() => process.exit(0));
});
await client.login(process.env.DISCORD_TOKEN);
