/** Options for {@link startFakeDiscord}; every field has a Discord-like default. */
export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  botUserId?: string;
  botUsername?: string;
  /** Defaults to one guild with one text channel. */
  guilds?: GuildInput[];
  heartbeatIntervalMs?: number;
  /** How long `enforce_nonce` dedupes creates (Discord: "a few minutes"); default 5 min. */
  nonceWindowMs?: number;
  rateLimits?: {
    /** Per-channel message-create bucket; default 5 per 5 s like Discord. */
    messagesPerChannel?: BucketLimit;
    /** Bucket used by every other rate-limited route; default 50 per 1 s. */
    otherRoutes?: BucketLimit;
    /** Global requests per second across all buckets (interactions exempt); default 50. */
    globalPerSecond?: number;
  };
  /** Initial-response deadline for interactions; default 3000 like Discord. */
  interactionTimeoutMs?: number;
  /** Privileged intents the application is approved for (bitfield); default none. */
  approvedPrivilegedIntents?: number;
  /** Seed for the RNG used by `faults.failRate`. */
  seed?: number;
}

/** A fixed-window rate-limit bucket size. */
export interface BucketLimit {
  limit: number;
  windowMs: number;
}

/** A guild to create at startup. */
export interface GuildInput {
  id: string;
  name?: string;
  channels?: ChannelInput[];
}

/** A guild channel to create at startup (type 0 text by default). */
export interface ChannelInput {
  id: string;
  name?: string;
  type?: number;
}

/** A user known to the fake server. */
export interface FakeUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  /** When false, DMs to this user fail with 403 code 50007. */
  dmsOpen: boolean;
}

/** Who a message would actually notify, per Discord's allowed_mentions semantics. */
export interface Pinged {
  everyone: boolean;
  users: string[];
  roles: string[];
}

/** A message as stored by the server, including what the client sent. */
export interface StoredMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  content: string;
  embeds: Array<Record<string, unknown>>;
  flags: number;
  nonce: string | number | null;
  /** The JSON payload exactly as received on create. */
  payload: Record<string, unknown>;
  /** Payloads of later edits, in order. */
  edits: Array<Record<string, unknown>>;
  pinged: Pinged;
  timestamp: string;
  editedTimestamp: string | null;
  /** Set for interaction responses and follow-ups. */
  interactionId: string | null;
  type: number;
  attachments: Array<{ id: string; filename: string; size: number }>;
}

/** One REST request as seen by the server. */
export interface RequestLogEntry {
  method: string;
  /** Path below `/api/v10`, without the query string. */
  path: string;
  query: string;
  status: number;
  body: unknown;
  at: number;
  /** Which fault (if any) shaped the response. */
  fault?: string;
}

/** Selects REST requests for faults; omitted fields match anything. */
export interface RequestMatch {
  method?: string;
  /** Tested against the path below `/api/v10`. */
  path?: RegExp;
  /** Tested against the request's JSON body (a request without one, or a multipart upload, never matches). */
  body?: (body: Record<string, unknown>) => boolean;
}

/** An option value passed to {@link InteractInput}. */
export type OptionValue = string | number | boolean;

/** Describes a user invoking a command or typing into an autocomplete option. */
export interface InteractInput {
  type: 'command' | 'autocomplete';
  name: string;
  /** Leaf option values keyed by option name; types follow the registered definition. */
  options?: Record<string, OptionValue>;
  subcommand?: string;
  subcommandGroup?: string;
  user?: { id: string; username?: string };
  /** `null` invokes the command in a DM with the bot; default is the first guild. */
  guildId?: string | null;
  channelId?: string;
  /** Member permission bitfield as a decimal string. */
  memberPermissions?: string;
  /** Name of the focused option (autocomplete). */
  focused?: string;
  locale?: string;
  /**
   * A server admin granted the command to everyone (Server Settings → Integrations, a command permission
   * override), so Discord delivers it even to members without its default_member_permissions.
   */
  permissionOverride?: boolean;
}

/** What happened to an interaction; arrays and getters stay live after resolution. */
export interface InteractionOutcome {
  interactionId: string;
  token: string;
  /** Callback type of the initial response (4 reply, 5 defer, 8 autocomplete, 9 modal), null on timeout. */
  callbackType: number | null;
  /** The callback `data` as received. */
  data: Record<string, unknown> | null;
  ephemeral: boolean;
  latencyMs: number | null;
  error?: 'timeout';
  /**
   * Whether INTERACTION_CREATE reached an open gateway socket (live, or replayed on RESUME). An interaction
   * dispatched while the app had no connected session is lost, as on Discord, and then times out undelivered.
   */
  readonly delivered: boolean;
  followUps: StoredMessage[];
  edits: Array<{ at: number; messageId: string; payload: Record<string, unknown> }>;
  /** The current `@original` response message, if any. */
  readonly original: StoredMessage | null;
  /** Resolves with `@original` once it holds real content (immediately for replies, after the first edit for deferrals). */
  waitForFinal(timeoutMs?: number): Promise<StoredMessage>;
  /** Resolves once `predicate` holds, re-checked after every change to this interaction. */
  waitFor(predicate: (outcome: InteractionOutcome) => boolean, timeoutMs?: number): Promise<InteractionOutcome>;
}
