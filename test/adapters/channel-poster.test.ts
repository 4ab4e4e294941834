import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { adviseOnChannelError, channelPermissionsOf, createChannelPoster } from '../../src/adapters/discord/channel-poster.js';
import { buildDefinitions } from '../../src/adapters/discord/definitions.js';
import { PostError, type Poster } from '../../src/app/ports.js';
import { createDigestRunner, type DigestDeps } from '../../src/app/run-digest.js';
import { formatPaperEmbed, formatPaperMessage } from '../../src/core/format.js';
import {
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  createMemoryStore,
  makePapers,
  recordsOf,
} from '../support/memory-ports.js';
import { type FakeDiscord, type FakeDiscordOptions, startFakeDiscord } from '../support/fake-discord/index.js';

let server: FakeDiscord;
let client: Client;
afterEach(async () => {
  await client?.destroy();
  await server?.close();
});

async function connect(options: FakeDiscordOptions = {}): Promise<void> {
  server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } }, ...options });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
}

function channelPoster(withPermissions = true): Poster {
  return createChannelPoster({
    rest: client.rest,
    channelId: server.channelId,
    botUserId: () => client.user!.id,
    ...(withPermissions ? { permissions: channelPermissionsOf(client, server.channelId) } : {}),
  });
}

const cardsInChannel = () => server.postedPaperIds();

/**
 * A digest runner on the real channel poster. `crashAfter` makes the state unwritable right after that paper's
 * post went out (the process dies before recording it); `beforePosting` runs just before that post is sent.
 */
function digestOn(poster: Poster, options: { papers?: number; clockSkewMs?: number } = {}) {
  const store = createMemoryStore();
  const logger = createMemoryLogger();
  const corpus = createListCorpus(makePapers(options.papers ?? 6));
  const clock = createManualClock(new Date(Date.now() + (options.clockSkewMs ?? 0)).toISOString());
  const deps: DigestDeps = { store, feedId: store.feedId, poster, corpus, clock, logger, retryDelaysMs: [0, 0] };
  const crashAfter = (paperId: string, beforePosting: () => void = () => undefined) => {
    const post = poster.post.bind(poster);
    const crashing: DigestDeps = {
      ...deps,
      poster: {
        ...poster,
        readOwnMessages: (from) => poster.readOwnMessages(from),
        async post(message, nonce) {
          const mine = message.embeds?.[0]?.footer?.text.includes(paperId) ?? false;
          if (mine) beforePosting();
          const result = await post(message, nonce);
          if (mine) store.failWrites = true;
          return result;
        },
      },
    };
    return createDigestRunner(crashing)
      .run()
      .then((result) => {
        store.failWrites = false;
        return result;
      });
  };
  return {
    store,
    logger,
    corpus,
    ids: corpus.papers.map((p) => p.id),
    crashAfter,
    restart: () => createDigestRunner(deps),
    dest: () => recordsOf(store),
  };
}

describe('channel poster: reconciling after a crash', () => {
  it('given a digest card and a public /paper reply with the same footer, then only the digest card counts as posted', async () => {
    await connect();
    await client.rest.put(Routes.applicationGuildCommands(server.applicationId, server.guildId), {
      body: buildDefinitions({ kind: 'guild', guildId: server.guildId }),
    });
    const [looked, posted] = makePapers(2);
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply({ embeds: [formatPaperEmbed(looked!)], allowedMentions: { parse: [] } });
    });
    const since = new Date(Date.now() - 1000).toISOString();
    const reply = await server.interact({ type: 'command', name: 'paper', options: { query: looked!.id, public: true } });
    expect(reply.ephemeral).toBe(false);

    const poster = channelPoster();
    const { messageId } = await poster.post(formatPaperMessage(posted!), 'nonce-1');
    const found = await poster.readOwnMessages({ witnesses: [], since });
    expect(found).toEqual({ messages: [{ messageId, paperId: posted!.id, digest: null }], trusted: true });
  });

  it('given a local clock 10 minutes fast, then the post a crash left unrecorded is found, not posted again', async () => {
    await connect({ nonceWindowMs: 0 });
    const run = digestOn(channelPoster(), { clockSkewMs: 10 * 60_000 });
    expect((await run.crashAfter(run.ids[1]!)).outcome).toBe('failed');
    expect(Object.keys(run.dest().pending)).toEqual([run.ids[1]]);
    const resumed = await run.restart().run();
    expect(resumed.outcome).toBe('posted');
    expect(cardsInChannel()).toEqual(run.ids.slice(0, 3));
    expect(run.dest().posted[run.ids[1]!]?.messageId).toBe(server.messages(server.channelId)[2]!.id);
    expect(run.logger.lines.some((l) => l.message.includes('found a post a crash left unrecorded'))).toBe(true);
  });

  it('given members chatting between the last recorded post and the unrecorded one, then the read pages through them and finds it', async () => {
    await connect({ nonceWindowMs: 0 });
    const run = digestOn(channelPoster());
    await run.crashAfter(run.ids[1]!, () => server.addMemberMessages(server.channelId, 450));
    await run.restart().run();
    expect(cardsInChannel()).toEqual(run.ids.slice(0, 3));
    expect(run.dest().unverified).toBeUndefined();
  });

  it('given more chatter than a recovery read covers, then it fails closed: no second post, a warning, the paper held as unverified', async () => {
    await connect({ nonceWindowMs: 0 });
    const run = digestOn(channelPoster());
    await run.crashAfter(run.ids[1]!, () => server.addMemberMessages(server.channelId, 5100));
    const resumed = await run.restart().run();
    expect(resumed.outcome).toBe('partial');
    expect(cardsInChannel()).toEqual(run.ids.slice(0, 3));
    expect(Object.keys(run.dest().unverified ?? {})).toEqual([run.ids[1]]);
    const warning = run.logger.lines.find((l) => l.level === 'warn' && l.message.includes('cannot be checked'));
    expect(warning?.message).toMatch(/more than 5000 messages were written in the digest channel/);
  }, 30_000);

  it('given Read Message History taken away, then the post a crash left unrecorded is held, never posted again, and found once it is granted', async () => {
    await connect({ nonceWindowMs: 0 });
    const run = digestOn(channelPoster(), { papers: 9 });
    await run.crashAfter(run.ids[1]!);
    const revoked = once(client, Events.ChannelUpdate);
    server.setChannelPermissions(server.channelId, { canReadHistory: false });
    await revoked;

    const bot = run.restart();
    expect((await bot.run()).outcome).toBe('partial');
    expect((await bot.run()).outcome).toBe('posted');
    expect(cardsInChannel()).toEqual(run.ids.slice(0, 6));
    expect(run.dest().unverified?.[run.ids[1]!]?.reason).toMatch(
      /lacks Read Message History there.*grant Paperboy Read Message History in the digest channel/,
    );

    const granted = once(client, Events.ChannelUpdate);
    server.setChannelPermissions(server.channelId, { canReadHistory: true });
    await granted;
    await bot.run();
    expect(cardsInChannel()).toEqual(run.ids);
    expect(run.dest().unverified).toBeUndefined();
    expect(Object.keys(run.dest().posted).sort()).toEqual([...run.ids].sort());
  });
});

describe('channel poster: can a read be trusted?', () => {
  it('given no permission cache, then a read blinded by a missing Read Message History is caught by its witness', async () => {
    await connect();
    const poster = channelPoster(false);
    const { messageId } = await poster.post(formatPaperMessage(makePapers(1)[0]!), 'nonce-w');
    server.setChannelPermissions(server.channelId, { canReadHistory: false });
    const blind = await poster.readOwnMessages({ witnesses: [messageId], since: new Date().toISOString() });
    expect(blind).toMatchObject({ messages: [], trusted: false, problem: expect.stringMatching(/lacks Read Message History/) });
    // Without a witness and without permissions to check, an empty read proves nothing either.
    expect(await poster.readOwnMessages({ witnesses: [], since: new Date().toISOString() })).toMatchObject({ trusted: false });
  });

  it('given a witness a moderator deleted, then the read starts from an older one; with all deleted, it is not trusted', async () => {
    await connect();
    const poster = channelPoster();
    const [a, b, c] = makePapers(3);
    const first = await poster.post(formatPaperMessage(a!), 'n-a');
    const second = await poster.post(formatPaperMessage(b!), 'n-b');
    const third = await poster.post(formatPaperMessage(c!), 'n-c');
    await client.rest.delete(Routes.channelMessage(server.channelId, second.messageId));
    const read = await poster.readOwnMessages({ witnesses: [second.messageId, first.messageId], since: new Date().toISOString() });
    expect(read.trusted).toBe(true);
    expect(read.messages.map((m) => m.messageId)).toEqual([first.messageId, third.messageId]);
    await client.rest.delete(Routes.channelMessage(server.channelId, first.messageId));
    const lost = await poster.readOwnMessages({ witnesses: [second.messageId, first.messageId], since: new Date().toISOString() });
    expect(lost).toMatchObject({ trusted: false, problem: expect.stringMatching(/were deleted/) });
  });

  it('given a post refused for permissions, then the error names the permissions the bot lacks', async () => {
    await connect();
    const updated = once(client, Events.ChannelUpdate);
    server.setChannelPermissions(server.channelId, { canSend: false, canReadHistory: false });
    await updated;
    const error = await channelPoster()
      .post(formatPaperMessage(makePapers(1)[0]!), 'n-x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'forbidden', missing: ['Send Messages', 'Read Message History'] });
  });
});

describe('channel poster: advice for the admin', () => {
  it('given a refusal for missing permissions, then the advice names the missing ones and Read Message History', () => {
    const advice = adviseOnChannelError(
      new PostError('forbidden', 'Missing Permissions', 403, 50013, ['Embed Links', 'Read Message History']),
    );
    expect(advice).toContain('It is missing Embed Links, Read Message History.');
    expect(adviseOnChannelError(new PostError('forbidden', 'Missing Access', 403, 50001))).toMatch(
      /lacks permissions there.*View Channel, Send Messages, Embed Links and Read Message History/,
    );
  });

  it('given a post Discord refuses for permissions, then the error carries advice naming the permissions the bot lacks', async () => {
    await connect();
    const updated = once(client, Events.ChannelUpdate);
    server.setChannelPermissions(server.channelId, { canSend: false, canReadHistory: false });
    await updated;
    const error = await channelPoster()
      .post(formatPaperMessage(makePapers(1)[0]!), 'n-advice')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostError);
    expect((error as PostError).advice).toMatch(
      /^cannot post to the digest channel: the bot lacks permissions there \(POST \/channels\/\d+\/messages failed with status 403.*\)\. It is missing Send Messages, Read Message History\. Give it View Channel/,
    );
  });

  it('given a channel that does not exist, then the error advises checking DISCORD_CHANNEL_ID', async () => {
    await connect();
    const poster = createChannelPoster({ rest: client.rest, channelId: '999999999999999999', botUserId: () => client.user!.id });
    const error = await poster.post(formatPaperMessage(makePapers(1)[0]!), 'n-unknown').catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'unknown-channel',
      advice: expect.stringMatching(/^the digest channel does not exist or the bot cannot see it .*Check DISCORD_CHANNEL_ID/),
    });
  });
});
