import { once } from 'node:events';
import {
  ApplicationCommandOptionType,
  Client,
  DiscordAPIError,
  DiscordjsError,
  DiscordjsErrorCodes,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  HTTPError,
  MessageFlags,
  Routes,
  type Interaction,
  type SendableChannels,
} from 'discord.js';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDigestHeader, formatPaperEmbed, formatPaperMessage, type OutgoingMessage } from '../../src/core/format.js';
import { makePapers } from './memory-ports.js';
import { type FakeDiscord, type FakeDiscordOptions, startFakeDiscord } from './fake-discord/index.js';

let server: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function boot(
  options: FakeDiscordOptions = {},
  intents = [GatewayIntentBits.Guilds],
): Promise<{ server: FakeDiscord; client: Client }> {
  server = await startFakeDiscord(options);
  client = new Client({ intents, rest: { api: server.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
  return { server, client };
}

async function channelOf(c: Client, id: string): Promise<SendableChannels> {
  const channel = await c.channels.fetch(id);
  if (!channel?.isSendable()) throw new Error('channel not sendable');
  return channel;
}

const statuses = (s: FakeDiscord, path: RegExp): number[] => s.requests.filter((r) => path.test(r.path)).map((r) => r.status);
const MESSAGES = /\/channels\/\d+\/messages$/;

async function registerCommands(c: Client): Promise<void> {
  await c.application!.commands.set([
    {
      name: 'digest',
      description: 'Post a digest',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'topic', description: 'Topic', required: true, autocomplete: true },
        { type: ApplicationCommandOptionType.Integer, name: 'count', description: 'How many' },
      ],
    },
    {
      name: 'admin',
      description: 'Admin tools',
      defaultMemberPermissions: '32',
      options: [{ type: ApplicationCommandOptionType.Subcommand, name: 'reindex', description: 'Rebuild the index' }],
    },
  ]);
}

describe('fake discord: login and messages', () => {
  it('lets the real client log in, cache the guild and send a message', async () => {
    const { server, client } = await boot();
    expect(client.guilds.cache.get(server.guildId)?.name).toBe('Test Guild');
    expect(client.guilds.cache.get(server.guildId)?.members.me?.id).toBe(server.botUserId);
    expect(server.gateway.identifiedIntents).toEqual([GatewayIntentBits.Guilds]);
    const channel = await channelOf(client, server.channelId);
    const sent = await channel.send({ content: 'hello', embeds: [new EmbedBuilder().setTitle('t').setURL('https://example.org')] });
    const [stored] = server.messages(server.channelId);
    expect(stored?.id).toBe(sent.id);
    expect(stored?.embeds[0]).toMatchObject({ type: 'rich', title: 't' });
    expect(BigInt(sent.id) >> 22n).toBeGreaterThan(0n);
    expect(Math.abs(sent.createdTimestamp - Date.now())).toBeLessThan(5000);
    const created = server.requests.find((r) => r.method === 'POST' && MESSAGES.test(r.path));
    expect(created?.status).toBe(200);
  });

  it('validates like Discord: lengths, empty messages, urls, allowed_mentions', async () => {
    // Rejected requests spend rate-limit budget like on Discord, so widen the bucket to keep this fast.
    const { server, client } = await boot({ rateLimits: { messagesPerChannel: { limit: 50, windowMs: 5000 } } });
    const channel = await channelOf(client, server.channelId);
    const error = await channel.send({ embeds: [{ title: 'x'.repeat(257) }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50035);
    expect((error as DiscordAPIError).rawError).toMatchObject({
      errors: { embeds: { '0': { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } },
    });
    await expect(channel.send({ content: 'y'.repeat(2001) })).rejects.toMatchObject({ code: 50035 });
    await expect(channel.send({ content: '   ' })).rejects.toMatchObject({ code: 50006 });
    await expect(channel.send({ embeds: [{ description: 'd', url: 'ftp://x.org' }] })).rejects.toMatchObject({ code: 50035 });
    const sixK = Array.from({ length: 2 }, () => ({ description: 'z'.repeat(3001) }));
    await expect(channel.send({ embeds: sixK })).rejects.toMatchObject({
      rawError: { errors: { embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED' }] } } },
    });
    await expect(
      channel.send({ content: 'a', allowedMentions: { parse: ['users'], users: ['123456789012345678'] } }),
    ).rejects.toMatchObject({ code: 50035 });
    await expect(channel.send({ content: 'a', nonce: 'n'.repeat(26) })).rejects.toMatchObject({ code: 50035 });
    expect(server.messages(server.channelId)).toHaveLength(0);
  });

  it('records who would be pinged', async () => {
    const { server, client } = await boot();
    const channel = await channelOf(client, server.channelId);
    const user = '123456789012345678';
    await channel.send(`hi <@${user}> <@&223456789012345678> @everyone`);
    await channel.send({ content: `hi <@${user}> @everyone`, allowedMentions: { parse: [] } });
    await channel.send({ content: 'embed only', embeds: [{ description: `<@${user}> @everyone` }] });
    const [loud, quiet, embed] = server.messages(server.channelId);
    expect(loud?.pinged).toEqual({ everyone: true, users: [user], roles: ['223456789012345678'] });
    expect(quiet?.pinged).toEqual({ everyone: false, users: [], roles: [] });
    expect(embed?.pinged).toEqual({ everyone: false, users: [], roles: [] });
  });

  it('dedupes enforce_nonce creates and hides the nonce from history', async () => {
    const { server, client } = await boot();
    const channel = await channelOf(client, server.channelId);
    const a = await channel.send({ content: 'once', nonce: 'digest-2024-05-01', enforceNonce: true });
    const b = await channel.send({ content: 'once', nonce: 'digest-2024-05-01', enforceNonce: true });
    await channel.send({ content: 'twice', nonce: 'plain' });
    await channel.send({ content: 'twice', nonce: 'plain' });
    expect(b.id).toBe(a.id);
    expect(server.messages(server.channelId).map((m) => m.content)).toEqual(['once', 'twice', 'twice']);
    expect(server.messages(server.channelId)[0]?.nonce).toBe('digest-2024-05-01');
    const history = (await client.rest.get(Routes.channelMessages(server.channelId), {
      query: new URLSearchParams({ limit: '2' }),
    })) as Array<Record<string, unknown>>;
    expect(history.map((m) => m.content)).toEqual(['twice', 'twice']);
    expect(history.every((m) => !('nonce' in m))).toBe(true);
    await expect(
      client.rest.get(Routes.channelMessages(server.channelId), { query: new URLSearchParams({ limit: '101' }) }),
    ).rejects.toMatchObject({ code: 50035 });
  });

  it('maps permissions, unknown channels and closed DMs to Discord error codes', async () => {
    const { server, client } = await boot();
    const channel = await channelOf(client, server.channelId);
    server.setChannelPermissions(server.channelId, { canSend: false });
    await expect(channel.send('nope')).rejects.toMatchObject({ code: 50013, status: 403 });
    await expect(client.rest.post(Routes.channelMessages('111111111111111111'), { body: { content: 'x' } })).rejects.toMatchObject({
      code: 10003,
      status: 404,
    });
    const closed = server.addUser({ username: 'shy', dmsOpen: false });
    const user = await client.users.fetch(closed.id);
    await expect(user.send('hi')).rejects.toMatchObject({ code: 50007 });
    const open = server.addUser({ username: 'friendly' });
    await (await client.users.fetch(open.id)).send('hi there');
    expect(server.dmMessages(open.id).map((m) => m.content)).toEqual(['hi there']);
  });
});

describe('fake discord: mentions and direct messages as Discord documents them', () => {
  it('refuses allowed_mentions.users beyond 100 ids (BASE_TYPE_MAX_LENGTH) and pings only listed members the content mentions', async () => {
    const { server, client } = await boot();
    const ids = (n: number) => Array.from({ length: n }, (_, i) => String(300000000000000000n + BigInt(i)));
    // 2,000 characters hold about 90 mentions of 18-digit ids.
    const content = ids(85)
      .map((id) => `<@${id}>`)
      .join(' ');
    const refused = client.rest.post(Routes.channelMessages(server.channelId), {
      body: { content, allowed_mentions: { parse: [], users: ids(101) } },
    });
    await expect(refused).rejects.toMatchObject({
      code: 50035,
      rawError: { errors: { allowed_mentions: { users: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } },
    });
    await client.rest.post(Routes.channelMessages(server.channelId), {
      body: { content, allowed_mentions: { parse: [], users: ids(100).slice(5) } },
    });
    const [stored] = server.messages(server.channelId);
    expect(stored?.pinged.users).toEqual(ids(85).slice(5));
  });

  it('dedupes a direct message sent again with the same nonce and enforce_nonce', async () => {
    const { server, client } = await boot();
    const member = server.addUser({ username: 'reader' });
    const dm = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: member.id } })) as { id: string };
    const again = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: member.id } })) as { id: string };
    expect(again.id).toBe(dm.id);
    const body = { content: 'papers for you', nonce: 'dm-nonce-1', enforce_nonce: true };
    const a = (await client.rest.post(Routes.channelMessages(dm.id), { body })) as { id: string };
    const b = (await client.rest.post(Routes.channelMessages(dm.id), { body })) as { id: string };
    expect(b.id).toBe(a.id);
    expect(server.dmMessages(member.id).map((m) => m.content)).toEqual(['papers for you']);
  });
});

describe('fake discord: failures and rate limits', () => {
  it('given an after-commit delay on requests whose body matches, then only those are slow, and their message exists before the answer', async () => {
    const { server, client } = await boot();
    server.faults.delay({ method: 'POST', path: MESSAGES, body: (b) => b.content === 'slow' }, 1500, { afterCommit: true });
    const slow = client.rest.post(Routes.channelMessages(server.channelId), { body: { content: 'slow' } });
    await client.rest.post(Routes.channelMessages(server.channelId), { body: { content: 'fast' } });
    let answered = false;
    void slow.then(() => (answered = true));
    for (let i = 0; i < 100 && server.messages(server.channelId).length < 2; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(
      server
        .messages(server.channelId)
        .map((m) => m.content)
        .sort(),
    ).toEqual(['fast', 'slow']);
    expect(answered).toBe(false);
    await slow;
    server.faults.failNext({ method: 'POST', path: MESSAGES, body: (b) => b.content === 'doomed' }, { status: 500, count: 5 });
    await client.rest.post(Routes.channelMessages(server.channelId), { body: { content: 'spared' } });
    expect(statuses(server, MESSAGES).at(-1)).toBe(200);
    await expect(client.rest.post(Routes.channelMessages(server.channelId), { body: { content: 'doomed' } })).rejects.toMatchObject({
      status: 500,
    });
    expect(server.messages(server.channelId).map((m) => m.content)).not.toContain('doomed');
  });

  it('lets discord.js retry 5xx (3 retries) and reports duplicates from post-commit failures', async () => {
    const { server, client } = await boot();
    const channel = await channelOf(client, server.channelId);
    server.faults.failNext({ method: 'POST', path: MESSAGES }, { status: 500, count: 2 });
    await channel.send('survives two 500s');
    expect(statuses(server, MESSAGES)).toEqual([500, 500, 200]);
    server.faults.failNext({ method: 'POST', path: MESSAGES }, { status: 502, count: 4 });
    await expect(channel.send('gives up')).rejects.toBeInstanceOf(HTTPError);
    expect(statuses(server, MESSAGES).slice(3)).toEqual([502, 502, 502, 502]);
    server.faults.failNext({ method: 'POST', path: MESSAGES }, { status: 500, afterCommit: true });
    await channel.send('duplicated');
    server.faults.failNext({ method: 'POST', path: MESSAGES }, { status: 500, afterCommit: true });
    await channel.send({ content: 'deduped', nonce: 'run-1', enforceNonce: true });
    expect(server.messages(server.channelId).map((m) => m.content)).toEqual(['survives two 500s', 'duplicated', 'duplicated', 'deduped']);
  });

  it('sends rate-limit headers and 429s the client recovers from', async () => {
    const { server, client } = await boot({ rateLimits: { messagesPerChannel: { limit: 2, windowMs: 300 } } });
    const channel = await channelOf(client, server.channelId);
    const started = Date.now();
    await Promise.all([1, 2, 3, 4, 5].map((n) => channel.send(`burst ${n}`)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(server.messages(server.channelId)).toHaveLength(5);
    server.faults.failNext({ method: 'POST', path: MESSAGES }, { status: 429, retryAfterMs: 250 });
    const t = Date.now();
    await channel.send('after 429');
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(statuses(server, MESSAGES)).toContain(429);
    const raw = await fetch(`${server.apiUrl}/v10/channels/${server.channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${server.token}`, 'content-type': 'application/json' },
      body: '{"content":"x"}',
    });
    expect(raw.headers.get('x-ratelimit-limit')).toBe('2');
    expect(raw.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    server.faults.rateLimitStorm(300, { global: true });
    const g = Date.now();
    await channel.send('after global storm');
    expect(Date.now() - g).toBeGreaterThanOrEqual(300);
    const stormed = server.requests.find((r) => r.fault === 'rateLimitStorm');
    expect(stormed?.status).toBe(429);
  });

  it('rejects bad tokens on REST (TokenInvalid) and on the gateway (4004)', async () => {
    server = await startFakeDiscord();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
    const error = await client.login('bm90LWEtdG9rZW4.x.y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordjsError);
    expect((error as DiscordjsError).code).toBe(DiscordjsErrorCodes.TokenInvalid);
    const ws = new WebSocket(`${server.gatewayUrl}?v=10&encoding=json`);
    await once(ws, 'message');
    ws.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 1, properties: {} } }));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(4004);
  });

  it('closes with 4014 when privileged intents are requested', async () => {
    server = await startFakeDiscord();
    client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.MessageContent], rest: { api: server.apiUrl } });
    await expect(client.login(server.token)).rejects.toThrow('Used disallowed intents');
    expect(server.gateway.serverCloseCodes).toContain(4014);
    expect(server.gateway.identifiedIntents[0]! & GatewayIntentBits.MessageContent).toBeTruthy();
  });
});

describe('fake discord: interactions', () => {
  it('validates and stores command definitions', async () => {
    const { server, client } = await boot();
    await registerCommands(client);
    expect(server.commands().map((c) => c.name)).toEqual(['digest', 'admin']);
    const bad = client.rest.put(Routes.applicationCommands(server.applicationId), {
      body: [
        { name: 'Bad Name', description: 'x' },
        {
          name: 'ok',
          description: 'y',
          options: [
            { type: 3, name: 'a', description: 'a' },
            { type: 3, name: 'b', description: 'b', required: true },
          ],
        },
      ],
    });
    await expect(bad).rejects.toMatchObject({
      code: 50035,
      rawError: {
        errors: { '0': { name: {} }, '1': { options: { _errors: [{ code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID' }] } } },
      },
    });
    const choicesAndAutocomplete = client.rest.put(Routes.applicationGuildCommands(server.applicationId, server.guildId), {
      body: [
        {
          name: 'x',
          description: 'x',
          options: [{ type: 3, name: 'a', description: 'a', autocomplete: true, choices: [{ name: 'n', value: 'v' }] }],
        },
      ],
    });
    await expect(choicesAndAutocomplete).rejects.toMatchObject({ code: 50035 });
  });

  it('round-trips an ephemeral reply and an autocomplete response', async () => {
    const { server, client } = await boot();
    await registerCommands(client);
    const seen: Interaction[] = [];
    client.on(Events.InteractionCreate, async (interaction) => {
      seen.push(interaction);
      if (interaction.isAutocomplete()) {
        const typed = interaction.options.getFocused();
        await interaction.respond([{ name: `${typed} papers`, value: `${typed}-id` }]);
      } else if (interaction.isChatInputCommand() && interaction.commandName === 'admin') {
        await interaction.reply(`running ${interaction.options.getSubcommand()}`);
      } else if (interaction.isChatInputCommand()) {
        const topic = interaction.options.getString('topic', true);
        const count = interaction.options.getInteger('count');
        await interaction.reply({ content: `${topic} x${count}`, flags: MessageFlags.Ephemeral });
      }
    });
    const outcome = await server.interact({
      type: 'command',
      name: 'digest',
      options: { topic: 'llm', count: 3 },
      user: { id: '323456789012345678', username: 'reader' },
    });
    expect(outcome).toMatchObject({ callbackType: 4, ephemeral: true, data: { content: 'llm x3' } });
    expect(outcome.latencyMs).toBeLessThan(3000);
    expect(server.messages(server.channelId)).toHaveLength(0);
    const command = seen[0];
    expect(command?.isChatInputCommand() && command.memberPermissions?.has('SendMessages')).toBe(true);
    const auto = await server.interact({ type: 'autocomplete', name: 'digest', options: { topic: 'diff' }, focused: 'topic' });
    expect(auto).toMatchObject({ callbackType: 8, data: { choices: [{ name: 'diff papers', value: 'diff-id' }] } });
    await expect(server.interact({ type: 'command', name: 'admin', subcommand: 'reindex' })).rejects.toThrow(/default_member_permissions/);
    const admin = await server.interact({ type: 'command', name: 'admin', subcommand: 'reindex', memberPermissions: '8' });
    expect(admin.data).toMatchObject({ content: 'running reindex' });
    expect(admin.original?.pinged).toEqual({ everyone: false, users: [], roles: [] });
    const dm = await server.interact({
      type: 'command',
      name: 'admin',
      subcommand: 'reindex',
      guildId: null,
      user: { id: '423456789012345678' },
    });
    expect(dm).toMatchObject({ callbackType: 4, ephemeral: false });
    expect(server.dmMessages('423456789012345678').map((m) => m.content)).toEqual(['running reindex']);
  });

  it('supports deferReply + editReply + followUp, and refuses a second ack or a late one', async () => {
    const { server, client } = await boot({ interactionTimeoutMs: 400 });
    await registerCommands(client);
    const errors: unknown[] = [];
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const topic = interaction.options.getString('topic', true);
      try {
        if (topic === 'late') {
          await new Promise((r) => setTimeout(r, 600));
          await interaction.reply('too late');
          return;
        }
        await interaction.deferReply();
        await new Promise((r) => setTimeout(r, 50));
        await interaction.editReply({ content: `digest for ${topic}`, allowedMentions: { parse: [] } });
        await interaction.followUp({ content: 'more', flags: MessageFlags.Ephemeral });
        await client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
          body: { type: 4, data: { content: 'again' } },
          auth: false,
        });
      } catch (error) {
        errors.push(error);
      }
    });
    const outcome = await server.interact({ type: 'command', name: 'digest', options: { topic: 'rl' } });
    expect(outcome).toMatchObject({ callbackType: 5, ephemeral: false });
    const final = await outcome.waitForFinal();
    expect(final.content).toBe('digest for rl');
    await outcome.waitFor((o) => o.followUps.length === 1);
    expect(outcome.followUps[0]?.flags).toBe(MessageFlags.Ephemeral);
    expect(server.messages(server.channelId).map((m) => m.content)).toEqual(['digest for rl']);
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toMatchObject({ code: 40060, status: 400 });
    const late = await server.interact({ type: 'command', name: 'digest', options: { topic: 'late' } });
    expect(late.error).toBe('timeout');
    await expect.poll(() => errors.length).toBe(2);
    expect(errors[1]).toMatchObject({ code: 10062, status: 404 });
  });

  it('resumes after a dropped socket and replays interactions dispatched meanwhile', async () => {
    const { server, client } = await boot({ heartbeatIntervalMs: 200 });
    await registerCommands(client);
    client.on(Events.InteractionCreate, async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply(`pong ${interaction.options.getString('topic')}`);
    });
    const resumed = once(client, Events.ShardResume);
    const started = Date.now();
    server.faults.dropGatewaySockets();
    const outcome = await server.interact({ type: 'command', name: 'digest', options: { topic: 'during-outage' } });
    await resumed;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(outcome).toMatchObject({ callbackType: 4, delivered: true, data: { content: 'pong during-outage' } });
    expect({ identifies: server.identifies, resumes: server.resumes, connections: server.connections }).toEqual({
      identifies: 1,
      resumes: 1,
      connections: 2,
    });
    expect(server.gateway.connectionUrls[1]).toMatch(/\/resume\?v=10&encoding=json$/);
    server.faults.sendReconnect();
    await once(client, Events.ShardResume);
    server.faults.sendInvalidSession(true);
    await once(client, Events.ShardResume);
    expect(server.resumes).toBe(3);
    const after = await server.interact({ type: 'command', name: 'digest', options: { topic: 'after' } });
    expect(after.data).toMatchObject({ content: 'pong after' });
    await expect.poll(() => server.heartbeats).toBeGreaterThan(0);
    await expect.poll(() => client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('loses, as Discord does, an interaction dispatched while the app has no connected session', async () => {
    const { server, client } = await boot({ interactionTimeoutMs: 400 });
    await registerCommands(client);
    client.on(Events.InteractionCreate, async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply('pong');
    });
    await client.destroy();
    await expect.poll(() => server.liveSessions()).toBe(0);
    const outcome = await server.interact({ type: 'command', name: 'digest', options: { topic: 'nobody home' } });
    expect(outcome).toMatchObject({ error: 'timeout', delivered: false, callbackType: null });
  });
});

describe("fake discord: the bot's guilds and command scopes", () => {
  const GUILDS = ['160000000000000001', '160000000000000002', '160000000000000003'];
  const options = { guilds: GUILDS.map((id, i) => ({ id, name: `Guild ${i + 1}`, channels: [{ id: `17000000000000000${i + 1}` }] })) };
  const list = async (c: Client, query: Record<string, string> = {}) =>
    (await c.rest.get(Routes.userGuilds(), { query: new URLSearchParams(query) })) as Array<Record<string, unknown>>;

  it("lists the bot's guilds as partial guilds, ascending by id, paged with limit, after and before", async () => {
    const { client } = await boot(options);
    const all = await list(client);
    expect(all.map((g) => g.id)).toEqual(GUILDS);
    expect(Object.keys(all[0]!).sort()).toEqual(['banner', 'features', 'icon', 'id', 'name', 'owner', 'permissions']);
    expect(all[0]).toMatchObject({ name: 'Guild 1', owner: false, features: [] });
    expect(typeof all[0]!.permissions).toBe('string');
    expect((await list(client, { limit: '2' })).map((g) => g.id)).toEqual(GUILDS.slice(0, 2));
    expect((await list(client, { limit: '2', after: GUILDS[1]! })).map((g) => g.id)).toEqual([GUILDS[2]]);
    expect((await list(client, { limit: '1', before: GUILDS[2]! })).map((g) => g.id)).toEqual([GUILDS[1]]);
    expect(await list(client, { after: GUILDS[2]! })).toEqual([]);
    expect((await list(client, { with_counts: 'true' }))[0]).toMatchObject({ approximate_member_count: 2, approximate_presence_count: 1 });
    await expect(list(client, { limit: '201' })).rejects.toMatchObject({ status: 400, code: 50035 });
    await expect(list(client, { limit: '0' })).rejects.toMatchObject({ status: 400, code: 50035 });
    await expect(list(client, { after: 'abc' })).rejects.toMatchObject({ status: 400, code: 50035 });
  });

  it('keeps global and per-guild commands apart, clears a scope with an empty bulk overwrite, and refuses a guild the bot is not in', async () => {
    const { server, client } = await boot(options);
    const body = [{ name: 'hello', description: 'Say hello' }];
    await client.rest.put(Routes.applicationCommands(server.applicationId), { body });
    await client.rest.put(Routes.applicationGuildCommands(server.applicationId, GUILDS[1]!), { body });
    expect((await client.rest.get(Routes.applicationGuildCommands(server.applicationId, GUILDS[0]!))) as unknown[]).toEqual([]);
    expect(server.commands(GUILDS[1])).toHaveLength(1);
    expect(server.commands()).toHaveLength(1);
    await client.rest.put(Routes.applicationGuildCommands(server.applicationId, GUILDS[1]!), { body: [] });
    expect(server.commands(GUILDS[1])).toEqual([]);
    expect(server.commands()).toHaveLength(1);
    await expect(client.rest.get(Routes.applicationGuildCommands(server.applicationId, '180000000000000001'))).rejects.toMatchObject({
      status: 403,
      code: 50001,
    });
  });
});

describe('fake discord: the paper ids a channel shows', () => {
  const DIGEST = '190000000000000011';
  const OTHER = '190000000000000012';
  const options = {
    guilds: [
      {
        id: '190000000000000001',
        channels: [
          { id: DIGEST, name: 'papers' },
          { id: OTHER, name: 'general' },
        ],
      },
    ],
  };
  const send = (c: Client, channelId: string, message: OutgoingMessage) =>
    c.rest.post(Routes.channelMessages(channelId), { body: message });

  it('given cards, a header, chatter, a card without a paper footer and a public /paper card, then only the cards are listed, in posting order', async () => {
    const { server, client } = await boot(options);
    const [first, second, looked, elsewhere] = makePapers(4);
    await client.application!.commands.set([{ name: 'paper', description: 'Look up a paper' }]);
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply({ embeds: [formatPaperEmbed(looked!)], allowedMentions: { parse: [] } });
    });
    expect(server.postedPaperIds()).toEqual([]);
    await send(client, DIGEST, formatDigestHeader({ digest: 7, day: '2026-06-22', count: 2, remaining: 0 }));
    await send(client, DIGEST, formatPaperMessage(second!));
    server.addMemberMessages(DIGEST, 2);
    await send(client, DIGEST, {
      embeds: [{ title: 'no footer' }, { title: 'x', footer: { text: 'Paper id: in-the-second-embed' } }],
      allowed_mentions: { parse: [] },
    });
    await send(client, DIGEST, {
      embeds: [{ title: 'other footer', footer: { text: 'not a paper id' } }],
      allowed_mentions: { parse: [] },
    });
    const reply = await server.interact({ type: 'command', name: 'paper', channelId: DIGEST });
    expect(reply.ephemeral).toBe(false);
    await send(client, DIGEST, formatPaperMessage(first!));
    await send(client, OTHER, formatPaperMessage(elsewhere!));

    expect(server.messages(DIGEST).filter((m) => m.embeds.length > 0)).toHaveLength(5);
    expect(server.postedPaperIds()).toEqual([second!.id, first!.id]);
    expect(server.postedPaperIds(DIGEST)).toEqual([second!.id, first!.id]);
    expect(server.postedPaperIds(OTHER)).toEqual([elsewhere!.id]);
    expect(() => server.postedPaperIds('190000000000000099')).toThrow(/unknown channel/);
  });
});
