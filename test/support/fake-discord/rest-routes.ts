import { Errors, type Issue, formError } from './errors.js';
import { guildRoutes } from './guild-routes.js';
import type { Route, RouteContext } from './http.js';
import type { Messages } from './messages.js';
import { ALL_PERMISSIONS, Perm, applyImplicitPermissions } from './permissions.js';
import type { ChannelRecord, State } from './state.js';
import { validateCommand, validateCommandList } from './validate-commands.js';
import { isEmptyMessage } from './validate-message.js';

type Json = Record<string, unknown>;

const TEXT_TYPES = new Set([0, 1, 2, 5, 10, 11, 12, 13]);
const SNOWFLAKE = /^\d{17,20}$/;
const asObject = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

/**
 * The permissions the API enforces for the bot in a channel: computed from roles and overwrites, with Discord's
 * implicit denials (no View Channel, nothing; no Send Messages, no Embed Links...). DMs allow everything.
 */
export function enforcedPermissions(state: State, channel: ChannelRecord): bigint {
  return channel.guildId === null ? ALL_PERMISSIONS : applyImplicitPermissions(state.botPermissions(channel));
}

/**
 * Looks up a channel the bot can see: 404 10003 when it does not exist (or was deleted), 403 50001 when the bot is
 * not in its guild any more (discord-api-docs issue 1716) or lacks View Channel there.
 */
export function visibleChannel(state: State, id: string): ChannelRecord {
  const channel = state.channels.get(id);
  if (!channel) throw Errors.unknownChannel();
  if (channel.guildId !== null && !state.guilds.get(channel.guildId)!.botPresent) throw Errors.missingAccess();
  if (!has(enforcedPermissions(state, channel), Perm.ViewChannel)) throw Errors.missingAccess();
  return channel;
}

const has = (permissions: bigint, bit: bigint): boolean => (permissions & bit) === bit;

function parseHistoryQuery(query: URLSearchParams): { limit: number; before?: string; after?: string; around?: string } {
  const issues: Issue[] = [];
  const limitRaw = query.get('limit');
  const limit = limitRaw === null ? 50 : Number(limitRaw);
  if (!Number.isInteger(limit)) issues.push({ path: ['limit'], code: 'NUMBER_TYPE_COERCE', message: `Value "${limitRaw}" is not int.` });
  else if (limit < 1) issues.push({ path: ['limit'], code: 'NUMBER_TYPE_MIN', message: 'int value should be greater than or equal to 1.' });
  else if (limit > 100)
    issues.push({ path: ['limit'], code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' });
  const result: { limit: number; before?: string; after?: string; around?: string } = { limit };
  for (const key of ['around', 'before', 'after'] as const) {
    const v = query.get(key);
    if (v === null) continue;
    if (!SNOWFLAKE.test(v)) issues.push({ path: [key], code: 'NUMBER_TYPE_COERCE', message: `Value "${v}" is not snowflake.` });
    else result[key] = v;
  }
  if (issues.length > 0) throw formError(issues);
  return result;
}

/** Query of Get Current User Guilds: `limit` 1-200 (default 200), `before`/`after` guild ids, `with_counts`. */
function parseGuildListQuery(query: URLSearchParams): { limit: number; before?: string; after?: string; withCounts: boolean } {
  const issues: Issue[] = [];
  const limitRaw = query.get('limit');
  const limit = limitRaw === null ? 200 : Number(limitRaw);
  if (!Number.isInteger(limit)) issues.push({ path: ['limit'], code: 'NUMBER_TYPE_COERCE', message: `Value "${limitRaw}" is not int.` });
  else if (limit < 1) issues.push({ path: ['limit'], code: 'NUMBER_TYPE_MIN', message: 'int value should be greater than or equal to 1.' });
  else if (limit > 200)
    issues.push({ path: ['limit'], code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 200.' });
  const result: { limit: number; before?: string; after?: string; withCounts: boolean } = {
    limit,
    withCounts: query.get('with_counts') === 'true',
  };
  for (const key of ['before', 'after'] as const) {
    const v = query.get(key);
    if (v === null) continue;
    if (!SNOWFLAKE.test(v)) issues.push({ path: [key], code: 'NUMBER_TYPE_COERCE', message: `Value "${v}" is not snowflake.` });
    else result[key] = v;
  }
  if (issues.length > 0) throw formError(issues);
  return result;
}

const byId = (a: { id: string }, b: { id: string }): number => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);

/** Builds the non-interaction REST routes: gateway, users, channels, messages and application commands. */
export function restRoutes(deps: {
  state: State;
  messages: Messages;
  gatewayUrl: () => string;
  sessionStartRemaining: () => number;
  recommendedShards: () => number;
  maxConcurrency: number;
}): Route[] {
  const { state, messages } = deps;
  /**
   * Whether the bot may read a channel's history. Discord documents that without Read Message History, "Get
   * Channel Messages" returns no messages (200, an empty list) while "Get Channel Message" requires the permission.
   */
  const canReadHistory = (channel: ChannelRecord): boolean => has(enforcedPermissions(state, channel), Perm.ReadMessageHistory);
  /**
   * Embeds without Embed Links: the docs are silent; Discord answers 403 50013 when the message has nothing but
   * embeds, and otherwise posts it with its embeds dropped (discord-api-docs issues 2601 and 5648; JDA refuses
   * "a message with only embeds" for this reason). Interaction responses are exempt (they are webhooks).
   */
  const embedsRefused = (channel: ChannelRecord, body: Json): boolean =>
    Array.isArray(body.embeds) && body.embeds.length > 0 && !has(enforcedPermissions(state, channel), Perm.EmbedLinks);
  const ok = (body: unknown, status = 200) => ({ status, body });
  const route = (method: string, pattern: string, handler: Route['handler'], extra: Partial<Route> = {}): Route => ({
    method,
    pattern,
    handler,
    auth: true,
    bucket: 'other',
    ...extra,
  });

  const findMessage = (channel: ChannelRecord, id: string) => {
    const message = channel.messages.find((m) => m.id === id);
    if (!message) throw Errors.unknownMessage();
    return message;
  };
  const checkApp = (ctx: RouteContext): void => {
    if (ctx.params.appId !== state.applicationId) throw Errors.missingAccess();
    if (ctx.params.guildId !== undefined && !state.guilds.get(ctx.params.guildId)?.botPresent) throw Errors.missingAccess();
  };
  const commandKey = (ctx: RouteContext): string => ctx.params.guildId ?? 'global';

  const toStored = (raw: Json, ctx: RouteContext, previous: Json[]): Json => {
    const type = (raw.type as number | undefined) ?? 1;
    const prev = previous.find((c) => c.name === raw.name && c.type === type);
    const guildId = ctx.params.guildId;
    const stored: Json = {
      id: prev?.id ?? state.ids.next(),
      application_id: state.applicationId,
      version: prev?.version ?? state.ids.next(),
      default_member_permissions: raw.default_member_permissions ?? null,
      type,
      name: raw.name,
      ...(raw.name_localizations ? { name_localizations: raw.name_localizations } : {}),
      description: raw.description ?? '',
      ...(raw.description_localizations ? { description_localizations: raw.description_localizations } : {}),
      ...(guildId
        ? { guild_id: guildId }
        : {
            dm_permission: raw.dm_permission ?? true,
            contexts: raw.contexts ?? null,
            integration_types: raw.integration_types ?? [0],
          }),
      nsfw: raw.nsfw ?? false,
      ...(Array.isArray(raw.options) && raw.options.length > 0 ? { options: raw.options } : {}),
    };
    if (prev && JSON.stringify({ ...prev, version: 0 }) !== JSON.stringify({ ...stored, version: 0 })) stored.version = state.ids.next();
    return stored;
  };

  const commandRoutes = (base: string): Route[] => [
    route('GET', base, (ctx) => {
      checkApp(ctx);
      return ok(state.commands.get(commandKey(ctx)) ?? []);
    }),
    route('PUT', base, (ctx) => {
      checkApp(ctx);
      const issues = validateCommandList(ctx.body, ctx.params.guildId ? 'guild' : 'global');
      if (issues.length > 0) throw formError(issues);
      const previous = state.commands.get(commandKey(ctx)) ?? [];
      const stored = (ctx.body as Json[]).map((raw) => toStored(raw, ctx, previous));
      state.commands.set(commandKey(ctx), stored);
      return ok(stored);
    }),
    route('POST', base, (ctx) => {
      checkApp(ctx);
      const issues = validateCommand(ctx.body, [], ctx.params.guildId ? 'guild' : 'global');
      if (issues.length > 0) throw formError(issues);
      const list = state.commands.get(commandKey(ctx)) ?? [];
      const stored = toStored(asObject(ctx.body), ctx, list);
      const index = list.findIndex((c) => c.id === stored.id);
      if (index >= 0) list[index] = stored;
      else list.push(stored);
      state.commands.set(commandKey(ctx), list);
      return ok(stored, index >= 0 ? 200 : 201);
    }),
    route('GET', `${base}/:commandId`, (ctx) => {
      checkApp(ctx);
      const command = (state.commands.get(commandKey(ctx)) ?? []).find((c) => c.id === ctx.params.commandId);
      if (!command) throw Errors.unknownCommand();
      return ok(command);
    }),
    route('DELETE', `${base}/:commandId`, (ctx) => {
      checkApp(ctx);
      const list = state.commands.get(commandKey(ctx)) ?? [];
      const index = list.findIndex((c) => c.id === ctx.params.commandId);
      if (index < 0) throw Errors.unknownCommand();
      list.splice(index, 1);
      return { status: 204 };
    }),
  ];

  return [
    route('GET', '/gateway', () => ok({ url: deps.gatewayUrl() }), { auth: false }),
    route('GET', '/gateway/bot', () =>
      ok({
        url: deps.gatewayUrl(),
        shards: deps.recommendedShards(),
        session_start_limit: {
          total: 1000,
          remaining: deps.sessionStartRemaining(),
          reset_after: 86_400_000,
          max_concurrency: deps.maxConcurrency,
        },
      }),
    ),
    route('GET', '/users/@me', () =>
      ok({ ...state.userJson(state.bot), verified: true, mfa_enabled: false, locale: 'en-US', email: null }),
    ),
    // Partial guilds the bot is in, ascending by id; a bot pages with `after` (Get Current User Guilds).
    route('GET', '/users/@me/guilds', (ctx) => {
      const q = parseGuildListQuery(ctx.query);
      let guilds = [...state.guilds.values()].filter((g) => g.botPresent).sort(byId);
      if (q.after) guilds = guilds.filter((g) => BigInt(g.id) > BigInt(q.after!));
      if (q.before) guilds = guilds.filter((g) => BigInt(g.id) < BigInt(q.before!));
      guilds = q.before && !q.after ? guilds.slice(-q.limit) : guilds.slice(0, q.limit);
      return ok(guilds.map((g) => state.partialGuildJson(g, q.withCounts)));
    }),
    route('GET', '/users/:userId', (ctx) => {
      const user = state.users.get(ctx.params.userId!);
      if (!user) throw Errors.unknownUser();
      return ok(state.userJson(user));
    }),
    route('POST', '/users/@me/channels', (ctx) => {
      const recipient = asObject(ctx.body).recipient_id;
      if (typeof recipient !== 'string' || !SNOWFLAKE.test(recipient))
        throw formError([{ path: ['recipient_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
      if (!state.users.has(recipient)) throw Errors.unknownUser();
      return ok(state.channelJson(state.openDm(recipient)));
    }),
    route('GET', '/applications/@me', () =>
      ok({
        id: state.applicationId,
        name: state.bot.username,
        icon: null,
        description: '',
        summary: '',
        type: null,
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: 'f'.repeat(64),
        flags: 0,
        hook: true,
        is_monetized: false,
        is_verified: false,
        is_discoverable: false,
        team: null,
        tags: [],
        owner: state.userJson([...state.users.values()].find((u) => !u.bot) ?? state.bot),
        bot: state.userJson(state.bot),
        approximate_guild_count: state.guilds.size,
        approximate_user_install_count: 0,
        redirect_uris: [],
        interactions_endpoint_url: null,
        role_connections_verification_url: null,
        integration_types_config: { '0': {} },
        install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
      }),
    ),
    route('GET', '/channels/:channelId', (ctx) => ok(state.channelJson(visibleChannel(state, ctx.params.channelId!)))),
    route('POST', '/channels/:channelId/typing', (ctx) => {
      visibleChannel(state, ctx.params.channelId!);
      return { status: 204 };
    }),
    route('GET', '/channels/:channelId/messages', (ctx) => {
      const channel = visibleChannel(state, ctx.params.channelId!);
      const q = parseHistoryQuery(ctx.query);
      if (!canReadHistory(channel)) return ok([]);
      const sorted = [...channel.messages].sort(byId);
      let picked: typeof sorted;
      if (q.around) {
        const older = sorted.filter((m) => BigInt(m.id) < BigInt(q.around!)).slice(-Math.floor(q.limit / 2));
        const newer = sorted.filter((m) => BigInt(m.id) >= BigInt(q.around!));
        picked = [...older, ...newer.slice(0, q.limit - older.length)];
      } else if (q.before) picked = sorted.filter((m) => BigInt(m.id) < BigInt(q.before!)).slice(-q.limit);
      else if (q.after) picked = sorted.filter((m) => BigInt(m.id) > BigInt(q.after!)).slice(0, q.limit);
      else picked = sorted.slice(-q.limit);
      return ok(picked.reverse().map((m) => state.messageJson(m)));
    }),
    route(
      'POST',
      '/channels/:channelId/messages',
      (ctx) => {
        const channel = visibleChannel(state, ctx.params.channelId!);
        if (!TEXT_TYPES.has(channel.type)) throw Errors.nonTextChannel();
        const body = asObject(ctx.body);
        if (channel.guildId === null) {
          if (!state.users.get(channel.recipientId ?? '')?.dmsOpen) throw Errors.cannotDm();
        } else if (!has(enforcedPermissions(state, channel), channel.thread ? Perm.SendMessagesInThreads : Perm.SendMessages))
          // In a thread, Send Messages in Threads stands in for Send Messages (topics/permissions).
          throw Errors.missingPermissions();
        // Replying to a message needs Read Message History (Create Message, "Limitations").
        if (body.message_reference && !canReadHistory(channel)) throw Errors.missingPermissions();
        const dropEmbeds = embedsRefused(channel, body);
        if (dropEmbeds && isEmptyMessage({ ...body, embeds: [] }, ctx.files.length)) throw Errors.missingPermissions();
        const { message } = messages.create(channel, body, ctx.files, { dropEmbeds });
        return ok(state.messageJson(message, { withNonce: true }));
      },
      { bucket: 'messages' },
    ),
    route('GET', '/channels/:channelId/messages/:messageId', (ctx) => {
      const channel = visibleChannel(state, ctx.params.channelId!);
      if (!canReadHistory(channel)) throw Errors.missingAccess();
      return ok(state.messageJson(findMessage(channel, ctx.params.messageId!)));
    }),
    route('PATCH', '/channels/:channelId/messages/:messageId', (ctx) => {
      const channel = visibleChannel(state, ctx.params.channelId!);
      const message = findMessage(channel, ctx.params.messageId!);
      if (message.authorId !== state.bot.id) throw Errors.cannotEditOthers();
      let body = asObject(ctx.body);
      if (embedsRefused(channel, body)) {
        body = { ...body, embeds: [] };
        const next = { content: 'content' in body ? body.content : message.content, components: body.components ?? message.components };
        if (isEmptyMessage(next, message.attachments.length + ctx.files.length)) throw Errors.emptyMessage();
      }
      return ok(state.messageJson(messages.edit(message, body, ctx.files)));
    }),
    route('DELETE', '/channels/:channelId/messages/:messageId', (ctx) => {
      const channel = visibleChannel(state, ctx.params.channelId!);
      const message = findMessage(channel, ctx.params.messageId!);
      // Deleting someone else's message needs Manage Messages (Delete Message).
      if (message.authorId !== state.bot.id && !has(enforcedPermissions(state, channel), Perm.ManageMessages))
        throw Errors.missingPermissions();
      messages.delete(message);
      return { status: 204 };
    }),
    ...guildRoutes(state, route),
    ...commandRoutes('/applications/:appId/commands'),
    ...commandRoutes('/applications/:appId/guilds/:guildId/commands'),
  ];
}
