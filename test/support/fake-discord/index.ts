import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readPaperIdFromFooter } from '../../../src/core/format.js';
import { type FailResponse, RestFaults } from './faults.js';
import { Gateway, type GatewaySession, type GatewayStats } from './gateway.js';
import { GuildEvents } from './guild-events.js';
import { type Route, createRestListener } from './http.js';
import { Interactions } from './interactions.js';
import { Messages } from './messages.js';
import { RateLimiter } from './rate-limit.js';
import { Reactions } from './reactions.js';
import { restRoutes } from './rest-routes.js';
import { MAX_GUILDS_PER_SHARD, recommendShardCount, shardOf } from './sharding.js';
import { State } from './state.js';
import { type FakeThread, Threads } from './threads.js';
import type {
  ChannelInput,
  ComponentInteractInput,
  ForumTagInput,
  FakeDiscordOptions,
  FakeUser,
  GuildInput,
  InteractInput,
  InteractionOutcome,
  MemberInput,
  OverwriteInput,
  PermissionBits,
  RequestLogEntry,
  RequestMatch,
  RoleInput,
  StoredMessage,
} from './types.js';

export type * from './types.js';
export type { FailResponse } from './faults.js';
export type { GatewaySession, GatewayStats } from './gateway.js';
export type { FakeThread } from './threads.js';
export { shardOf } from './sharding.js';
export { ImpossibleInteraction } from './interaction-payload.js';
export { ALL_PERMISSIONS, BOT_ROLE_PERMISSIONS, EVERYONE_PERMISSIONS, Perm } from './permissions.js';

/** Failure injection for REST and gateway. */
export interface FakeDiscordFaults {
  /** Fails the next `count` matching requests (before or, with `afterCommit`, after doing the work). */
  failNext(match: RequestMatch, response: FailResponse): void;
  /** Fails each matching request with `status` with the given probability (seeded RNG). */
  failRate(match: RequestMatch, probability: number, status?: number): void;
  /** Delays matching requests by `ms` before they are handled, or with `afterCommit` after (the work is done, the answer is late). */
  delay(match: RequestMatch, ms: number, options?: { afterCommit?: boolean }): void;
  /** Performs matching requests at once (a message is created) but holds their response for `ms`. */
  holdAfterCommit(match: RequestMatch, ms: number): void;
  /** Removes all delays and holds. */
  clearDelays(): void;
  /** Resets the TCP connection (RST, no response) for the next matching request(s). */
  resetConnectionNext(match: RequestMatch, options?: { count?: number; afterCommit?: boolean }): void;
  /** Answers every matching request (default: all) with 429 for `durationMs`. */
  rateLimitStorm(durationMs: number, options?: { global?: boolean; match?: RequestMatch }): void;
  /** Kills all gateway sockets without a close frame (1006) or closes them with `code`; sessions stay resumable. */
  dropGatewaySockets(code?: number): void;
  /** Sends op 7 Reconnect. */
  sendReconnect(): void;
  /** Sends op 9 Invalid Session. */
  sendInvalidSession(resumable: boolean): void;
  /** Sends op 1, asking the client for an immediate heartbeat. */
  requestHeartbeat(): void;
  /** Removes every REST fault rule, rate, delay and storm. */
  clear(): void;
}

/** A running fake Discord (REST + gateway on one 127.0.0.1 port). */
export interface FakeDiscord {
  /** REST base for `new REST({ api })` / `rest: { api }`, e.g. `http://127.0.0.1:PORT/api`. */
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly requests: RequestLogEntry[];
  readonly connections: number;
  readonly identifies: number;
  readonly resumes: number;
  readonly heartbeats: number;
  readonly gateway: Readonly<GatewayStats>;
  readonly faults: FakeDiscordFaults;
  /** Messages in a channel (also a deleted one), oldest first (ephemeral interaction responses excluded). */
  messages(channelId: string): StoredMessage[];
  /**
   * Paper ids of the digest cards in a channel (default: {@link channelId}), in posting order, read from each
   * card's embed footer. Interaction responses (a public `/paper` card carries the same footer) and messages
   * without a paper footer are left out.
   */
  postedPaperIds(channelId?: string): string[];
  /** Messages the bot sent in its DM channel with a user. */
  dmMessages(userId: string): StoredMessage[];
  /** Registered application commands (global when no guild id). */
  commands(guildId?: string): Array<Record<string, unknown>>;
  /** Registers a user (e.g. one with DMs closed: `{ dmsOpen: false }`). */
  addUser(input?: Partial<FakeUser>): FakeUser;
  /** A known user; mutate `dmsOpen` to open or close DMs. */
  user(id: string): FakeUser | undefined;
  /**
   * Changes the bot's permissions in a channel (allow or deny bits of the overwrite on its managed role; omitted
   * flags stay as they are) and dispatches CHANNEL_UPDATE. `canReadHistory: false` takes away Read Message History:
   * history reads then list nothing (200 `[]`), and reading one message is refused (403 50001), as Discord documents.
   */
  setChannelPermissions(channelId: string, permissions: { canSend?: boolean; canView?: boolean; canReadHistory?: boolean }): void;
  /**
   * The bot joins a guild (it was invited): GUILD_CREATE. Re-joining a guild it was removed from brings back its
   * channels and their messages; the bot gets a new managed role, as on Discord.
   */
  addGuild(input: GuildInput): void;
  /**
   * The bot is removed from a guild: GUILD_DELETE without `unavailable`. Its channels leave the bot's cache; the API
   * answers 403 50001 Missing Access for them and for the guild, as Discord does for a guild the bot is not in.
   */
  removeGuild(guildId: string): void;
  /** An outage: `true` sends GUILD_DELETE with `unavailable: true`, `false` the GUILD_CREATE that ends it. */
  setGuildUnavailable(guildId: string, unavailable: boolean): void;
  /** Creates a channel (text by default; 5 announcement, 15 forum): CHANNEL_CREATE. Returns its id. */
  createChannel(guildId: string, input?: Omit<ChannelInput, 'id'> & { id?: string }): string;
  /** Creates a forum channel (type 15) with these tags: CHANNEL_CREATE. Returns its id. */
  createForumChannel(
    guildId: string,
    input?: { id?: string; name?: string; tags?: ForumTagInput[]; overwrites?: OverwriteInput[] },
  ): string;
  /** The forum's tags as Discord lists them (`available_tags`). */
  forumTags(channelId: string): Array<{ id: string; name: string; moderated: boolean }>;
  /**
   * The threads started in or from a channel, oldest first: for a text channel the threads started from its messages
   * (each with its message's id), for a forum its posts (each with its first message, which has the post's id).
   */
  threadsOf(channelId: string): FakeThread[];
  /** Archives a thread or forum post as Discord does once it is inactive (THREAD_UPDATE). */
  autoArchiveThread(threadId: string): void;
  /**
   * A member reacts to a message (in any channel, threads and forum posts included) with a unicode emoji:
   * MESSAGE_REACTION_ADD to sessions with the GUILD_MESSAGE_REACTIONS intent. A user counts once per emoji: reacting
   * again changes nothing and sends nothing (returns false). A user who is not a member yet joins the guild.
   */
  react(messageId: string, userId: string, emoji: string): boolean;
  /** A member takes a reaction back: MESSAGE_REACTION_REMOVE (nothing when there was none; returns false). */
  unreact(messageId: string, userId: string, emoji: string): boolean;
  /** Who reacted to a message, by emoji, in the order they reacted (the bot's own reactions included). */
  reactionsOf(messageId: string): Record<string, string[]>;
  /** Deletes a channel: CHANNEL_DELETE; the API answers 404 10003 Unknown Channel for it from then on. */
  deleteChannel(channelId: string): void;
  /** Adds or replaces a channel's permission overwrite for a role or member: CHANNEL_UPDATE. */
  setOverwrite(channelId: string, overwrite: OverwriteInput): void;
  /** Removes a channel's permission overwrite for a role or member: CHANNEL_UPDATE. */
  removeOverwrite(channelId: string, targetId: string): void;
  /** Creates a role: GUILD_ROLE_CREATE. */
  addRole(guildId: string, role: RoleInput): void;
  /** Changes a role's permissions (@everyone: the guild's id; the bot's: {@link botRoleId}): GUILD_ROLE_UPDATE. */
  setRolePermissions(guildId: string, roleId: string, permissions: PermissionBits): void;
  /** A user joins a guild: GUILD_MEMBER_ADD (sent only to sessions with the GUILD_MEMBERS intent). */
  addMember(guildId: string, member: MemberInput): void;
  /**
   * Sets a member's roles: GUILD_MEMBER_UPDATE, sent for the bot itself always, for others only with the
   * GUILD_MEMBERS intent. The bot keeps its managed role.
   */
  setMemberRoles(guildId: string, userId: string, roleIds: string[]): void;
  /** The id of the bot's managed role in a guild (a new one after each join). */
  botRoleId(guildId: string): string;
  /** The bot's permissions in a channel, computed by Discord's algorithm (explicit bits, as `app_permissions`). */
  botPermissions(channelId: string): bigint;
  /** A member's permissions in a guild, or in one of its channels (0 for a user who is not a member). */
  memberPermissions(guildId: string, userId: string, channelId?: string): bigint;
  /** Members write `count` plain messages in a channel (chatter between the bot's posts). */
  addMemberMessages(
    channelId: string,
    count: number,
    options?: { authorId?: string; content?: (index: number) => string },
  ): StoredMessage[];
  /**
   * Has a user run a slash command, type into an autocomplete option, or click a button on a message the bot sent.
   * In a guild the interaction carries the member's roles and permissions in the channel (`member.permissions`,
   * unless `memberPermissions` overrides them) and the bot's there (`app_permissions`). INTERACTION_CREATE goes to the
   * sessions of the shard that owns the guild (shard 0 for a DM).
   */
  interact(input: ComponentInteractInput): Promise<InteractionOutcome>;
  // Listed last so that `Parameters<FakeDiscord['interact']>[0]` stays the command input.
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- two signatures on purpose (see above)
  interact(input: InteractInput): Promise<InteractionOutcome>;
  /**
   * Like {@link interact}, but `mutate` may corrupt the INTERACTION_CREATE payload before it is dispatched
   * (fuzzing the bot's router with payloads Discord would never send); id and token stay trackable.
   */
  interactMutated(
    input: ComponentInteractInput,
    mutate: (payload: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<InteractionOutcome>;
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- as for interact: the last signature is the command input
  interactMutated(input: InteractInput, mutate: (payload: Record<string, unknown>) => Record<string, unknown>): Promise<InteractionOutcome>;
  /** Number of gateway sessions with an open socket. */
  liveSessions(): number;
  /**
   * The gateway sessions Discord keeps, in the order they identified: each with its `[shard_id, num_shards]` ([0, 1]
   * when IDENTIFY sent none), whether a socket is open on it, and the guilds it receives events of.
   */
  sessions(): GatewaySession[];
  /** The shard that receives a guild's events among `count` shards: `(guild_id >> 22) % count`. */
  shardOf(guildId: string, count: number): number;
  close(): Promise<void>;
}

/** Starts a protocol-faithful fake Discord REST API and gateway on a random 127.0.0.1 port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const state = new State(options);
  let baseUrl = '';
  const maxGuildsPerShard = options.maxGuildsPerShard ?? MAX_GUILDS_PER_SHARD;
  for (const [name, value] of Object.entries({
    maxGuildsPerShard,
    recommendedShards: options.recommendedShards,
    maxConcurrency: options.maxConcurrency,
  })) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new Error(`fake-discord: ${name} must be a positive integer`);
  }
  const gateway = new Gateway(state, {
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    approvedPrivilegedIntents: options.approvedPrivilegedIntents ?? 0,
    maxGuildsPerShard,
    baseUrl: () => baseUrl.replace(/^http/, 'ws'),
  });
  const dispatch = (event: string, data: Record<string, unknown>, intent: number | null, guildId: string | null): void => {
    gateway.dispatch(event, data, intent, guildId);
  };
  const messages = new Messages(state, dispatch, options.nonceWindowMs ?? 5 * 60_000);
  const guildEvents = new GuildEvents(state, dispatch);
  const interactions = new Interactions(state, messages, dispatch, options.interactionTimeoutMs ?? 3000);
  const threads = new Threads(state, messages, dispatch);
  const reactions = new Reactions(state, dispatch);
  const extraRoute = (method: string, pattern: string, handler: Route['handler']): Route => ({
    method,
    pattern,
    handler,
    auth: true,
    bucket: 'other',
  });
  gateway.onDelivered = (event, data) => {
    if (event === 'INTERACTION_CREATE') interactions.noteDelivered(data);
  };
  const restFaults = new RestFaults(options.seed ?? 42);
  const limits = options.rateLimits ?? {};
  const limiter = new RateLimiter({
    messages: limits.messagesPerChannel ?? { limit: 5, windowMs: 5000 },
    other: limits.otherRoutes ?? { limit: 50, windowMs: 1000 },
    globalPerSecond: limits.globalPerSecond ?? 50,
  });
  const requests: RequestLogEntry[] = [];
  const routes = [
    ...restRoutes({
      state,
      messages,
      gatewayUrl: () => baseUrl.replace(/^http/, 'ws'),
      sessionStartRemaining: () => 1000 - gateway.stats.identifies,
      // Discord's recommendation "changes as the bot joins/leaves guilds" (events/gateway, Get Gateway Bot).
      recommendedShards: () =>
        options.recommendedShards ??
        recommendShardCount(
          [...state.guilds.values()].filter((g) => g.botPresent).map((g) => g.id),
          maxGuildsPerShard,
        ),
      maxConcurrency: options.maxConcurrency ?? 1,
    }),
    ...interactions.routes(),
    ...threads.routes(extraRoute),
    ...reactions.routes(extraRoute),
  ];
  const server = createServer(createRestListener({ token: () => state.token, routes, limiter, faults: restFaults, log: requests }));
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const firstGuild = [...state.guilds.values()][0];
  const messagesIn = (channelId: string): StoredMessage[] => {
    const channel = state.channels.get(channelId) ?? state.deletedChannels.get(channelId);
    if (!channel) throw new Error(`fake-discord: unknown channel ${channelId}`);
    return [...channel.messages];
  };
  const knownGuild = (guildId: string) => {
    const guild = state.guilds.get(guildId);
    if (!guild) throw new Error(`fake-discord: unknown guild ${guildId}`);
    return guild;
  };
  const knownChannel = (channelId: string) => {
    const channel = state.channels.get(channelId);
    if (!channel) throw new Error(`fake-discord: unknown channel ${channelId}`);
    return channel;
  };
  const knownMessage = (messageId: string) => {
    const message = state.findMessage(messageId);
    if (!message) throw new Error(`fake-discord: unknown message ${messageId}`);
    return { channel: state.channels.get(message.channelId)!, message };
  };
  const joinIfNeeded = (channel: { guildId: string | null }, userId: string): void => {
    const guild = channel.guildId === null ? undefined : state.guilds.get(channel.guildId);
    if (guild && !guild.members.has(userId)) state.joinMembers(guild, [{ userId }]);
    else if (!state.users.has(userId)) state.addUser({ id: userId, username: 'member' });
  };
  const faults: FakeDiscordFaults = {
    failNext: (match, response) => restFaults.failNext(match, response),
    failRate: (match, probability, status) => restFaults.failRate(match, probability, status),
    delay: (match, ms, opts) => restFaults.delay(match, ms, opts),
    holdAfterCommit: (match, ms) => restFaults.delay(match, ms, { afterCommit: true }),
    clearDelays: () => restFaults.clearDelays(),
    resetConnectionNext: (match, opts) => restFaults.resetConnectionNext(match, opts),
    rateLimitStorm: (durationMs, opts) => restFaults.rateLimitStorm(durationMs, opts),
    dropGatewaySockets: (code) => gateway.dropSockets(code),
    sendReconnect: () => gateway.sendReconnect(),
    sendInvalidSession: (resumable) => gateway.sendInvalidSession(resumable),
    requestHeartbeat: () => gateway.requestHeartbeat(),
    clear: () => restFaults.clear(),
  };

  return {
    apiUrl: `${baseUrl}/api`,
    gatewayUrl: baseUrl.replace(/^http/, 'ws'),
    token: state.token,
    applicationId: state.applicationId,
    botUserId: state.bot.id,
    guildId: firstGuild?.id ?? '',
    channelId: firstGuild?.channelIds[0] ?? '',
    requests,
    get connections() {
      return gateway.stats.connections;
    },
    get identifies() {
      return gateway.stats.identifies;
    },
    get resumes() {
      return gateway.stats.resumes;
    },
    get heartbeats() {
      return gateway.stats.heartbeats;
    },
    gateway: gateway.stats,
    faults,
    messages: messagesIn,
    postedPaperIds(channelId = firstGuild?.channelIds[0] ?? '') {
      return messagesIn(channelId).flatMap((m) => {
        const footer = m.embeds[0]?.footer as { text?: unknown } | undefined;
        const id = m.interactionId || typeof footer?.text !== 'string' ? null : readPaperIdFromFooter(footer.text);
        return id ? [id] : [];
      });
    },
    dmMessages(userId) {
      const channelId = state.dmChannelByUser.get(userId);
      return channelId ? [...state.channels.get(channelId)!.messages] : [];
    },
    commands: (guildId) => structuredClone(state.commands.get(guildId ?? 'global') ?? []),
    addUser: (input = {}) => state.addUser(input),
    user: (id) => state.users.get(id),
    setChannelPermissions: (channelId, permissions) => guildEvents.setChannelPermissions(channelId, permissions),
    addGuild: (input) => guildEvents.addGuild(input),
    removeGuild: (guildId) => guildEvents.removeGuild(guildId),
    setGuildUnavailable: (guildId, unavailable) => guildEvents.setGuildUnavailable(guildId, unavailable),
    createChannel: (guildId, input = {}) => guildEvents.createChannel(guildId, input),
    createForumChannel: (guildId, input = {}) =>
      guildEvents.createChannel(guildId, {
        type: 15,
        ...(input.id ? { id: input.id } : {}),
        ...(input.name ? { name: input.name } : {}),
        availableTags: input.tags ?? [],
        overwrites: input.overwrites ?? [],
      }),
    forumTags: (channelId) => knownChannel(channelId).availableTags.map((t) => ({ id: t.id, name: t.name, moderated: t.moderated })),
    threadsOf: (channelId) => threads.threadsOf(channelId),
    autoArchiveThread: (threadId) => threads.autoArchive(threadId),
    react(messageId, userId, emoji) {
      const { channel, message } = knownMessage(messageId);
      joinIfNeeded(channel, userId);
      return reactions.add(channel, message, userId, { id: null, name: emoji });
    },
    unreact(messageId, userId, emoji) {
      const { channel, message } = knownMessage(messageId);
      return reactions.remove(channel, message, userId, { id: null, name: emoji });
    },
    reactionsOf: (messageId) => reactions.of(messageId),
    deleteChannel: (channelId) => guildEvents.deleteChannel(channelId),
    setOverwrite: (channelId, overwrite) => guildEvents.setOverwrite(channelId, overwrite),
    removeOverwrite: (channelId, targetId) => guildEvents.removeOverwrite(channelId, targetId),
    addRole: (guildId, role) => guildEvents.addRole(guildId, role),
    setRolePermissions: (guildId, roleId, permissions) => guildEvents.setRolePermissions(guildId, roleId, permissions),
    addMember: (guildId, member) => guildEvents.addMember(guildId, member),
    setMemberRoles: (guildId, userId, roleIds) => guildEvents.setMemberRoles(guildId, userId, roleIds),
    botRoleId: (guildId) => knownGuild(guildId).botRoleId,
    botPermissions: (channelId) => state.botPermissions(knownChannel(channelId)),
    memberPermissions: (guildId, userId, channelId) =>
      state.memberPermissions(knownGuild(guildId), userId, channelId === undefined ? undefined : knownChannel(channelId)),
    addMemberMessages(channelId, count, opts = {}) {
      const channel = knownChannel(channelId);
      const authorId = opts.authorId ?? state.addUser({ username: 'chatty-member' }).id;
      const base = Date.now();
      // At most 2,000 per millisecond: a snowflake's increment has 12 bits, so ids stay unique.
      return Array.from({ length: count }, (_, i) =>
        messages.createFromMember(channel, authorId, opts.content?.(i) ?? `chatter ${i + 1}`, base + Math.floor(i / 2000)),
      );
    },
    interact: (input) => interactions.interact(input),
    interactMutated: (input, mutate) => interactions.interact(input, mutate),
    liveSessions: () => gateway.liveSessions(),
    sessions: () => gateway.listSessions(),
    shardOf,
    async close() {
      interactions.close();
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
