import { Errors, type Issue, badLength, formError, required, tooLong } from './errors.js';
import type { Route, RouteContext } from './http.js';
import type { Dispatch, Messages } from './messages.js';
import { Perm } from './permissions.js';
import { enforcedPermissions, visibleChannel } from './rest-routes.js';
import { type ChannelRecord, type ForumTag, HAS_THREAD, type State, type ThreadRecord } from './state.js';
import type { StoredMessage } from './types.js';
import { isEmptyMessage, validateMessageBody } from './validate-message.js';

type Json = Record<string, unknown>;

// Intent bits (events/gateway, "List of Intents"): THREAD_* ride on GUILDS, MESSAGE_* on GUILD_MESSAGES.
const GUILDS = 1 << 0;
const GUILD_MESSAGES = 1 << 9;
const ChannelKind = { Text: 0, Announcement: 5, AnnouncementThread: 10, PublicThread: 11, PrivateThread: 12, Forum: 15 } as const;
/** The only auto_archive_duration values Discord accepts, in minutes. */
const ARCHIVE_DURATIONS = new Set([60, 1440, 4320, 10080]);
const MAX_APPLIED_TAGS = 5;
const MAX_AVAILABLE_TAGS = 20;
const MAX_TAG_NAME = 20;

const asObject = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const has = (permissions: bigint, bit: bigint): boolean => (permissions & bit) === bit;
const codePoints = (s: string): number => [...s].length;

/** A thread as a test sees it: where it lives, what it is called, its tags and its messages (live). */
export interface FakeThread {
  id: string;
  /** 11 public thread (10 in an announcement channel, 12 private). */
  type: number;
  name: string;
  parentId: string;
  ownerId: string;
  archived: boolean;
  appliedTags: string[];
  /** The message it was started from, or its own first message (a forum post); the same id as the thread. */
  starterMessageId: string | null;
  messages: StoredMessage[];
}

/** Reads the thread name of a create or modify body: 1–100 characters (channel resource, "name"). */
function checkName(issues: Issue[], value: unknown, isRequired: boolean): void {
  if (value === undefined && !isRequired) return;
  if (typeof value !== 'string') issues.push(required(['name']));
  else if (codePoints(value) < 1 || codePoints(value) > 100) issues.push(badLength(['name'], 1, 100));
}

function checkArchiveDuration(issues: Issue[], value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !ARCHIVE_DURATIONS.has(value))
    issues.push({ path: ['auto_archive_duration'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {60, 1440, 4320, 10080}.' });
}

/** Threads and forum posts: Start Thread from Message, Start Thread in Forum (or without message), Modify Channel. */
export class Threads {
  constructor(
    private readonly state: State,
    private readonly messages: Messages,
    private readonly dispatch: Dispatch,
  ) {}

  /** Registers a new thread under `parent` and sends THREAD_CREATE (`newly_created`, as for its creator). */
  private open(parent: ChannelRecord, input: { id: string; type: number; name: string; ownerId: string; body: Json }): ChannelRecord {
    const now = Date.now();
    const guild = this.state.guilds.get(parent.guildId!)!;
    const thread: ThreadRecord = {
      parentId: parent.id,
      ownerId: input.ownerId,
      archived: false,
      locked: false,
      autoArchiveDuration: typeof input.body.auto_archive_duration === 'number' ? input.body.auto_archive_duration : 4320,
      archiveTimestamp: now,
      createdAt: now,
      appliedTags: Array.isArray(input.body.applied_tags) ? (input.body.applied_tags as string[]).map(String) : [],
      starterMessageId: null,
    };
    const channel: ChannelRecord = {
      id: input.id,
      type: input.type,
      name: input.name,
      guildId: guild.id,
      recipientId: null,
      position: 0,
      overwrites: [],
      availableTags: [],
      messages: [],
      thread,
    };
    this.state.channels.set(channel.id, channel);
    this.dispatch('THREAD_CREATE', { ...this.state.channelJson(channel), newly_created: true }, GUILDS, guild.id);
    return channel;
  }

  /** Start Thread from Message: a public thread (announcement thread) with the message's id, one per message. */
  startFromMessage(ctx: RouteContext): Json {
    const parent = visibleChannel(this.state, ctx.params.channelId!);
    if (parent.type !== ChannelKind.Text && parent.type !== ChannelKind.Announcement) throw Errors.invalidChannelType();
    const message = parent.messages.find((m) => m.id === ctx.params.messageId);
    if (!message) throw Errors.unknownMessage();
    if (!has(enforcedPermissions(this.state, parent), Perm.CreatePublicThreads)) throw Errors.missingPermissions();
    const body = asObject(ctx.body);
    const issues: Issue[] = [];
    checkName(issues, body.name, true);
    checkArchiveDuration(issues, body.auto_archive_duration);
    if (issues.length > 0) throw formError(issues);
    // "The id of the created thread will be the same as the id of the source message, and as such a message can only
    // have a single thread created from it."
    if (this.state.threadByMessage.has(message.id)) throw Errors.threadAlreadyCreated();
    const type = parent.type === ChannelKind.Announcement ? ChannelKind.AnnouncementThread : ChannelKind.PublicThread;
    const thread = this.open(parent, { id: message.id, type, name: body.name as string, ownerId: this.state.bot.id, body });
    thread.thread!.starterMessageId = message.id;
    this.state.threadByMessage.set(message.id, thread.id);
    message.flags |= HAS_THREAD;
    this.dispatch('MESSAGE_UPDATE', this.state.messageJson(message, { forGateway: true }), GUILD_MESSAGES, parent.guildId);
    return this.state.channelJson(thread);
  }

  /**
   * POST /channels/{id}/threads: in a forum, Start Thread in Forum (a post: a public thread and its first message,
   * which has the thread's id; needs Send Messages, "CREATE_PUBLIC_THREADS is ignored"); in a text channel, Start
   * Thread without Message (`type` 11 public or 12 private, the default).
   */
  startInChannel(ctx: RouteContext): Json {
    const parent = visibleChannel(this.state, ctx.params.channelId!);
    const body = asObject(ctx.body);
    const permissions = enforcedPermissions(this.state, parent);
    const issues: Issue[] = [];
    checkName(issues, body.name, true);
    checkArchiveDuration(issues, body.auto_archive_duration);
    if (parent.type === ChannelKind.Forum) {
      if (!has(permissions, Perm.SendMessages)) throw Errors.missingPermissions();
      const message = asObject(body.message);
      if (body.message === undefined) issues.push(required(['message']));
      else issues.push(...validateMessageBody(message, ['message']));
      this.checkAppliedTags(issues, parent, body.applied_tags, permissions);
      if (issues.length > 0) throw formError(issues);
      if (isEmptyMessage(message, ctx.files.length)) throw Errors.emptyMessage();
      const id = this.state.ids.next();
      const thread = this.open(parent, { id, type: ChannelKind.PublicThread, name: body.name as string, ownerId: this.state.bot.id, body });
      thread.thread!.starterMessageId = id;
      const { message: first } = this.messages.create(thread, message, ctx.files, { id });
      return { ...this.state.channelJson(thread), message: this.state.messageJson(first) };
    }
    if (parent.type !== ChannelKind.Text && parent.type !== ChannelKind.Announcement) throw Errors.invalidChannelType();
    const type = body.type === undefined ? ChannelKind.PrivateThread : body.type;
    if (type !== ChannelKind.PublicThread && type !== ChannelKind.PrivateThread && type !== ChannelKind.AnnouncementThread)
      issues.push({ path: ['type'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {10, 11, 12}.' });
    if (issues.length > 0) throw formError(issues);
    const needed = type === ChannelKind.PrivateThread ? Perm.CreatePrivateThreads : Perm.CreatePublicThreads;
    if (!has(permissions, needed)) throw Errors.missingPermissions();
    const thread = this.open(parent, {
      id: this.state.ids.next(),
      type: type as number,
      name: body.name as string,
      ownerId: this.state.bot.id,
      body,
    });
    return this.state.channelJson(thread);
  }

  /**
   * `applied_tags` of a forum post: at most 5, each one of the forum's `available_tags`; a moderated tag needs Manage
   * Threads (forum tag object, "moderated"). Discord does not document the error for a tag the forum lacks; the fake
   * answers 400 50035 on `applied_tags`.
   */
  private checkAppliedTags(issues: Issue[], forum: ChannelRecord, value: unknown, permissions: bigint): void {
    if (value === undefined || value === null) return;
    if (!Array.isArray(value)) {
      issues.push({ path: ['applied_tags'], code: 'BASE_TYPE_ARRAY', message: 'Value is not an array.' });
      return;
    }
    if (value.length > MAX_APPLIED_TAGS) issues.push(tooLong(['applied_tags'], MAX_APPLIED_TAGS));
    value.forEach((id, i) => {
      const tag = forum.availableTags.find((t) => t.id === String(id));
      if (!tag) issues.push({ path: ['applied_tags', i], code: 'TAG_INVALID', message: `Unknown tag ${String(id)} in this forum.` });
      else if (tag.moderated && !has(permissions, Perm.ManageThreads)) throw Errors.missingPermissions();
    });
  }

  /**
   * Modify Channel for a forum (`available_tags`, at most 20, names of at most 20 characters; needs Manage Channels:
   * CHANNEL_UPDATE) or a thread (`name`, `archived`, `locked`, `applied_tags`; needs Manage Threads, except reopening
   * an unlocked thread, which Send Messages allows: THREAD_UPDATE). Other channels: `name` only, with Manage Channels.
   */
  modify(ctx: RouteContext): Json {
    const channel = visibleChannel(this.state, ctx.params.channelId!);
    const body = asObject(ctx.body);
    const permissions = enforcedPermissions(this.state, channel);
    const issues: Issue[] = [];
    checkName(issues, body.name, false);
    if (channel.thread) {
      const thread = channel.thread;
      const onlyReopens = Object.keys(body).every((k) => k === 'archived') && body.archived === false && !thread.locked;
      if (!has(permissions, onlyReopens ? Perm.SendMessages : Perm.ManageThreads)) throw Errors.missingPermissions();
      const parent = this.state.channels.get(thread.parentId)!;
      if (body.applied_tags !== undefined) {
        if (parent.type !== ChannelKind.Forum) throw Errors.invalidChannelType();
        this.checkAppliedTags(issues, parent, body.applied_tags, permissions);
      }
      checkArchiveDuration(issues, body.auto_archive_duration);
      if (issues.length > 0) throw formError(issues);
      if (typeof body.name === 'string') channel.name = body.name;
      if (typeof body.archived === 'boolean' && body.archived !== thread.archived) {
        thread.archived = body.archived;
        thread.archiveTimestamp = Date.now();
      }
      if (typeof body.locked === 'boolean') thread.locked = body.locked;
      if (typeof body.auto_archive_duration === 'number') thread.autoArchiveDuration = body.auto_archive_duration;
      if (Array.isArray(body.applied_tags)) thread.appliedTags = body.applied_tags.map(String);
      this.dispatch('THREAD_UPDATE', this.state.channelJson(channel), GUILDS, channel.guildId);
      return this.state.channelJson(channel);
    }
    if (channel.guildId === null) throw Errors.invalidChannelType();
    if (!has(permissions, Perm.ManageChannels)) throw Errors.missingPermissions();
    let tags: ForumTag[] | null = null;
    if (body.available_tags !== undefined) {
      if (channel.type !== ChannelKind.Forum) throw Errors.invalidChannelType();
      tags = this.readAvailableTags(issues, channel, body.available_tags);
    }
    if (issues.length > 0) throw formError(issues);
    if (typeof body.name === 'string') channel.name = body.name;
    if (tags) {
      channel.availableTags = tags;
      // A tag taken off the forum comes off its posts too.
      for (const post of this.threadsOf(channel.id)) {
        const record = this.state.channels.get(post.id)!.thread!;
        record.appliedTags = record.appliedTags.filter((id) => tags.some((t) => t.id === id));
      }
    }
    this.dispatch('CHANNEL_UPDATE', this.state.channelJson(channel), GUILDS, channel.guildId);
    return this.state.channelJson(channel);
  }

  /** The forum's new tag list: a tag with a known id keeps it, a tag with only a name gets a new one. */
  private readAvailableTags(issues: Issue[], forum: ChannelRecord, value: unknown): ForumTag[] {
    if (!Array.isArray(value)) {
      issues.push({ path: ['available_tags'], code: 'BASE_TYPE_ARRAY', message: 'Value is not an array.' });
      return [];
    }
    if (value.length > MAX_AVAILABLE_TAGS) issues.push(tooLong(['available_tags'], MAX_AVAILABLE_TAGS));
    return value.map((raw, i) => {
      const tag = asObject(raw);
      if (typeof tag.name !== 'string') issues.push(required(['available_tags', i, 'name']));
      else if (codePoints(tag.name) > MAX_TAG_NAME) issues.push(tooLong(['available_tags', i, 'name'], MAX_TAG_NAME));
      const known = typeof tag.id === 'string' ? forum.availableTags.find((t) => t.id === tag.id) : undefined;
      return {
        id: known?.id ?? this.state.ids.next(),
        name: typeof tag.name === 'string' ? tag.name : '',
        moderated: tag.moderated === true,
        emoji_id: typeof tag.emoji_id === 'string' ? tag.emoji_id : null,
        emoji_name: typeof tag.emoji_name === 'string' ? tag.emoji_name : null,
      };
    });
  }

  /** List Active Guild Threads: every unarchived thread of the guild the bot can view, and the bot's memberships. */
  activeInGuild(guildId: string): Json {
    const guild = this.state.guilds.get(guildId);
    if (!guild) throw Errors.unknownGuild();
    if (!guild.botPresent) throw Errors.missingAccess();
    const threads = this.state
      .threadsIn(guild)
      .filter((t) => !t.thread!.archived && has(enforcedPermissions(this.state, t), Perm.ViewChannel));
    return {
      threads: threads.map((t) => this.state.channelJson(t)),
      members: threads
        .filter((t) => t.thread!.ownerId === this.state.bot.id)
        .map((t) => ({ id: t.id, user_id: this.state.bot.id, join_timestamp: new Date(t.thread!.createdAt).toISOString(), flags: 0 })),
    };
  }

  /**
   * List Public Archived Threads: the channel's archived public threads (a forum's archived posts), newest archived
   * first, `before` an ISO 8601 timestamp (or a snowflake), `limit` 2 to 100 (default 50), with `has_more`. Needs
   * Read Message History (resources/channel, "List Public Archived Threads").
   */
  archivedPublic(ctx: RouteContext): Json {
    const parent = visibleChannel(this.state, ctx.params.channelId!);
    if (parent.type !== ChannelKind.Text && parent.type !== ChannelKind.Announcement && parent.type !== ChannelKind.Forum)
      throw Errors.invalidChannelType();
    if (!has(enforcedPermissions(this.state, parent), Perm.ReadMessageHistory)) throw Errors.missingAccess();
    const rawLimit = ctx.query.get('limit');
    const limit = rawLimit === null ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 2 || limit > 100)
      throw formError([{ path: ['limit'], code: 'NUMBER_TYPE_MIN', message: 'Value must be between 2 and 100.' }]);
    const rawBefore = ctx.query.get('before');
    const before =
      rawBefore === null
        ? Infinity
        : /^\d+$/.test(rawBefore)
          ? Number((BigInt(rawBefore) >> 22n) + 1_420_070_400_000n)
          : Date.parse(rawBefore);
    const archived = [...this.state.channels.values()]
      .filter((c) => c.thread?.parentId === parent.id && c.thread.archived && c.type !== ChannelKind.PrivateThread)
      .filter((c) => c.thread!.archiveTimestamp < before)
      .sort((a, b) => b.thread!.archiveTimestamp - a.thread!.archiveTimestamp);
    const page = archived.slice(0, limit);
    return {
      threads: page.map((t) => this.state.channelJson(t)),
      members: page
        .filter((t) => t.thread!.ownerId === this.state.bot.id)
        .map((t) => ({ id: t.id, user_id: this.state.bot.id, join_timestamp: new Date(t.thread!.createdAt).toISOString(), flags: 0 })),
      has_more: archived.length > limit,
    };
  }

  /** Archives a thread as Discord does after its inactivity period (auto_archive_duration): THREAD_UPDATE. */
  autoArchive(threadId: string): void {
    const channel = this.state.channels.get(threadId);
    if (!channel?.thread) throw new Error(`no thread ${threadId}`);
    channel.thread.archived = true;
    channel.thread.archiveTimestamp = Date.now();
    this.dispatch('THREAD_UPDATE', this.state.channelJson(channel), GUILDS, channel.guildId);
  }

  /** The threads started in or from a channel (a forum's posts), oldest first. */
  threadsOf(channelId: string): FakeThread[] {
    return [...this.state.channels.values()]
      .filter((c) => c.thread?.parentId === channelId)
      .map((c) => ({
        id: c.id,
        type: c.type,
        name: c.name ?? '',
        parentId: c.thread!.parentId,
        ownerId: c.thread!.ownerId,
        archived: c.thread!.archived,
        appliedTags: [...c.thread!.appliedTags],
        starterMessageId: c.thread!.starterMessageId,
        messages: c.messages,
      }));
  }

  /** The REST routes of threads and forum tags. */
  routes(route: (method: string, pattern: string, handler: Route['handler']) => Route): Route[] {
    const ok = (body: unknown, status = 200) => ({ status, body });
    return [
      route('POST', '/channels/:channelId/messages/:messageId/threads', (ctx) => ok(this.startFromMessage(ctx), 201)),
      route('POST', '/channels/:channelId/threads', (ctx) => ok(this.startInChannel(ctx), 201)),
      route('PATCH', '/channels/:channelId', (ctx) => ok(this.modify(ctx))),
      route('GET', '/guilds/:guildId/threads/active', (ctx) => ok(this.activeInGuild(ctx.params.guildId!))),
      route('GET', '/channels/:channelId/threads/archived/public', (ctx) => ok(this.archivedPublic(ctx))),
    ];
  }
}
