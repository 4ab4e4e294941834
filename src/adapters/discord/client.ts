import type { ShardSet } from '../../core/shards.js';
import { once } from 'node:events';
import { Client, DiscordAPIError, Events, GatewayIntentBits, type Interaction } from 'discord.js';
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
 * Logs in with only the non-privileged Guilds intent (slash commands need nothing more), against
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
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: options.apiUrl },
    // Explicit: discord.js would otherwise read SHARD_COUNT from the environment alone and run every shard.
    ...(options.shards ? { shards: [...options.shards.ids], shardCount: options.shards.count } : {}),
  });
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
