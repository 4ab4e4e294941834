import { type Client, Routes } from 'discord.js';

/** The server a channel belongs to: the client's cache after ready, or `GET /channels/:id`; null when it is in none. */
export async function lookUpChannelGuild(client: Client, channelId: string): Promise<string | null> {
  const cached = client.channels.cache.get(channelId);
  if (cached && 'guildId' in cached && typeof cached.guildId === 'string') return cached.guildId;
  const channel = (await client.rest.get(Routes.channel(channelId))) as { guild_id?: unknown };
  return typeof channel.guild_id === 'string' && /^\d{1,20}$/.test(channel.guild_id) ? channel.guild_id : null;
}
