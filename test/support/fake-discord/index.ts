import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readPaperIdFromFooter } from '../../../src/core/format.js';
import { type FailResponse, RestFaults } from './faults.js';
import { Gateway, type GatewayStats } from './gateway.js';
import { createRestListener } from './http.js';
import { Interactions } from './interactions.js';
import { Messages } from './messages.js';
import { RateLimiter } from './rate-limit.js';
import { restRoutes } from './rest-routes.js';
import { State } from './state.js';
import type {
  FakeDiscordOptions,
  FakeUser,
  InteractInput,
  InteractionOutcome,
  RequestLogEntry,
  RequestMatch,
  StoredMessage,
} from './types.js';

export type * from './types.js';
export type { FailResponse } from './faults.js';
export type { GatewayStats } from './gateway.js';
export { ImpossibleInteraction } from './interaction-payload.js';

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
  /** Messages in a channel, oldest first (ephemeral interaction responses excluded). */
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
   * Changes the bot's permissions in a channel (a permission overwrite on its role) and dispatches CHANNEL_UPDATE.
   * `canReadHistory: false` takes away Read Message History: history reads then list nothing (200 `[]`), and
   * reading one message is refused (403 50001), as Discord documents.
   */
  setChannelPermissions(channelId: string, permissions: { canSend?: boolean; canView?: boolean; canReadHistory?: boolean }): void;
  /** Members write `count` plain messages in a channel (chatter between the bot's posts). */
  addMemberMessages(
    channelId: string,
    count: number,
    options?: { authorId?: string; content?: (index: number) => string },
  ): StoredMessage[];
  /** Has a user run a slash command or type into an autocomplete option. */
  interact(input: InteractInput): Promise<InteractionOutcome>;
  /**
   * Like {@link interact}, but `mutate` may corrupt the INTERACTION_CREATE payload before it is dispatched
   * (fuzzing the bot's router with payloads Discord would never send); id and token stay trackable.
   */
  interactMutated(input: InteractInput, mutate: (payload: Record<string, unknown>) => Record<string, unknown>): Promise<InteractionOutcome>;
  /** Number of gateway sessions with an open socket. */
  liveSessions(): number;
  close(): Promise<void>;
}

/** Starts a protocol-faithful fake Discord REST API and gateway on a random 127.0.0.1 port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const state = new State(options);
  let baseUrl = '';
  const gateway = new Gateway(state, {
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    approvedPrivilegedIntents: options.approvedPrivilegedIntents ?? 0,
    baseUrl: () => baseUrl.replace(/^http/, 'ws'),
  });
  const dispatch = (event: string, data: Record<string, unknown>, intent: number | null): void => {
    gateway.dispatch(event, data, intent);
  };
  const messages = new Messages(state, dispatch, options.nonceWindowMs ?? 5 * 60_000);
  const interactions = new Interactions(state, messages, dispatch, options.interactionTimeoutMs ?? 3000);
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
    }),
    ...interactions.routes(),
  ];
  const server = createServer(createRestListener({ token: () => state.token, routes, limiter, faults: restFaults, log: requests }));
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const firstGuild = [...state.guilds.values()][0];
  const messagesIn = (channelId: string): StoredMessage[] => {
    const channel = state.channels.get(channelId);
    if (!channel) throw new Error(`fake-discord: unknown channel ${channelId}`);
    return [...channel.messages];
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
    setChannelPermissions(channelId, permissions) {
      const channel = state.channels.get(channelId);
      if (!channel) throw new Error(`fake-discord: unknown channel ${channelId}`);
      Object.assign(channel, permissions);
      if (channel.guildId) dispatch('CHANNEL_UPDATE', state.channelJson(channel), 1);
    },
    addMemberMessages(channelId, count, opts = {}) {
      const channel = state.channels.get(channelId);
      if (!channel) throw new Error(`fake-discord: unknown channel ${channelId}`);
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
    async close() {
      interactions.close();
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
