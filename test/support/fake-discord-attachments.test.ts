import { once } from 'node:events';
import { Client, DiscordAPIError, Events, GatewayIntentBits, MessageFlags } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from './fake-discord/index.js';

let server: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
});

const GUILD = '260000000000000001';
const CHANNEL = '260000000000000011';
const READER = { id: '260000000000000031', username: 'reader' };
const CLOSED = { id: '260000000000000032', username: 'closed' };

async function boot(): Promise<{ server: FakeDiscord; client: Client }> {
  server = await startFakeDiscord({ guilds: [{ id: GUILD, channels: [{ id: CHANNEL, name: 'papers' }] }] });
  server.addUser(READER);
  server.addUser({ ...CLOSED, dmsOpen: false });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
  return { server, client };
}

describe('fake discord: file attachments (multipart uploads)', () => {
  it('given a direct message with a file, then the DM holds it with its name, size and bytes, and the message lists it as an attachment', async () => {
    const { server, client } = await boot();
    const user = await client.users.fetch(READER.id);
    const sent = await user.send({
      content: 'Your list',
      files: [{ attachment: Buffer.from('# Reading list\n'), name: 'reading-list.md' }],
    });
    expect(sent.attachments.first()).toMatchObject({ name: 'reading-list.md', size: 15 });
    expect(sent.attachments.first()!.url).toMatch(/^https:\/\/cdn\.discordapp\.com\/attachments\/\d+\/\d+\/reading-list\.md$/);
    const [dm] = server.dmMessages(READER.id);
    expect(dm!.content).toBe('Your list');
    expect(dm!.attachments).toHaveLength(1);
    expect(dm!.attachments[0]!.data?.toString('utf8')).toBe('# Reading list\n');
  });

  it('given a member whose DMs are closed, then a DM with a file is refused with 50007 and nothing is stored', async () => {
    const { server, client } = await boot();
    const user = await client.users.fetch(CLOSED.id);
    const error = await user.send({ files: [{ attachment: Buffer.from('x'), name: 'a.md' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50007);
    expect(server.dmMessages(CLOSED.id)).toEqual([]);
  });

  it('given an ephemeral interaction reply with a file, then the reply carries the attachment and its bytes', async () => {
    const { server, client } = await boot();
    await client.application!.commands.create({ name: 'export', description: 'Export' }, GUILD);
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand())
        void interaction.reply({ files: [{ attachment: Buffer.from('hello'), name: 'list.md' }], flags: MessageFlags.Ephemeral });
    });
    const outcome = await server.interact({ type: 'command', name: 'export', user: READER });
    expect(outcome.ephemeral).toBe(true);
    expect(outcome.original!.attachments.map((a) => [a.filename, a.data?.toString('utf8')])).toEqual([['list.md', 'hello']]);
    expect(server.messages(CHANNEL)).toEqual([]);
  });
});
