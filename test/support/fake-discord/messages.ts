import { Errors, formError } from './errors.js';
import type { UploadedFile } from './http.js';
import { type ChannelRecord, type State, isoTimestamp } from './state.js';
import type { StoredMessage } from './types.js';
import { computePinged, isEmptyMessage, normalizeComponents, normalizeEmbeds, validateMessageBody } from './validate-message.js';

type Json = Record<string, unknown>;

/**
 * Sends a gateway dispatch; `intent` is the intent bit a session needs to receive it (null: always), `guildId` the
 * guild whose shard receives it (null: an event without a guild, such as a DM, which goes to shard 0).
 */
export type Dispatch = (event: string, data: Json, intent: number | null, guildId: string | null) => void;

const GUILD_MESSAGES = 1 << 9;
const DIRECT_MESSAGES = 1 << 12;
const EPHEMERAL = 64;

/** Options for creating a message outside the plain channel endpoint. */
export interface CreateOptions {
  interactionId?: string;
  type?: number;
  /** Ephemeral messages never appear in channel history and never ping. */
  ephemeral?: boolean;
  /** Prefix for validation error paths (`data` for interaction callbacks). */
  errorPath?: string[];
  /** Extra flags forced by the server (e.g. 128 LOADING for deferrals). */
  extraFlags?: number;
  skipEmptyCheck?: boolean;
  /** Store the message without its embeds (the bot lacks Embed Links: Discord drops them). */
  dropEmbeds?: boolean;
  /** The message's id (a forum post's first message has its thread's id). */
  id?: string;
}

/** Creates, edits and lists messages with Discord's validation, nonce dedupe and mention semantics. */
export class Messages {
  constructor(
    private readonly state: State,
    private readonly dispatch: Dispatch,
    private readonly nonceWindowMs: number,
  ) {}

  private intentFor(channel: ChannelRecord): number {
    return channel.guildId === null ? DIRECT_MESSAGES : GUILD_MESSAGES;
  }

  /** Validates and stores a message; with `enforce_nonce` a repeated nonce returns the existing message. */
  create(
    channel: ChannelRecord,
    body: Json,
    files: UploadedFile[],
    options: CreateOptions = {},
  ): { message: StoredMessage; deduped: boolean } {
    const issues = validateMessageBody(body, options.errorPath ?? []);
    if (issues.length > 0) throw formError(issues);
    if (!options.skipEmptyCheck && isEmptyMessage(body, files.length)) throw Errors.emptyMessage();

    const nonce = (body.nonce ?? null) as string | number | null;
    const nonceKey = `${channel.id}:${this.state.bot.id}:${String(nonce)}`;
    const now = Date.now();
    if (nonce !== null && body.enforce_nonce === true) {
      const seen = this.state.nonces.get(nonceKey);
      const existing = seen && now - seen.at < this.nonceWindowMs ? channel.messages.find((m) => m.id === seen.messageId) : undefined;
      if (existing) return { message: existing, deduped: true };
    }

    const ephemeral = options.ephemeral ?? false;
    const content = typeof body.content === 'string' ? body.content : '';
    const ref = body.message_reference as Json | undefined;
    const replied = ref ? channel.messages.find((m) => m.id === ref.message_id) : undefined;
    const replyAuthor = replied && replied.authorId !== this.state.bot.id ? replied.authorId : null;
    const message: StoredMessage = {
      id: options.id ?? this.state.ids.next(now),
      channelId: channel.id,
      guildId: channel.guildId,
      authorId: this.state.bot.id,
      content,
      embeds: options.dropEmbeds ? [] : normalizeEmbeds(body.embeds),
      flags: ((body.flags as number | undefined) ?? 0) | (ephemeral ? EPHEMERAL : 0) | (options.extraFlags ?? 0),
      nonce,
      payload: body,
      edits: [],
      pinged: ephemeral ? { everyone: false, users: [], roles: [] } : computePinged(content, body.allowed_mentions, replyAuthor),
      timestamp: isoTimestamp(now),
      editedTimestamp: null,
      interactionId: options.interactionId ?? null,
      type: options.type ?? (ref ? 19 : 0),
      attachments: files.map((f) => ({ id: this.state.ids.next(now), filename: f.filename, size: f.size, data: f.data })),
      components: normalizeComponents(body.components),
    };
    if (!ephemeral) {
      channel.messages.push(message);
      this.dispatch(
        'MESSAGE_CREATE',
        this.state.messageJson(message, { withNonce: true, forGateway: true }),
        this.intentFor(channel),
        channel.guildId,
      );
    }
    if (nonce !== null && body.enforce_nonce === true) this.state.nonces.set(nonceKey, { messageId: message.id, at: now });
    return { message, deduped: false };
  }

  /**
   * Stores a plain message written by a member (the channel's own chatter), as if sent at `at`; members' messages
   * ping nobody here. Dispatched like any MESSAGE_CREATE.
   */
  createFromMember(channel: ChannelRecord, authorId: string, content: string, at = Date.now()): StoredMessage {
    const message: StoredMessage = {
      id: this.state.ids.next(at),
      channelId: channel.id,
      guildId: channel.guildId,
      authorId,
      content,
      embeds: [],
      flags: 0,
      nonce: null,
      payload: { content },
      edits: [],
      pinged: { everyone: false, users: [], roles: [] },
      timestamp: isoTimestamp(at),
      editedTimestamp: null,
      interactionId: null,
      type: 0,
      attachments: [],
      components: [],
    };
    channel.messages.push(message);
    this.dispatch('MESSAGE_CREATE', this.state.messageJson(message, { forGateway: true }), this.intentFor(channel), channel.guildId);
    return message;
  }

  /** Applies a PATCH-style edit: only fields present in `body` change. */
  edit(message: StoredMessage, body: Json, files: UploadedFile[], options: { clearFlags?: number } = {}): StoredMessage {
    const issues = validateMessageBody(body);
    if (issues.length > 0) throw formError(issues);
    const ephemeral = (message.flags & EPHEMERAL) !== 0;
    if ('content' in body) message.content = typeof body.content === 'string' ? body.content : '';
    if ('embeds' in body) message.embeds = normalizeEmbeds(body.embeds);
    if ('components' in body) message.components = normalizeComponents(body.components);
    if (typeof body.flags === 'number') message.flags = (message.flags & EPHEMERAL) | body.flags;
    message.flags &= ~(options.clearFlags ?? 0);
    if (files.length > 0)
      message.attachments.push(...files.map((f) => ({ id: this.state.ids.next(), filename: f.filename, size: f.size, data: f.data })));
    if (!ephemeral && ('content' in body || 'allowed_mentions' in body)) {
      message.pinged = computePinged(message.content, body.allowed_mentions ?? message.payload.allowed_mentions, null);
    }
    message.edits.push(body);
    message.editedTimestamp = isoTimestamp(Date.now());
    const channel = this.state.channels.get(message.channelId);
    if (channel && !ephemeral && channel.messages.includes(message)) {
      this.dispatch('MESSAGE_UPDATE', this.state.messageJson(message, { forGateway: true }), this.intentFor(channel), channel.guildId);
    }
    return message;
  }

  /** Removes a message from its channel history. */
  delete(message: StoredMessage): void {
    const channel = this.state.channels.get(message.channelId);
    if (!channel) return;
    const index = channel.messages.indexOf(message);
    if (index >= 0) channel.messages.splice(index, 1);
    this.dispatch(
      'MESSAGE_DELETE',
      { id: message.id, channel_id: channel.id, ...(channel.guildId ? { guild_id: channel.guildId } : {}) },
      this.intentFor(channel),
      channel.guildId,
    );
  }
}
