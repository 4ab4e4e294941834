import { randomBytes } from 'node:crypto';
import { Perm, applyImplicitPermissions } from './permissions.js';
import type { ChannelRecord, GuildRecord, State } from './state.js';
import type { ComponentInteractInput, InteractInput, OptionValue, StoredMessage } from './types.js';

type Json = Record<string, unknown>;

const SUBCOMMAND = 1;
const GROUP = 2;
const EPHEMERAL = 64;

/** Thrown when a real Discord client could not have produced the requested interaction. */
export class ImpossibleInteraction extends Error {
  constructor(message: string) {
    super(`fake-discord: ${message}`);
    this.name = 'ImpossibleInteraction';
  }
}

/** Where an interaction comes from: the channel, its guild (null in DMs), the member and its permissions there. */
interface Origin {
  guild: GuildRecord | null;
  channel: ChannelRecord;
  userId: string;
  /** The invoking member's permissions in the channel (decimal string), as `member.permissions` carries them. */
  memberPermissions: string;
  /** True when the test gave `memberPermissions` instead of letting the fake compute them. */
  overridden: boolean;
}

function findCommand(state: State, name: string, guildId: string | null): Json {
  const commands = [...(guildId ? (state.commands.get(guildId) ?? []) : []), ...(state.commands.get('global') ?? [])];
  const command = commands.find((c) => c.name === name && c.type === 1);
  if (!command)
    throw new ImpossibleInteraction(
      `no chat-input command "${name}" is registered for ${guildId ? `guild ${guildId}` : 'DMs'} (register it via PUT /applications/:app/commands first)`,
    );
  if (guildId === null) {
    const contexts = command.contexts as number[] | null | undefined;
    const dmAllowed = Array.isArray(contexts) ? contexts.includes(1) : command.dm_permission !== false;
    if (command.guild_id || !dmAllowed) throw new ImpossibleInteraction(`command "${name}" is not available in DMs`);
  } else if (Array.isArray(command.contexts) && !(command.contexts as number[]).includes(0)) {
    throw new ImpossibleInteraction(`command "${name}" is not available in guilds`);
  }
  return command;
}

/** The guild an interaction can come from: one the bot is in and that is not in an outage. */
function interactiveGuild(state: State, guildId: string): GuildRecord {
  const guild = state.guilds.get(guildId);
  if (!guild?.botPresent) throw new ImpossibleInteraction(`the bot is not in guild ${guildId}`);
  if (guild.unavailable) throw new ImpossibleInteraction(`guild ${guildId} is unavailable (an outage)`);
  return guild;
}

/**
 * Resolves the invoking member (joining the guild with @everyone only when unknown) and its permissions in the
 * channel. Unless the test overrides them, the member must see the channel, as Discord shows it nothing otherwise.
 */
function resolveOrigin(state: State, guild: GuildRecord | null, channel: ChannelRecord, userId: string, override?: string): Origin {
  if (!guild) return { guild, channel, userId, memberPermissions: '', overridden: override !== undefined };
  if (!guild.members.has(userId)) guild.members.set(userId, { userId, roles: [], joinedAt: Date.now() - 86_400_000 * 30 });
  const computed = state.memberPermissions(guild, userId, channel);
  if (override === undefined && (applyImplicitPermissions(computed) & Perm.ViewChannel) === 0n)
    throw new ImpossibleInteraction(`member ${userId} cannot see channel ${channel.id}`);
  return { guild, channel, userId, memberPermissions: override ?? computed.toString(), overridden: override !== undefined };
}

function coerce(def: Json, value: OptionValue, path: string): OptionValue {
  const type = def.type as number;
  if (type === 4 && !Number.isInteger(value)) throw new ImpossibleInteraction(`option ${path} must be an integer`);
  if (type === 10 && typeof value !== 'number') throw new ImpossibleInteraction(`option ${path} must be a number`);
  if (type === 5 && typeof value !== 'boolean') throw new ImpossibleInteraction(`option ${path} must be a boolean`);
  if (type === 3 || (type >= 6 && type <= 9) || type === 11) return String(value);
  return value;
}

function buildOptions(state: State, command: Json, input: InteractInput, resolved: Json, origin: Origin): Json[] | undefined {
  let level = (command.options as Json[] | undefined) ?? [];
  const wrap: Array<{ name: string; type: number }> = [];
  for (const [wanted, type] of [
    [input.subcommandGroup, GROUP],
    [input.subcommand, SUBCOMMAND],
  ] as const) {
    if (wanted === undefined) continue;
    const def = level.find((o) => o.type === type && o.name === wanted);
    if (!def)
      throw new ImpossibleInteraction(`command "${input.name}" has no ${type === GROUP ? 'subcommand group' : 'subcommand'} "${wanted}"`);
    wrap.push({ name: wanted, type });
    level = (def.options as Json[] | undefined) ?? [];
  }
  if (level.some((o) => o.type === SUBCOMMAND || o.type === GROUP))
    throw new ImpossibleInteraction(`command "${input.name}" needs a subcommand`);
  const autocomplete = input.type === 'autocomplete';
  const leaf: Json[] = Object.entries(input.options ?? {}).map(([name, value]) => {
    const def = level.find((o) => o.name === name);
    if (!def) throw new ImpossibleInteraction(`command "${input.name}" has no option "${name}"`);
    const focused = autocomplete && input.focused === name;
    if (focused && def.autocomplete !== true) throw new ImpossibleInteraction(`option "${name}" does not have autocomplete enabled`);
    const typed = focused ? String(value) : coerce(def, value, name);
    if (!autocomplete && Array.isArray(def.choices) && !(def.choices as Json[]).some((c) => c.value === typed)) {
      throw new ImpossibleInteraction(`option "${name}" only accepts its registered choices`);
    }
    if (!focused) addResolved(state, def, String(value), resolved, origin);
    return { name, type: def.type, value: typed, ...(focused ? { focused: true } : {}) };
  });
  if (autocomplete && !leaf.some((o) => o.focused))
    throw new ImpossibleInteraction('autocomplete needs `focused` naming one of the given options');
  if (!autocomplete) {
    const missing = level.filter((o) => o.required === true && !(String(o.name) in (input.options ?? {})));
    if (missing.length > 0) throw new ImpossibleInteraction(`required option "${String(missing[0]!.name)}" missing`);
  }
  let options: Json[] = leaf;
  for (const { name, type } of wrap.reverse()) options = [{ name, type, options }];
  return options.length > 0 ? options : undefined;
}

/**
 * Adds an option's resolved data as Discord documents it: members only for users in the guild (with their
 * permissions in the channel), and channels as partial channels whose `permissions` are the INVOKING member's there
 * (channel resource, "permissions": computed for the invoking user, without implicit permissions), not the bot's.
 */
function addResolved(state: State, def: Json, id: string, resolved: Json, origin: Origin): void {
  const type = def.type as number;
  const { guild } = origin;
  const bucket = (key: string): Json => (resolved[key] ??= {}) as Json;
  if (type === 6 || type === 9) {
    const user = state.users.get(id);
    if (user) {
      bucket('users')[id] = state.userJson(user);
      if (guild?.members.has(id)) {
        const permissions = state.memberPermissions(guild, id, origin.channel).toString();
        bucket('members')[id] = { ...state.guildMemberJson(guild, id, permissions), user: undefined };
      }
    }
  }
  if (type === 7) {
    const channel = state.channels.get(id);
    // The channel picker lists the guild's channels the member can see, of the option's channel_types.
    if (!channel || (guild && channel.guildId !== guild.id)) throw new ImpossibleInteraction(`channel ${id} is not in this guild`);
    const types = def.channel_types as number[] | undefined;
    if (Array.isArray(types) && types.length > 0 && !types.includes(channel.type))
      throw new ImpossibleInteraction(
        `option "${String(def.name)}" only accepts channel types ${types.join(', ')} (channel ${id} is type ${channel.type})`,
      );
    const permissions =
      guild && !origin.overridden ? state.memberPermissions(guild, origin.userId, channel) : BigInt(origin.memberPermissions || '0');
    if (guild && !origin.overridden && (applyImplicitPermissions(permissions) & Perm.ViewChannel) === 0n)
      throw new ImpossibleInteraction(`member ${origin.userId} cannot see channel ${id}`);
    const full = state.channelJson(channel);
    const partial = Object.fromEntries(
      ['id', 'name', 'type', 'last_message_id', 'nsfw', 'parent_id', 'guild_id', 'flags', 'rate_limit_per_user', 'topic', 'position']
        .filter((key) => key in full)
        .map((key) => [key, full[key]]),
    );
    bucket('channels')[id] = { ...partial, permissions: permissions.toString() };
  }
  if (type === 8 || type === 9) {
    const role = guild?.roles.get(id);
    if (role) bucket('roles')[id] = state.roleJson(role);
  }
}

/** The fields every interaction carries about where it comes from. */
function originFields(state: State, origin: Origin, locale: string): Json {
  const { guild, channel } = origin;
  const fields: Json = {
    channel: { ...state.channelJson(channel), ...(guild ? { permissions: origin.memberPermissions } : {}) },
    channel_id: channel.id,
    version: 1,
    app_permissions: state.botPermissions(channel).toString(),
    locale,
    entitlements: [],
    authorizing_integration_owners: { '0': guild?.id ?? '0' },
    context: guild ? 0 : 1,
    attachment_size_limit: 10_485_760,
  };
  if (guild) {
    Object.assign(fields, {
      guild_id: guild.id,
      guild: { id: guild.id, locale: 'en-US', features: [] },
      guild_locale: 'en-US',
      member: state.guildMemberJson(guild, origin.userId, origin.memberPermissions),
    });
  } else fields.user = state.userJson(state.users.get(origin.userId)!);
  return fields;
}

function interactionToken(id: string): string {
  return `${Buffer.from(`interaction:${id}:`).toString('base64url')}${randomBytes(48).toString('base64url')}`;
}

/** Builds a complete INTERACTION_CREATE payload for a command or autocomplete, refusing what Discord would never send. */
export function buildInteractionPayload(state: State, input: InteractInput): { payload: Json; channel: ChannelRecord; userId: string } {
  const guildId = input.guildId === undefined ? ([...state.guilds.values()].find((g) => g.botPresent)?.id ?? null) : input.guildId;
  const user = state.users.get(input.user?.id ?? '') ?? state.addUser({ id: input.user?.id, username: input.user?.username ?? 'tester' });
  let channel: ChannelRecord;
  let guild: GuildRecord | null = null;
  if (guildId === null) channel = state.openDm(user.id);
  else {
    guild = interactiveGuild(state, guildId);
    const channelId = input.channelId ?? guild.channelIds.find((id) => state.channels.get(id)?.type === 0);
    const found = channelId ? state.channels.get(channelId) : undefined;
    if (!found || found.guildId !== guildId) throw new ImpossibleInteraction(`channel ${String(channelId)} is not in guild ${guildId}`);
    channel = found;
  }
  const origin = resolveOrigin(state, guild, channel, user.id, input.memberPermissions);
  const command = findCommand(state, input.name, guildId);
  if (guild) {
    const have = BigInt(origin.memberPermissions);
    if (!origin.overridden && (applyImplicitPermissions(have) & Perm.UseApplicationCommands) === 0n)
      throw new ImpossibleInteraction(`member ${user.id} lacks Use Application Commands in channel ${channel.id}`);
    const required = command.default_member_permissions;
    if (typeof required === 'string' && !input.permissionOverride) {
      if ((have & Perm.Administrator) === 0n && (have & BigInt(required)) !== BigInt(required)) {
        throw new ImpossibleInteraction(`member lacks default_member_permissions ${required} for "${input.name}"`);
      }
    }
  }
  const resolved: Json = {};
  const options = buildOptions(state, command, input, resolved, origin);
  const id = state.ids.next();
  const payload: Json = {
    id,
    application_id: state.applicationId,
    type: input.type === 'command' ? 2 : 4,
    data: {
      id: command.id,
      name: command.name,
      type: 1,
      ...(options ? { options } : {}),
      ...(command.guild_id ? { guild_id: command.guild_id } : {}),
      ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
    },
    token: interactionToken(id),
    ...originFields(state, origin, input.locale ?? 'en-US'),
  };
  return { payload, channel, userId: user.id };
}

/** Finds a message the bot sent: in a channel's history, or an ephemeral interaction message. */
function findBotMessage(state: State, messageId: string): { message: StoredMessage; viewerId: string | null } | null {
  const ephemeral = state.ephemeralMessages.get(messageId);
  if (ephemeral) return ephemeral;
  for (const channel of state.channels.values()) {
    const message = channel.messages.find((m) => m.id === messageId);
    if (message) return { message, viewerId: null };
  }
  return null;
}

/**
 * Builds a MESSAGE_COMPONENT interaction (type 3) for a click on a button (component type 2) of a message the bot
 * sent; `renderMessage` renders that message as the interaction's `message` field.
 */
export function buildComponentPayload(
  state: State,
  input: ComponentInteractInput,
  renderMessage: (message: StoredMessage) => Json,
): { payload: Json; channel: ChannelRecord; userId: string; message: StoredMessage } {
  const found = findBotMessage(state, input.messageId);
  if (!found || found.message.authorId !== state.bot.id) throw new ImpossibleInteraction(`the bot sent no message ${input.messageId}`);
  const { message, viewerId } = found;
  const channel = state.channels.get(message.channelId);
  if (!channel) throw new ImpossibleInteraction(`message ${message.id} is in a deleted channel`);
  const userId = input.user?.id ?? viewerId ?? state.addUser({ username: 'clicker' }).id;
  if (!state.users.has(userId)) state.addUser({ id: userId, username: input.user?.username ?? 'clicker' });
  if ((message.flags & EPHEMERAL) !== 0 && viewerId !== userId)
    throw new ImpossibleInteraction(`only user ${String(viewerId)} sees ephemeral message ${message.id}`);
  const buttons = message.components.flatMap((row) => (Array.isArray(row.components) ? (row.components as Json[]) : []));
  const button = buttons.find((c) => c.type === 2 && c.custom_id === input.customId);
  if (!button) throw new ImpossibleInteraction(`message ${message.id} has no button with custom_id "${input.customId}"`);
  if (button.disabled === true) throw new ImpossibleInteraction(`button "${input.customId}" is disabled`);
  const guild = channel.guildId === null ? null : interactiveGuild(state, channel.guildId);
  const origin = resolveOrigin(state, guild, channel, userId, input.memberPermissions);
  const id = state.ids.next();
  const payload: Json = {
    id,
    application_id: state.applicationId,
    type: 3,
    data: { custom_id: input.customId, component_type: 2 },
    message: renderMessage(message),
    token: interactionToken(id),
    ...originFields(state, origin, input.locale ?? 'en-US'),
  };
  return { payload, channel, userId, message };
}
