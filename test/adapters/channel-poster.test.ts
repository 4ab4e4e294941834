import { Client, Events, GatewayIntentBits, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannelPoster } from '../../src/adapters/discord/channel-poster.js';
import { buildDefinitions } from '../../src/adapters/discord/definitions.js';
import { formatPaperEmbed, formatPaperMessage } from '../../src/core/format.js';
import { makePapers } from '../support/memory-ports.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';

let server: FakeDiscord;
let client: Client;
afterEach(async () => {
  await client?.destroy();
  await server?.close();
});

describe('channel poster: reconciling after a crash', () => {
  it('given a digest card and a public /paper reply with the same footer, then only the digest card counts as posted', async () => {
    server = await startFakeDiscord();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
    await client.login(server.token);
    await client.rest.put(Routes.applicationGuildCommands(server.applicationId, server.guildId), { body: buildDefinitions({ kind: 'guild', guildId: server.guildId }) });
    const [looked, posted] = makePapers(2);
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply({ embeds: [formatPaperEmbed(looked!)], allowedMentions: { parse: [] } });
    });
    const since = new Date(Date.now() - 1000).toISOString();
    const reply = await server.interact({ type: 'command', name: 'paper', options: { query: looked!.id, public: true } });
    expect(reply.ephemeral).toBe(false);

    const poster = createChannelPoster({ rest: client.rest, channelId: server.channelId, botUserId: () => client.user!.id });
    const { messageId } = await poster.post(formatPaperMessage(posted!), 'nonce-1');
    const found = await poster.listOwnMessagesSince(since);
    expect(found).toEqual([{ messageId, paperId: posted!.id, digest: null }]);
  });
});
