import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markPosted } from '../../../src/core/state.js';
import type { Paper } from '../../../src/core/paper.js';
import { type CommandHarness, startCommandHarness } from '../../support/command-harness.js';
import type { InteractionOutcome } from '../../support/fake-discord/index.js';
import { makeFeed, makePapers } from '../../support/memory-ports.js';

// `/top` through the router, the real discord.js client and the fake Discord, over a memory store holding two
// servers' feeds, posts and votes. The harness's clock reads 2026-06-22T07:00Z.

const A = { guild: '170000000000000001', channel: '170000000000000011' };
const B = { guild: '170000000000000002', channel: '170000000000000012' };
const MEMBER = { id: '370000000000000001', username: 'member' };
const SNOW = (n: number) => String(1_170_000_000_000_000_000n + BigInt(n));
const HOURS = (h: number) => new Date(Date.parse('2026-06-22T07:00:00.000Z') - h * 3_600_000).toISOString();

let h: CommandHarness;
let papers: Paper[];
const contentOf = (outcome: InteractionOutcome): string => String(outcome.data?.content ?? '');
const top = (options: Record<string, string | boolean> = {}, guild = A) =>
  h.server.interact({ type: 'command', name: 'top', options, guildId: guild.guild, channelId: guild.channel, user: MEMBER });

beforeAll(async () => {
  papers = makePapers(6).map((p, i) => ({ ...p, upvotes: [5, 50, 7, 1, 0, 9][i]! }));
  papers[0] = {
    ...papers[0]!,
    title: '@everyone **Speech** [click](https://evil.example) <@123456789012345678>',
    abstract: 'Speech recognition.',
  };
  papers[2] = { ...papers[2]!, title: 'Speech models at scale', abstract: 'About speech.' };
  h = await startCommandHarness({
    papers,
    guilds: [
      { id: A.guild, channels: [{ id: A.channel, name: 'papers' }] },
      { id: B.guild, channels: [{ id: B.channel, name: 'papers' }] },
    ],
  });
  const { store } = h.context;
  await store.saveFeed(makeFeed({ id: 'a-main', guildId: A.guild, channelId: A.channel }));
  await store.saveFeed(makeFeed({ id: 'a-more', guildId: A.guild, channelId: A.channel, options: { vote_emoji: '⭐' } }));
  await store.saveFeed(makeFeed({ id: 'b-main', guildId: B.guild, channelId: B.channel }));
  const [p0, p1, p2, p3, p4, p5] = papers.map((p) => p.id) as [string, string, string, string, string, string];
  // Server A: p0 and p1 an hour ago, p2 three days ago, p3 twenty days ago, p4 a year ago; p1 again by its other feed.
  await store.step('a-main', (s) =>
    markPosted(
      markPosted(
        markPosted(markPosted(markPosted(s, p4, SNOW(4), HOURS(24 * 365)), p3, SNOW(3), HOURS(480)), p2, SNOW(2), HOURS(72)),
        p1,
        SNOW(1),
        HOURS(1),
      ),
      p0,
      SNOW(0),
      HOURS(1),
    ),
  );
  await store.step('a-more', (s) => markPosted(s, p1, SNOW(11), HOURS(2)));
  // Server B was sent p5 only, and votes there never count in A.
  await store.step('b-main', (s) => markPosted(s, p5, SNOW(5), HOURS(1)));
  const vote = (guildId: string, paperId: string, userId: string, messageId: string) =>
    store.addVote({ guildId, paperId, userId, messageId, at: HOURS(0) });
  await vote(A.guild, p0, '1', SNOW(0));
  await vote(A.guild, p0, '2', SNOW(0));
  await vote(A.guild, p2, '1', SNOW(2));
  await vote(A.guild, p2, '2', SNOW(2));
  await vote(A.guild, p2, '3', SNOW(2));
  await vote(A.guild, p4, '1', SNOW(4));
  await vote(B.guild, p1, '1', SNOW(5));
}, 30_000);
afterAll(async () => {
  await h.close();
});

const ids = (content: string) =>
  content
    .split('\n')
    .slice(1)
    .map((line) => / · (paper-\S+) · /.exec(line)![1]!);

describe('/top', () => {
  it('given no period, then the last 7 days of this server by votes, then upvotes, each once, only to the member, escaped and pinging nobody', async () => {
    const outcome = await top();
    expect(outcome.ephemeral).toBe(true);
    const content = contentOf(outcome);
    expect(content.split('\n')[0]).toBe(
      '🏆 **Top papers**, posted in the last 7 days: by votes (react 👍 on a paper card), then Hugging Face upvotes',
    );
    expect(ids(content)).toEqual([papers[2]!.id, papers[0]!.id, papers[1]!.id]);
    expect(content.split('\n')[1]).toMatch(/ · 👍 3$/);
    expect(content.split('\n')[3]).toMatch(/ · 👍 0$/);
    expect(content).not.toContain('[click](');
    expect(content).not.toContain('<@123456789012345678>');
    expect(content).toContain('\\*\\*Speech\\*\\*');
    expect(outcome.data?.allowed_mentions).toEqual({ parse: [] });
  });

  it('given a period and a topic, then only the papers posted in it that match the topic', async () => {
    expect(ids(contentOf(await top({ period: 'day' })))).toEqual([papers[0]!.id, papers[1]!.id]);
    expect(ids(contentOf(await top({ period: 'month' })))).toEqual([papers[2]!.id, papers[0]!.id, papers[1]!.id, papers[3]!.id]);
    expect(ids(contentOf(await top({ period: 'all' }))).slice(0, 3)).toEqual([papers[2]!.id, papers[0]!.id, papers[4]!.id]);
    expect(ids(contentOf(await top({ period: 'all', topic: 'speech' })))).toEqual([papers[2]!.id, papers[0]!.id]);
    const none = await top({ period: 'day', topic: 'graph neural networks' });
    expect(contentOf(none)).toBe('No paper about **graph neural networks** was posted in this server in the last day.');
  });

  it('given another server, then only its own posts and votes; public:true answers the channel', async () => {
    const outcome = await top({ public: true }, B);
    expect(outcome.ephemeral).toBe(false);
    expect(ids(contentOf(outcome))).toEqual([papers[5]!.id]);
    expect(contentOf(outcome)).toMatch(/ · 👍 0$/);
  });
});
