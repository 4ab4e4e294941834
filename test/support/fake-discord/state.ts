import {
  BOT_ROLE_PERMISSIONS,
  EVERYONE_PERMISSIONS,
  type Overwrite,
  type PermissionGuild,
  computeBasePermissions,
  computeOverwrites,
  toPermissions,
} from './permissions.js';
import type { ChannelInput, FakeDiscordOptions, FakeUser, GuildInput, MemberInput, OverwriteInput, StoredMessage } from './types.js';

export { EVERYONE_PERMISSIONS, Perm } from './permissions.js';

const DISCORD_EPOCH = 1_420_070_400_000n;

/** Generates Discord snowflakes from the current time. */
export class Snowflakes {
  private increment = 0n;
  next(at = Date.now()): string {
    this.increment = (this.increment + 1n) & 0xfffn;
    return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | (1n << 12n) | this.increment).toString();
  }
}

/** Formats a time the way Discord does: `2024-05-01T12:00:00.123000+00:00`. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/** A guild role; the @everyone role has the guild's id. */
export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  /** Set for the bot's own managed role. */
  botId: string | null;
}

/** A guild member: its roles (ids; @everyone is implicit) and when it joined. */
export interface MemberRecord {
  userId: string;
  roles: string[];
  joinedAt: number;
}

/** A guild: the server lives on after the bot is removed from it (`botPresent` false), as on Discord. */
export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  /** The bot's managed role; a new one each time the bot joins. */
  botRoleId: string;
  joinedAt: number;
  channelIds: string[];
  roles: Map<string, RoleRecord>;
  members: Map<string, MemberRecord>;
  botPresent: boolean;
  /** In an outage: the gateway reported it unavailable. */
  unavailable: boolean;
}

/** A forum tag as Discord returns it. */
export interface ForumTag {
  id: string;
  name: string;
  moderated: boolean;
  emoji_id: string | null;
  emoji_name: string | null;
}

/** What only a thread (type 10, 11 or 12) has: its metadata and, in a forum, its applied tags. */
export interface ThreadRecord {
  /** The text, announcement or forum channel it belongs to. */
  parentId: string;
  /** Who created it. */
  ownerId: string;
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: number;
  archiveTimestamp: number;
  createdAt: number;
  /** Forum posts only: ids of tags of the forum's `available_tags`, at most 5. */
  appliedTags: string[];
  /** The message it was started from (Start Thread from Message), or its own first message (a forum post); both share its id. */
  starterMessageId: string | null;
}

/** A guild or DM channel (a thread too) with its message history. */
export interface ChannelRecord {
  id: string;
  type: number;
  name: string | null;
  guildId: string | null;
  recipientId: string | null;
  position: number;
  overwrites: Overwrite[];
  /** Forum channels (type 15) only. */
  availableTags: ForumTag[];
  messages: StoredMessage[];
  /** Threads only (they take their permissions from their parent channel). */
  thread: ThreadRecord | null;
}

/** The users who reacted to a message with one emoji, in the order they reacted (each user once). */
export interface ReactionRecord {
  emoji: { id: string | null; name: string };
  userIds: string[];
}

/** Message flag HAS_THREAD: a thread was started from this message. */
export const HAS_THREAD = 1 << 5;

type Json = Record<string, unknown>;

/** Reads an overwrite input (`type` 0/'role' or 1/'member'). */
export function toOverwrite(input: OverwriteInput): Overwrite {
  return {
    id: input.id,
    type: input.type === 'role' || input.type === 0 ? 0 : 1,
    allow: toPermissions(input.allow),
    deny: toPermissions(input.deny),
  };
}

/** Everything the fake Discord knows: users, guilds (roles, members, channels), messages and commands. */
export class State {
  readonly ids = new Snowflakes();
  readonly token: string;
  readonly applicationId: string;
  readonly bot: FakeUser;
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  /** Channels deleted by {@link FakeDiscord.deleteChannel}: gone for the API, kept for assertions. */
  readonly deletedChannels = new Map<string, ChannelRecord>();
  readonly dmChannelByUser = new Map<string, string>();
  /** Ephemeral interaction messages (never in a channel's history) and the one user who sees each. */
  readonly ephemeralMessages = new Map<string, { message: StoredMessage; viewerId: string }>();
  /** Application commands keyed by guild id, or `global`. */
  readonly commands = new Map<string, Json[]>();
  readonly nonces = new Map<string, { messageId: string; at: number }>();
  /** Reactions by message id, one record per emoji in the order first used. */
  readonly reactions = new Map<string, ReactionRecord[]>();
  /** The thread started from a message (Discord allows one per message; it has the message's id). */
  readonly threadByMessage = new Map<string, string>();
  private readonly defaultOwner: FakeUser;

  constructor(options: FakeDiscordOptions) {
    this.applicationId = options.applicationId ?? this.ids.next(Date.now() - 86_400_000 * 400);
    const botId = options.botUserId ?? this.applicationId;
    this.token = options.token ?? `${Buffer.from(botId).toString('base64url')}.Fake00.${this.ids.next()}-fake-token`;
    this.bot = this.addUser({ id: botId, username: options.botUsername ?? 'Paperboy', bot: true });
    this.defaultOwner = this.addUser({ username: 'guild-owner' });
    const guilds = options.guilds ?? [{ id: this.ids.next(), channels: [{ id: this.ids.next(), name: 'general' }] }];
    for (const input of guilds) this.joinGuild(input, Date.now() - 86_400_000);
  }

  addUser(input: Partial<FakeUser> & { username?: string }): FakeUser {
    const user: FakeUser = {
      id: input.id ?? this.ids.next(),
      username: input.username ?? 'user',
      globalName: input.globalName ?? null,
      bot: input.bot ?? false,
      dmsOpen: input.dmsOpen ?? true,
    };
    this.users.set(user.id, user);
    return user;
  }

  /**
   * The bot joins a guild: a new one, or one it was removed from (its channels, messages, roles and members are as
   * they were; what `input` adds is added). Discord gives the bot a new managed role at each join.
   */
  joinGuild(input: GuildInput, joinedAt = Date.now()): GuildRecord {
    let guild = this.guilds.get(input.id);
    if (guild?.botPresent) throw new Error(`fake-discord: the bot is already in guild ${input.id}`);
    if (!guild) {
      const ownerId = input.ownerId ?? this.defaultOwner.id;
      if (!this.users.has(ownerId)) this.addUser({ id: ownerId, username: 'guild-owner' });
      guild = {
        id: input.id,
        name: input.name ?? 'Test Guild',
        ownerId,
        botRoleId: '',
        joinedAt,
        channelIds: [],
        roles: new Map([[input.id, { id: input.id, name: '@everyone', permissions: EVERYONE_PERMISSIONS, position: 0, botId: null }]]),
        members: new Map([[ownerId, { userId: ownerId, roles: [], joinedAt: joinedAt - 86_400_000 }]]),
        botPresent: false,
        unavailable: false,
      };
      this.guilds.set(guild.id, guild);
    }
    for (const role of input.roles ?? []) {
      const existing = guild.roles.get(role.id);
      const position = role.position ?? existing?.position ?? guild.roles.size;
      const permissions = toPermissions(role.permissions, existing?.permissions ?? 0n);
      guild.roles.set(role.id, {
        id: role.id,
        name: role.name ?? existing?.name ?? `role-${guild.roles.size}`,
        permissions,
        position,
        botId: null,
      });
    }
    this.joinMembers(guild, input.members ?? [], joinedAt - 3_600_000);
    for (const channel of input.channels ?? []) if (!this.channels.has(channel.id)) this.addGuildChannel(guild, channel);
    const botRoleId = this.ids.next();
    const top = Math.max(...[...guild.roles.values()].map((r) => r.position));
    const botPermissions = toPermissions(input.botPermissions, BOT_ROLE_PERMISSIONS);
    guild.roles.set(botRoleId, {
      id: botRoleId,
      name: this.bot.username,
      permissions: botPermissions,
      position: top + 1,
      botId: this.bot.id,
    });
    this.checkRoles(guild, input.botRoles ?? []);
    guild.members.set(this.bot.id, { userId: this.bot.id, roles: [botRoleId, ...(input.botRoles ?? [])], joinedAt });
    Object.assign(guild, { botRoleId, joinedAt, botPresent: true, unavailable: input.unavailable ?? false });
    return guild;
  }

  /** The bot is removed: its member and managed role go (and the role's overwrites with it); the guild stays. */
  leaveGuild(guild: GuildRecord): void {
    guild.members.delete(this.bot.id);
    guild.roles.delete(guild.botRoleId);
    for (const id of guild.channelIds) {
      const channel = this.channels.get(id)!;
      channel.overwrites = channel.overwrites.filter((o) => !(o.type === 0 && o.id === guild.botRoleId));
    }
    guild.botPresent = false;
    guild.unavailable = false;
  }

  /** Users join a guild as members with the given roles (a user is created when unknown). */
  joinMembers(guild: GuildRecord, members: readonly MemberInput[], joinedAt = Date.now()): void {
    for (const member of members) {
      if (!this.users.has(member.userId)) this.addUser({ id: member.userId, username: member.username ?? 'member' });
      this.checkRoles(guild, member.roles ?? []);
      guild.members.set(member.userId, { userId: member.userId, roles: [...(member.roles ?? [])], joinedAt });
    }
  }

  private checkRoles(guild: GuildRecord, roleIds: readonly string[]): void {
    const unknown = roleIds.find((id) => !guild.roles.has(id));
    if (unknown) throw new Error(`fake-discord: guild ${guild.id} has no role ${unknown}`);
  }

  /** Creates a channel in a guild (after its last channel). */
  addGuildChannel(guild: GuildRecord, input: ChannelInput): ChannelRecord {
    if (this.channels.has(input.id) || this.deletedChannels.has(input.id)) throw new Error(`fake-discord: channel ${input.id} exists`);
    const type = input.type ?? 0;
    const position = guild.channelIds.length;
    const channel: ChannelRecord = {
      id: input.id,
      type,
      name: input.name ?? `channel-${position}`,
      guildId: guild.id,
      recipientId: null,
      position,
      overwrites: (input.overwrites ?? []).map(toOverwrite),
      availableTags: (input.availableTags ?? []).map((t) => ({
        id: t.id ?? this.ids.next(),
        name: t.name,
        moderated: t.moderated ?? false,
        emoji_id: null,
        emoji_name: t.emojiName ?? null,
      })),
      messages: [],
      thread: null,
    };
    this.channels.set(channel.id, channel);
    guild.channelIds.push(channel.id);
    return channel;
  }

  /** Returns (creating on first use) the DM channel between the bot and `userId`. */
  openDm(userId: string): ChannelRecord {
    const existing = this.dmChannelByUser.get(userId);
    if (existing) return this.channels.get(existing)!;
    const channel: ChannelRecord = {
      id: this.ids.next(),
      type: 1,
      name: null,
      guildId: null,
      recipientId: userId,
      position: 0,
      overwrites: [],
      availableTags: [],
      messages: [],
      thread: null,
    };
    this.channels.set(channel.id, channel);
    this.dmChannelByUser.set(userId, channel.id);
    return channel;
  }

  private permissionGuild(guild: GuildRecord): PermissionGuild {
    return { id: guild.id, ownerId: guild.ownerId, rolePermissions: (id) => guild.roles.get(id)?.permissions };
  }

  /** A member's permissions: guild-level, or in `channel` with its overwrites (0 when not a member). */
  memberPermissions(guild: GuildRecord, userId: string, channel?: ChannelRecord): bigint {
    const member = guild.members.get(userId);
    if (!member) return 0n;
    const base = computeBasePermissions(this.permissionGuild(guild), userId, member.roles);
    // A thread has no overwrites of its own: its parent channel's apply (topics/threads, "Permissions").
    const source = channel?.thread ? (this.channels.get(channel.thread.parentId) ?? channel) : channel;
    return source ? computeOverwrites(base, this.permissionGuild(guild), userId, member.roles, source.overwrites) : base;
  }

  /** The bot's permissions in a channel (0 once removed from its guild; DMs: everything a DM allows). */
  botPermissions(channel: ChannelRecord): bigint {
    if (channel.guildId === null) return BOT_ROLE_PERMISSIONS;
    return this.memberPermissions(this.guilds.get(channel.guildId)!, this.bot.id, channel);
  }

  userJson(user: FakeUser): Json {
    return {
      id: user.id,
      username: user.username,
      avatar: null,
      discriminator: user.bot ? '0000' : '0',
      public_flags: 0,
      flags: 0,
      ...(user.bot ? { bot: true } : {}),
      banner: null,
      accent_color: null,
      global_name: user.globalName,
      avatar_decoration_data: null,
      collectibles: null,
      banner_color: null,
      clan: null,
      primary_guild: null,
    };
  }

  memberJson(user: FakeUser, roles: string[], joinedAt: number, permissions?: string): Json {
    return {
      user: this.userJson(user),
      nick: null,
      avatar: null,
      banner: null,
      roles,
      joined_at: isoTimestamp(joinedAt),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
      unusual_dm_activity_until: null,
      ...(permissions === undefined ? {} : { permissions }),
    };
  }

  /** A guild member object (Get Guild Member, GUILD_CREATE), with `permissions` only where interactions carry it. */
  guildMemberJson(guild: GuildRecord, userId: string, permissions?: string): Json {
    const member = guild.members.get(userId)!;
    return this.memberJson(this.users.get(userId)!, [...member.roles], member.joinedAt, permissions);
  }

  channelJson(channel: ChannelRecord, withGuildId = true): Json {
    if (channel.thread) return this.threadJson(channel, channel.thread, withGuildId);
    const lastMessageId = channel.messages.at(-1)?.id ?? null;
    if (channel.guildId === null) {
      const recipient = this.users.get(channel.recipientId ?? '');
      return { id: channel.id, type: 1, last_message_id: lastMessageId, flags: 0, recipients: recipient ? [this.userJson(recipient)] : [] };
    }
    const json: Json = {
      id: channel.id,
      type: channel.type,
      ...(withGuildId ? { guild_id: channel.guildId } : {}),
      name: channel.name,
      position: channel.position,
      permission_overwrites: channel.overwrites.map((o) => ({
        id: o.id,
        type: o.type,
        allow: o.allow.toString(),
        deny: o.deny.toString(),
      })),
      nsfw: false,
      topic: null,
      last_message_id: lastMessageId,
      rate_limit_per_user: 0,
      parent_id: null,
      flags: 0,
    };
    if (channel.type === 15) {
      Object.assign(json, {
        available_tags: channel.availableTags.map((t) => ({ ...t })),
        default_reaction_emoji: null,
        default_thread_rate_limit_per_user: 0,
        default_sort_order: null,
        default_forum_layout: 0,
        last_message_id: null,
      });
    }
    return json;
  }

  /** A thread channel object (type 10, 11 or 12) with its `thread_metadata`, and `applied_tags` in a forum. */
  threadJson(channel: ChannelRecord, thread: ThreadRecord, withGuildId = true): Json {
    const parent = this.channels.get(thread.parentId);
    const inForum = parent?.type === 15;
    return {
      id: channel.id,
      type: channel.type,
      ...(withGuildId ? { guild_id: channel.guildId } : {}),
      parent_id: thread.parentId,
      owner_id: thread.ownerId,
      name: channel.name,
      last_message_id: channel.messages.at(-1)?.id ?? null,
      // Not counting the initial message of a forum post, which has the thread's id (channel object, "message_count").
      message_count: channel.messages.filter((m) => m.id !== channel.id).length,
      total_message_sent: channel.messages.length,
      member_count: 1,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: {
        archived: thread.archived,
        auto_archive_duration: thread.autoArchiveDuration,
        archive_timestamp: isoTimestamp(thread.archiveTimestamp),
        locked: thread.locked,
        create_timestamp: isoTimestamp(thread.createdAt),
      },
      ...(inForum ? { applied_tags: [...thread.appliedTags] } : {}),
    };
  }

  /** The threads of a guild's channels, oldest first. */
  threadsIn(guild: GuildRecord): ChannelRecord[] {
    return [...this.channels.values()].filter((c) => c.thread !== null && c.guildId === guild.id);
  }

  /** The message with this id in any channel (threads and DMs included), or undefined. */
  findMessage(messageId: string): StoredMessage | undefined {
    for (const channel of this.channels.values()) {
      const message = channel.messages.find((m) => m.id === messageId);
      if (message) return message;
    }
    return undefined;
  }

  roleJson(role: RoleRecord): Json {
    return {
      id: role.id,
      name: role.name,
      description: null,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: role.position,
      permissions: role.permissions.toString(),
      managed: role.botId !== null,
      mentionable: false,
      flags: 0,
      ...(role.botId !== null ? { tags: { bot_id: role.botId } } : {}),
    };
  }

  rolesJson(guild: GuildRecord): Json[] {
    return [...guild.roles.values()].sort((a, b) => a.position - b.position).map((role) => this.roleJson(role));
  }

  /** A guild as Get Current User Guilds lists it (a partial guild with the bot's permissions there). */
  partialGuildJson(guild: GuildRecord, withCounts: boolean): Json {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      banner: null,
      owner: guild.ownerId === this.bot.id,
      permissions: this.memberPermissions(guild, this.bot.id).toString(),
      features: [],
      ...(withCounts ? { approximate_member_count: guild.members.size, approximate_presence_count: 1 } : {}),
    };
  }

  /** A guild object (Get Guild), without the extra fields only GUILD_CREATE carries. */
  guildJson(guild: GuildRecord): Json {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: this.rolesJson(guild),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: guild.channelIds[0] ?? null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      max_presences: null,
      max_members: 500_000,
      vanity_url_code: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US',
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      nsfw: false,
    };
  }

  /**
   * The full GUILD_CREATE payload discord.js needs to cache the guild, its channels, roles and our member. Without
   * the GUILD_PRESENCES intent Discord lists only the bot among the members (gateway-events, Guild Create).
   */
  guildCreateJson(guild: GuildRecord): Json {
    return {
      ...this.guildJson(guild),
      lazy: true,
      large: false,
      unavailable: false,
      joined_at: isoTimestamp(guild.joinedAt),
      member_count: guild.members.size,
      members: [this.guildMemberJson(guild, this.bot.id)],
      channels: guild.channelIds.map((id) => this.channelJson(this.channels.get(id)!, false)),
      // Active threads the bot can view (gateway-events, Guild Create).
      threads: this.threadsIn(guild)
        .filter((t) => !t.thread!.archived && (this.botPermissions(t) & (1n << 10n)) !== 0n)
        .map((t) => this.channelJson(t)),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      embedded_activities: [],
      activity_instances: [],
      hub_type: null,
      incidents_data: null,
    };
  }

  /** Renders a stored message like the REST API does (the nonce only echoes on the create response). */
  messageJson(message: StoredMessage, options: { withNonce?: boolean; forGateway?: boolean } = {}): Json {
    const author = this.users.get(message.authorId) ?? this.bot;
    const json: Json = {
      type: message.type,
      content: message.content,
      mentions: message.pinged.users.flatMap((id) => {
        const user = this.users.get(id);
        return user ? [this.userJson(user)] : [];
      }),
      mention_roles: message.pinged.roles,
      attachments: message.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        size: a.size,
        url: `https://cdn.discordapp.com/attachments/${message.channelId}/${a.id}/${a.filename}`,
        proxy_url: `https://media.discordapp.net/attachments/${message.channelId}/${a.id}/${a.filename}`,
      })),
      embeds: message.embeds,
      timestamp: message.timestamp,
      edited_timestamp: message.editedTimestamp,
      flags: message.flags,
      components: message.components,
      id: message.id,
      channel_id: message.channelId,
      author: this.userJson(author),
      pinned: false,
      mention_everyone: message.pinged.everyone,
      tts: false,
    };
    const reactions = this.reactions.get(message.id) ?? [];
    if (reactions.length > 0) {
      json.reactions = reactions.map((r) => ({
        count: r.userIds.length,
        count_details: { burst: 0, normal: r.userIds.length },
        // `me`: whether the current user (the bot) reacted with this emoji (message resource, Reaction Object).
        me: r.userIds.includes(this.bot.id),
        me_burst: false,
        burst_colors: [],
        emoji: { id: r.emoji.id, name: r.emoji.name },
      }));
    }
    const threadId = this.threadByMessage.get(message.id);
    const thread = threadId ? this.channels.get(threadId) : undefined;
    if (thread && thread.id !== message.channelId) json.thread = this.channelJson(thread);
    if (message.interactionId !== null) {
      json.webhook_id = this.applicationId;
      json.application_id = this.applicationId;
    }
    if (options.withNonce && message.nonce !== null) json.nonce = message.nonce;
    if (options.forGateway && message.guildId !== null) {
      const guild = this.guilds.get(message.guildId)!;
      json.guild_id = message.guildId;
      const roles = guild.members.get(author.id)?.roles ?? [];
      json.member = { ...this.memberJson(author, [...roles], guild.members.get(author.id)?.joinedAt ?? guild.joinedAt), user: undefined };
    }
    return json;
  }
}
