import { once } from 'node:events';
import { ApplicationCommandOptionType, Client, Events, GatewayIntentBits, type Interaction, MessageFlags, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createHomeGuild, type HomeGuild, type HomeGuildVerdict } from '../../src/adapters/discord/home-guild.js';
import { createInteractionRouter } from '../../src/adapters/discord/router.js';
import type { CommandContext, SlashCommand } from '../../src/adapters/discord/command.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { createMemoryLogger } from '../support/memory-ports.js';

const HOME = { guild: '130000000000000001', channel: '130000000000000011' };
const OTHER = { guild: '140000000000000001', channel: '140000000000000011' };
const MISSING_CHANNEL = '150000000000000011';

let server: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function boot(options: { login: boolean }): Promise<{ server: FakeDiscord; client: Client }> {
  server = await startFakeDiscord({
    guilds: [
      { id: HOME.guild, channels: [{ id: HOME.channel, name: 'papers' }] },
      { id: OTHER.guild, channels: [{ id: OTHER.channel, name: 'general' }] },
    ],
  });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
  if (options.login) {
    const ready = once(client, Events.ClientReady);
    await client.login(server.token);
    await ready;
  } else client.rest.setToken(server.token);
  return { server, client };
}

const channelReads = (s: FakeDiscord, id: string) => s.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${id}`).length;

describe('home guild', () => {
  it('given DISCORD_GUILD_ID, then it is the home guild without asking Discord', async () => {
    const { server, client } = await boot({ login: true });
    const home = createHomeGuild({ configuredGuildId: HOME.guild, channelId: HOME.channel, client, logger: createMemoryLogger() });
    expect(await home.verdict()).toEqual({ guildId: HOME.guild });
    expect(channelReads(server, HOME.channel)).toBe(0);
  });

  it("given DISCORD_GUILD_ID that is not the channel's server, then an admin is warned and the configured one still decides", async () => {
    const { client } = await boot({ login: true });
    const logger = createMemoryLogger();
    const home = createHomeGuild({ configuredGuildId: OTHER.guild, channelId: HOME.channel, client, logger });
    expect(await home.verdict()).toEqual({ guildId: OTHER.guild });
    expect(logger.lines.find((l) => l.level === 'warn')?.message).toMatch(
      /is not the server of DISCORD_CHANNEL_ID \(server 130000000000000001\)/,
    );
  });

  it("given no DISCORD_GUILD_ID after ready, then the channel's server comes from the client's cache", async () => {
    const { server, client } = await boot({ login: true });
    const home = createHomeGuild({ configuredGuildId: null, channelId: HOME.channel, client, logger: createMemoryLogger() });
    expect(await home.verdict()).toEqual({ guildId: HOME.guild });
    expect(channelReads(server, HOME.channel)).toBe(0);
  });

  it("given no DISCORD_GUILD_ID and an empty cache, then the channel's server comes from GET /channels/:id", async () => {
    const { server, client } = await boot({ login: false });
    const home = createHomeGuild({ configuredGuildId: null, channelId: OTHER.channel, client, logger: createMemoryLogger() });
    expect(await home.verdict()).toEqual({ guildId: OTHER.guild });
    expect(channelReads(server, OTHER.channel)).toBe(1);
    await home.verdict();
    expect(channelReads(server, OTHER.channel)).toBe(1);
  });

  it('given a channel Discord does not show, then it fails closed with the reason, logs it once, and asks again only after the retry delay', async () => {
    const { server, client } = await boot({ login: true });
    const logger = createMemoryLogger();
    let clock = 0;
    const home = createHomeGuild({
      configuredGuildId: null,
      channelId: MISSING_CHANNEL,
      client,
      logger,
      retryAfterMs: 30_000,
      now: () => clock,
    });
    const first = await home.verdict();
    expect(first.guildId).toBeNull();
    expect((first as { reason: string }).reason).toMatch(/cannot read channel 150000000000000011 \(404 Unknown Channel\)/);
    clock += 1000;
    expect((await home.verdict()).guildId).toBeNull();
    expect(channelReads(server, MISSING_CHANNEL)).toBe(1);
    clock += 30_000;
    expect((await home.verdict()).guildId).toBeNull();
    expect(channelReads(server, MISSING_CHANNEL)).toBe(2);
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      expect.stringMatching(/^cannot tell which server the digest belongs to: .*Every slash command is refused until it can/),
    ]);
  });
});

describe('interaction router: the origin gate', () => {
  const executed: string[] = [];
  const probe: SlashCommand = {
    data: {
      name: 'probe',
      description: 'probe',
      options: [{ type: ApplicationCommandOptionType.String, name: 'q', description: 'q', autocomplete: true }],
    },
    async execute(interaction) {
      executed.push(interaction.guildId ?? 'dm');
      await interaction.reply({ content: 'served', flags: MessageFlags.Ephemeral });
    },
    autocomplete: () => [{ name: 'a secret choice', value: 'secret' }],
  };

  async function routed(home: HomeGuild): Promise<{ server: FakeDiscord; logger: ReturnType<typeof createMemoryLogger> }> {
    const { server, client } = await boot({ login: true });
    await client.rest.put(Routes.applicationCommands(server.applicationId), {
      body: [
        {
          name: 'probe',
          description: 'probe',
          contexts: [0],
          options: [{ type: ApplicationCommandOptionType.String, name: 'q', description: 'q', autocomplete: true }],
        },
      ],
    });
    const logger = createMemoryLogger();
    const route = createInteractionRouter({ logger } as unknown as CommandContext, { homeGuild: home, commands: [probe] });
    client.on(Events.InteractionCreate, (interaction: Interaction) => void route(interaction));
    return { server, logger };
  }

  const unknown: HomeGuild = {
    verdict: async (): Promise<HomeGuildVerdict> => ({ guildId: null, reason: 'cannot read channel 1 (403 Missing Access)' }),
  };

  it('given the home guild cannot be determined, then every interaction is refused, home included, and no handler runs', async () => {
    executed.length = 0;
    const { server, logger } = await routed(unknown);
    for (const guildId of [HOME.guild, OTHER.guild]) {
      const command = await server.interact({ type: 'command', name: 'probe', guildId });
      expect(command.ephemeral).toBe(true);
      expect(command.data!.content).toMatch(/^Paperboy cannot tell yet which server its digest belongs to/);
      const typed = await server.interact({ type: 'autocomplete', name: 'probe', options: { q: 'x' }, focused: 'q', guildId });
      expect(typed.data!.choices).toEqual([{ name: 'Paperboy cannot answer commands right now', value: 'paperboy-refused' }]);
    }
    expect(executed).toEqual([]);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'refused: cannot read channel 1 (403 Missing Access)',
      'refused: cannot read channel 1 (403 Missing Access)',
    ]);
  });

  it('given a known home guild, then only its interactions reach the handler', async () => {
    executed.length = 0;
    const { server } = await routed({ verdict: async () => ({ guildId: HOME.guild }) });
    expect((await server.interact({ type: 'command', name: 'probe', guildId: HOME.guild })).data!.content).toBe('served');
    expect((await server.interact({ type: 'command', name: 'probe', guildId: OTHER.guild })).data!.content).toBe(
      'Paperboy here serves the digest of another server; it cannot be used in this server.',
    );
    expect(
      (await server.interact({ type: 'autocomplete', name: 'probe', options: { q: '' }, focused: 'q', guildId: HOME.guild })).data!.choices,
    ).toEqual([{ name: 'a secret choice', value: 'secret' }]);
    expect(executed).toEqual([HOME.guild]);
  });
});
