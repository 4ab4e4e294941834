import type { FakeDiscordOptions, FakeUser, StoredMessage } from './types.js';

const DISCORD_EPOCH = 1_420_070_400_000n;

/** Permission bits used by the fake (see Discord's permission table). */
export const Perm = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  ChangeNickname: 1n << 26n,
  UseApplicationCommands: 1n << 31n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** What @everyone gets in a fresh guild (roughly Discord's default). */
export const EVERYONE_PERMISSIONS =
  Perm.CreateInstantInvite |
  Perm.AddReactions |
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.ReadMessageHistory |
  Perm.UseExternalEmojis |
  Perm.Connect |
  Perm.Speak |
  Perm.ChangeNickname |
  Perm.UseApplicationCommands |
  Perm.SendMessagesInThreads;

// MentionEveryone is granted so `pinged` reports the worst case: every mention the content asks for.
const BOT_ROLE_PERMISSIONS = EVERYONE_PERMISSIONS | Perm.MentionEveryone;

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

/** A guild the bot is in. */
export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  botRoleId: string;
  joinedAt: number;
  channelIds: string[];
}

/** A guild or DM channel with its message history. */
export interface ChannelRecord {
  id: string;
  type: number;
  name: string | null;
  guildId: string | null;
  recipientId: string | null;
  position: number;
  canView: boolean;
  canSend: boolean;
  /** Read Message History: without it, history reads list nothing and single-message reads are refused. */
  canReadHistory: boolean;
  messages: StoredMessage[];
}

type Json = Record<string, unknown>;

/** Everything the fake Discord knows: users, guilds, channels, messages and commands. */
export class State {
  readonly ids = new Snowflakes();
  readonly token: string;
  readonly applicationId: string;
  readonly bot: FakeUser;
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly dmChannelByUser = new Map<string, string>();
  /** Application commands keyed by guild id, or `global`. */
  readonly commands = new Map<string, Json[]>();
  readonly nonces = new Map<string, { messageId: string; at: number }>();

  constructor(options: FakeDiscordOptions) {
    this.applicationId = options.applicationId ?? this.ids.next(Date.now() - 86_400_000 * 400);
    const botId = options.botUserId ?? this.applicationId;
    this.token = options.token ?? `${Buffer.from(botId).toString('base64url')}.Fake00.${this.ids.next()}-fake-token`;
    this.bot = this.addUser({ id: botId, username: options.botUsername ?? 'Paperboy', bot: true });
    const owner = this.addUser({ username: 'guild-owner' });
    const guilds = options.guilds ?? [{ id: this.ids.next(), channels: [{ id: this.ids.next(), name: 'general' }] }];
    for (const input of guilds) {
      const guild: GuildRecord = {
        id: input.id,
        name: input.name ?? 'Test Guild',
        ownerId: owner.id,
        botRoleId: this.ids.next(),
        joinedAt: Date.now() - 86_400_000,
        channelIds: [],
      };
      this.guilds.set(guild.id, guild);
      for (const [position, ch] of (input.channels ?? []).entries()) {
        this.addChannel({ id: ch.id, type: ch.type ?? 0, name: ch.name ?? `channel-${position}`, guildId: guild.id, position });
        guild.channelIds.push(ch.id);
      }
    }
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

  addChannel(input: Pick<ChannelRecord, 'id' | 'type' | 'name' | 'guildId' | 'position'> & { recipientId?: string }): ChannelRecord {
    const channel: ChannelRecord = { recipientId: null, canView: true, canSend: true, canReadHistory: true, messages: [], ...input };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** Returns (creating on first use) the DM channel between the bot and `userId`. */
  openDm(userId: string): ChannelRecord {
    const existing = this.dmChannelByUser.get(userId);
    if (existing) return this.channels.get(existing)!;
    const channel = this.addChannel({ id: this.ids.next(), type: 1, name: null, guildId: null, position: 0, recipientId: userId });
    this.dmChannelByUser.set(userId, channel.id);
    return channel;
  }

  /** The bot's effective permissions in a channel (DMs: everything a DM allows). */
  botPermissions(channel: ChannelRecord): bigint {
    let perms = BOT_ROLE_PERMISSIONS;
    if (!channel.canView) perms &= ~(Perm.ViewChannel | Perm.SendMessages | Perm.ReadMessageHistory);
    if (!channel.canSend) perms &= ~Perm.SendMessages;
    if (!channel.canReadHistory) perms &= ~Perm.ReadMessageHistory;
    return perms;
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

  channelJson(channel: ChannelRecord, withGuildId = true): Json {
    const lastMessageId = channel.messages.at(-1)?.id ?? null;
    if (channel.guildId === null) {
      const recipient = this.users.get(channel.recipientId ?? '');
      return { id: channel.id, type: 1, last_message_id: lastMessageId, flags: 0, recipients: recipient ? [this.userJson(recipient)] : [] };
    }
    const guild = this.guilds.get(channel.guildId)!;
    const deny =
      (channel.canView ? 0n : Perm.ViewChannel) |
      (channel.canSend ? 0n : Perm.SendMessages) |
      (channel.canReadHistory ? 0n : Perm.ReadMessageHistory);
    return {
      id: channel.id,
      type: channel.type,
      ...(withGuildId ? { guild_id: channel.guildId } : {}),
      name: channel.name,
      position: channel.position,
      permission_overwrites: deny ? [{ id: guild.botRoleId, type: 0, allow: '0', deny: deny.toString() }] : [],
      nsfw: false,
      topic: null,
      last_message_id: lastMessageId,
      rate_limit_per_user: 0,
      parent_id: null,
      flags: 0,
    };
  }

  rolesJson(guild: GuildRecord): Json[] {
    const role = (id: string, name: string, position: number, permissions: bigint, extra: Json = {}): Json => ({
      id,
      name,
      description: null,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position,
      permissions: permissions.toString(),
      managed: false,
      mentionable: false,
      flags: 0,
      ...extra,
    });
    return [
      role(guild.id, '@everyone', 0, EVERYONE_PERMISSIONS),
      role(guild.botRoleId, this.bot.username, 1, BOT_ROLE_PERMISSIONS, { managed: true, tags: { bot_id: this.bot.id } }),
    ];
  }

  /** A guild as Get Current User Guilds lists it (a partial guild with the bot's permissions there). */
  partialGuildJson(guild: GuildRecord, withCounts: boolean): Json {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      banner: null,
      owner: guild.ownerId === this.bot.id,
      permissions: BOT_ROLE_PERMISSIONS.toString(),
      features: [],
      ...(withCounts ? { approximate_member_count: 2, approximate_presence_count: 1 } : {}),
    };
  }

  /** The full GUILD_CREATE payload discord.js needs to cache the guild, its channels, roles and our member. */
  guildCreateJson(guild: GuildRecord): Json {
    const channels = guild.channelIds.map((id) => this.channelJson(this.channels.get(id)!, false));
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
      lazy: true,
      large: false,
      unavailable: false,
      joined_at: isoTimestamp(guild.joinedAt),
      member_count: 2,
      members: [this.memberJson(this.bot, [guild.botRoleId], guild.joinedAt)],
      channels,
      threads: [],
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
        ...a,
        url: `https://cdn.discordapp.com/attachments/${message.channelId}/${a.id}/${a.filename}`,
        proxy_url: `https://media.discordapp.net/attachments/${message.channelId}/${a.id}/${a.filename}`,
      })),
      embeds: message.embeds,
      timestamp: message.timestamp,
      edited_timestamp: message.editedTimestamp,
      flags: message.flags,
      components: [],
      id: message.id,
      channel_id: message.channelId,
      author: this.userJson(author),
      pinned: false,
      mention_everyone: message.pinged.everyone,
      tts: false,
    };
    if (message.interactionId !== null) {
      json.webhook_id = this.applicationId;
      json.application_id = this.applicationId;
    }
    if (options.withNonce && message.nonce !== null) json.nonce = message.nonce;
    if (options.forGateway && message.guildId !== null) {
      const guild = this.guilds.get(message.guildId)!;
      json.guild_id = message.guildId;
      json.member = { ...this.memberJson(author, [guild.botRoleId], guild.joinedAt), user: undefined };
    }
    return json;
  }
}
