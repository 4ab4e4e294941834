import { DiscordAPIError, type Client, Routes } from 'discord.js';
import type { Logger } from '../../app/ports.js';

/** The server whose digest Paperboy runs, or why it is not known (then every interaction is refused). */
export type HomeGuildVerdict = { guildId: string } | { guildId: null; reason: string };

/** Answers which server the digest belongs to; the interaction router asks it before any handler runs. */
export interface HomeGuild {
  verdict(): Promise<HomeGuildVerdict>;
}

/** The server a channel belongs to: the client's cache after ready, or `GET /channels/:id`; null when it is in none. */
export async function lookUpChannelGuild(client: Client, channelId: string): Promise<string | null> {
  const cached = client.channels.cache.get(channelId);
  if (cached && 'guildId' in cached && typeof cached.guildId === 'string') return cached.guildId;
  const channel = (await client.rest.get(Routes.channel(channelId))) as { guild_id?: unknown };
  return typeof channel.guild_id === 'string' && /^\d{1,20}$/.test(channel.guild_id) ? channel.guild_id : null;
}

/** A home guild known in advance (DISCORD_GUILD_ID, or a test): no lookup. */
export function fixedHomeGuild(guildId: string): HomeGuild {
  return { verdict: async () => ({ guildId }) };
}

/**
 * The digest channel's server: DISCORD_GUILD_ID when set, else the channel's `guild_id` (the client's cache after
 * ready, or `GET /channels/:id`). A failed lookup is retried at most every `retryAfterMs`, and until one succeeds
 * the verdict says why, so that the router refuses (fails closed) rather than guessing.
 */
export function createHomeGuild(options: {
  configuredGuildId: string | null;
  channelId: string;
  client: Client;
  logger: Logger;
  retryAfterMs?: number;
  /** How long an interaction waits for a lookup under way (Discord wants an answer within 3 s). */
  waitMs?: number;
  now?: () => number;
}): HomeGuild {
  const { client, channelId, logger } = options;
  const now = options.now ?? (() => performance.now());
  const cachedGuildOf = (): string | null => {
    const channel = client.channels.cache.get(channelId);
    return channel && 'guildId' in channel && typeof channel.guildId === 'string' ? channel.guildId : null;
  };

  if (options.configuredGuildId) {
    const cached = cachedGuildOf();
    if (cached && cached !== options.configuredGuildId) {
      logger.warn(
        { guild: options.configuredGuildId, channelGuild: cached, channel: channelId },
        `DISCORD_GUILD_ID ${options.configuredGuildId} is not the server of DISCORD_CHANNEL_ID (server ${cached}): commands are accepted from DISCORD_GUILD_ID only; fix one of the two`,
      );
    }
    return fixedHomeGuild(options.configuredGuildId);
  }

  let known: string | null = cachedGuildOf();
  let reason = 'the server of the digest channel is being looked up';
  let lookup: Promise<void> | null = null;
  let lastAttempt = -Infinity;
  let loggedReason: string | null = null;

  const lookUp = (): Promise<void> => {
    lastAttempt = now();
    lookup = (async () => {
      try {
        const channel = (await client.rest.get(Routes.channel(channelId))) as { guild_id?: unknown };
        if (typeof channel.guild_id === 'string' && /^\d{1,20}$/.test(channel.guild_id)) {
          known = channel.guild_id;
          logger.info(
            { guild: known, channel: channelId },
            `the digest channel belongs to server ${known}: commands from other servers are refused`,
          );
          return;
        }
        reason = `channel ${channelId} is not in a server`;
      } catch (error) {
        reason = `cannot read channel ${channelId} (${error instanceof DiscordAPIError ? `${error.status} ${error.message}` : error instanceof Error ? error.message : String(error)})`;
      } finally {
        lookup = null;
      }
      if (loggedReason !== reason) {
        loggedReason = reason;
        logger.error(
          { channel: channelId, reason },
          `cannot tell which server the digest belongs to: ${reason}. Every slash command is refused until it can: check DISCORD_CHANNEL_ID and the bot's View Channel permission there, or set DISCORD_GUILD_ID`,
        );
      }
    })();
    return lookup;
  };
  if (known)
    logger.info(
      { guild: known, channel: channelId },
      `the digest channel belongs to server ${known}: commands from other servers are refused`,
    );
  else void lookUp();

  return {
    async verdict() {
      if (known) return { guildId: known };
      if (!lookup && now() - lastAttempt >= (options.retryAfterMs ?? 30_000)) void lookUp();
      if (lookup) {
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.waitMs ?? 1500)));
        await Promise.race([lookup, waited]);
        clearTimeout(timer);
      }
      return known ? { guildId: known } : { guildId: null, reason };
    },
  };
}
