import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPaperIdFromFooter } from '../../src/core/format.js';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import type { Paper } from '../../src/core/paper.js';
import { matchTopics } from '../../src/core/topics.js';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { type FakeDiscord, type InteractionOutcome, startFakeDiscord } from '../support/fake-discord/index.js';
import { runCli } from '../support/run-cli.js';
import { COMMAND_COUNT, COMMAND_NAMES, registeredAll } from '../support/commands.js';
import { feedOf, readState, subscriptionsOf } from '../support/read-state.js';

const MANAGE_GUILD = (1n << 5n).toString();
const ALICE = { id: '200000000000000001', username: 'alice' };
const BOB = { id: '200000000000000002', username: 'bob' };
const CAROL = { id: '200000000000000003', username: 'carol' };

let server: FakeDiscord;
let dir: string;
let bot: BotProcess;
let papers: Paper[];

beforeAll(async () => {
  server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
  dir = await mkdtemp(join(tmpdir(), 'paperboy-commands-'));
  papers = (await loadCorpus('seeds')).papers;
  server.addUser({ ...CAROL, dmsOpen: false });
  bot = spawnBot({
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: 'seeds',
    // Never fires during the test: digests are posted with /digest now.
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
  });
  await bot.waitFor(registeredAll());
}, 60_000);

afterAll(async () => {
  bot.kill('SIGTERM');
  await bot.exited;
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const contentOf = (outcome: InteractionOutcome) => String(outcome.data?.content ?? '');
const finalContent = async (outcome: InteractionOutcome) => (await outcome.waitForFinal(15_000)).content;

describe('registration', () => {
  it('given a start with DISCORD_GUILD_ID, then every command is registered in that guild with valid definitions', () => {
    const commands = server.commands(server.guildId);
    expect(commands.map((c) => c.name).sort()).toEqual([...COMMAND_NAMES]);
    expect(commands.find((c) => c.name === 'digest')!.default_member_permissions).toBe(MANAGE_GUILD);
    expect(server.commands()).toEqual([]);
  });
});

describe('/paper', () => {
  it('given an empty query, then autocomplete suggests the newest papers, at most 25, names within 100 characters', async () => {
    const outcome = await server.interact({ type: 'autocomplete', name: 'paper', options: { query: '' }, focused: 'query', user: ALICE });
    const choices = outcome.data!.choices as Array<{ name: string; value: string }>;
    expect(outcome.callbackType).toBe(8);
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    for (const c of choices) expect(c.name.length).toBeLessThanOrEqual(100);
    const newest = [...papers].filter((p) => p.published).sort((a, b) => b.published!.localeCompare(a.published!))[0]!;
    expect(choices[0]!.value).toBe(newest.id);
  });

  it('given a half-typed title, then autocomplete puts that paper first', async () => {
    const outcome = await server.interact({
      type: 'autocomplete',
      name: 'paper',
      options: { query: 'densing la' },
      focused: 'query',
      user: ALICE,
    });
    const choices = outcome.data!.choices as Array<{ name: string; value: string }>;
    expect(choices[0]!.name).toBe('Densing Law of LLMs');
  });

  it('given a picked suggestion (a paper id), then the card shows that paper, ephemerally, with the full abstract', async () => {
    const target = papers.find((p) => p.title.startsWith('Densing Law'))!;
    const outcome = await server.interact({ type: 'command', name: 'paper', options: { query: target.id }, user: ALICE });
    expect(outcome.callbackType).toBe(4);
    expect(outcome.ephemeral).toBe(true);
    const embed = (outcome.data!.embeds as Array<Record<string, unknown>>)[0]!;
    expect(embed.title).toBe('Densing Law of LLMs');
    expect(String(embed.description)).toContain('capacity density');
    expect(readPaperIdFromFooter((embed.footer as { text: string }).text)).toBe(target.id);
  });

  it('given typed words and public:true, then the best match is shown to the channel with up to four more titles', async () => {
    const outcome = await server.interact({
      type: 'command',
      name: 'paper',
      options: { query: 'scaling laws', public: true },
      user: ALICE,
    });
    expect(outcome.ephemeral).toBe(false);
    expect(contentOf(outcome)).toMatch(/^Also matching: 1\. /);
    expect(outcome.original?.pinged).toEqual({ everyone: false, users: [], roles: [] });
  });

  it('given words that match nothing, then a friendly ephemeral message suggests closer terms', async () => {
    const outcome = await server.interact({ type: 'command', name: 'paper', options: { query: 'zzqxv bencxxmarkz' }, user: ALICE });
    expect(outcome.ephemeral).toBe(true);
    expect(contentOf(outcome)).toMatch(/^No paper matches "zzqxv bencxxmarkz"\. Closer terms: .*\*\*benchmarks\*\*/);
  });

  it('given garbage ("@everyone <script>"), then nothing is shown as the answer: the closest titles are offered, labelled, and nobody is pinged', async () => {
    const outcome = await server.interact({ type: 'command', name: 'paper', options: { query: '@everyone <script>' }, user: ALICE });
    expect(outcome.ephemeral).toBe(true);
    expect(outcome.data?.embeds ?? []).toEqual([]);
    expect(contentOf(outcome)).toBe(
      'No paper matches "@\u200Beveryone \\<script\\>". Closest titles (not a match): 1. Experience of Training a 1.7B-Parameter LLaMa Model From Scratch. Pick one of the suggestions as you type to see it.',
    );
    expect(outcome.original?.pinged).toEqual({ everyone: false, users: [], roles: [] });
  });

  it('given fifty members typing at once, then every autocomplete is answered within 3 seconds', async () => {
    const words = ['scal', 'quant', 'check', 'llm', 'bench', 'mix', 'trans', 'lang', 'data', 'vocab'];
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.interact({
          type: 'autocomplete',
          name: 'paper',
          options: { query: words[i % words.length]! },
          focused: 'query',
          user: { id: String(300000000000000000n + BigInt(i)) },
        }),
      ),
    );
    for (const o of outcomes) {
      expect(o.error).toBeUndefined();
      expect(o.latencyMs!).toBeLessThan(3000);
    }
  });
});

describe('subscriptions and notifications', () => {
  it('given /subscribe, then the reply is ephemeral and says how many papers already match', async () => {
    const outcome = await server.interact({ type: 'command', name: 'subscribe', options: { topic: 'Scaling Laws' }, user: ALICE });
    expect(outcome.ephemeral).toBe(true);
    expect(contentOf(outcome)).toMatch(
      /^Subscribed to \*\*scaling laws\*\*: you will be notified with a mention under each matching paper\. \d+ of the 51 papers of the corpus already match it\./,
    );
  });

  it('given the same topic twice, then the member gets a friendly message, not an error', async () => {
    const outcome = await server.interact({ type: 'command', name: 'subscribe', options: { topic: 'scaling laws' }, user: ALICE });
    expect(contentOf(outcome)).toBe('You already follow **scaling laws**.');
  });

  it("given an unknown topic to unsubscribe, then a friendly message lists the member's topics", async () => {
    const outcome = await server.interact({ type: 'command', name: 'unsubscribe', options: { topic: 'robotics' }, user: ALICE });
    expect(contentOf(outcome)).toMatch(/You don't follow \*\*robotics\*\*.*Your topics: \*\*scaling laws\*\*/);
  });

  it('given punctuation as a topic, then the reason is shown', async () => {
    const outcome = await server.interact({ type: 'command', name: 'subscribe', options: { topic: '!!' }, user: ALICE });
    expect(outcome.ephemeral).toBe(true);
    expect(contentOf(outcome).length).toBeGreaterThan(10);
    expect(contentOf(outcome)).not.toMatch(/error id/);
  });

  it('given 25 topics, then a 26th is refused kindly', async () => {
    for (let i = 0; i < 25; i += 1)
      await server.interact({ type: 'command', name: 'subscribe', options: { topic: `topic number ${i}` }, user: BOB });
    const outcome = await server.interact({ type: 'command', name: 'subscribe', options: { topic: 'one too many' }, user: BOB });
    expect(contentOf(outcome)).toMatch(/already follow 25 topics/);
    const list = await server.interact({ type: 'command', name: 'subscriptions', user: BOB });
    expect(contentOf(list)).toMatch(/^You follow 25\/25 topics/);
    for (let i = 0; i < 25; i += 1)
      await server.interact({ type: 'command', name: 'unsubscribe', options: { topic: `topic number ${i}` }, user: BOB });
  }, 60_000);

  it("given /unsubscribe autocomplete, then it offers only the member's own topics", async () => {
    const outcome = await server.interact({
      type: 'autocomplete',
      name: 'unsubscribe',
      options: { topic: 'sca' },
      focused: 'topic',
      user: ALICE,
    });
    expect(outcome.data!.choices).toEqual([{ name: 'scaling laws', value: 'scaling laws' }]);
  });

  it('given subscribers, then a digest mentions exactly the matching members with exact allowed_mentions, and DMs those who asked', async () => {
    await server.interact({ type: 'command', name: 'subscribe', options: { topic: 'quantization' }, user: BOB });
    await server.interact({ type: 'command', name: 'subscribe', options: { topic: 'quantization', dm: true }, user: CAROL });
    const admin = await server.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'now',
      user: { id: '200000000000000009' },
      memberPermissions: MANAGE_GUILD,
    });
    expect(admin.callbackType).toBe(5);
    expect(await finalContent(admin)).toMatch(/^Posted digest #1: 3 papers; 48 left\.$/);

    const cards = server.messages(server.channelId).filter((m) => m.embeds.length > 0 && !m.interactionId);
    const first = cards[0]!; // Low-Bit Quantization … Scaling Laws …
    expect(first.content).toBe(`🔔 <@${ALICE.id}> (scaling laws) · <@${BOB.id}> (quantization)`);
    expect(first.payload.allowed_mentions).toEqual({ parse: [], users: [ALICE.id, BOB.id] });
    expect(first.pinged).toEqual({ everyone: false, users: [ALICE.id, BOB.id], roles: [] });
    for (const card of cards) expect(card.pinged.users).not.toContain(CAROL.id);

    // Carol's DMs are closed: she is mentioned in the channel instead, once per matching paper, with its title.
    const matching = papers.slice(0, 3).filter((p) => matchTopics(p, ['quantization']).length > 0);
    const fallbacks = () => server.messages(server.channelId).filter((m) => m.pinged.users.includes(CAROL.id));
    for (let i = 0; i < 100 && fallbacks().length < matching.length; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(fallbacks().map((m) => m.pinged.users)).toEqual(matching.map(() => [CAROL.id]));
    for (const m of fallbacks())
      expect(m.content).toMatch(
        /^🔔 \*\*.+\*\* matches your topics \(here instead of a direct message\): <@200000000000000003> \(quantization\)$/,
      );
    expect(subscriptionsOf(await readState(dir), server.guildId)[ALICE.id]!.topics).toEqual(['scaling laws']);
  });

  it('given /paper on a posted paper, then the card links to the digest message', async () => {
    const posted = server.messages(server.channelId).find((m) => m.embeds.length > 0 && !m.interactionId)!;
    const id = readPaperIdFromFooter((posted.embeds[0]!.footer as { text: string }).text)!;
    const outcome = await server.interact({ type: 'command', name: 'paper', options: { query: id }, user: ALICE });
    const fields = (outcome.data!.embeds as Array<{ fields: Array<{ name: string; value: string }> }>)[0]!.fields;
    expect(fields.find((f) => f.name === 'Posted')!.value).toContain(`/channels/${server.guildId}/${server.channelId}/${posted.id}`);
  });
});

describe('/reading-list through the bot', () => {
  it('given a saved paper, then /reading-list show lists it with a remove button, and export sends it by DM as a markdown file (ephemerally when DMs are closed)', async () => {
    const target = papers.find((p) => p.title.startsWith('Densing Law'))!;
    const saved = await server.interact({
      type: 'command',
      name: 'reading-list',
      subcommand: 'save',
      options: { paper: target.id },
      user: BOB,
    });
    expect(contentOf(saved)).toMatch(/^Saved \*\*Densing Law of LLMs\*\* to your reading list \(1\/200\)/);
    const shown = await server.interact({ type: 'command', name: 'reading-list', subcommand: 'show', user: BOB });
    expect(shown.ephemeral).toBe(true);
    expect(JSON.stringify(shown.original!.embeds)).toContain('Densing Law of LLMs');
    const exported = await server.interact({ type: 'command', name: 'reading-list', subcommand: 'export', user: BOB });
    expect(await finalContent(exported)).toBe('Sent your reading list (1 paper) to you by direct message.');
    const dm = server.dmMessages(BOB.id).find((m) => m.attachments.length > 0)!;
    expect(dm.attachments[0]!.data!.toString('utf8')).toContain('[Densing Law of LLMs](');

    await server.interact({ type: 'command', name: 'reading-list', subcommand: 'save', options: { paper: target.id }, user: CAROL });
    const closed = await server.interact({ type: 'command', name: 'reading-list', subcommand: 'export', user: CAROL });
    const final = await closed.waitForFinal(15_000);
    expect(final.attachments.map((a) => a.filename)).toEqual(['reading-list.md']);
    expect(closed.ephemeral).toBe(true);
  });
});

describe('/digest for admins only', () => {
  it('given a member without Manage Server but a permission override, then the server refuses ephemerally', async () => {
    const outcome = await server.interact({ type: 'command', name: 'digest', subcommand: 'now', user: BOB, permissionOverride: true });
    expect(outcome.ephemeral).toBe(true);
    expect(contentOf(outcome)).toBe('Only members with the Manage Server permission can control the digest.');
  });

  it('given status, then it shows next run, last run, posted and left', async () => {
    const outcome = await server.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'status',
      user: ALICE,
      memberPermissions: MANAGE_GUILD,
    });
    const content = contentOf(outcome);
    expect(content).toMatch(/\*\*Next run:\*\* \w{3} 1 Jan 2027, 00:00 UTC/);
    expect(content).toMatch(/\*\*Posted:\*\* 3 papers in 1 digests/);
    expect(content).toMatch(/\*\*Left:\*\* 48 of 51/);
  });

  it('given preview, then it lists the next papers without posting', async () => {
    const before = server.messages(server.channelId).length;
    const outcome = await server.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'preview',
      user: ALICE,
      memberPermissions: MANAGE_GUILD,
    });
    expect(contentOf(outcome)).toMatch(/^The next digest will post 3 papers; 45 will remain:\n1\. /);
    expect(server.messages(server.channelId).length).toBe(before);
  });
});

describe('bad input', () => {
  it('given a DM interaction, then it is refused kindly', async () => {
    // The commands are guild-only, so Discord itself would not deliver this: the fake refuses to build it.
    await expect(
      server.interact({ type: 'command', name: 'paper', options: { query: 'x' }, guildId: null, user: ALICE }),
    ).rejects.toThrow();
  });

  it('given a burst of 200 concurrent /paper commands and autocompletes, then every one is answered in time', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2
          ? server.interact({
              type: 'command',
              name: 'paper',
              options: { query: ['scaling', 'checkpoint', 'quantized', 'benchmark'][i % 4]! },
              user: { id: String(400000000000000000n + BigInt(i)) },
            })
          : server.interact({
              type: 'autocomplete',
              name: 'paper',
              options: { query: 'che' },
              focused: 'query',
              user: { id: String(400000000000000000n + BigInt(i)) },
            }),
      ),
    );
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    expect(Math.max(...outcomes.map((o) => o.latencyMs!))).toBeLessThan(3000);
  }, 30_000);
});

describe('another server that invited the bot: served on its own, never the home server', () => {
  const HOME = { guild: '110000000000000001', channel: '110000000000000011' };
  const OTHER = { guild: '120000000000000001', channel: '120000000000000011' };
  const ADMINISTRATOR = (1n << 3n).toString();
  const STRANGER_ADMIN = { id: '220000000000000001', username: 'stranger-admin' };
  const STRANGER = { id: '220000000000000002', username: 'stranger' };
  let strangers: FakeDiscord;
  let strangersDir: string;
  let strangersBot: BotProcess;
  const stateFile = () => join(strangersDir, 'state.json');
  const ownPosts = (channel: string) => strangers.messages(channel).filter((m) => !m.interactionId);

  beforeAll(async () => {
    strangers = await startFakeDiscord({
      rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } },
      guilds: [
        { id: HOME.guild, name: 'Home', channels: [{ id: HOME.channel, name: 'papers' }] },
        { id: OTHER.guild, name: 'Someone else', channels: [{ id: OTHER.channel, name: 'general' }] },
      ],
    });
    strangersDir = await mkdtemp(join(tmpdir(), 'paperboy-strangers-'));
    // Global commands (no DISCORD_GUILD_ID, the default): every server that invites the bot sees them.
    strangersBot = spawnBot({
      ...discordEnv(strangers, { guild: false }),
      STATE_FILE: stateFile(),
      CORPUS_DIR: 'seeds',
      DIGEST_CRON: '0 0 1 1 *',
      DIGEST_CATCH_UP: 'false',
    });
    await strangersBot.waitFor(registeredAll('global'));
    // A home digest and a home subscriber: state a stranger must neither see nor change.
    await strangers.interact({ type: 'command', name: 'subscribe', options: { topic: 'scaling laws' }, user: ALICE, guildId: HOME.guild });
    const digest = await strangers.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'now',
      user: ALICE,
      memberPermissions: MANAGE_GUILD,
      guildId: HOME.guild,
    });
    expect(await finalContent(digest)).toMatch(/^Posted digest #1: 3 papers/);
  }, 60_000);

  afterAll(async () => {
    strangersBot.kill('SIGTERM');
    await strangersBot.exited;
    await strangers.close();
    await rm(strangersDir, { recursive: true, force: true });
  });

  it("given an admin of another server, then /digest finds no feed there and changes nothing of the home server's", async () => {
    const homeBefore = feedOf(await readState(strangersDir));
    const homePostsBefore = ownPosts(HOME.channel).length;
    for (const subcommand of ['now', 'preview', 'status', 'list']) {
      const outcome = await strangers.interact({
        type: 'command',
        name: 'digest',
        subcommand,
        user: STRANGER_ADMIN,
        memberPermissions: ADMINISTRATOR,
        guildId: OTHER.guild,
      });
      expect(outcome.ephemeral, subcommand).toBe(true);
      expect(contentOf(outcome), subcommand).toBe('This server has no digest yet: create one with `/digest setup channel:#a-channel`.');
    }
    const named = await strangers.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'status',
      options: { feed: 'env' },
      user: STRANGER_ADMIN,
      memberPermissions: ADMINISTRATOR,
      guildId: OTHER.guild,
    });
    expect(contentOf(named)).toBe('This server has no feed "env". `/digest list` shows its feeds.');
    const refused = await strangers.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'status',
      user: STRANGER,
      permissionOverride: true,
      guildId: OTHER.guild,
    });
    expect(contentOf(refused)).toBe('Only members with the Manage Server permission can control the digest.');
    await new Promise((r) => setTimeout(r, 300));
    expect(ownPosts(HOME.channel)).toHaveLength(homePostsBefore);
    expect(strangers.messages(OTHER.channel)).toEqual([]);
    expect(feedOf(await readState(strangersDir))).toEqual(homeBefore);
  });

  it("given members of another server, then their topics are that server's own and never touch the home server's", async () => {
    const homeTopics = subscriptionsOf(await readState(strangersDir), HOME.guild);
    const subscribed = await strangers.interact({
      type: 'command',
      name: 'subscribe',
      options: { topic: 'quantization' },
      user: ALICE,
      guildId: OTHER.guild,
    });
    expect(contentOf(subscribed)).toMatch(
      /\nThis server has no digest yet, so nothing is posted here for now: an admin can create one with `\/digest setup`\.$/,
    );
    // Alice follows "scaling laws" at home: in the other server she follows only what she subscribed to there.
    const mine = await strangers.interact({
      type: 'autocomplete',
      name: 'unsubscribe',
      options: { topic: '' },
      focused: 'topic',
      user: ALICE,
      guildId: OTHER.guild,
    });
    expect(mine.data!.choices).toEqual([{ name: 'quantization', value: 'quantization' }]);
    const state = await readState(strangersDir);
    expect(subscriptionsOf(state, HOME.guild)).toEqual(homeTopics);
    expect(subscriptionsOf(state, OTHER.guild)[ALICE.id]!.topics).toEqual(['quantization']);
  });

  it("given the digest channel's own server, then its members are still served", async () => {
    const list = await strangers.interact({ type: 'command', name: 'subscriptions', user: ALICE, guildId: HOME.guild });
    expect(contentOf(list)).toMatch(/scaling laws/);
    const mine = await strangers.interact({
      type: 'autocomplete',
      name: 'unsubscribe',
      options: { topic: '' },
      focused: 'topic',
      user: ALICE,
      guildId: HOME.guild,
    });
    expect(mine.data!.choices).toEqual([{ name: 'scaling laws', value: 'scaling laws' }]);
    const status = await strangers.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'status',
      user: ALICE,
      memberPermissions: MANAGE_GUILD,
      guildId: HOME.guild,
    });
    expect(contentOf(status)).toMatch(/\*\*Posted:\*\* 3 papers in 1 digests/);
  });
});

describe('command scope switches (DISCORD_GUILD_ID turned on, moved, and off again)', () => {
  const FIRST = { guild: '310000000000000001', channel: '310000000000000011' };
  const SECOND = { guild: '320000000000000001', channel: '320000000000000011' };
  const NAMES = [...COMMAND_NAMES];
  let scopes: FakeDiscord;
  let scopesDir: string;
  const names = (commands: Array<Record<string, unknown>>) => commands.map((c) => String(c.name)).sort();

  beforeAll(async () => {
    scopes = await startFakeDiscord({
      guilds: [
        { id: FIRST.guild, channels: [{ id: FIRST.channel, name: 'papers' }] },
        { id: SECOND.guild, channels: [{ id: SECOND.channel, name: 'general' }] },
      ],
    });
    scopesDir = await mkdtemp(join(tmpdir(), 'paperboy-scopes-'));
  });

  afterAll(async () => {
    await scopes.close();
    await rm(scopesDir, { recursive: true, force: true });
  });

  const envFor = (guildId: string | null) => ({
    ...discordEnv(scopes, { guild: false }),
    ...(guildId ? { DISCORD_GUILD_ID: guildId } : {}),
    STATE_FILE: join(scopesDir, 'state.json'),
    CORPUS_DIR: 'seeds',
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
  });

  async function startAndStop(guildId: string | null): Promise<string> {
    const scoped = spawnBot(envFor(guildId));
    await scoped.waitFor(registeredAll());
    scoped.kill('SIGTERM');
    await scoped.exited;
    return scoped.stderr();
  }

  it('given a start with global commands, then a start with DISCORD_GUILD_ID leaves no global command behind', async () => {
    await startAndStop(null);
    expect(names(scopes.commands())).toEqual(NAMES);
    const log = await startAndStop(FIRST.guild);
    expect(scopes.commands()).toEqual([]);
    expect(names(scopes.commands(FIRST.guild))).toEqual(NAMES);
    expect(log).toMatch(new RegExp(`registered ${COMMAND_COUNT} slash commands \\(guild:310000000000000001\\); removed them from global`));
  }, 60_000);

  it('given `paperboy register` with another server, then the first server is emptied', async () => {
    const result = await runCli(['register'], { env: envFor(SECOND.guild) });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Registered ${COMMAND_COUNT} slash commands (guild:${SECOND.guild}). Removed Paperboy's commands from guild:${FIRST.guild}.\n`,
    );
    expect(scopes.commands(FIRST.guild)).toEqual([]);
    expect(names(scopes.commands(SECOND.guild))).toEqual(NAMES);
    expect(scopes.commands()).toEqual([]);
  });

  it('given a start without DISCORD_GUILD_ID again, then the server commands are removed and the global ones are back', async () => {
    await startAndStop(null);
    expect(names(scopes.commands())).toEqual(NAMES);
    expect(scopes.commands(FIRST.guild)).toEqual([]);
    expect(scopes.commands(SECOND.guild)).toEqual([]);
  }, 60_000);

  it('given `paperboy register` back in a server, then the global commands are removed', async () => {
    const result = await runCli(['register'], { env: envFor(FIRST.guild) });
    expect(result.code).toBe(0);
    expect(scopes.commands()).toEqual([]);
    expect(names(scopes.commands(FIRST.guild))).toEqual(NAMES);
  });
});
