import { type Client, Events } from 'discord.js';
import type { Logger } from '../../app/ports.js';

/** What the bot does when Discord changes around its feeds (the feed runtime). */
export interface GuildLifeHandlers {
  guildRemoved(guildId: string): Promise<void>;
  guildPresent(guildId: string): Promise<void>;
  channelDeleted(channelId: string): Promise<void>;
}

/**
 * Passes Discord's life events to the feeds: the bot removed from a server (`GUILD_DELETE` without `unavailable`;
 * discord.js reports an outage as `guildUnavailable` instead, which changes nothing), the bot in a server
 * (`GUILD_CREATE`: invited, or invited back), a channel deleted. A failure is logged; the next event tries again.
 */
export function watchGuildLife(client: Client, handlers: GuildLifeHandlers, logger: Logger): () => void {
  const handle = (what: string, work: () => Promise<void>) =>
    void work().catch((error: unknown) => logger.error({ err: error }, `handling ${what} failed`));
  const onDelete = (guild: { id: string; available: boolean }) => {
    if (!guild.available) return;
    handle(`the removal from server ${guild.id}`, () => handlers.guildRemoved(guild.id));
  };
  const onCreate = (guild: { id: string }) => handle(`the arrival in server ${guild.id}`, () => handlers.guildPresent(guild.id));
  const onChannelDelete = (channel: { id: string }) =>
    handle(`the deletion of channel ${channel.id}`, () => handlers.channelDeleted(channel.id));
  client.on(Events.GuildDelete, onDelete);
  client.on(Events.GuildCreate, onCreate);
  client.on(Events.ChannelDelete, onChannelDelete);
  return () => {
    client.off(Events.GuildDelete, onDelete);
    client.off(Events.GuildCreate, onCreate);
    client.off(Events.ChannelDelete, onChannelDelete);
  };
}

/** The servers the bot is in, outages included (an unavailable server is still one the bot is in). */
export function listPresentGuilds(client: Client): Set<string> {
  return new Set(client.guilds.cache.keys());
}
