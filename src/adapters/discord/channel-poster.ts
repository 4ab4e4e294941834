import { ChannelType, DiscordAPIError, HTTPError, MessageType, PermissionFlagsBits, REST, Routes } from 'discord.js';
import type { APIMessage, Client, GuildChannel } from 'discord.js';
import { PostError, type PostedMessage, type Poster } from '../../app/ports.js';
import { DISCORD_LIMITS } from '../../core/discord-limits.js';
import type { OutgoingMessage } from '../../core/format.js';
import { readDigestNumber, readPaperIdFromFooter } from '../../core/format.js';
import { readCompactPaperIds } from '../../core/compact-digest.js';
import { readExplanationKey } from '../../core/digest-supply.js';
import {
  createForumPost,
  describeBlockedThreads,
  type DiscussionDeps,
  postInThread,
  readForumPosts,
  startMessageThread,
} from './discussion-poster.js';

const DISCORD_EPOCH = 1_420_070_400_000n;

/** The smallest snowflake at a moment: lets `GET messages?after=` start from a time. */
export function snowflakeAt(ms: number): string {
  return ((BigInt(Math.max(ms, Number(DISCORD_EPOCH))) - DISCORD_EPOCH) << 22n).toString();
}

/** The channel permissions Paperboy needs, by the names Discord's settings show. */
const NEEDED_PERMISSIONS: ReadonlyArray<readonly [string, bigint]> = [
  ['View Channel', PermissionFlagsBits.ViewChannel],
  ['Send Messages', PermissionFlagsBits.SendMessages],
  ['Embed Links', PermissionFlagsBits.EmbedLinks],
  ['Read Message History', PermissionFlagsBits.ReadMessageHistory],
];

/** The names of the permissions among `wanted` that `granted` lacks. */
export function listMissingPermissions(granted: bigint, wanted: readonly string[] = NEEDED_PERMISSIONS.map(([name]) => name)): string[] {
  return NEEDED_PERMISSIONS.filter(([name, bit]) => wanted.includes(name) && (granted & bit) !== bit).map(([name]) => name);
}

/**
 * The bot's permissions in a channel as discord.js computes them from its cache (roles, overwrites, kept fresh by
 * CHANNEL_UPDATE and role events), or null when the channel is not cached.
 */
export function channelPermissionsOf(client: Client, channelId: string): () => bigint | null {
  return () => {
    const channel = client.channels.cache.get(channelId);
    if (!channel || channel.isDMBased() || !client.user) return null;
    return (channel as GuildChannel).permissionsFor(client.user)?.bitfield ?? null;
  };
}

/**
 * A REST client that sends each request once: a 5xx, a timeout or a reset connection is thrown, not retried (429s
 * are still waited out: Discord did nothing). For creates without a nonce, whose retry could make a duplicate.
 */
export function createOnceRest(apiUrl: string, token: string): REST {
  return new REST({ api: apiUrl, retries: 0 }).setToken(token);
}

/** What kind of channel the digest channel is, from discord.js's cache: a forum, a text channel, or unknown (null). */
export function channelKindOf(client: Client, channelId: string): () => 'text' | 'forum' | null {
  return () => {
    const channel = client.channels.cache.get(channelId);
    if (!channel) return null;
    if (channel.type === ChannelType.GuildForum) return 'forum';
    return channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement ? 'text' : null;
  };
}

/** How far a recovery read without a known message starts before the attempt: local clocks can run fast. */
const CLOCK_SLACK_MS = 60 * 60_000;
const PAGE = DISCORD_LIMITS.messagesPerPage;

/** Posts digests to one channel through discord.js's REST client (nonce + enforce_nonce on every create). */
export function createChannelPoster(options: {
  rest: REST;
  channelId: string;
  botUserId: () => string | null;
  /** The bot's permissions in the channel, when known (see {@link channelPermissionsOf}). */
  permissions?: () => bigint | null;
  /** Pages of 100 messages a recovery read may take before it gives up (fails closed); default 50. */
  maxPages?: number;
  /** A REST client without retries of its own, for forum posts (they take no nonce); see {@link createOnceRest}. */
  onceRest?: REST;
  /** Whether the channel is a forum (see {@link channelKindOf}); a text channel when not given. */
  channelKind?: () => 'text' | 'forum' | null;
}): Poster {
  const { rest, channelId } = options;
  const kind = options.channelKind ?? (() => 'text' as const);
  const discussion: DiscussionDeps = {
    rest,
    ...(options.onceRest ? { onceRest: options.onceRest } : {}),
    channelId,
    botUserId: options.botUserId,
    permissions: () => options.permissions?.() ?? null,
    classify: (error, what) => withChannelAdvice(classifyDiscordError(error, what)),
  };
  const maxPages = options.maxPages ?? 50;
  const noHistory = (missing: string[]): string =>
    `the bot cannot read the digest channel's history (it lacks ${missing.join(' and ')} there), so reading it back proves nothing; grant Paperboy ${missing.join(' and ')} in the digest channel`;

  /** Reads forward from `after`, keeping the bot's own digest posts; `sawWitness` when the message `witness` was listed. */
  async function scan(
    after: string,
    witness: string | null,
  ): Promise<{ messages: PostedMessage[]; complete: boolean; sawWitness: boolean }> {
    const me = options.botUserId();
    const messages: PostedMessage[] = [];
    let sawWitness = false;
    for (let page = 0; page < maxPages; page += 1) {
      let batch: APIMessage[];
      try {
        batch = (await rest.get(Routes.channelMessages(channelId), {
          query: new URLSearchParams({ limit: String(PAGE), after }),
        })) as APIMessage[];
      } catch (error) {
        throw withChannelAdvice(classifyDiscordError(error, `GET /channels/${channelId}/messages`));
      }
      for (const message of batch) {
        if (message.id === witness) sawWitness = true;
        if (me && message.author.id !== me) continue;
        // A public /paper reply carries the same card footer but is not a digest post: only plain messages count.
        if (message.type !== MessageType.Default || message.webhook_id) continue;
        messages.push({
          messageId: message.id,
          paperId: readPaperIdFromFooter(message.embeds[0]?.footer?.text),
          digest: readDigestNumber(message.content),
          ...listedPapers(message.content),
        });
      }
      const newest = batch.reduce((max, m) => (BigInt(m.id) > BigInt(max) ? m.id : max), after);
      if (batch.length < PAGE || newest === after) return { messages: sortById(messages), complete: true, sawWitness };
      after = newest;
    }
    return { messages: sortById(messages), complete: false, sawWitness };
  }

  /** Whether a message the read did not list exists, is hidden (no Read Message History), or was deleted. */
  async function probe(messageId: string): Promise<'listed-elsewhere' | 'hidden' | 'deleted'> {
    try {
      await rest.get(Routes.channelMessage(channelId, messageId));
      return 'listed-elsewhere';
    } catch (error) {
      if (error instanceof DiscordAPIError && error.status === 403) return 'hidden';
      if (error instanceof DiscordAPIError && error.status === 404 && Number(error.code) === 10008) return 'deleted';
      throw withChannelAdvice(classifyDiscordError(error, `GET /channels/${channelId}/messages/${messageId}`));
    }
  }

  return {
    destination: `channel:${channelId}`,
    channelKind: kind,
    startThread: (messageId, name) => startMessageThread(discussion, messageId, name),
    threadsBlocked: () => describeBlockedThreads(discussion),
    postInThread: (threadId, message, nonce) => postInThread(discussion, threadId, message, nonce),
    async post(message: OutgoingMessage, nonce: string, paperPost) {
      // A forum takes posts, not messages: a paper card becomes one (other messages have no place there).
      if (paperPost && kind() === 'forum') return createForumPost(discussion, message, paperPost);
      try {
        const created = (await rest.post(Routes.channelMessages(channelId), {
          body: { ...message, nonce, enforce_nonce: true },
        })) as APIMessage;
        return { messageId: created.id };
      } catch (error) {
        const classified = classifyDiscordError(error, `POST /channels/${channelId}/messages`);
        const granted = classified.kind === 'forbidden' ? (options.permissions?.() ?? null) : null;
        throw withChannelAdvice(classified, granted === null ? [] : listMissingPermissions(granted));
      }
    },
    async readOwnMessages({ witnesses, since }) {
      if (kind() === 'forum') {
        const anchor = witnesses.find((id) => /^\d{1,20}$/.test(id));
        return readForumPosts(discussion, anchor ? BigInt(anchor) - 1n : BigInt(snowflakeAt(Date.parse(since) - CLOCK_SLACK_MS)));
      }
      const granted = options.permissions?.() ?? null;
      if (granted !== null) {
        const missing = listMissingPermissions(granted, ['View Channel', 'Read Message History']);
        if (missing.length > 0) return { messages: [], trusted: false, problem: noHistory(missing) };
      }
      const capped = (messages: PostedMessage[]) => ({
        messages,
        trusted: false,
        problem: `more than ${maxPages * PAGE} messages were written in the digest channel after the bot's last known post, more than a recovery read covers, so it could not check; the paper is held back (never posted twice): look for it in the channel`,
      });
      const candidates = witnesses.filter((id) => /^\d{1,20}$/.test(id)).slice(0, 4);
      if (candidates.length === 0) {
        // Nothing known to exist to start from: start from the time of the attempt, with slack for a fast clock.
        const read = await scan(snowflakeAt(Date.parse(since) - CLOCK_SLACK_MS), null);
        if (!read.complete) return capped(read.messages);
        if (granted === null)
          return {
            messages: read.messages,
            trusted: false,
            problem:
              "the bot's permissions in the digest channel are unknown (the channel is not in its cache), so an empty read proves nothing",
          };
        return { messages: read.messages, trusted: true };
      }
      for (const witness of candidates) {
        // Start just before a message known to exist, so the read must list it: proof that the history is readable.
        const read = await scan((BigInt(witness) - 1n).toString(), witness);
        if (read.sawWitness) return read.complete ? { messages: read.messages, trusted: true } : capped(read.messages);
        const seen = await probe(witness);
        if (seen !== 'deleted') return { messages: read.messages, trusted: false, problem: noHistory(['Read Message History']) };
      }
      return {
        messages: [],
        trusted: false,
        problem: `the messages the bot recorded as posted in the digest channel (${candidates.length} checked) were deleted, so no read of the history can be checked; the paper is held back (never posted twice): look for it in the channel`,
      };
    },
    async sendDirect(userId: string, message: OutgoingMessage, nonce: string) {
      try {
        // Opening the DM channel is idempotent: Discord returns the existing one.
        const channel = (await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
        const created = (await rest.post(Routes.channelMessages(channel.id), {
          body: { ...message, nonce, enforce_nonce: true },
        })) as APIMessage;
        return { messageId: created.id };
      } catch (error) {
        const failure = classifyDiscordError(error, `direct message to ${userId}`);
        // Unknown User (the member left Discord): no retry will ever reach them.
        throw failure.status === 404 ? new PostError('forbidden', failure.message, failure.status, failure.code) : failure;
      }
    },
  };
}

/** The papers a compact list message names in its marker line (or an explanation's key), as {@link PostedMessage} fields. */
function listedPapers(content: string): Pick<PostedMessage, 'paperIds' | 'explained'> {
  const ids = readCompactPaperIds(content);
  const explained = readExplanationKey(content);
  return { ...(ids ? { paperIds: ids } : {}), ...(explained ? { explained } : {}) };
}

function sortById(messages: PostedMessage[]): PostedMessage[] {
  return messages.sort((a, b) => (BigInt(a.messageId) < BigInt(b.messageId) ? -1 : 1));
}

/** Turns a discord.js REST error into a {@link PostError} that says what failed and where. */
export function classifyDiscordError(error: unknown, what: string): PostError {
  if (error instanceof DiscordAPIError) {
    const detail = `${what} failed with status ${error.status} (code ${error.code}): ${error.message}`;
    if (error.status === 401) return new PostError('unauthorized', detail, error.status, Number(error.code));
    if (error.status === 403) return new PostError('forbidden', detail, error.status, Number(error.code));
    if (error.status === 404 && Number(error.code) === 10003)
      return new PostError('unknown-channel', detail, error.status, Number(error.code));
    if (error.status === 400)
      return new PostError('invalid-payload', `${detail}${formatFormErrors(error.rawError)}`, error.status, Number(error.code));
    return new PostError('transient', detail, error.status, Number(error.code));
  }
  if (error instanceof HTTPError) return new PostError('transient', `${what} failed with status ${error.status}`, error.status);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new PostError('transient', `${what} failed: ${message}`);
}

/**
 * A failed call to the digest channel with what the admin should do about it (`advice`: the permissions to grant,
 * the id to check); `missing`: the channel permissions the bot is known to lack.
 */
function withChannelAdvice(error: PostError, missing: readonly string[] = error.missing): PostError {
  const advice = adviseOnChannelError({ kind: error.kind, message: error.message, missing });
  return new PostError(error.kind, error.message, error.status, error.code, missing, advice);
}

/** What an admin should do about a failed call to the digest channel, by the names Discord's settings show. */
export function adviseOnChannelError(error: Pick<PostError, 'kind' | 'message' | 'missing'>): string {
  switch (error.kind) {
    case 'forbidden': {
      const missing = error.missing.length > 0 ? ` It is missing ${error.missing.join(', ')}.` : '';
      return `cannot post to the digest channel: the bot lacks permissions there (${error.message}).${missing} Give it View Channel, Send Messages, Embed Links and Read Message History (needed to check its own posts after a crash) in that channel; digests resume on the next run.`;
    }
    case 'unknown-channel':
      return `the digest channel does not exist or the bot cannot see it (${error.message}). Check DISCORD_CHANNEL_ID and that the bot is in that server.`;
    case 'unauthorized':
      return `Discord rejected the bot token (${error.message}). Reset the token in the Developer Portal (Bot → Reset Token) and put it in DISCORD_TOKEN.`;
    case 'invalid-payload':
      return `Discord refused a message as malformed (${error.message}).`;
    default:
      return `posting failed for now (${error.message}); the unposted papers will be posted on the next run.`;
  }
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
