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
  /**
   * The shard count `GET /gateway/bot` recommends in `shards`; default the smallest count that keeps every shard
   * within {@link maxGuildsPerShard} of the bot's guilds at the time of the request (1 for fewer guilds).
   */
  recommendedShards?: number;
  /** `session_start_limit.max_concurrency` of `GET /gateway/bot` (identifies allowed per 5 s); default 1. */
  maxConcurrency?: number;
  /**
   * An IDENTIFY whose shard would hold more of the bot's guilds is closed with 4011 Sharding Required; default 2500,
   * Discord's limit per shard.
   */
  maxGuildsPerShard?: number;
  /** Seed for the RNG used by `faults.failRate`. */
  seed?: number;
}

/** A fixed-window rate-limit bucket size. */
export interface BucketLimit {
  limit: number;
  windowMs: number;
}

/** A permission bitfield, as a bigint or a decimal string (the way Discord serialises it). */
export type PermissionBits = bigint | string;

/**
 * A guild the bot is in: at startup (`guilds` option) or joined later ({@link FakeDiscord.addGuild}). The guild
 * always has the @everyone role (id = guild id), the bot's own managed role and an owner (a member with every
 * permission); `roles` and `members` add to them.
 */
export interface GuildInput {
  id: string;
  name?: string;
  channels?: ChannelInput[];
  /** Extra roles; a role whose id is the guild's id sets @everyone's permissions instead. */
  roles?: RoleInput[];
  /** Members besides the owner and the bot; a member's user is created when unknown. */
  members?: MemberInput[];
  /** Permissions of the bot's managed role (what the invite granted); default @everyone's plus Mention Everyone. */
  botPermissions?: PermissionBits;
  /** Roles of `roles` the bot's member also has. */
  botRoles?: string[];
  /** The owner's user id (created when unknown); default a shared `guild-owner` user. */
  ownerId?: string;
  /** Starts in an outage: READY lists it and GUILD_DELETE `unavailable: true` follows instead of GUILD_CREATE. */
  unavailable?: boolean;
}

/** A guild role. */
export interface RoleInput {
  id: string;
  name?: string;
  /** Default none. */
  permissions?: PermissionBits;
  /** Default: above the roles listed before it. */
  position?: number;
}

/** A guild member and the roles it has (ids of the guild's roles; @everyone is implicit). */
export interface MemberInput {
  userId: string;
  username?: string;
  roles?: string[];
}

/** A channel permission overwrite: `type` 0 (or 'role') targets a role, 1 (or 'member') a member. */
export interface OverwriteInput {
  id: string;
  type: 0 | 1 | 'role' | 'member';
  allow?: PermissionBits;
  deny?: PermissionBits;
}

/** A forum tag (available_tags of a GUILD_FORUM channel). */
export interface ForumTagInput {
  id?: string;
  name: string;
  moderated?: boolean;
  emojiName?: string | null;
}

/** A guild channel: type 0 text (default), 5 announcement, 15 forum. */
export interface ChannelInput {
  id: string;
  name?: string;
  type?: number;
  /** Permission overwrites on the channel. */
  overwrites?: OverwriteInput[];
  /** Forum channels only: the tags posts can carry. */
  availableTags?: ForumTagInput[];
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
  /** Uploaded files: `data` holds their bytes (Discord serves them at the attachment's `url`). */
  attachments: Array<{ id: string; filename: string; size: number; data?: Buffer }>;
  /** Message components (action rows of buttons) as last sent. */
  components: Array<Record<string, unknown>>;
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
  /**
   * Member permission bitfield as a decimal string, replacing the permissions the fake computes from the member's
   * roles and the channel's overwrites (a member that is not in the guild yet joins it with @everyone only).
   */
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

/**
 * A user clicking a button on a message the bot sent (a MESSAGE_COMPONENT interaction, type 3, component type 2).
 * The guild and channel are the message's; an ephemeral message can only be clicked by the user who saw it.
 */
export interface ComponentInteractInput {
  type: 'button';
  /** The message carrying the button (a channel message, or an ephemeral interaction response or follow-up). */
  messageId: string;
  customId: string;
  /** Default: for an ephemeral message, the user it was shown to; otherwise a new user. */
  user?: { id: string; username?: string };
  /** Same as {@link InteractInput.memberPermissions}. */
  memberPermissions?: string;
  locale?: string;
}

/** What happened to an interaction; arrays and getters stay live after resolution. */
export interface InteractionOutcome {
  interactionId: string;
  token: string;
  /**
   * Callback type of the initial response (4 reply, 5 defer, 6 deferred update, 7 update message, 8 autocomplete,
   * 9 modal), null on timeout.
   */
  callbackType: number | null;
  /** The callback `data` as received. */
  data: Record<string, unknown> | null;
  ephemeral: boolean;
  latencyMs: number | null;
  error?: 'timeout';
  /**
   * Whether INTERACTION_CREATE reached an open gateway socket (live, or replayed on RESUME) of a session on the shard
   * that owns its guild (shard 0 for a DM). An interaction dispatched while that shard had no connected session (and
   * none resumed in time) is lost, as on Discord, and then times out undelivered.
   */
  readonly delivered: boolean;
  followUps: StoredMessage[];
  edits: Array<{ at: number; messageId: string; payload: Record<string, unknown> }>;
  /** The current `@original` response message, if any (for 6 and 7: the message the clicked button is on). */
  readonly original: StoredMessage | null;
  /**
   * Resolves with `@original` once it holds real content: at once for a reply (4) or an update (7), after the
   * first edit for a deferral (5, 6).
   */
  waitForFinal(timeoutMs?: number): Promise<StoredMessage>;
  /** Resolves once `predicate` holds, re-checked after every change to this interaction. */
  waitFor(predicate: (outcome: InteractionOutcome) => boolean, timeoutMs?: number): Promise<InteractionOutcome>;
}
