import { once } from 'node:events';
import { Client, DiscordAPIError, Events, GatewayIntentBits, REST, Routes, type ClientOptions } from 'discord.js';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, type FakeDiscordOptions, type GuildInput, startFakeDiscord } from './fake-discord/index.js';

let server: FakeDiscord | undefined;
let clients: Client[] = [];

afterEach(async () => {
  for (const c of clients) await c.destroy();
  await server?.close();
  clients = [];
  server = undefined;
});

// Snowflakes whose timestamp part (id >> 22) is T + k, so among 2 shards guild k is on shard k % 2.
const T = 300_000_000_000n;
const snowflake = (k: number, low = 1n): string => (((T + BigInt(k)) << 22n) | low).toString();
const G = [0, 1, 2, 3, 4, 5].map((k) => snowflake(k));
const channelOf = (guildId: string): string => (BigInt(guildId) + 7n).toString();
const guild = (id: string): GuildInput => ({ id, name: `guild ${id}`, channels: [{ id: channelOf(id), name: 'general' }] });
const FOUR_GUILDS: FakeDiscordOptions = { guilds: G.slice(0, 4).map(guild) };
const byId = (ids: Iterable<string>): string[] => [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

async function boot(options: FakeDiscordOptions): Promise<FakeDiscord> {
  server = await startFakeDiscord(options);
  return server;
}

/** Logs in a real discord.js client on the given shards, and answers `/which` with its `label`. */
async function startClient(
  s: FakeDiscord,
  label: string,
  shardOptions: Pick<ClientOptions, 'shards' | 'shardCount'>,
  intents: GatewayIntentBits[] = [GatewayIntentBits.Guilds],
): Promise<{ client: Client; interactions: Array<string | null>; ackErrors: unknown[] }> {
  const client = new Client({ intents, rest: { api: s.apiUrl }, ...shardOptions });
  clients.push(client);
  const interactions: Array<string | null> = [];
  const ackErrors: unknown[] = [];
  client.on(Events.InteractionCreate, async (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    interactions.push(interaction.guildId);
    await interaction.reply(label).catch((error: unknown) => ackErrors.push(error));
  });
  const ready = once(client, Events.ClientReady);
  await client.login(s.token);
  await ready;
  return { client, interactions, ackErrors };
}

/** Records the guild-scoped dispatches a client receives (`EVENT guild_id`, or `EVENT dm` without a guild). */
function recordDispatches(client: Client, events: string[]): string[] {
  const seen: string[] = [];
  client.on(Events.Raw, (packet: { t?: string; d?: Record<string, unknown> }) => {
    if (!packet.t || !events.includes(packet.t)) return;
    const guildId = packet.t.startsWith('GUILD_') ? packet.d?.id : packet.d?.guild_id;
    seen.push(`${packet.t} ${typeof guildId === 'string' ? guildId : 'dm'}`);
  });
  return seen;
}

async function registerWhich(client: Client): Promise<void> {
  await client.application!.commands.set([{ name: 'which', description: 'Says which process answers' }]);
}

/** Opens a raw gateway socket, identifies with `shard` (omitted when undefined), and returns READY or the close code. */
async function identifyRaw(s: FakeDiscord, shard: unknown): Promise<{ ready?: Record<string, unknown>; closeCode?: number }> {
  const ws = new WebSocket(`${s.gatewayUrl}?v=10&encoding=json`);
  await once(ws, 'message');
  ws.send(JSON.stringify({ op: 2, d: { token: s.token, intents: 1, properties: {}, ...(shard === undefined ? {} : { shard }) } }));
  return new Promise((resolve) => {
    ws.on('message', (data: Buffer) => {
      const payload = JSON.parse(data.toString()) as { t?: string; d: Record<string, unknown> };
      if (payload.t !== 'READY') return;
      ws.close(1000);
      resolve({ ready: payload.d });
    });
    ws.on('close', (code) => resolve({ closeCode: code }));
  });
}

describe('fake discord: sharding', () => {
  it("given Discord's formula, then shardOf is (guild_id >> 22) % count, and the fixture's guild k is on shard k % 2", async () => {
    const s = await boot(FOUR_GUILDS);
    // The example in serenity's `utils::shard_id` docs: guild 81384788765712384 among 17 shards is on shard 7.
    expect(s.shardOf('81384788765712384', 17)).toBe(7);
    expect(G.map((id) => s.shardOf(id, 2))).toEqual([0, 1, 0, 1, 0, 1]);
    expect(s.shardOf(G[1]!, 1)).toBe(0);
  });

  it('given two clients on shards 0 and 1 of 2, then each caches only its guilds and receives only their events, and DMs go to shard 0', async () => {
    const s = await boot(FOUR_GUILDS);
    const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
    const zero = await startClient(s, 'shard 0', { shards: [0], shardCount: 2 }, intents);
    const one = await startClient(s, 'shard 1', { shards: [1], shardCount: 2 }, intents);
    expect(byId(zero.client.guilds.cache.keys())).toEqual([G[0], G[2]]);
    expect(byId(one.client.guilds.cache.keys())).toEqual([G[1], G[3]]);
    expect(s.gateway.identifiedShards).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(s.sessions().map(({ shard, connected, guildIds }) => ({ shard, connected, guildIds }))).toEqual([
      { shard: [0, 2], connected: true, guildIds: [G[0], G[2]] },
      { shard: [1, 2], connected: true, guildIds: [G[1], G[3]] },
    ]);

    const events = ['GUILD_CREATE', 'GUILD_DELETE', 'CHANNEL_CREATE', 'MESSAGE_CREATE'];
    const seen0 = recordDispatches(zero.client, events);
    const seen1 = recordDispatches(one.client, events);
    for (const id of G.slice(0, 4)) {
      s.createChannel(id, { name: 'new' });
      s.addMemberMessages(channelOf(id), 1);
    }
    s.addGuild(guild(G[4]!));
    s.addGuild(guild(G[5]!));
    s.removeGuild(G[2]!);
    // The bot opens a DM through shard 1's process; the DM's MESSAGE_CREATE has no guild, so only shard 0 gets it.
    const user = s.addUser({ username: 'reader' });
    const dm = (await one.client.rest.post(Routes.userChannels(), { body: { recipient_id: user.id } })) as { id: string };
    await one.client.rest.post(Routes.channelMessages(dm.id), { body: { content: 'hello' } });
    // The last event of each shard arrives after everything before it on that socket: the lists are complete.
    s.addMemberMessages(channelOf(G[0]!), 1);
    s.addMemberMessages(channelOf(G[1]!), 1);

    await expect
      .poll(() => seen0)
      .toEqual([
        `CHANNEL_CREATE ${G[0]}`,
        `MESSAGE_CREATE ${G[0]}`,
        `CHANNEL_CREATE ${G[2]}`,
        `MESSAGE_CREATE ${G[2]}`,
        `GUILD_CREATE ${G[4]}`,
        `GUILD_DELETE ${G[2]}`,
        'MESSAGE_CREATE dm',
        `MESSAGE_CREATE ${G[0]}`,
      ]);
    await expect
      .poll(() => seen1)
      .toEqual([
        `CHANNEL_CREATE ${G[1]}`,
        `MESSAGE_CREATE ${G[1]}`,
        `CHANNEL_CREATE ${G[3]}`,
        `MESSAGE_CREATE ${G[3]}`,
        `GUILD_CREATE ${G[5]}`,
        `MESSAGE_CREATE ${G[1]}`,
      ]);
    expect(byId(zero.client.guilds.cache.keys())).toEqual([G[0], G[4]]);
    expect(byId(one.client.guilds.cache.keys())).toEqual([G[1], G[3], G[5]]);
  });

  it("given two shard clients, then an interaction in a guild reaches only the owning shard's client, and a DM interaction shard 0's", async () => {
    const s = await boot(FOUR_GUILDS);
    const zero = await startClient(s, 'shard 0', { shards: [0], shardCount: 2 });
    const one = await startClient(s, 'shard 1', { shards: [1], shardCount: 2 });
    await registerWhich(zero.client);
    const answers: Array<unknown> = [];
    for (const guildId of [...G.slice(0, 4), null, G[1]!]) {
      const outcome = await s.interact({ type: 'command', name: 'which', guildId });
      answers.push(outcome.data?.content);
    }
    expect(answers).toEqual(['shard 0', 'shard 1', 'shard 0', 'shard 1', 'shard 0', 'shard 1']);
    // Each client's last interaction came after the others on its socket, so a misrouted one would be listed.
    expect(zero.interactions).toEqual([G[0], G[2], null]);
    expect(one.interactions).toEqual([G[1], G[3], G[1]]);
    expect([...zero.ackErrors, ...one.ackErrors]).toEqual([]);
  });

  it('given the owning shard has no live session, then its guild interactions are lost (undelivered) while the other shard still answers', async () => {
    const s = await boot({ ...FOUR_GUILDS, interactionTimeoutMs: 400 });
    const zero = await startClient(s, 'shard 0', { shards: [0], shardCount: 2 });
    const one = await startClient(s, 'shard 1', { shards: [1], shardCount: 2 });
    await registerWhich(zero.client);
    await one.client.destroy();
    await expect.poll(() => s.sessions().map((session) => session.shard)).toEqual([[0, 2]]);
    const lost = await s.interact({ type: 'command', name: 'which', guildId: G[1]! });
    expect(lost).toMatchObject({ error: 'timeout', delivered: false, callbackType: null });
    const answered = await s.interact({ type: 'command', name: 'which', guildId: G[2]! });
    expect(answered).toMatchObject({ delivered: true, callbackType: 4, data: { content: 'shard 0' } });
    expect(zero.interactions).toEqual([G[2]]);
  });

  it("given shards: 'auto', then discord.js takes the count GET /gateway/bot recommends through the configured API, and max_concurrency with it", async () => {
    const s = await boot({ ...FOUR_GUILDS, recommendedShards: 2, maxConcurrency: 2 });
    const auto = await startClient(s, 'auto', { shards: 'auto' });
    expect(s.requests.filter((r) => r.path === '/gateway/bot').length).toBeGreaterThan(0);
    expect(auto.client.options.shardCount).toBe(2);
    expect([...auto.client.ws.shards.keys()].sort()).toEqual([0, 1]);
    expect(byId(auto.client.guilds.cache.keys())).toEqual(G.slice(0, 4));
    expect(auto.client.guilds.cache.get(G[3]!)?.shardId).toBe(1);
    expect(s.sessions().map((session) => session.shard)).toEqual(
      expect.arrayContaining([
        [0, 2],
        [1, 2],
      ]),
    );
    expect(await auto.client.rest.get(Routes.gatewayBot())).toMatchObject({
      shards: 2,
      session_start_limit: { total: 1000, max_concurrency: 2 },
    });
    await registerWhich(auto.client);
    const outcome = await s.interact({ type: 'command', name: 'which', guildId: G[3]! });
    expect(outcome.data).toMatchObject({ content: 'auto' });
  });

  it('given more guilds than a shard may hold, then an unsharded IDENTIFY closes 4011 and /gateway/bot recommends enough shards', async () => {
    const s = await boot({ ...FOUR_GUILDS, maxGuildsPerShard: 2, maxConcurrency: 3 });
    const unsharded = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: s.apiUrl } });
    clients.push(unsharded);
    await expect(unsharded.login(s.token)).rejects.toThrow('Sharding is required');
    expect(s.gateway.serverCloseCodes).toEqual([4011]);
    const rest = new REST({ api: s.apiUrl }).setToken(s.token);
    expect(await rest.get(Routes.gatewayBot())).toMatchObject({ shards: 2 });
    s.addGuild(guild(G[4]!));
    // Shard 0 of 2 would now hold G0, G2 and G4: three shards are needed.
    expect(await rest.get(Routes.gatewayBot())).toMatchObject({ shards: 3 });
    const auto = await startClient(s, 'auto', { shards: 'auto' });
    expect(auto.client.options.shardCount).toBe(3);
    expect(auto.client.guilds.cache.size).toBe(5);
  });

  it('given an invalid shard, then IDENTIFY closes 4010 (discord.js rejects login); without `shard` a session is [0, 1] and READY echoes only a sent shard', async () => {
    const s = await boot(FOUR_GUILDS);
    const outOfRange = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: s.apiUrl }, shards: [2], shardCount: 2 });
    clients.push(outOfRange);
    await expect(outOfRange.login(s.token)).rejects.toThrow('Invalid shard');
    const invalid = [[0, 0], [-1, 2], [1.5, 2], [0], [0, 2, 1], '0,2'];
    for (const shard of invalid) expect(await identifyRaw(s, shard), JSON.stringify(shard)).toEqual({ closeCode: 4010 });
    expect(s.gateway.serverCloseCodes).toEqual(new Array(1 + invalid.length).fill(4010));
    expect(s.identifies).toBe(0);

    const sharded = await identifyRaw(s, [1, 2]);
    expect(sharded.ready).toMatchObject({
      shard: [1, 2],
      guilds: [
        { id: G[1], unavailable: true },
        { id: G[3], unavailable: true },
      ],
    });
    const plain = await identifyRaw(s, undefined);
    expect(plain.ready).not.toHaveProperty('shard');
    expect((plain.ready!.guilds as Array<{ id: string }>).map((g) => g.id)).toEqual(G.slice(0, 4));
    expect(s.gateway.identifiedShards).toEqual([[1, 2], null]);
  });

  it('given two sessions of the same shard (a rolling deploy), then each receives every event of that shard, as on Discord: an interaction is answered once and the slower process gets 40060', async () => {
    const s = await boot(FOUR_GUILDS);
    const old = await startClient(s, 'old', { shards: [1], shardCount: 2 });
    await registerWhich(old.client);
    const fresh = await startClient(s, 'new', { shards: [1], shardCount: 2 });
    expect(byId(fresh.client.guilds.cache.keys())).toEqual([G[1], G[3]]);
    expect(s.sessions().map((session) => session.shard)).toEqual([
      [1, 2],
      [1, 2],
    ]);
    const created = [once(old.client, Events.ChannelCreate), once(fresh.client, Events.ChannelCreate)];
    const channelId = s.createChannel(G[3]!, { name: 'deploys' });
    for (const [channel] of await Promise.all(created)) expect((channel as { id: string }).id).toBe(channelId);

    const outcome = await s.interact({ type: 'command', name: 'which', guildId: G[1]! });
    expect(['old', 'new']).toContain(outcome.data?.content);
    await expect.poll(() => [...old.ackErrors, ...fresh.ackErrors].length).toBe(1);
    const [error] = [...old.ackErrors, ...fresh.ackErrors];
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 40060 });
    expect([old.interactions, fresh.interactions]).toEqual([[G[1]], [G[1]]]);

    // The old process stops: the new one alone receives shard 1 from then on.
    await old.client.destroy();
    await expect.poll(() => s.sessions().length).toBe(1);
    const after = await s.interact({ type: 'command', name: 'which', guildId: G[3]! });
    expect(after).toMatchObject({ delivered: true, data: { content: 'new' } });
    expect(old.interactions).toEqual([G[1]]);
  });

  it('given sessions with different shard counts (resharding), then each session gets what its own [id, count] selects', async () => {
    const s = await boot(FOUR_GUILDS);
    const whole = await startClient(s, 'whole', {});
    const half = await startClient(s, 'half', { shards: [1], shardCount: 2 });
    const third = await startClient(s, 'third', { shards: [2], shardCount: 3 });
    expect(byId(whole.client.guilds.cache.keys())).toEqual(G.slice(0, 4));
    expect(byId(half.client.guilds.cache.keys())).toEqual([G[1], G[3]]);
    expect(byId(third.client.guilds.cache.keys())).toEqual(G.slice(0, 4).filter((id) => s.shardOf(id, 3) === 2));
    expect(third.client.guilds.cache.size).toBeGreaterThan(0);
    expect(s.sessions().map((session) => session.shard)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });
});
