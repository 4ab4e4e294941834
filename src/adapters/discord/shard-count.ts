import { REST, Routes } from 'discord.js';
import { OperatorError } from '../../core/errors.js';

/** `GET /gateway/bot` could not say how many shards Discord recommends: start cannot pick `SHARDS=auto`. */
export class ShardCountError extends OperatorError {
  constructor(apiUrl: string, why: string) {
    super(`cannot ask ${apiUrl} how many shards to run (${why}). Check DISCORD_TOKEN and DISCORD_API_URL, or set SHARDS to a number.`);
    this.name = 'ShardCountError';
  }
}

/**
 * The shard count Discord recommends for this bot (`GET /gateway/bot`, field `shards`), asked through the configured
 * API URL. discord.js's ShardingManager with `totalShards: 'auto'` asks discord.com itself and ignores a custom REST
 * base URL (a proxy, or the fake Discord in tests), so SHARDS=auto resolves the count here and passes it explicitly.
 */
export async function fetchRecommendedShardCount(options: { token: string; apiUrl: string; timeoutMs?: number }): Promise<number> {
  const rest = new REST({ api: options.apiUrl, timeout: options.timeoutMs ?? 15_000, retries: 1 }).setToken(options.token);
  let body: unknown;
  try {
    body = await rest.get(Routes.gatewayBot());
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    throw new ShardCountError(options.apiUrl, typeof status === 'number' ? `HTTP ${status}` : (error as Error).message);
  }
  const shards = (body as { shards?: unknown } | null)?.shards;
  if (typeof shards !== 'number' || !Number.isInteger(shards) || shards < 1)
    throw new ShardCountError(options.apiUrl, 'the answer has no shard count');
  return shards;
}
