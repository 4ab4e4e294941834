import { randomBytes } from 'node:crypto';
import { type ChannelRecord, EVERYONE_PERMISSIONS, Perm, type State } from './state.js';
import type { InteractInput, OptionValue } from './types.js';

type Json = Record<string, unknown>;

const SUBCOMMAND = 1;
const GROUP = 2;

/** Thrown when a real Discord client could not have produced the requested interaction. */
export class ImpossibleInteraction extends Error {
  constructor(message: string) {
    super(`fake-discord: ${message}`);
    this.name = 'ImpossibleInteraction';
  }
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

function coerce(def: Json, value: OptionValue, path: string): OptionValue {
  const type = def.type as number;
  if (type === 4 && !Number.isInteger(value)) throw new ImpossibleInteraction(`option ${path} must be an integer`);
  if (type === 10 && typeof value !== 'number') throw new ImpossibleInteraction(`option ${path} must be a number`);
  if (type === 5 && typeof value !== 'boolean') throw new ImpossibleInteraction(`option ${path} must be a boolean`);
  if (type === 3 || (type >= 6 && type <= 9) || type === 11) return String(value);
  return value;
}

function buildOptions(state: State, command: Json, input: InteractInput, resolved: Json, guildId: string | null): Json[] | undefined {
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
    addResolved(state, def.type as number, String(value), resolved, guildId);
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

function addResolved(state: State, type: number, id: string, resolved: Json, guildId: string | null): void {
  const bucket = (key: string): Json => (resolved[key] ??= {}) as Json;
  if (type === 6 || type === 9) {
    const user = state.users.get(id);
    if (user) {
      bucket('users')[id] = state.userJson(user);
      if (guildId)
        bucket('members')[id] = {
          ...state.memberJson(user, [], Date.now() - 86_400_000, EVERYONE_PERMISSIONS.toString()),
          user: undefined,
        };
    }
  }
  if (type === 7) {
    const channel = state.channels.get(id);
    if (channel) bucket('channels')[id] = { ...state.channelJson(channel), permissions: state.botPermissions(channel).toString() };
  }
  if (type === 8 || type === 9) {
    const role = guildId ? state.rolesJson(state.guilds.get(guildId)!).find((r) => r.id === id) : undefined;
    if (role) bucket('roles')[id] = role;
  }
}

/** Builds a complete INTERACTION_CREATE payload, refusing interactions Discord would never send. */
export function buildInteractionPayload(state: State, input: InteractInput): { payload: Json; channel: ChannelRecord; userId: string } {
  const guildId = input.guildId === undefined ? ([...state.guilds.keys()][0] ?? null) : input.guildId;
  const user = state.users.get(input.user?.id ?? '') ?? state.addUser({ id: input.user?.id, username: input.user?.username ?? 'tester' });
  let channel: ChannelRecord;
  if (guildId === null) channel = state.openDm(user.id);
  else {
    const guild = state.guilds.get(guildId);
    if (!guild) throw new ImpossibleInteraction(`the bot is not in guild ${guildId}`);
    const channelId = input.channelId ?? guild.channelIds.find((id) => state.channels.get(id)?.type === 0);
    const found = channelId ? state.channels.get(channelId) : undefined;
    if (!found || found.guildId !== guildId) throw new ImpossibleInteraction(`channel ${String(channelId)} is not in guild ${guildId}`);
    channel = found;
  }
  const command = findCommand(state, input.name, guildId);
  const memberPermissions = input.memberPermissions ?? EVERYONE_PERMISSIONS.toString();
  const required = command.default_member_permissions;
  if (guildId !== null && typeof required === 'string' && !input.permissionOverride) {
    const have = BigInt(memberPermissions);
    if ((have & Perm.Administrator) === 0n && (have & BigInt(required)) !== BigInt(required)) {
      throw new ImpossibleInteraction(`member lacks default_member_permissions ${required} for "${input.name}"`);
    }
  }
  const resolved: Json = {};
  const options = buildOptions(state, command, input, resolved, guildId);
  const id = state.ids.next();
  const locale = input.locale ?? 'en-US';
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
    channel: { ...state.channelJson(channel), ...(guildId ? { permissions: memberPermissions } : {}) },
    channel_id: channel.id,
    token: `${Buffer.from(`interaction:${id}:`).toString('base64url')}${randomBytes(48).toString('base64url')}`,
    version: 1,
    app_permissions: state.botPermissions(channel).toString(),
    locale,
    entitlements: [],
    authorizing_integration_owners: { '0': guildId ?? '0' },
    context: guildId ? 0 : 1,
    attachment_size_limit: 10_485_760,
  };
  if (guildId) {
    Object.assign(payload, {
      guild_id: guildId,
      guild: { id: guildId, locale: 'en-US', features: [] },
      guild_locale: 'en-US',
      member: { ...state.memberJson(user, [], Date.now() - 86_400_000 * 30, memberPermissions) },
    });
  } else payload.user = state.userJson(user);
  return { payload, channel, userId: user.id };
}
