import type { Dispatch } from './messages.js';
import { Perm, toPermissions } from './permissions.js';
import { type ChannelRecord, type GuildRecord, type State, toOverwrite } from './state.js';
import type { ChannelInput, GuildInput, MemberInput, OverwriteInput, PermissionBits, RoleInput } from './types.js';

// Intent bits a session needs to receive each event (events/gateway, "List of Intents").
const GUILDS = 1 << 0;
const GUILD_MEMBERS = 1 << 1;

/** What {@link GuildEvents.setChannelPermissions} can grant or take away from the bot in one channel. */
export interface BotChannelPermissions {
  canSend?: boolean;
  canView?: boolean;
  canReadHistory?: boolean;
}

/** Changes to guilds, channels, roles and members, each followed by the gateway event Discord sends for it. */
export class GuildEvents {
  constructor(
    private readonly state: State,
    private readonly dispatch: Dispatch,
  ) {}

  private guild(id: string): GuildRecord {
    const guild = this.state.guilds.get(id);
    if (!guild) throw new Error(`fake-discord: unknown guild ${id}`);
    return guild;
  }

  private channel(id: string): ChannelRecord & { guildId: string } {
    const channel = this.state.channels.get(id);
    if (!channel) throw new Error(`fake-discord: unknown channel ${id}`);
    if (channel.guildId === null) throw new Error(`fake-discord: channel ${id} is a DM channel`);
    return channel as ChannelRecord & { guildId: string };
  }

  /** Guild events reach the bot only while it is in the guild and the guild is not in an outage. */
  private emit(guild: GuildRecord, event: string, data: Record<string, unknown>, intent: number | null): void {
    if (guild.botPresent && !guild.unavailable) this.dispatch(event, data, intent, guild.id);
  }

  /** The bot joins (or re-joins) a guild: GUILD_CREATE, or during an outage an unavailable one. */
  addGuild(input: GuildInput): void {
    const guild = this.state.joinGuild(input);
    const json = guild.unavailable ? { id: guild.id, unavailable: true } : this.state.guildCreateJson(guild);
    this.dispatch('GUILD_CREATE', json, GUILDS, guild.id);
  }

  /** The bot is removed from a guild: GUILD_DELETE without `unavailable` (gateway-events, Guild Delete). */
  removeGuild(id: string): void {
    const guild = this.guild(id);
    if (!guild.botPresent) throw new Error(`fake-discord: the bot is not in guild ${id}`);
    this.dispatch('GUILD_DELETE', { id }, GUILDS, id);
    this.state.leaveGuild(guild);
  }

  /** An outage starts (GUILD_DELETE with `unavailable: true`) or ends (GUILD_CREATE with the full guild). */
  setGuildUnavailable(id: string, unavailable: boolean): void {
    const guild = this.guild(id);
    if (!guild.botPresent) throw new Error(`fake-discord: the bot is not in guild ${id}`);
    if (guild.unavailable === unavailable) return;
    if (unavailable) this.dispatch('GUILD_DELETE', { id, unavailable: true }, GUILDS, id);
    guild.unavailable = unavailable;
    if (!unavailable) this.dispatch('GUILD_CREATE', this.state.guildCreateJson(guild), GUILDS, id);
  }

  /** Creates a channel: CHANNEL_CREATE. Returns its id. */
  createChannel(guildId: string, input: Omit<ChannelInput, 'id'> & { id?: string }): string {
    const guild = this.guild(guildId);
    const channel = this.state.addGuildChannel(guild, { ...input, id: input.id ?? this.state.ids.next() });
    this.emit(guild, 'CHANNEL_CREATE', this.state.channelJson(channel), GUILDS);
    return channel.id;
  }

  /** Deletes a channel: CHANNEL_DELETE; the API answers 404 10003 for it from then on. */
  deleteChannel(id: string): void {
    const channel = this.channel(id);
    const guild = this.guild(channel.guildId);
    const json = this.state.channelJson(channel);
    this.state.channels.delete(id);
    this.state.deletedChannels.set(id, channel);
    guild.channelIds = guild.channelIds.filter((c) => c !== id);
    this.emit(guild, 'CHANNEL_DELETE', json, GUILDS);
  }

  /** Adds or replaces a channel's overwrite for a role or member: CHANNEL_UPDATE. */
  setOverwrite(channelId: string, input: OverwriteInput): void {
    const channel = this.channel(channelId);
    const overwrite = toOverwrite(input);
    channel.overwrites = [...channel.overwrites.filter((o) => o.id !== overwrite.id), overwrite];
    this.emit(this.guild(channel.guildId), 'CHANNEL_UPDATE', this.state.channelJson(channel), GUILDS);
  }

  /** Removes a channel's overwrite for a role or member: CHANNEL_UPDATE. */
  removeOverwrite(channelId: string, targetId: string): void {
    const channel = this.channel(channelId);
    channel.overwrites = channel.overwrites.filter((o) => o.id !== targetId);
    this.emit(this.guild(channel.guildId), 'CHANNEL_UPDATE', this.state.channelJson(channel), GUILDS);
  }

  /**
   * Grants (true) or takes away (false) View Channel, Send Messages or Read Message History from the bot in a
   * channel, through an overwrite on its managed role; omitted flags keep their current overwrite.
   */
  setChannelPermissions(channelId: string, permissions: BotChannelPermissions): void {
    const channel = this.channel(channelId);
    const guild = this.guild(channel.guildId);
    const current = channel.overwrites.find((o) => o.type === 0 && o.id === guild.botRoleId);
    let allow = current?.allow ?? 0n;
    let deny = current?.deny ?? 0n;
    const bits: Array<[boolean | undefined, bigint]> = [
      [permissions.canView, Perm.ViewChannel],
      [permissions.canSend, Perm.SendMessages],
      [permissions.canReadHistory, Perm.ReadMessageHistory],
    ];
    for (const [granted, bit] of bits) {
      if (granted === true) [allow, deny] = [allow | bit, deny & ~bit];
      if (granted === false) [allow, deny] = [allow & ~bit, deny | bit];
    }
    this.setOverwrite(channelId, { id: guild.botRoleId, type: 0, allow, deny });
  }

  /** Creates a role: GUILD_ROLE_CREATE. */
  addRole(guildId: string, input: RoleInput): void {
    const guild = this.guild(guildId);
    if (guild.roles.has(input.id)) throw new Error(`fake-discord: guild ${guildId} already has role ${input.id}`);
    const position = input.position ?? Math.max(...[...guild.roles.values()].map((r) => r.position)) + 1;
    const role = {
      id: input.id,
      name: input.name ?? `role-${guild.roles.size}`,
      permissions: toPermissions(input.permissions),
      position,
      botId: null,
    };
    guild.roles.set(role.id, role);
    this.emit(guild, 'GUILD_ROLE_CREATE', { guild_id: guild.id, role: this.state.roleJson(role) }, GUILDS);
  }

  /** Changes a role's permissions (the bot's own role is `botRoleId`, @everyone's id is the guild's): GUILD_ROLE_UPDATE. */
  setRolePermissions(guildId: string, roleId: string, permissions: PermissionBits): void {
    const guild = this.guild(guildId);
    const role = guild.roles.get(roleId);
    if (!role) throw new Error(`fake-discord: guild ${guildId} has no role ${roleId}`);
    role.permissions = toPermissions(permissions);
    this.emit(guild, 'GUILD_ROLE_UPDATE', { guild_id: guild.id, role: this.state.roleJson(role) }, GUILDS);
  }

  /** A user joins a guild: GUILD_MEMBER_ADD, delivered only with the GUILD_MEMBERS intent. */
  addMember(guildId: string, input: MemberInput): void {
    const guild = this.guild(guildId);
    if (guild.members.has(input.userId)) throw new Error(`fake-discord: ${input.userId} is already a member of ${guildId}`);
    this.state.joinMembers(guild, [input]);
    this.emit(guild, 'GUILD_MEMBER_ADD', { ...this.state.guildMemberJson(guild, input.userId), guild_id: guild.id }, GUILD_MEMBERS);
  }

  /**
   * Sets a member's roles: GUILD_MEMBER_UPDATE, delivered with the GUILD_MEMBERS intent, or always when the member
   * is the bot itself (events/gateway, "Caveats").
   */
  setMemberRoles(guildId: string, userId: string, roleIds: string[]): void {
    const guild = this.guild(guildId);
    const member = guild.members.get(userId);
    if (!member) throw new Error(`fake-discord: ${userId} is not a member of guild ${guildId}`);
    const unknown = roleIds.find((id) => !guild.roles.has(id));
    if (unknown) throw new Error(`fake-discord: guild ${guildId} has no role ${unknown}`);
    // The bot keeps its managed role: only Discord (the integration) can take it away.
    member.roles = userId === this.state.bot.id ? [guild.botRoleId, ...roleIds.filter((id) => id !== guild.botRoleId)] : [...roleIds];
    const json = { ...this.state.guildMemberJson(guild, userId), guild_id: guild.id };
    this.emit(guild, 'GUILD_MEMBER_UPDATE', json, userId === this.state.bot.id ? null : GUILD_MEMBERS);
  }
}
