import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, PermissionFlagsBits, Routes, type GuildTextBasedChannel } from 'discord.js';
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

async function login(s: FakeDiscord): Promise<Client> {
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: s.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(s.token);
  await ready;
  return client;
}

const canRead = (c: Client, channelId: string): boolean | undefined =>
  (c.channels.cache.get(channelId) as GuildTextBasedChannel | undefined)
    ?.permissionsFor(c.user!)
    ?.has(PermissionFlagsBits.ReadMessageHistory);

const list = (c: Client, channelId: string, query: Record<string, string> = {}) =>
  c.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: '100', ...query }) }) as Promise<
    Array<{ id: string; content: string }>
  >;

describe('fake discord: Read Message History', () => {
  it('given Read Message History taken away, then history lists nothing (200), one message is refused (403 50001), a reply is refused, and the cache knows', async () => {
    server = await startFakeDiscord();
    const c = await login(server);
    const { id } = (await c.rest.post(Routes.channelMessages(server.channelId), { body: { content: 'first' } })) as { id: string };
    expect(canRead(c, server.channelId)).toBe(true);

    const updated = once(c, Events.ChannelUpdate);
    server.setChannelPermissions(server.channelId, { canReadHistory: false });
    await updated;
    expect(canRead(c, server.channelId)).toBe(false);
    expect(await list(c, server.channelId)).toEqual([]);
    expect(await list(c, server.channelId, { after: (BigInt(id) - 1n).toString() })).toEqual([]);
    await expect(c.rest.get(Routes.channelMessage(server.channelId, id))).rejects.toMatchObject({ status: 403, code: 50001 });
    await expect(
      c.rest.post(Routes.channelMessages(server.channelId), { body: { content: 'reply', message_reference: { message_id: id } } }),
    ).rejects.toMatchObject({ status: 403, code: 50013 });
    // Sending is still allowed: only reading the history is gone.
    await c.rest.post(Routes.channelMessages(server.channelId), { body: { content: 'second' } });
    expect(server.messages(server.channelId).map((m) => m.content)).toEqual(['first', 'second']);

    const granted = once(c, Events.ChannelUpdate);
    server.setChannelPermissions(server.channelId, { canReadHistory: true });
    await granted;
    expect(canRead(c, server.channelId)).toBe(true);
    expect((await list(c, server.channelId)).map((m) => m.content)).toEqual(['second', 'first']);
    expect(await c.rest.get(Routes.channelMessage(server.channelId, id))).toMatchObject({ id, content: 'first' });
  });

  it('given the permission missing before login, then GUILD_CREATE carries the overwrite and discord.js computes it', async () => {
    server = await startFakeDiscord();
    server.setChannelPermissions(server.channelId, { canReadHistory: false });
    const c = await login(server);
    expect(canRead(c, server.channelId)).toBe(false);
    const perms = (c.channels.cache.get(server.channelId) as GuildTextBasedChannel).permissionsFor(c.user!)!;
    expect(perms.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(perms.has(PermissionFlagsBits.ViewChannel)).toBe(true);
  });
});

describe('fake discord: chatter and slow responses', () => {
  it('given thousands of member messages, then their ids are unique and history pages through them in order', async () => {
    server = await startFakeDiscord();
    const c = await login(server);
    const chatter = server.addMemberMessages(server.channelId, 4500);
    expect(new Set(chatter.map((m) => m.id)).size).toBe(4500);
    const { id } = (await c.rest.post(Routes.channelMessages(server.channelId), { body: { content: 'after the chatter' } })) as {
      id: string;
    };
    expect(BigInt(id) > BigInt(chatter.at(-1)!.id)).toBe(true);
    const page = await list(c, server.channelId, { after: BigInt(chatter[99]!.id).toString() });
    expect(page).toHaveLength(100);
    expect(page.at(-1)!.id).toBe(chatter[100]!.id);
  });

  it('given holdAfterCommit, then the message exists before its response arrives', async () => {
    server = await startFakeDiscord();
    const c = await login(server);
    server.faults.holdAfterCommit({ method: 'POST', path: /\/messages$/ }, 400);
    const sending = c.rest.post(Routes.channelMessages(server.channelId), { body: { content: 'slow answer' } });
    await expect.poll(() => server!.messages(server!.channelId).length, { interval: 20 }).toBe(1);
    let answered = false;
    void sending.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    await sending;
    server.faults.clearDelays();
  });
});
