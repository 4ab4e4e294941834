import { type Guild, type GuildTextBasedChannel, PermissionFlagsBits, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { channelPermissionsOf } from '../../../src/adapters/discord/channel-poster.js';
import { connectDiscord, type DiscordConnection } from '../../../src/adapters/discord/client.js';
import { lookUpChannelGuild } from '../../../src/adapters/discord/home-guild.js';
import { createMemoryLogger } from '../../support/memory-ports.js';
import { type FakeDiscord, startFakeDiscord } from '../../support/fake-discord/index.js';

// Paperboy's client keeps only the caches it reads (createClientOptions). What it reads must keep working: the
// bot's permissions in the digest channel (guild, roles, overwrites, its own member) and the channel's guild.

const GUILD = '310000000000000001';
const CHANNEL = '310000000000000011';
const OTHER = '310000000000000012';
const POSTER = '310000000000000021';
const MEMBERS = Array.from({ length: 40 }, (_, i) => `3100000000000001${String(i).padStart(2, '0')}`);

let server: FakeDiscord | undefined;
let connection: DiscordConnection | undefined;
afterEach(async () => {
  await connection?.destroy();
  await server?.close();
  connection = undefined;
  server = undefined;
});

const bits = (...flags: bigint[]): string => flags.reduce((a, b) => a | b, 0n).toString();

async function boot(): Promise<{ server: FakeDiscord; connection: DiscordConnection }> {
  server = await startFakeDiscord({
    guilds: [
      {
        id: GUILD,
        channels: [
          {
            id: CHANNEL,
            name: 'papers',
            overwrites: [
              { id: GUILD, type: 'role', deny: bits(PermissionFlagsBits.SendMessages) },
              { id: POSTER, type: 'role', allow: bits(PermissionFlagsBits.SendMessages) },
            ],
          },
          { id: OTHER, name: 'chat' },
        ],
        roles: [
          {
            id: GUILD,
            permissions: bits(
              PermissionFlagsBits.ViewChannel,
              PermissionFlagsBits.SendMessages,
              PermissionFlagsBits.ReadMessageHistory,
              PermissionFlagsBits.UseApplicationCommands,
            ),
          },
          { id: POSTER, name: 'poster', permissions: bits(PermissionFlagsBits.SendMessages, PermissionFlagsBits.EmbedLinks) },
        ],
        members: MEMBERS.map((userId) => ({ userId })),
        botRoles: [POSTER],
      },
    ],
  });
  // Every command gets a deferred reply that is then edited: the path that puts reply messages in a channel's cache.
  connection = await connectDiscord({
    token: server.token,
    apiUrl: server.apiUrl,
    logger: createMemoryLogger(),
    onInteraction: (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      void interaction
        .deferReply()
        .then(() => interaction.editReply({ content: 'done' }))
        .catch(() => undefined);
    },
  });
  await connection.client.rest.put(Routes.applicationGuildCommands(server.applicationId, GUILD), {
    body: [{ name: 'ping', description: 'Answers.', type: 1 }],
  });
  return { server, connection };
}

/** Waits until the client saw what the server just dispatched. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('the Discord client with limited caches', () => {
  it('given roles, a member role and overwrites, then the bot permissions read from the cache are Discord’s, and follow changes', async () => {
    const { server, connection } = await boot();
    const permissions = channelPermissionsOf(connection.client, CHANNEL);
    expect(permissions()).toBe(server.botPermissions(CHANNEL));
    // @everyone may not send there; the bot sends through its poster role's overwrite.
    expect((permissions()! & PermissionFlagsBits.SendMessages) !== 0n).toBe(true);

    server.setOverwrite(CHANNEL, { id: POSTER, type: 'role', deny: bits(PermissionFlagsBits.SendMessages) });
    await until(() => permissions() === server.botPermissions(CHANNEL));
    expect(permissions()).toBe(server.botPermissions(CHANNEL));
    expect((permissions()! & PermissionFlagsBits.SendMessages) === 0n).toBe(true);

    server.setRolePermissions(GUILD, GUILD, bits(PermissionFlagsBits.SendMessages));
    server.setRolePermissions(GUILD, server.botRoleId(GUILD), bits(PermissionFlagsBits.SendMessages));
    await until(() => permissions() === server.botPermissions(CHANNEL));
    expect(permissions()).toBe(server.botPermissions(CHANNEL));
    expect((permissions()! & PermissionFlagsBits.ViewChannel) === 0n).toBe(true);

    server.setMemberRoles(GUILD, server.botUserId, []);
    await until(() => permissions() === server.botPermissions(CHANNEL));
    expect(permissions()).toBe(server.botPermissions(CHANNEL));
  });

  it('given members who ran commands and got replies, then no member, user or reply message is kept but the bot’s own', async () => {
    const { server, connection } = await boot();
    for (const [i, id] of MEMBERS.entries()) {
      const outcome = await server.interact({
        type: 'command',
        name: 'ping',
        guildId: GUILD,
        channelId: i % 2 ? CHANNEL : OTHER,
        user: { id },
      });
      expect((await outcome.waitForFinal()).content).toBe('done');
    }
    const { client } = connection;
    // The edit's answer has reached the client (it is what discord.js would have cached).
    await new Promise((resolve) => setTimeout(resolve, 50));
    const guild = client.guilds.cache.get(GUILD) as Guild;
    expect([...client.users.cache.keys()]).toEqual([client.user.id]);
    expect([...guild.members.cache.keys()]).toEqual([client.user.id]);
    for (const id of [CHANNEL, OTHER]) expect((client.channels.cache.get(id) as GuildTextBasedChannel).messages.cache.size).toBe(0);
    // What Paperboy reads is all there.
    expect(guild.roles.cache.has(POSTER)).toBe(true);
    expect(client.channels.cache.has(CHANNEL)).toBe(true);
  });

  it('given no DISCORD_GUILD_ID, then the digest channel’s server comes from the cache, without asking Discord', async () => {
    const { server, connection } = await boot();
    const before = server.requests.length;
    expect(await lookUpChannelGuild(connection.client, CHANNEL)).toBe(GUILD);
    expect(server.requests.slice(before).filter((request) => request.path.includes(`/channels/${CHANNEL}`))).toEqual([]);
  });
});
