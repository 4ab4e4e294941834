import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, type ClientOptions, ClientUser, GatewayIntentBits, type Guild, type GuildTextBasedChannel } from 'discord.js';
import { createClientOptions } from '../../src/adapters/discord/client.js';

// What each discord.js cache costs in a busy server after a while, with discord.js's default caches and with
// Paperboy's (createClientOptions). The client is fed the payloads its gateway handlers would get (GUILD_CREATE,
// INTERACTION_CREATE, the message an edited reply returns) through the same internal methods those handlers call;
// no network. Each option set runs in its own process, so heap figures are clean.

/** The server simulated: what GUILD_CREATE lists, then what a year of slash commands leaves behind. */
export const BUSY_SERVER = {
  channels: 300,
  roles: 150,
  emojis: 400,
  stickers: 60,
  threads: 60,
  voiceStates: 80,
  /** Distinct members who ran a command (each interaction carries its member and user). */
  members: 5000,
  /** Replies whose edited message discord.js puts in the channel's cache (spread over 20 channels). */
  replies: 4000,
};

/** One cache: entries and retained heap with each option set. */
export interface CacheCostRow {
  cache: string;
  defaultEntries: number;
  defaultMb: number;
  paperboyEntries: number;
  paperboyMb: number;
}

const GUILD = '400000000000000001';
const id = (kind: number, i: number) => String(400000000000000000n + BigInt(kind) * 1_000_000n + BigInt(i));

function guildPayload(botId: string): Record<string, unknown> {
  const s = BUSY_SERVER;
  return {
    id: GUILD,
    name: 'Busy server',
    icon: null,
    owner_id: id(9, 0),
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    features: [],
    mfa_level: 0,
    premium_tier: 0,
    nsfw_level: 0,
    preferred_locale: 'en-US',
    member_count: s.members,
    large: true,
    joined_at: new Date().toISOString(),
    roles: Array.from({ length: s.roles }, (_, i) => ({
      id: i === 0 ? GUILD : id(2, i),
      name: i === 0 ? '@everyone' : `role ${i}`,
      color: 0,
      hoist: false,
      position: i,
      permissions: '1071698660929',
      managed: false,
      mentionable: false,
      flags: 0,
    })),
    channels: Array.from({ length: s.channels }, (_, i) => ({
      id: id(3, i),
      type: 0,
      guild_id: GUILD,
      name: `channel-${i}`,
      position: i,
      topic: `What channel ${i} is about.`,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: null,
      permission_overwrites: [{ id: GUILD, type: 0, allow: '0', deny: '2048' }],
    })),
    threads: Array.from({ length: s.threads }, (_, i) => ({
      id: id(4, i),
      type: 11,
      guild_id: GUILD,
      parent_id: id(3, i % s.channels),
      owner_id: id(9, i),
      name: `thread ${i}`,
      last_message_id: null,
      message_count: 10,
      member_count: 3,
      rate_limit_per_user: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
      total_message_sent: 10,
    })),
    emojis: Array.from({ length: s.emojis }, (_, i) => ({
      id: id(5, i),
      name: `emoji_${i}`,
      roles: [],
      require_colons: true,
      managed: false,
      animated: i % 5 === 0,
      available: true,
    })),
    stickers: Array.from({ length: s.stickers }, (_, i) => ({
      id: id(6, i),
      name: `sticker ${i}`,
      description: 'A sticker.',
      tags: 'smile',
      type: 2,
      format_type: 1,
      available: true,
      guild_id: GUILD,
    })),
    voice_states: Array.from({ length: s.voiceStates }, (_, i) => ({
      guild_id: GUILD,
      channel_id: id(3, i % 10),
      user_id: id(9, i),
      session_id: `session${i}`,
      deaf: false,
      mute: false,
      self_deaf: false,
      self_mute: i % 2 === 0,
      self_video: false,
      suppress: false,
      request_to_speak_timestamp: null,
    })),
    members: [
      {
        user: { id: botId, username: 'paperboy', discriminator: '0', global_name: null, avatar: null, bot: true },
        roles: [],
        joined_at: new Date().toISOString(),
        deaf: false,
        mute: false,
      },
    ],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

function userPayload(i: number): Record<string, unknown> {
  return {
    id: id(9, i),
    username: `member${i}`,
    discriminator: '0',
    global_name: `Member Number ${i}`,
    avatar: 'a'.repeat(32),
    public_flags: 0,
  };
}

function interactionPayload(i: number, applicationId: string): Record<string, unknown> {
  return {
    id: id(7, i),
    application_id: applicationId,
    type: 2,
    token: 't'.repeat(160),
    version: 1,
    guild_id: GUILD,
    channel_id: id(3, i % 20),
    channel: { id: id(3, i % 20), type: 0, guild_id: GUILD, name: `channel-${i % 20}`, permissions: '1071698660929' },
    app_permissions: '1071698660929',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { 0: GUILD },
    context: 0,
    member: {
      user: userPayload(i),
      roles: [id(2, 1 + (i % 10))],
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      permissions: '1071698660929',
      flags: 0,
    },
    data: { id: id(8, 1), name: 'paper', type: 1, options: [{ name: 'query', type: 3, value: 'scaling laws' }] },
  };
}

function replyPayload(i: number, applicationId: string): Record<string, unknown> {
  return {
    id: id(10, i),
    channel_id: id(3, i % 20),
    type: 20,
    content: '',
    author: { id: applicationId, username: 'paperboy', discriminator: '0', global_name: null, avatar: null, bot: true },
    embeds: [
      {
        title: `A Paper Title That Is Fairly Long ${i}`,
        url: `https://huggingface.co/papers/2411.${String(10000 + i)}`,
        description: 'An abstract cut to a few hundred characters, as the card shows it. '.repeat(6),
        footer: { text: `2411.${String(10000 + i)} · 12 authors · Nov 26, 2024` },
        fields: [{ name: 'Links', value: 'https://github.com/example/repo', inline: false }],
      },
    ],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: new Date().toISOString(),
    flags: 0,
    components: [],
    interaction_metadata: { id: id(7, i), type: 2, user: userPayload(i), authorizing_integration_owners: { 0: GUILD } },
  };
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
};
const heapMb = (): number => {
  gc();
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.arrayBuffers) / 1e6;
};

/** Feeds a client the busy server and measures each cache, emptying them one by one. */
function measure(options: ClientOptions): Record<string, { entries: number; mb: number }> {
  const client = new Client(options);
  const botId = '400000000000000099';
  const applicationId = botId;
  const internal = client as unknown as {
    user: unknown;
    application: unknown;
    actions: { InteractionCreate: { handle(data: unknown): void } };
    emit: Client['emit'];
  };
  // What READY does: the client's own user, kept in the users cache.
  const self = new (ClientUser as unknown as new (client: Client, data: unknown) => ClientUser)(client, {
    id: botId,
    username: 'paperboy',
    discriminator: '0',
    bot: true,
    avatar: null,
  });
  internal.user = self;
  client.users.cache.set(botId, self);
  internal.emit = () => false;
  const guild = (client.guilds as unknown as { _add(data: unknown): Guild })._add(guildPayload(botId));
  for (let i = 0; i < BUSY_SERVER.members; i++) internal.actions.InteractionCreate.handle(interactionPayload(i, applicationId));
  for (let i = 0; i < BUSY_SERVER.replies; i++) {
    const channel = client.channels.cache.get(id(3, i % 20)) as GuildTextBasedChannel;
    (channel.messages as unknown as { _add(data: unknown): void })._add(replyPayload(i, applicationId));
  }
  const channels = () => [...guild.channels.cache.values()] as GuildTextBasedChannel[];
  const caches: Array<[string, () => number, () => void]> = [
    [
      'messages (replies)',
      () => channels().reduce((n, c) => n + (c.messages?.cache.size ?? 0), 0),
      () => channels().forEach((c) => c.messages?.cache.clear()),
    ],
    ['members', () => guild.members.cache.size, () => guild.members.cache.clear()],
    ['users', () => client.users.cache.size, () => client.users.cache.clear()],
    ['emojis', () => guild.emojis.cache.size, () => guild.emojis.cache.clear()],
    ['stickers', () => guild.stickers.cache.size, () => guild.stickers.cache.clear()],
    ['voice states', () => guild.voiceStates.cache.size, () => guild.voiceStates.cache.clear()],
    [
      'threads',
      () => client.channels.cache.filter((c) => c.isThread()).size,
      () => {
        guild.channels.cache.sweep((c) => c.isThread());
        client.channels.cache.sweep((c) => c.isThread());
      },
    ],
    [
      'channels (read)',
      () => client.channels.cache.size,
      () => {
        guild.channels.cache.clear();
        client.channels.cache.clear();
      },
    ],
    ['roles (read)', () => guild.roles.cache.size, () => guild.roles.cache.clear()],
  ];
  const result: Record<string, { entries: number; mb: number }> = {};
  for (const [name, count, clear] of caches) {
    const entries = count();
    const before = heapMb();
    clear();
    result[name] = { entries, mb: Math.max(0, before - heapMb()) };
  }
  void client.destroy();
  return result;
}

/** Measures both option sets, each in a fresh process. */
export function benchDiscordCaches(): CacheCostRow[] {
  const self = fileURLToPath(import.meta.url);
  const run = (which: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', which], { encoding: 'utf8', maxBuffer: 1 << 20 }),
    ) as Record<string, { entries: number; mb: number }>;
  const defaults = run('default');
  const ours = run('paperboy');
  return Object.keys(defaults).map((cache) => ({
    cache,
    defaultEntries: defaults[cache]!.entries,
    defaultMb: defaults[cache]!.mb,
    paperboyEntries: ours[cache]!.entries,
    paperboyMb: ours[cache]!.mb,
  }));
}

/** Prints the cache table. */
export function printDiscordCacheBench(rows: readonly CacheCostRow[]): void {
  const s = BUSY_SERVER;
  console.log('\n## discord.js caches in a busy server (in-process, no network)');
  console.log(
    `A server with ${s.channels} channels, ${s.roles} roles, ${s.emojis} emojis, ${s.stickers} stickers, ${s.threads} active threads and ` +
      `${s.voiceStates} voice states, after ${s.members} distinct members ran a command and ${s.replies} replies were edited. ` +
      '"MB" is the heap the cache retains (heap used after a GC, before and after emptying it). "(read)" caches are ones Paperboy reads.',
  );
  console.table(
    rows.map((r) => ({
      cache: r.cache,
      'default: entries': r.defaultEntries,
      'default: MB': r.defaultMb.toFixed(1),
      'Paperboy: entries': r.paperboyEntries,
      'Paperboy: MB': r.paperboyMb.toFixed(1),
    })),
  );
  const total = (pick: (r: CacheCostRow) => number) => rows.reduce((sum, r) => sum + pick(r), 0).toFixed(1);
  console.log(
    `Total: ${total((r) => r.defaultMb)} MB with discord.js's defaults, ${total((r) => r.paperboyMb)} MB with Paperboy's caches.`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const child = process.argv.indexOf('--child');
  if (child !== -1) {
    const which = process.argv[child + 1];
    const options: ClientOptions =
      which === 'paperboy'
        ? createClientOptions('http://127.0.0.1:9/api')
        : { intents: [GatewayIntentBits.Guilds], rest: { api: 'http://127.0.0.1:9/api' } };
    process.stdout.write(JSON.stringify(measure(options)));
  } else printDiscordCacheBench(benchDiscordCaches());
}
