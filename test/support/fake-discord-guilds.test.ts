import { once } from 'node:events';
import {
  ChannelType,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  type ForumChannel,
  type GuildBasedChannel,
  type GuildTextBasedChannel,
  type TextChannel,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, type FakeDiscordOptions, ImpossibleInteraction, Perm, startFakeDiscord } from './fake-discord/index.js';

let server: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function boot(options: FakeDiscordOptions): Promise<{ server: FakeDiscord; client: Client }> {
  server = await startFakeDiscord(options);
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
  return { server, client };
}

const bits = (...flags: bigint[]): string => flags.reduce((a, b) => a | b, 0n).toString();
const cached = (c: Client, id: string) => c.channels.cache.get(id) as GuildTextBasedChannel | undefined;
const botCan = (c: Client, channelId: string, flag: bigint): boolean | undefined =>
  cached(c, channelId)?.permissionsFor(c.user!)?.has(flag);
const post = (c: Client, channelId: string, body: Record<string, unknown> = { content: 'hello' }) =>
  c.rest.post(Routes.channelMessages(channelId), { body }) as Promise<{ id: string; embeds: unknown[] }>;

// Guild A: a private channel only moderators see, an announcement channel, a forum.
const A = {
  guild: '210000000000000001',
  private: '210000000000000011',
  news: '210000000000000012',
  forum: '210000000000000013',
  mod: '210000000000000021',
  alice: '210000000000000031',
  bob: '210000000000000032',
};
// Guild B: @everyone may not send; the bot sends through an extra role, denied in one channel, allowed to it alone in another.
const B = { guild: '220000000000000001', quiet: '220000000000000011', open: '220000000000000012', poster: '220000000000000021' };
// Guild C: the bot is an administrator; a channel hidden from everyone and from its role.
const C = { guild: '230000000000000001', hidden: '230000000000000011' };
const BOT = '200000000000000099';

const THREE_GUILDS: FakeDiscordOptions = {
  botUserId: BOT,
  guilds: [
    {
      id: A.guild,
      name: 'Guild A',
      roles: [{ id: A.mod, name: 'moderators', permissions: bits(Perm.ManageGuild) }],
      members: [
        { userId: A.alice, username: 'alice', roles: [A.mod] },
        { userId: A.bob, username: 'bob' },
      ],
      channels: [
        {
          id: A.private,
          name: 'mods-only',
          overwrites: [
            { id: A.guild, type: 'role', deny: bits(Perm.ViewChannel) },
            { id: A.mod, type: 'role', allow: bits(Perm.ViewChannel) },
          ],
        },
        { id: A.news, name: 'news', type: 5 },
        { id: A.forum, name: 'papers-forum', type: 15, availableTags: [{ name: 'nlp' }, { name: 'vision', moderated: true }] },
      ],
    },
    {
      id: B.guild,
      name: 'Guild B',
      roles: [
        { id: B.guild, permissions: bits(Perm.ViewChannel, Perm.ReadMessageHistory, Perm.UseApplicationCommands) },
        { id: B.poster, name: 'poster', permissions: bits(Perm.SendMessages, Perm.EmbedLinks) },
      ],
      botPermissions: bits(Perm.ViewChannel),
      botRoles: [B.poster],
      channels: [
        { id: B.quiet, name: 'quiet', overwrites: [{ id: B.poster, type: 0, deny: bits(Perm.SendMessages) }] },
        {
          id: B.open,
          name: 'open',
          overwrites: [
            { id: B.poster, type: 0, deny: bits(Perm.SendMessages) },
            { id: BOT, type: 'member', allow: bits(Perm.SendMessages) },
          ],
        },
      ],
    },
    {
      id: C.guild,
      name: 'Guild C',
      botPermissions: bits(Perm.Administrator),
      channels: [{ id: C.hidden, name: 'hidden', overwrites: [{ id: C.guild, type: 0, deny: bits(Perm.ViewChannel) }] }],
    },
  ],
};

describe('fake discord: several guilds with their own channels, roles, members and overwrites', () => {
  it('given three guilds, then the real client caches each apart (text, announcement and forum channels, roles) and computes the bot permissions the fake enforces', async () => {
    const { server, client } = await boot(THREE_GUILDS);
    expect([...client.guilds.cache.keys()].sort()).toEqual([A.guild, B.guild, C.guild]);
    const a = client.guilds.cache.get(A.guild)!;
    expect([...a.channels.cache.keys()].sort()).toEqual([A.private, A.news, A.forum].sort());
    expect(a.channels.cache.get(A.news)?.type).toBe(ChannelType.GuildAnnouncement);
    const forum = a.channels.cache.get(A.forum) as ForumChannel;
    expect(forum.type).toBe(ChannelType.GuildForum);
    expect(forum.availableTags.map((t) => [t.name, t.moderated])).toEqual([
      ['nlp', false],
      ['vision', true],
    ]);
    expect(a.roles.cache.get(A.mod)?.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(a.roles.everyone.id).toBe(A.guild);
    expect(client.guilds.cache.get(B.guild)?.members.me?.roles.cache.has(B.poster)).toBe(true);

    // discord.js computes from its cache what the fake computes from its state, channel by channel.
    for (const id of [A.private, A.news, A.forum, B.quiet, B.open]) {
      const channel = client.channels.cache.get(id) as GuildBasedChannel;
      expect(channel.permissionsFor(client.user!)?.bitfield, id).toBe(server.botPermissions(id));
    }
    expect(botCan(client, A.private, PermissionFlagsBits.ViewChannel)).toBe(false);
    expect(botCan(client, B.quiet, PermissionFlagsBits.SendMessages)).toBe(false);
    expect(botCan(client, B.open, PermissionFlagsBits.SendMessages)).toBe(true);
    expect(botCan(client, C.hidden, PermissionFlagsBits.ViewChannel)).toBe(true);
    expect(server.botPermissions(C.hidden) & Perm.ViewChannel).toBe(Perm.ViewChannel);

    // And the API agrees: Missing Access without View Channel, Missing Permissions without Send Messages.
    await expect(post(client, A.private)).rejects.toMatchObject({ status: 403, code: 50001 });
    await expect(post(client, B.quiet)).rejects.toMatchObject({ status: 403, code: 50013 });
    await post(client, B.open);
    await post(client, C.hidden);
    await post(client, A.news);
    await expect(post(client, A.forum)).rejects.toMatchObject({ status: 400, code: 50008 });
    expect(server.messages(B.open).map((m) => m.content)).toEqual(['hello']);
    expect(server.messages(A.news)).toHaveLength(1);
    // Get Guild Channels leaves out what the bot cannot view.
    const listed = (await client.rest.get(Routes.guildChannels(A.guild))) as Array<{ id: string }>;
    expect(listed.map((c) => c.id).sort()).toEqual([A.news, A.forum].sort());
  });

  it('given members with roles, then interactions carry their roles and permissions in the channel, app_permissions carry the bot’s, and a channel option resolves with the invoking member’s permissions', async () => {
    const { server, client } = await boot(THREE_GUILDS);
    await client.rest.put(Routes.applicationGuildCommands(server.applicationId, A.guild), {
      body: [
        {
          name: 'setup',
          description: 'Set up a feed',
          default_member_permissions: bits(Perm.ManageGuild),
          options: [{ type: 7, name: 'channel', description: 'Where', required: true, channel_types: [0, 5] }],
        },
        { name: 'whoami', description: 'Who am I' },
      ],
    });
    const seen: Array<{ user: string; manage: boolean; roles: string[]; app: bigint; botSeesTarget?: boolean }> = [];
    const resolvedChannels: Array<Record<string, { permissions: string }>> = [];
    client.on(Events.Raw, (packet: { t: string; d: { data?: { resolved?: { channels?: Record<string, { permissions: string }> } } } }) => {
      if (packet.t === 'INTERACTION_CREATE' && packet.d.data?.resolved?.channels) resolvedChannels.push(packet.d.data.resolved.channels);
    });
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand() || !interaction.inCachedGuild()) return;
      const target = interaction.commandName === 'setup' ? interaction.options.getChannel('channel', true) : null;
      seen.push({
        user: interaction.user.id,
        manage: interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild),
        roles: [...interaction.member.roles.cache.keys()].filter((id) => id !== A.guild),
        app: interaction.appPermissions.bitfield,
        ...(target ? { botSeesTarget: target.permissionsFor(client.user!)?.has(PermissionFlagsBits.ViewChannel) } : {}),
      });
      await interaction.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    });
    const ask = (name: string, user: string, extra: Record<string, unknown> = {}) =>
      server.interact({ type: 'command', name, guildId: A.guild, channelId: A.news, user: { id: user }, ...extra });

    await ask('setup', A.alice, { options: { channel: A.private } });
    await ask('whoami', A.bob);
    await expect.poll(() => seen.length).toBe(2);
    expect(seen[0]).toMatchObject({
      user: A.alice,
      manage: true,
      roles: [A.mod],
      app: server.botPermissions(A.news),
      botSeesTarget: false,
    });
    // The resolved channel carries Alice's permissions there (she sees it through her role), not the bot's.
    const aliceThere = BigInt(resolvedChannels[0]![A.private]!.permissions);
    expect(aliceThere).toBe(server.memberPermissions(A.guild, A.alice, A.private));
    expect(aliceThere & Perm.ViewChannel).toBe(Perm.ViewChannel);
    expect(server.botPermissions(A.private) & Perm.ViewChannel).toBe(0n);
    expect(seen[1]).toMatchObject({ user: A.bob, manage: false, roles: [] });

    // What a Discord client would never send: Bob lacks Manage Server, a forum for a text-only option, and Bob
    // typing in a channel he cannot see.
    await expect(ask('setup', A.bob, { options: { channel: A.news } })).rejects.toThrow(/default_member_permissions/);
    await expect(ask('setup', A.alice, { options: { channel: A.forum } })).rejects.toThrow(/channel types 0, 5/);
    await expect(ask('whoami', A.bob, { channelId: A.private })).rejects.toThrow(ImpossibleInteraction);

    // The owner holds every permission; an explicit memberPermissions still overrides the computation.
    await ask('whoami', client.guilds.cache.get(A.guild)!.ownerId);
    await ask('whoami', A.bob, { memberPermissions: bits(Perm.ManageGuild) });
    await expect.poll(() => seen.length).toBe(4);
    expect(seen[2]).toMatchObject({ manage: true });
    expect(seen[3]).toMatchObject({ user: A.bob, manage: true });
  });

  it('given role, member-role and overwrite changes, then the client cache follows the gateway events and the API enforces the same permissions', async () => {
    const { server, client } = await boot(THREE_GUILDS);
    const guild = client.guilds.cache.get(A.guild)!;
    expect(botCan(client, A.news, PermissionFlagsBits.SendMessages)).toBe(true);

    // Take Send Messages from @everyone and from the bot's own role: nothing grants it any more.
    let updated = once(client, Events.GuildRoleUpdate);
    server.setRolePermissions(A.guild, A.guild, bits(Perm.ViewChannel, Perm.ReadMessageHistory, Perm.UseApplicationCommands));
    await updated;
    updated = once(client, Events.GuildRoleUpdate);
    server.setRolePermissions(A.guild, server.botRoleId(A.guild), bits(Perm.ViewChannel));
    await updated;
    expect(botCan(client, A.news, PermissionFlagsBits.SendMessages)).toBe(false);
    await expect(post(client, A.news)).rejects.toMatchObject({ status: 403, code: 50013 });

    // A role that grants it, given to the bot: GUILD_MEMBER_UPDATE reaches the bot even without GUILD_MEMBERS.
    const created = once(client, Events.GuildRoleCreate);
    server.addRole(A.guild, { id: '210000000000000022', name: 'poster', permissions: bits(Perm.SendMessages) });
    await created;
    const memberUpdated = once(client, Events.GuildMemberUpdate);
    server.setMemberRoles(A.guild, BOT, ['210000000000000022']);
    await memberUpdated;
    expect(guild.members.me?.roles.cache.has(server.botRoleId(A.guild))).toBe(true);
    expect(botCan(client, A.news, PermissionFlagsBits.SendMessages)).toBe(true);
    await post(client, A.news);

    // A member overwrite denying the bot: CHANNEL_UPDATE; removed again, the role grants it back.
    let channelUpdated = once(client, Events.ChannelUpdate);
    server.setOverwrite(A.news, { id: BOT, type: 'member', deny: bits(Perm.SendMessages) });
    await channelUpdated;
    expect(botCan(client, A.news, PermissionFlagsBits.SendMessages)).toBe(false);
    await expect(post(client, A.news)).rejects.toMatchObject({ status: 403, code: 50013 });
    channelUpdated = once(client, Events.ChannelUpdate);
    server.removeOverwrite(A.news, BOT);
    await channelUpdated;
    expect(botCan(client, A.news, PermissionFlagsBits.SendMessages)).toBe(true);

    // Other members: Get Guild Member answers without any privileged intent, and follows role changes.
    server.setMemberRoles(A.guild, A.bob, [A.mod]);
    const bob = await guild.members.fetch(A.bob);
    expect(bob.roles.cache.has(A.mod)).toBe(true);
    expect(bob.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(cached(client, A.private)!.permissionsFor(bob).has(PermissionFlagsBits.ViewChannel)).toBe(true);
    await expect(guild.members.fetch('210000000000000039')).rejects.toMatchObject({ status: 404, code: 10007 });
    expect(server.memberPermissions(A.guild, A.bob, A.private) & Perm.ViewChannel).toBe(Perm.ViewChannel);
  });

  it('given setChannelPermissions, then it works through an overwrite on the bot’s role that the client sees', async () => {
    const { server, client } = await boot(THREE_GUILDS);
    const updated = once(client, Events.ChannelUpdate);
    server.setChannelPermissions(A.news, { canSend: false, canReadHistory: false });
    await updated;
    const overwrite = (client.channels.cache.get(A.news) as TextChannel).permissionOverwrites.cache.get(server.botRoleId(A.guild));
    expect(overwrite?.deny.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(overwrite?.deny.has(PermissionFlagsBits.ReadMessageHistory)).toBe(true);
    await expect(post(client, A.news)).rejects.toMatchObject({ code: 50013 });
    server.setChannelPermissions(A.news, { canSend: true });
    await once(client, Events.ChannelUpdate);
    await post(client, A.news);
    expect(botCan(client, A.news, PermissionFlagsBits.ReadMessageHistory)).toBe(false);
    expect(await client.rest.get(Routes.channelMessages(A.news))).toEqual([]);
  });
});

describe('fake discord: the bot joins and leaves guilds, guilds go through outages, channels come and go', () => {
  it('given the bot removed from a guild, then guildDelete fires, its channels leave the cache and the API answers 403 50001; re-invited, the guild comes back with its history', async () => {
    const { server, client } = await boot(THREE_GUILDS);
    await client.rest.put(Routes.applicationCommands(server.applicationId), { body: [{ name: 'ping', description: 'Ping' }] });
    const { id: before } = await post(client, B.open, { content: 'before removal' });
    const oldRole = server.botRoleId(B.guild);

    const deleted = once(client, Events.GuildDelete);
    server.removeGuild(B.guild);
    const [gone] = (await deleted) as [{ id: string; available: boolean }];
    expect(gone.id).toBe(B.guild);
    expect(client.guilds.cache.has(B.guild)).toBe(false);
    expect(client.channels.cache.has(B.open)).toBe(false);
    await expect(post(client, B.open)).rejects.toMatchObject({ status: 403, code: 50001 });
    await expect(client.rest.get(Routes.channelMessages(B.open))).rejects.toMatchObject({ status: 403, code: 50001 });
    await expect(client.rest.get(Routes.guild(B.guild))).rejects.toMatchObject({ status: 403, code: 50001 });
    await expect(client.rest.get(Routes.applicationGuildCommands(server.applicationId, B.guild))).rejects.toMatchObject({ code: 50001 });
    expect(((await client.rest.get(Routes.userGuilds())) as Array<{ id: string }>).map((g) => g.id)).not.toContain(B.guild);
    await expect(server.interact({ type: 'command', name: 'ping', guildId: B.guild, channelId: B.open })).rejects.toThrow(/not in guild/);
    // The other guilds are untouched.
    await post(client, A.news);

    const joined = once(client, Events.GuildCreate);
    server.addGuild({ id: B.guild, botRoles: [B.poster] });
    const [back] = (await joined) as [{ id: string; channels: { cache: Map<string, unknown> } }];
    expect(back.id).toBe(B.guild);
    expect([...back.channels.cache.keys()].sort()).toEqual([B.quiet, B.open]);
    expect(server.botRoleId(B.guild)).not.toBe(oldRole);
    const history = (await client.rest.get(Routes.channelMessages(B.open))) as Array<{ id: string }>;
    expect(history.map((m) => m.id)).toEqual([before]);
    await post(client, B.open, { content: 'after re-invite' });
    expect(server.messages(B.open).map((m) => m.content)).toEqual(['before removal', 'after re-invite']);

    // A guild the bot never was in: guildCreate with its channels, usable at once.
    const fresh = once(client, Events.GuildCreate);
    server.addGuild({ id: '240000000000000001', name: 'Guild D', channels: [{ id: '240000000000000011', name: 'papers' }] });
    await fresh;
    expect(client.channels.cache.has('240000000000000011')).toBe(true);
    await post(client, '240000000000000011');
  });

  it('given an outage, then guildUnavailable and guildAvailable fire, the guild stays cached, and no interaction comes from it meanwhile', async () => {
    const { server, client } = await boot(THREE_GUILDS);
    await client.rest.put(Routes.applicationCommands(server.applicationId), { body: [{ name: 'ping', description: 'Ping' }] });
    const down = once(client, Events.GuildUnavailable);
    server.setGuildUnavailable(C.guild, true);
    await down;
    expect(client.guilds.cache.get(C.guild)?.available).toBe(false);
    await expect(server.interact({ type: 'command', name: 'ping', guildId: C.guild, channelId: C.hidden })).rejects.toThrow(/unavailable/);
    const up = once(client, Events.GuildAvailable);
    server.setGuildUnavailable(C.guild, false);
    await up;
    expect(client.guilds.cache.get(C.guild)?.available).toBe(true);
  });

  it('given a guild unavailable at login, then READY lists it, GUILD_DELETE marked unavailable follows, and ready is not held up', async () => {
    // With a waitGuildTimeout longer than the test timeout, ready only fires because that event arrived.
    const options = { ...THREE_GUILDS, guilds: THREE_GUILDS.guilds!.map((g) => (g.id === C.guild ? { ...g, unavailable: true } : g)) };
    server = await startFakeDiscord(options);
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl }, waitGuildTimeout: 120_000 });
    const raw: Array<{ t: string; d: { id?: string; unavailable?: boolean } }> = [];
    client.on(Events.Raw, (packet: { t: string; d: { id?: string; unavailable?: boolean } }) => raw.push(packet));
    const ready = once(client, Events.ClientReady);
    await client.login(server.token);
    await ready;
    expect(raw.find((p) => p.t === 'GUILD_DELETE')?.d).toEqual({ id: C.guild, unavailable: true });
    expect(client.guilds.cache.get(C.guild)?.available).toBe(false);
    expect(client.guilds.cache.get(A.guild)?.available).toBe(true);
    const available = once(client, Events.GuildAvailable);
    server.setGuildUnavailable(C.guild, false);
    await available;
    expect(client.channels.cache.has(C.hidden)).toBe(true);
  });

  it('given a channel deleted, then channelDelete fires and the API answers 404 10003 for it; a created channel fires channelCreate and takes posts', async () => {
    const { server, client } = await boot(THREE_GUILDS);
    await post(client, A.news, { content: 'last words' });
    const deleted = once(client, Events.ChannelDelete);
    server.deleteChannel(A.news);
    const [channel] = (await deleted) as [{ id: string }];
    expect(channel.id).toBe(A.news);
    expect(client.channels.cache.has(A.news)).toBe(false);
    await expect(post(client, A.news)).rejects.toMatchObject({ status: 404, code: 10003 });
    await expect(client.rest.get(Routes.channel(A.news))).rejects.toMatchObject({ status: 404, code: 10003 });
    expect(server.messages(A.news).map((m) => m.content)).toEqual(['last words']);

    const created = once(client, Events.ChannelCreate);
    const id = server.createChannel(A.guild, { name: 'announcements', type: 5 });
    const [made] = (await created) as [{ id: string; type: ChannelType }];
    expect(made).toMatchObject({ id, type: ChannelType.GuildAnnouncement });
    await post(client, id);
    expect(server.messages(id)).toHaveLength(1);
  });
});

describe('fake discord: Embed Links', () => {
  it('given the bot lacks Embed Links, then text with embeds is posted without them, embeds alone are refused 403 50013, and an interaction reply keeps them', async () => {
    const { server, client } = await boot(THREE_GUILDS);
    const updated = once(client, Events.ChannelUpdate);
    server.setOverwrite(A.news, { id: server.botRoleId(A.guild), type: 'role', deny: bits(Perm.EmbedLinks) });
    await updated;
    expect(botCan(client, A.news, PermissionFlagsBits.EmbedLinks)).toBe(false);
    const sent = await post(client, A.news, { content: 'card', embeds: [{ title: 'A paper' }] });
    expect(sent.embeds).toEqual([]);
    expect(server.messages(A.news)[0]).toMatchObject({ content: 'card', embeds: [] });
    await expect(post(client, A.news, { embeds: [{ title: 'A paper' }] })).rejects.toMatchObject({ status: 403, code: 50013 });
    expect(server.messages(A.news)).toHaveLength(1);

    await client.rest.put(Routes.applicationCommands(server.applicationId), { body: [{ name: 'paper', description: 'A paper' }] });
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply({ embeds: [{ title: 'A paper' }] });
    });
    const reply = await server.interact({ type: 'command', name: 'paper', guildId: A.guild, channelId: A.news, user: { id: A.bob } });
    expect((await reply.waitForFinal()).embeds).toHaveLength(1);
  });
});
