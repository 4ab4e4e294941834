import type { ShardSet } from '../../core/shards.js';
import { once } from 'node:events';
import { Client, type ClientOptions, DiscordAPIError, Events, GatewayIntentBits, type Interaction, Options, Partials } from 'discord.js';
import type { Logger } from '../../app/ports.js';
import { OperatorError } from '../../core/errors.js';
import { installInteractionGuard } from './interaction-guard.js';

/** The token was refused: nothing works until the admin replaces it, so the bot exits instead of retrying. */
export class InvalidTokenError extends OperatorError {
  constructor() {
    super(
      'Discord rejected DISCORD_TOKEN (401 Unauthorized). Reset the token in the Developer Portal (your application → Bot → Reset Token), put the new one in .env, and start again.',
    );
    this.name = 'InvalidTokenError';
  }
}

/** Discord (or DISCORD_API_URL) cannot be reached at start: the network or the URL is wrong. */
export class DiscordUnreachableError extends OperatorError {
  constructor(apiUrl: string, code: string) {
    super(
      `cannot reach Discord at ${apiUrl} (${code}). Check the machine's network and DNS, or DISCORD_API_URL if you set it; then start again.`,
    );
    this.name = 'DiscordUnreachableError';
  }
}

/** A logged-in discord.js client and what the rest of the bot needs from it. */
export interface DiscordConnection {
  client: Client<true>;
  botUserId: string;
  applicationId: string;
  /** True while the gateway session is up (for health). */
  isConnected(): boolean;
  destroy(): Promise<void>;
}

/**
 * The client Paperboy runs: the Guilds intent, and Guild Message Reactions for votes (neither is privileged), with
 * caches cut to what it reads. It reads the digest channel
 * (`client.channels`), its guild, the guild's roles and the channel's overwrites (permissions for recovery reads,
 * the home guild), and its own member and user; those stay whole (discord.js does not support limiting guilds,
 * channels, roles or overwrites). Everything else is kept nowhere: members and users met in interactions (one per
 * person who ever used a command), the messages its replies create (up to 200 per channel by default), emojis,
 * stickers, voice states, presences, scheduled events, invites, bans, stage instances, automod rules, commands
 * (registration reads them over REST), reactions and thread members. Archived threads are swept as by default.
 */
export function createClientOptions(apiUrl: string, shards: ShardSet | null = null): ClientOptions {
  const isSelf = (entry: { id: string; client: Client }) => entry.id === entry.client.user?.id;
  return {
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
    // Reactions arrive on messages, reactions and users it does not keep (the caches below hold none): as partials.
    partials: [Partials.Message, Partials.Reaction, Partials.User],
    rest: { api: apiUrl },
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      GuildMessageManager: 0,
      DMMessageManager: 0,
      UserManager: { maxSize: 0, keepOverLimit: isSelf },
      GuildMemberManager: { maxSize: 0, keepOverLimit: isSelf },
      ThreadMemberManager: 0,
      PresenceManager: 0,
      VoiceStateManager: 0,
      GuildEmojiManager: 0,
      BaseGuildEmojiManager: 0,
      ApplicationEmojiManager: 0,
      GuildStickerManager: 0,
      ReactionManager: 0,
      ReactionUserManager: 0,
      StageInstanceManager: 0,
      GuildScheduledEventManager: 0,
      GuildInviteManager: 0,
      GuildBanManager: 0,
      AutoModerationRuleManager: 0,
      ApplicationCommandManager: 0,
      EntitlementManager: 0,
    }),
    sweepers: Options.DefaultSweeperSettings,
    // Explicit: discord.js would otherwise read SHARD_COUNT from the environment alone and run every shard.
    ...(shards ? { shards: [...shards.ids], shardCount: shards.count } : {}),
  };
}

/**
 * Logs in with the non-privileged Guilds and Guild Message Reactions intents (slash commands and votes), against
 * `apiUrl` (Discord's own API, a proxy or a test server; the gateway URL comes from its `GET /gateway/bot`).
 */
export async function connectDiscord(options: {
  token: string;
  apiUrl: string;
  logger: Logger;
  onInteraction?: (interaction: Interaction) => void;
  /** The gateway shards this process runs (SHARD_IDS/SHARD_COUNT, or a manager's child); null: one unsharded session. */
  shards?: ShardSet | null;
}): Promise<DiscordConnection> {
  const { logger } = options;
  const client = new Client(createClientOptions(options.apiUrl, options.shards ?? null));
  let connected = false;

  client.on(Events.ClientReady, () => {
    connected = true;
  });
  client.on(Events.ShardResume, () => {
    connected = true;
    logger.info({}, 'gateway session resumed');
  });
  client.on(Events.ShardDisconnect, (event) => {
    connected = false;
    logger.warn({ code: event.code }, 'gateway disconnected; discord.js reconnects');
  });
  client.on(Events.ShardReconnecting, () => {
    connected = false;
    logger.info({}, 'gateway reconnecting');
  });
  client.on(Events.Invalidated, () => {
    connected = false;
    logger.error({}, 'gateway session invalidated');
  });
  client.on(Events.Warn, (message) => logger.warn({}, `discord.js: ${message}`));
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord.js client error'));
  client.rest.on('rateLimited', (info) =>
    logger.debug({ route: info.route, retryAfterMs: info.retryAfter, global: info.global }, 'rate limited by Discord; waiting'),
  );
  installInteractionGuard(client, logger);
  if (options.onInteraction) client.on(Events.InteractionCreate, options.onInteraction);

  try {
    const ready = once(client, Events.ClientReady);
    await client.login(options.token);
    await ready;
  } catch (error) {
    await client.destroy().catch(() => undefined);
    if (isTokenError(error)) throw new InvalidTokenError();
    const code =
      (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code ??
      (error as { cause?: { code?: unknown } } | null)?.cause?.code;
    if (
      typeof code === 'string' &&
      /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)$/.test(code)
    ) {
      throw new DiscordUnreachableError(options.apiUrl, code);
    }
    throw error;
  }
  const ready = client as Client<true>;
  connected = true;
  return {
    client: ready,
    botUserId: ready.user.id,
    applicationId: ready.application.id,
    isConnected: () => connected,
    destroy: () => client.destroy(),
  };
}

function isTokenError(error: unknown): boolean {
  if (error instanceof DiscordAPIError && error.status === 401) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'TokenInvalid' || code === 'TokenMissing' || code === 4004;
}
