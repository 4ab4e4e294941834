import { once } from 'node:events';
import {
  ChannelType,
  Client,
  Events,
  type ForumChannel,
  GatewayIntentBits,
  type Message,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  Partials,
  type TextChannel,
  type ThreadChannel,
  type User,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, type FakeDiscordOptions, Perm, startFakeDiscord } from './fake-discord/index.js';

// Threads, forum channels with tags, and reactions, as discord-api-docs documents them (resources/channel: Start Thread
// from Message, Start Thread in Forum or Media Channel, Modify Channel, Forum Tag Object; resources/message: Create
// Reaction, Delete Own Reaction, Get Reactions; events/gateway-events: Thread Create, Message Reaction Add/Remove),
// driven through the real discord.js client.

const G = { guild: '410000000000000001', text: '410000000000000011', forum: '410000000000000012' };
const ALICE = '410000000000000031';
const BOB = '410000000000000032';
const BOT = '400000000000000099';

let server: FakeDiscord | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.destroy();
  await server?.close();
  server = undefined;
});

const OPTIONS: FakeDiscordOptions = {
  botUserId: BOT,
  guilds: [
    {
      id: G.guild,
      members: [
        { userId: ALICE, username: 'alice' },
        { userId: BOB, username: 'bob' },
      ],
      channels: [
        { id: G.text, name: 'papers' },
        {
          id: G.forum,
          name: 'paper-forum',
          type: 15,
          availableTags: [{ name: 'nlp' }, { name: 'vision' }, { name: 'pinned', moderated: true }],
        },
      ],
    },
  ],
};

async function connect(intents: GatewayIntentBits[] = [GatewayIntentBits.Guilds]): Promise<Client> {
  const client = new Client({ intents, partials: [Partials.Message, Partials.Reaction, Partials.User], rest: { api: server!.apiUrl } });
  clients.push(client);
  const ready = once(client, Events.ClientReady);
  await client.login(server!.token);
  await ready;
  return client;
}

async function boot(
  intents?: GatewayIntentBits[],
  options: FakeDiscordOptions = OPTIONS,
): Promise<{ server: FakeDiscord; client: Client }> {
  server = await startFakeDiscord(options);
  return { server, client: await connect(intents) };
}

const text = (client: Client) => client.channels.cache.get(G.text) as TextChannel;
const forum = (client: Client) => client.channels.cache.get(G.forum) as ForumChannel;
const denyBot = (s: FakeDiscord, channelId: string, ...bits: bigint[]) =>
  s.setOverwrite(channelId, { id: s.botRoleId(G.guild), type: 'role', deny: bits.reduce((a, b) => a | b, 0n) });
const allowBot = (s: FakeDiscord, channelId: string, ...bits: bigint[]) =>
  s.setOverwrite(channelId, { id: s.botRoleId(G.guild), type: 'role', allow: bits.reduce((a, b) => a | b, 0n) });

describe('fake discord: threads started from a message', () => {
  it('given a posted message, then startThread opens a public thread with the message’s id (THREAD_CREATE, newly created), the message shows it, and the bot talks in it', async () => {
    const { server, client } = await boot([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const created: Array<{ id: string; newly: boolean }> = [];
    client.on(Events.ThreadCreate, (thread, newly) => created.push({ id: thread.id, newly }));
    const message = await text(client).send({ content: 'Attention Is All You Need' });
    const thread = await message.startThread({ name: 'Attention Is All You Need' });

    expect(thread.id).toBe(message.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    expect(thread.parentId).toBe(G.text);
    expect(thread.ownerId).toBe(BOT);
    await expect.poll(() => created).toEqual([{ id: message.id, newly: true }]);
    // MESSAGE_UPDATE marks the starter message (flag HAS_THREAD) and nests the thread.
    const fetched = await text(client).messages.fetch({ message: message.id, force: true });
    expect(fetched.hasThread).toBe(true);
    expect(fetched.thread?.id).toBe(thread.id);

    await thread.send({ content: 'Discuss here', allowedMentions: { parse: [] } });
    expect(server.threadsOf(G.text)).toMatchObject([
      { id: message.id, type: 11, name: 'Attention Is All You Need', starterMessageId: message.id, ownerId: BOT, archived: false },
    ]);
    expect(server.threadsOf(G.text)[0]!.messages.map((m) => m.content)).toEqual(['Discuss here']);
    expect(server.messages(thread.id)).toHaveLength(1);
    // The thread is not a channel of the guild's list.
    expect(((await client.rest.get(`/guilds/${G.guild}/channels`)) as Array<{ id: string }>).map((c) => c.id)).not.toContain(thread.id);
  });

  it('given a message that already has a thread, then a second start is refused with 160004 and no second thread exists', async () => {
    const { server, client } = await boot();
    const message = await text(client).send({ content: 'paper' });
    await message.startThread({ name: 'first' });
    await expect(message.startThread({ name: 'second' })).rejects.toMatchObject({ status: 400, code: 160004 });
    expect(server.threadsOf(G.text).map((t) => t.name)).toEqual(['first']);
  });

  it.each([
    ['101 characters', 'x'.repeat(101)],
    ['nothing', ''],
  ])('given a thread name of %s, then Discord refuses it (1–100 characters) and no thread is created', async (_what, name) => {
    const { server, client } = await boot();
    const message = await text(client).send({ content: 'paper' });
    await expect(client.rest.post(`/channels/${G.text}/messages/${message.id}/threads`, { body: { name } })).rejects.toMatchObject({
      status: 400,
      code: 50035,
      rawError: { errors: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } },
    });
    expect(server.threadsOf(G.text)).toEqual([]);
  });

  it('given a 100-character name of emoji (code points, not UTF-16 units), then the thread is created', async () => {
    const { server, client } = await boot();
    const message = await text(client).send({ content: 'paper' });
    await message.startThread({ name: '🧪'.repeat(100) });
    expect(server.threadsOf(G.text)).toHaveLength(1);
  });

  it('given no Create Public Threads, then starting a thread is refused (50013); given no Send Messages in Threads, then the thread stays silent', async () => {
    const { server, client } = await boot();
    const message = await text(client).send({ content: 'paper' });
    denyBot(server, G.text, Perm.CreatePublicThreads);
    await expect.poll(() => text(client).permissionsFor(client.user!)?.has(Perm.CreatePublicThreads)).toBe(false);
    await expect(message.startThread({ name: 'refused' })).rejects.toMatchObject({ status: 403, code: 50013 });
    expect(server.threadsOf(G.text)).toEqual([]);

    denyBot(server, G.text, Perm.SendMessagesInThreads);
    const thread = await message.startThread({ name: 'quiet' });
    // A thread takes its permissions from its parent channel.
    await expect(thread.send({ content: 'hello' })).rejects.toMatchObject({ status: 403, code: 50013 });
    expect(server.messages(thread.id)).toEqual([]);
    // Send Messages in the parent does not stand in for Send Messages in Threads, nor the other way round.
    await text(client).send({ content: 'still fine in the channel' });
  });

  it('given a forum channel, then a thread cannot be started from a message there (no messages to start from)', async () => {
    const { client } = await boot();
    await expect(client.rest.post(`/channels/${G.forum}/messages/${G.forum}/threads`, { body: { name: 'x' } })).rejects.toMatchObject({
      status: 400,
      code: 50024,
    });
  });

  it('given a restart, then GUILD_CREATE brings the active threads back into the cache, and List Active Guild Threads finds them', async () => {
    const { server, client } = await boot();
    const message = await text(client).send({ content: 'paper' });
    await message.startThread({ name: 'survives' });
    await client.destroy();
    const again = await connect();
    expect((again.channels.cache.get(message.id) as ThreadChannel | undefined)?.name).toBe('survives');
    const active = await again.guilds.cache.get(G.guild)!.channels.fetchActiveThreads();
    expect([...active.threads.keys()]).toEqual([message.id]);
    expect(server.threadsOf(G.text)).toHaveLength(1);
  });
});

describe('fake discord: forum channels, posts and tags', () => {
  it('given archived forum posts, then List Public Archived Threads pages them newest archived first (before, limit, has_more); without Read Message History, 50001', async () => {
    const { server, client } = await boot();
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      const post = await forum(client).threads.create({ name, message: { content: name, allowedMentions: { parse: [] } } });
      ids.push(post.id);
      server.autoArchiveThread(post.id);
      await new Promise((r) => setTimeout(r, 5));
    }
    const live = await forum(client).threads.create({ name: 'live', message: { content: 'live', allowedMentions: { parse: [] } } });
    type Page = { threads: Array<{ id: string; thread_metadata: { archive_timestamp: string } }>; has_more: boolean };
    const first = (await client.rest.get(`/channels/${G.forum}/threads/archived/public`, {
      query: new URLSearchParams({ limit: '2' }),
    })) as Page;
    expect(first.threads.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const before = first.threads.at(-1)!.thread_metadata.archive_timestamp;
    const second = (await client.rest.get(`/channels/${G.forum}/threads/archived/public`, {
      query: new URLSearchParams({ limit: '2', before }),
    })) as Page;
    expect(second.threads.map((t) => t.id)).toEqual([ids[0]]);
    expect(second.has_more).toBe(false);
    // The active post is listed by List Active Guild Threads, not here.
    expect([...first.threads, ...second.threads].map((t) => t.id)).not.toContain(live.id);
    denyBot(server, G.forum, Perm.ReadMessageHistory);
    await expect(client.rest.get(`/channels/${G.forum}/threads/archived/public`)).rejects.toMatchObject({ status: 403, code: 50001 });
  });

  it('given a forum with tags, then forum.threads.create makes a post: a public thread whose first message has its id, with the tags applied', async () => {
    const { server, client } = await boot([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const tags = forum(client).availableTags;
    expect(tags.map((t) => t.name)).toEqual(['nlp', 'vision', 'pinned']);
    const post = await forum(client).threads.create({
      name: 'Scaling Laws for Neural Language Models',
      message: { content: 'card', embeds: [{ title: 'Scaling Laws' }], allowedMentions: { parse: [] } },
      appliedTags: [tags[0]!.id, tags[1]!.id],
    });
    expect(post.type).toBe(ChannelType.PublicThread);
    expect(post.parentId).toBe(G.forum);
    expect(post.appliedTags).toEqual([tags[0]!.id, tags[1]!.id]);
    const [listed] = server.threadsOf(G.forum);
    expect(listed).toMatchObject({ id: post.id, name: 'Scaling Laws for Neural Language Models', starterMessageId: post.id });
    expect(listed!.messages.map((m) => [m.id, m.content, m.embeds[0]?.title])).toEqual([[post.id, 'card', 'Scaling Laws']]);
    // The first message does not count in message_count.
    expect(((await client.rest.get(`/channels/${post.id}`)) as { message_count: number }).message_count).toBe(0);
    expect((await post.fetchStarterMessage())?.content).toBe('card');
  });

  it('given more than 5 tags, or a tag the forum does not have, then the post is refused (50035) and nothing is created', async () => {
    const { server, client } = await boot();
    const many = Array.from({ length: 6 }, (_, i) => ({ name: `topic-${i}` }));
    const busy = server.createForumChannel(G.guild, { name: 'busy', tags: many });
    await expect.poll(() => client.channels.cache.has(busy)).toBe(true);
    const ids = (client.channels.cache.get(busy) as ForumChannel).availableTags.map((t) => t.id);
    const create = (appliedTags: string[]) =>
      (client.channels.cache.get(busy) as ForumChannel).threads.create({ name: 'post', message: { content: 'card' }, appliedTags });
    await expect(create(ids)).rejects.toMatchObject({ status: 400, code: 50035 });
    await expect(create(['499999999999999999'])).rejects.toMatchObject({ status: 400, code: 50035 });
    expect(server.threadsOf(busy)).toEqual([]);
    await create(ids.slice(0, 5));
    expect(server.threadsOf(busy)[0]!.appliedTags).toEqual(ids.slice(0, 5));
  });

  it('given a moderated tag, then only a bot with Manage Threads may apply it', async () => {
    const { server, client } = await boot();
    const pinned = forum(client).availableTags.find((t) => t.name === 'pinned')!.id;
    const create = () => forum(client).threads.create({ name: 'post', message: { content: 'card' }, appliedTags: [pinned] });
    await expect(create()).rejects.toMatchObject({ status: 403, code: 50013 });
    allowBot(server, G.forum, Perm.ManageThreads);
    await expect.poll(() => forum(client).permissionsFor(client.user!)?.has(Perm.ManageThreads)).toBe(true);
    await create();
    expect(server.threadsOf(G.forum)).toHaveLength(1);
  });

  it('given a forum post without any message content, then it is refused (50006), and a forum takes no plain messages (50008)', async () => {
    const { client } = await boot();
    await expect(client.rest.post(`/channels/${G.forum}/threads`, { body: { name: 'empty', message: {} } })).rejects.toMatchObject({
      status: 400,
      code: 50006,
    });
    await expect(client.rest.post(`/channels/${G.forum}/threads`, { body: { name: 'no message' } })).rejects.toMatchObject({
      status: 400,
      code: 50035,
      rawError: { errors: { message: { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } } },
    });
    await expect(client.rest.post(`/channels/${G.forum}/messages`, { body: { content: 'hi' } })).rejects.toMatchObject({ code: 50008 });
  });

  it('given Manage Channels, then the bot creates forum tags (Modify Channel: CHANNEL_UPDATE, at most 20, names of at most 20 characters); without it, 50013', async () => {
    const { server, client } = await boot();
    const current = forum(client).availableTags.map((t) => ({ id: t.id, name: t.name, moderated: t.moderated }));
    await expect(forum(client).setAvailableTags([...current, { name: 'robotics' }])).rejects.toMatchObject({ status: 403, code: 50013 });
    allowBot(server, G.forum, Perm.ManageChannels);
    await expect.poll(() => forum(client).permissionsFor(client.user!)?.has(Perm.ManageChannels)).toBe(true);
    await forum(client).setAvailableTags([...current, { name: 'robotics' }]);
    await expect.poll(() => forum(client).availableTags.map((t) => t.name)).toEqual(['nlp', 'vision', 'pinned', 'robotics']);
    // Kept tags keep their ids.
    expect(
      server
        .forumTags(G.forum)
        .slice(0, 3)
        .map((t) => t.id),
    ).toEqual(current.map((t) => t.id));
    await expect(forum(client).setAvailableTags([{ name: 'x'.repeat(21) }])).rejects.toMatchObject({ status: 400, code: 50035 });
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ name: `t${i}` }));
    await expect(forum(client).setAvailableTags(tooMany)).rejects.toMatchObject({ status: 400, code: 50035 });
    expect(server.forumTags(G.forum).map((t) => t.name)).toEqual(['nlp', 'vision', 'pinned', 'robotics']);
  });

  it('given a post, then changing its tags needs Manage Threads (THREAD_UPDATE), and at most 5 still hold', async () => {
    const { server, client } = await boot();
    const [nlp, vision] = forum(client).availableTags;
    const post = await forum(client).threads.create({ name: 'post', message: { content: 'card' }, appliedTags: [nlp!.id] });
    await expect(post.setAppliedTags([vision!.id])).rejects.toMatchObject({ status: 403, code: 50013 });
    allowBot(server, G.forum, Perm.ManageThreads);
    await expect.poll(() => forum(client).permissionsFor(client.user!)?.has(Perm.ManageThreads)).toBe(true);
    await post.setAppliedTags([nlp!.id, vision!.id]);
    expect(server.threadsOf(G.forum)[0]!.appliedTags).toEqual([nlp!.id, vision!.id]);
    await expect.poll(() => (client.channels.cache.get(post.id) as ThreadChannel).appliedTags).toEqual([nlp!.id, vision!.id]);
  });
});

describe('fake discord: reactions', () => {
  type Seen = { kind: 'add' | 'remove'; user: string; emoji: string | null; message: string };
  const watch = (client: Client): Seen[] => {
    const seen: Seen[] = [];
    const note = (kind: Seen['kind']) => (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser) =>
      seen.push({ kind, user: user.id, emoji: reaction.emoji.name, message: reaction.message.id });
    client.on(Events.MessageReactionAdd, note('add'));
    client.on(Events.MessageReactionRemove, note('remove'));
    return seen;
  };
  const REACTIONS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions];

  it('given the Guild Message Reactions intent, then members’ reactions arrive as messageReactionAdd/Remove, each member counted once per emoji', async () => {
    const { server, client } = await boot(REACTIONS);
    const seen = watch(client);
    const message: Message = await text(client).send({ content: 'paper' });
    expect(server.react(message.id, ALICE, '👍')).toBe(true);
    expect(server.react(message.id, ALICE, '👍')).toBe(false);
    expect(server.react(message.id, BOB, '👍')).toBe(true);
    expect(server.react(message.id, BOB, '🔖')).toBe(true);
    await expect.poll(() => seen.length).toBe(3);
    expect(server.unreact(message.id, ALICE, '👍')).toBe(true);
    expect(server.unreact(message.id, ALICE, '👍')).toBe(false);
    await expect.poll(() => seen.length).toBe(4);
    expect(seen).toEqual([
      { kind: 'add', user: ALICE, emoji: '👍', message: message.id },
      { kind: 'add', user: BOB, emoji: '👍', message: message.id },
      { kind: 'add', user: BOB, emoji: '🔖', message: message.id },
      { kind: 'remove', user: ALICE, emoji: '👍', message: message.id },
    ]);
    expect(server.reactionsOf(message.id)).toEqual({ '👍': [BOB], '🔖': [BOB] });
  });

  it('given the bot reacts itself, then its reaction is an event like any other but carries the bot’s id, and the message says `me`', async () => {
    const { server, client } = await boot(REACTIONS);
    const seen = watch(client);
    const message = await text(client).send({ content: 'paper' });
    server.react(message.id, ALICE, '👍');
    await message.react('👍');
    await message.react('👍');
    await expect.poll(() => seen.length).toBe(2);
    expect(seen.map((s) => s.user)).toEqual([ALICE, BOT]);
    const fetched = await text(client).messages.fetch({ message: message.id, force: true });
    const thumbs = fetched.reactions.cache.get('👍')!;
    expect({ count: thumbs.count, me: thumbs.me }).toEqual({ count: 2, me: true });
    // Get Reactions lists who reacted (ascending ids), so a restart can reconcile the count without the bot's own.
    const users = await thumbs.users.fetch();
    expect([...users.keys()]).toEqual([BOT, ALICE].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    expect([...(await thumbs.users.fetch({ limit: 1, after: BOT })).keys()]).toEqual([ALICE]);
    await thumbs.users.remove(client.user!.id);
    await expect.poll(() => seen.at(-1)).toEqual({ kind: 'remove', user: BOT, emoji: '👍', message: message.id });
    expect(server.reactionsOf(message.id)).toEqual({ '👍': [ALICE] });
  });

  it('given a session without the reactions intent, then no reaction event reaches it', async () => {
    const { server, client } = await boot([GatewayIntentBits.Guilds]);
    const raw: string[] = [];
    client.on(Events.Raw, (packet: { t: string | null }) => packet.t && raw.push(packet.t));
    const message = await text(client).send({ content: 'paper' });
    const withIntent = await connect(REACTIONS);
    const seen = watch(withIntent);
    server.react(message.id, ALICE, '👍');
    await expect.poll(() => seen.length).toBe(1);
    expect(raw.filter((t) => t.startsWith('MESSAGE_REACTION'))).toEqual([]);
  });

  it('given reactions on a forum post and in a thread, then they arrive the same way', async () => {
    const { server, client } = await boot(REACTIONS);
    const seen = watch(client);
    const post = await forum(client).threads.create({ name: 'post', message: { content: 'card' } });
    server.react(post.id, ALICE, '👍');
    await expect.poll(() => seen).toEqual([{ kind: 'add', user: ALICE, emoji: '👍', message: post.id }]);
  });

  it('given no Read Message History, or no Add Reactions for a new emoji, then the bot’s reaction is refused (50013); a custom emoji the server lacks is Unknown Emoji (10014)', async () => {
    const { server, client } = await boot(REACTIONS);
    const message = await text(client).send({ content: 'paper' });
    await expect(message.react('<:paperboy:499999999999999998>')).rejects.toMatchObject({ code: 10014 });
    denyBot(server, G.text, Perm.AddReactions);
    await expect.poll(() => text(client).permissionsFor(client.user!)?.has(Perm.AddReactions)).toBe(false);
    await expect(message.react('👍')).rejects.toMatchObject({ status: 403, code: 50013 });
    // Joining an emoji somebody already used needs no Add Reactions.
    server.react(message.id, ALICE, '👍');
    await message.react('👍');
    denyBot(server, G.text, Perm.AddReactions, Perm.ReadMessageHistory);
    await expect.poll(() => text(client).permissionsFor(client.user!)?.has(Perm.ReadMessageHistory)).toBe(false);
    server.react(message.id, BOB, '🔖');
    await expect(message.react('🔖')).rejects.toMatchObject({ status: 403, code: 50013 });
    expect(server.reactionsOf(message.id)).toEqual({ '👍': [ALICE, BOT], '🔖': [BOB] });
  });
});
