import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { channelKindOf, channelPermissionsOf, createChannelPoster, createOnceRest } from '../../src/adapters/discord/channel-poster.js';
import type { Poster } from '../../src/app/ports.js';
import { formatPaperMessage } from '../../src/core/format.js';
import { makePapers } from '../support/memory-ports.js';
import { type FakeDiscord, Perm, startFakeDiscord } from '../support/fake-discord/index.js';

// The channel poster in a forum (issue 15): each paper card a post with its tags, and the recovery read that finds
// the bot's posts again, active or archived, through the real discord.js REST client against the fake Discord.

const G = { guild: '720000000000000001', forum: '720000000000000011' };
let server: FakeDiscord;
let client: Client;
afterEach(async () => {
  await client?.destroy();
  await server?.close();
});

async function connect(): Promise<Poster> {
  server = await startFakeDiscord({
    guilds: [
      {
        id: G.guild,
        channels: [
          { id: G.forum, name: 'paper-forum', type: 15, availableTags: [{ name: 'Scaling Laws' }, { name: 'pinned', moderated: true }] },
        ],
      },
    ],
  });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
  return createChannelPoster({
    rest: client.rest,
    onceRest: createOnceRest(server.apiUrl, server.token),
    channelId: G.forum,
    botUserId: () => client.user!.id,
    permissions: channelPermissionsOf(client, G.forum),
    channelKind: channelKindOf(client, G.forum),
  });
}

const papers = makePapers(4);
const post = (poster: Poster, i: number, topics: string[] = []) =>
  poster.post(formatPaperMessage(papers[i]!), `nonce-${i}`, { name: papers[i]!.title, topics });
const since = () => new Date(Date.now() - 60_000).toISOString();

describe('the channel poster in a forum', () => {
  it('given paper cards, then each is a post named by the paper with its tags: an existing one matched by name, a new one only with Manage Channels, never a moderated one', async () => {
    const poster = await connect();
    expect(poster.channelKind?.()).toBe('forum');
    const { messageId } = await post(poster, 0, ['scaling laws', 'agents', 'pinned']);
    const [first] = server.threadsOf(G.forum);
    expect(first).toMatchObject({ id: messageId, name: papers[0]!.title, starterMessageId: messageId });
    const tagNames = () => new Map(server.forumTags(G.forum).map((t) => [t.id, t.name]));
    expect(first!.appliedTags.map((id) => tagNames().get(id))).toEqual(['Scaling Laws']);

    server.setOverwrite(G.forum, { id: server.botRoleId(G.guild), type: 'role', allow: Perm.ManageChannels });
    await post(poster, 1, ['scaling laws', 'agents']);
    const second = server.threadsOf(G.forum)[1]!;
    expect(second.appliedTags.map((id) => tagNames().get(id))).toEqual(['Scaling Laws', 'agents']);
    expect([...tagNames().values()]).toEqual(['Scaling Laws', 'pinned', 'agents']);
  });

  it('given posts active and archived, then the recovery read finds every post of the bot newer than its anchor by its first message, and trusts the read', async () => {
    const poster = await connect();
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push((await post(poster, i)).messageId);
    server.autoArchiveThread(ids[1]!);
    const all = await poster.readOwnMessages({ witnesses: [], since: since() });
    expect(all).toEqual({
      trusted: true,
      messages: ids.map((messageId, i) => ({ messageId, paperId: papers[i]!.id, digest: null })),
    });
    // From a post known to exist: only the newer ones.
    const after = await poster.readOwnMessages({ witnesses: [ids[1]!], since: since() });
    expect(after.messages.map((m) => m.messageId)).toEqual([ids[1], ids[2]]);
  });

  it('given a post whose first message was deleted, or no Read Message History, then the read is not trusted (a missing paper is held, never posted twice)', async () => {
    const poster = await connect();
    const { messageId } = await post(poster, 0);
    await client.rest.delete(Routes.channelMessage(messageId, messageId));
    const read = await poster.readOwnMessages({ witnesses: [], since: since() });
    expect(read.trusted).toBe(false);
    expect(read.problem).toMatch(/first message was deleted/);

    server.setOverwrite(G.forum, { id: server.botRoleId(G.guild), type: 'role', deny: Perm.ReadMessageHistory });
    await expect
      .poll(() => poster.readOwnMessages({ witnesses: [], since: since() }).then((r) => r.problem))
      .toMatch(/lacks Read Message History/);
  });
});
