import { DiscordAPIError, HTTPError, MessageType, Routes } from 'discord.js';
import type { REST } from 'discord.js';
import type { APIMessage } from 'discord.js';
import { PostError, type PostedMessage, type Poster } from '../../app/ports.js';
import type { OutgoingMessage } from '../../core/format.js';
import { readDigestNumber, readPaperIdFromFooter } from '../../core/format.js';

const DISCORD_EPOCH = 1_420_070_400_000n;

/** The smallest snowflake at a moment: lets `GET messages?after=` start from a time. */
export function snowflakeAt(ms: number): string {
  return ((BigInt(Math.max(ms, Number(DISCORD_EPOCH))) - DISCORD_EPOCH) << 22n).toString();
}

/** Posts digests to one channel through discord.js's REST client (nonce + enforce_nonce on every create). */
export function createChannelPoster(options: { rest: REST; channelId: string; botUserId: () => string | null }): Poster {
  const { rest, channelId } = options;
  return {
    destination: `channel:${channelId}`,
    async post(message: OutgoingMessage, nonce: string) {
      try {
        const created = (await rest.post(Routes.channelMessages(channelId), { body: { ...message, nonce, enforce_nonce: true } })) as APIMessage;
        return { messageId: created.id };
      } catch (error) {
        throw classifyDiscordError(error, `POST /channels/${channelId}/messages`);
      }
    },
    async listOwnMessagesSince(since: string) {
      const me = options.botUserId();
      // A minute of slack for clock differences between this machine and Discord.
      let after = snowflakeAt(Date.parse(since) - 60_000);
      const found: PostedMessage[] = [];
      for (let page = 0; page < 50; page += 1) {
        let batch: APIMessage[];
        try {
          batch = (await rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: '100', after }) })) as APIMessage[];
        } catch (error) {
          throw classifyDiscordError(error, `GET /channels/${channelId}/messages`);
        }
        if (batch.length === 0) break;
        for (const message of batch) {
          if (me && message.author.id !== me) continue;
          // A public /paper reply carries the same card footer but is not a digest post: only plain messages count.
          if (message.type !== MessageType.Default || message.webhook_id) continue;
          found.push({ messageId: message.id, paperId: readPaperIdFromFooter(message.embeds?.[0]?.footer?.text), digest: readDigestNumber(message.content) });
        }
        const newest = batch.reduce((max, m) => (BigInt(m.id) > BigInt(max) ? m.id : max), after);
        if (batch.length < 100 || newest === after) break;
        after = newest;
      }
      return found.sort((a, b) => (BigInt(a.messageId) < BigInt(b.messageId) ? -1 : 1));
    },
    async sendDirect(userId: string, message: OutgoingMessage, nonce: string) {
      try {
        // Opening the DM channel is idempotent: Discord returns the existing one.
        const channel = (await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
        const created = (await rest.post(Routes.channelMessages(channel.id), { body: { ...message, nonce, enforce_nonce: true } })) as APIMessage;
        return { messageId: created.id };
      } catch (error) {
        const failure = classifyDiscordError(error, `direct message to ${userId}`);
        // Unknown User (the member left Discord): no retry will ever reach them.
        throw failure.status === 404 ? new PostError('forbidden', failure.message, failure.status, failure.code) : failure;
      }
    },
  };
}

/** Turns a discord.js REST error into a {@link PostError} that says what failed and where. */
export function classifyDiscordError(error: unknown, what: string): PostError {
  if (error instanceof DiscordAPIError) {
    const detail = `${what} failed with status ${error.status} (code ${error.code}): ${error.message}`;
    if (error.status === 401) return new PostError('unauthorized', detail, error.status, Number(error.code));
    if (error.status === 403) return new PostError('forbidden', detail, error.status, Number(error.code));
    if (error.status === 404 && Number(error.code) === 10003) return new PostError('unknown-channel', detail, error.status, Number(error.code));
    if (error.status === 400) return new PostError('invalid-payload', `${detail}${formatFormErrors(error.rawError)}`, error.status, Number(error.code));
    return new PostError('transient', detail, error.status, Number(error.code));
  }
  if (error instanceof HTTPError) return new PostError('transient', `${what} failed with status ${error.status}`, error.status);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new PostError('transient', `${what} failed: ${message}`);
}

/** Discord's nested `errors` object as `path: message` pairs, so a refused payload names the broken field. */
function formatFormErrors(raw: unknown): string {
  const errors = (raw as { errors?: unknown } | undefined)?.errors;
  if (!errors || typeof errors !== 'object') return '';
  const out: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (!node || typeof node !== 'object') return;
    const list = (node as { _errors?: Array<{ message?: string }> })._errors;
    if (Array.isArray(list)) for (const e of list) out.push(`${path || '(body)'}: ${e.message ?? 'invalid'}`);
    for (const [key, value] of Object.entries(node)) if (key !== '_errors') walk(value, path ? `${path}.${key}` : key);
  };
  walk(errors, '');
  return out.length ? ` [${out.slice(0, 10).join('; ')}]` : '';
}
