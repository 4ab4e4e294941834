import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../../src/core/paper.js';
import { type CommandHarness, startCommandHarness } from '../../support/command-harness.js';
import { type InteractionOutcome, Perm } from '../../support/fake-discord/index.js';
import { makePapers } from '../../support/memory-ports.js';

// Richer subscriptions through the real router and discord.js client on the fake Discord, over a memory store and
// desk: topics with left-out terms, authors and organisations (suggested from the corpus), and the digest's mentions.

const GUILD = '640000000000000001';
const CHANNEL = '640000000000000011';
const ADMIN = { id: '650000000000000001', username: 'admin' };
const RL = { id: '650000000000000002', username: 'rl' };
const FAN = { id: '650000000000000003', username: 'fan' };
const ORG = { id: '650000000000000004', username: 'org' };

let h: CommandHarness;
let papers: Paper[];
const contentOf = (outcome: InteractionOutcome) => String(outcome.data?.content ?? '');
const subscribe = (options: Record<string, string | boolean>, user = RL) =>
  h.server.interact({ type: 'command', name: 'subscribe', options, guildId: GUILD, channelId: CHANNEL, user });
const complete = (focused: 'author' | 'org', typed: string) =>
  h.server.interact({
    type: 'autocomplete',
    name: 'subscribe',
    options: { [focused]: typed },
    focused,
    guildId: GUILD,
    channelId: CHANNEL,
    user: FAN,
  });

beforeAll(async () => {
  const base = makePapers(4);
  papers = [
    { ...base[0]!, title: 'Reinforcement learning for robotics', authorNames: ['Ada Lovelace', 'Alan Turing'] },
    { ...base[1]!, title: 'Reinforcement learning in board games', authorNames: ['Grace Hopper'], organization: 'DeepMind' },
    { ...base[2]!, title: 'Protein folding at scale', authorNames: ['Ada Lovelace'], organization: 'BAIDU' },
    { ...base[3]!, title: 'Unrelated work', authorNames: ['Someone Else'], organization: '@everyone Labs' },
  ];
  h = await startCommandHarness({ papers, guilds: [{ id: GUILD, channels: [{ id: CHANNEL, name: 'papers' }] }] });
}, 30_000);
afterAll(async () => {
  await h.close();
});

describe('/subscribe with left-out terms, authors and organisations', () => {
  it('given a half-typed author or organisation, then the corpus names are suggested with their paper counts', async () => {
    const authors = (await complete('author', 'love')).data!.choices as Array<{ name: string; value: string }>;
    expect(authors).toEqual([{ name: 'Ada Lovelace (2 papers)', value: 'Ada Lovelace' }]);
    const orgs = (await complete('org', 'b')).data!.choices as Array<{ name: string; value: string }>;
    // A name starting with what was typed first, then one containing it.
    expect(orgs).toEqual([
      { name: 'BAIDU (1 paper)', value: 'BAIDU' },
      { name: '@everyone Labs (1 paper)', value: '@everyone Labs' },
    ]);
  });

  it('given a topic with a minus term, then it is saved with what it leaves out, and counts only papers without it', async () => {
    const outcome = await subscribe({ topic: 'reinforcement learning -robotics' });
    expect(contentOf(outcome)).toBe(
      'Subscribed to **reinforcement learning** (leaving out **robotics**): you will be notified with a mention under each matching paper. 1 of the 4 papers of the corpus already match it. (1/25 topics)\nThis server has no digest yet, so nothing is posted here for now: an admin can create one with `/digest setup`.',
    );
    expect(h.context.subscriptions.list(GUILD, RL.id).topics).toEqual(['reinforcement learning -robotics']);
  });

  it('given an author and an organisation, then each is followed and counted', async () => {
    expect(contentOf(await subscribe({ author: 'Ada Lovelace' }, FAN))).toMatch(
      /^Subscribed to papers by \*\*Ada Lovelace\*\*: .* 2 of the 4 papers/,
    );
    expect(contentOf(await subscribe({ org: 'DeepMind', dm: true }, ORG))).toMatch(
      /^Subscribed to papers from \*\*DeepMind\*\*: you will be notified by direct message \(one per digest\)\. 1 of the 4 papers/,
    );
    const list = await h.server.interact({ type: 'command', name: 'subscriptions', guildId: GUILD, channelId: CHANNEL, user: FAN });
    expect(contentOf(list)).toBe('You follow 1/25 topics, notified by a mention under each matching paper:\n• papers by **Ada Lovelace**');
  });

  it.each([
    [{}, 'Give a `topic`, an `author` or an `org` to follow, e.g. `/subscribe topic:scaling laws`.'],
    [{ topic: 'llm', author: 'Ada Lovelace' }, 'Give one of `topic`, `author` or `org` at a time.'],
    [{ topic: '-robotics' }, 'A topic needs words to follow, not only words to leave out: e.g. "reinforcement learning -robotics".'],
    [{ author: '!!' }, "Please give an author's name, e.g. pick one of the suggestions as you type."],
  ])('given %j, then nothing is saved and the member is told why', async (options, message) => {
    const member = { id: '650000000000000009', username: 'typo' };
    expect(contentOf(await subscribe(options, member))).toBe(message);
    expect(h.context.subscriptions.list(GUILD, member.id).topics).toEqual([]);
  });

  it('given a digest, then a paper with a left-out term mentions nobody who left it out, and authors and organisations notify their followers', async () => {
    const setup = await h.server.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'setup',
      options: { channel: CHANNEL, size: 4 },
      guildId: GUILD,
      channelId: CHANNEL,
      user: ADMIN,
      memberPermissions: Perm.ManageGuild.toString(),
    });
    await setup.waitForFinal(10_000);
    const now = await h.server.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'now',
      guildId: GUILD,
      channelId: CHANNEL,
      user: ADMIN,
      memberPermissions: Perm.ManageGuild.toString(),
    });
    expect((await now.waitForFinal(15_000)).content).toMatch(/^Posted digest #1: 4 papers/);
    const cards = h.server.messages(CHANNEL).filter((m) => m.embeds.length > 0);
    const pingedBy = (title: string) => {
      const card = cards.find((m) => JSON.stringify(m.embeds).includes(title))!;
      return card.pinged.users.sort();
    };
    expect(pingedBy('Reinforcement learning for robotics')).toEqual([FAN.id]);
    expect(pingedBy('Reinforcement learning in board games')).toEqual([RL.id]);
    expect(pingedBy('Protein folding at scale')).toEqual([FAN.id]);
    expect(pingedBy('Unrelated work')).toEqual([]);
    // The organisation's follower asked for direct messages: one, naming the DeepMind paper only.
    const dms = h.server.dmMessages(ORG.id);
    expect(dms).toHaveLength(1);
    expect(dms[0]!.content).toContain('Reinforcement learning in board games');
    expect(dms[0]!.content).not.toContain('Protein folding');
  });

  it('given a followed author, then /unsubscribe suggests it whatever the case typed, and removes it', async () => {
    const typed = await h.server.interact({
      type: 'autocomplete',
      name: 'unsubscribe',
      options: { topic: 'ada' },
      focused: 'topic',
      guildId: GUILD,
      channelId: CHANNEL,
      user: FAN,
    });
    expect(typed.data!.choices).toEqual([{ name: 'author:Ada Lovelace', value: 'author:Ada Lovelace' }]);
    const removed = await h.server.interact({
      type: 'command',
      name: 'unsubscribe',
      options: { topic: 'author:Ada Lovelace' },
      guildId: GUILD,
      channelId: CHANNEL,
      user: FAN,
    });
    expect(contentOf(removed)).toBe('Unsubscribed from papers by **Ada Lovelace**. You follow no topics now.');
  });
});
