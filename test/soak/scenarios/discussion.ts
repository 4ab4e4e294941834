import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { openSqliteStore } from '../../../src/adapters/sqlite/sqlite-store.js';
import type { Feed } from '../../../src/core/feed.js';
import { readPaperIdFromFooter } from '../../../src/core/format.js';
import { matchTopics } from '../../../src/core/topics.js';
import { spawnBot, type BotProcess } from '../../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../../support/fake-discord/index.js';
import { createRandom, formatPage, generatePapers } from '../../support/generate-corpus.js';
import { makeFeed } from '../../support/memory-ports.js';
import { databaseIn } from '../../support/read-state.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isAlive = (bot: BotProcess) => bot.child.exitCode === null && bot.child.signalCode === null;

const GUILD = '810000000000000001';
const TEXT = '810000000000000011';
const FORUM = '810000000000000012';
const MEMBERS = Array.from({ length: 5 }, (_, i) => String(810000000000000100n + BigInt(i)));
const TOPIC = 'scaling laws';

type Embeds = Array<Record<string, unknown>>;
const footerId = (embeds: Embeds) => readPaperIdFromFooter((embeds[0]?.footer as { text?: string } | undefined)?.text);

/** What the channels hold per paper: its cards and threads in the text channel, its posts in the forum. */
function countDiscussion(discord: FakeDiscord) {
  const threads = discord.threadsOf(TEXT);
  const cards = new Map<string, number>();
  const threadsOf = new Map<string, number>();
  const mentions = new Map<string, Map<string, number>>();
  for (const message of discord.messages(TEXT)) {
    const id = footerId(message.embeds);
    if (!id) continue;
    cards.set(id, (cards.get(id) ?? 0) + 1);
    const own = threads.filter((t) => t.id === message.id);
    threadsOf.set(id, (threadsOf.get(id) ?? 0) + own.length);
    const pinged = new Map<string, number>();
    for (const m of own.flatMap((t) => t.messages)) for (const user of m.pinged.users) pinged.set(user, (pinged.get(user) ?? 0) + 1);
    mentions.set(id, pinged);
  }
  const posts = new Map<string, number>();
  for (const post of discord.threadsOf(FORUM)) {
    const id = footerId(post.messages.find((m) => m.id === post.id)?.embeds ?? []);
    if (id) posts.set(id, (posts.get(id) ?? 0) + 1);
  }
  return { cards, threads: threadsOf, posts, mentions, channelPings: discord.messages(TEXT).flatMap((m) => m.pinged.users).length };
}

/** The paper messages members can vote on: the cards in the text channel and the forum posts' first messages. */
function votableMessages(discord: FakeDiscord): Array<{ messageId: string; paperId: string }> {
  const cards = discord.messages(TEXT).flatMap((m) => {
    const paperId = footerId(m.embeds);
    return paperId ? [{ messageId: m.id, paperId }] : [];
  });
  const posts = discord.threadsOf(FORUM).flatMap((post) => {
    const paperId = footerId(post.messages.find((m) => m.id === post.id)?.embeds ?? []);
    return paperId ? [{ messageId: post.id, paperId }] : [];
  });
  return [...cards, ...posts];
}

/**
 * Discussion (issue 15): a feed with `threads: on` in a text channel (a thread per paper message, subscribers'
 * mentions in the thread) and a forum feed (a tagged post per paper) in one server, every second, with slow and
 * failing thread and post creations and the bot killed with SIGKILL at random instants. In the end each paper has
 * exactly one card and one thread, and one forum post; each subscriber of a matching paper was mentioned in its
 * thread exactly once and never in the channel.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const random = createRandom(20261203);
  const problems: string[] = [];
  const papersCount = Math.max(24, Math.round(300 * scale));
  const kills = Math.max(3, Math.round(30 * scale));

  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-discussion-'));
  const corpusDir = join(dir, 'corpus');
  await mkdir(corpusDir);
  await writeFile(join(corpusDir, 'generated.txt'), formatPage(generatePapers(papersCount, 15)));
  const papers = (await loadCorpus(corpusDir)).papers;
  const matching = new Set(papers.filter((p) => matchTopics(p, [TOPIC]).length > 0).map((p) => p.id));
  if (matching.size === 0) problems.push(`no generated paper is about "${TOPIC}": the mentions would go unchecked`);

  const every = { cron: '* * * * * *', timezone: 'UTC' };
  const feeds: Array<Partial<Feed>> = [
    { id: 'threads', guildId: GUILD, channelId: TEXT, schedule: every, size: 5, options: { threads: 'on' } },
    { id: 'forum', guildId: GUILD, channelId: FORUM, schedule: every, size: 5 },
  ];
  const store = await openSqliteStore(databaseIn(dir));
  for (const feed of feeds) await store.saveFeed(makeFeed(feed));
  const topics = { topics: [TOPIC], dm: false, updatedAt: '2026-01-01T00:00:00.000Z' };
  for (const member of MEMBERS) await store.updateSubscriber(GUILD, member, () => topics);
  await store.close();

  // Discord's own nonce window (a few minutes): a mention a kill left sent but unrecorded is sent again with the same
  // nonce and deduplicated, as notifications are designed (docs/reliability.md, Notifications). Cards, threads and
  // forum posts do not rely on it: they are found by reading back, by 160004 and by the forum read.
  const discord = await startFakeDiscord({
    rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 }, globalPerSecond: 500 },
    guilds: [
      {
        id: GUILD,
        name: 'discussion',
        channels: [
          { id: TEXT, name: 'papers' },
          { id: FORUM, name: 'paper-forum', type: 15, availableTags: [{ name: 'Scaling laws' }] },
        ],
        members: MEMBERS.map((userId, i) => ({ userId, username: `member-${i}` })),
      },
    ],
  });
  // Slow creations widen the windows a kill hurts most in; a few fail outright (retried with bounded backoff).
  discord.faults.delay({ method: 'POST', path: /\/threads$/ }, 30);
  discord.faults.delay({ method: 'POST', path: /\/messages$/ }, 20);
  discord.faults.failRate({ method: 'POST', path: /\/threads$/ }, 0.03, 500);
  const env = { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, DATA_DIR: dir, CORPUS_DIR: corpusDir, LOG_LEVEL: 'info' };

  let crashes = 0;
  let peakRss = 0;
  let killed = 0;
  // Members' 👍 on the cards and forum posts, some while the bot runs and some while it is down: in the end the
  // stored votes must be exactly the reactions standing (one per member and paper, whichever message it is on).
  const reacted = new Map<string, Set<string>>();
  const vote = (count: number) => {
    const messages = votableMessages(discord);
    for (let i = 0; i < count && messages.length > 0; i += 1) {
      const { messageId } = messages[Math.floor(random() * messages.length)]!;
      const member = MEMBERS[Math.floor(random() * MEMBERS.length)]!;
      const on = reacted.get(messageId) ?? new Set<string>();
      if (on.has(member) && random() < 0.5) {
        discord.unreact(messageId, member, '👍');
        on.delete(member);
      } else if (discord.react(messageId, member, '👍')) on.add(member);
      reacted.set(messageId, on);
    }
  };
  const watch = (bot: BotProcess) =>
    void bot.exited.then((code) => {
      if (code !== 0 && code !== 'SIGKILL' && code !== 'SIGTERM') {
        crashes += 1;
        problems.push(`the bot exited with ${String(code)}: ${bot.stderr().split('\n').slice(-3).join(' ').slice(0, 300)}`);
      }
    });
  for (let i = 0; i < kills; i += 1) {
    const bot = spawnBot(env);
    watch(bot);
    await bot.waitFor(/next digest/, 60_000).catch(() => undefined);
    await sleep(200 + Math.floor(random() * 1500));
    vote(4);
    peakRss = Math.max(peakRss, readPeakRssMb(bot.child.pid) ?? 0);
    if (isAlive(bot)) {
      bot.kill('SIGKILL');
      killed += 1;
    }
    await bot.exited;
    vote(4);
  }

  // The last run, undisturbed: every paper gets its card, its thread, its post and its mentions.
  const finisher = spawnBot(env);
  watch(finisher);
  const done = () => {
    const c = countDiscussion(discord);
    return (
      papers.every((p) => c.threads.get(p.id) && c.posts.get(p.id)) &&
      [...matching].every((id) => c.mentions.get(id)?.size === MEMBERS.length)
    );
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !done()) await sleep(250);
  await finisher.waitFor(/digest empty/, 30_000).catch(() => problems.push('the finisher never reached an empty digest'));
  await finisher.waitFor(/votes reconciled/, 60_000).catch(() => problems.push('the finisher never read the votes back'));
  peakRss = Math.max(peakRss, readPeakRssMb(finisher.child.pid) ?? 0);
  finisher.kill('SIGTERM');
  if ((await finisher.exited) !== 0) problems.push('the final stop did not exit 0');

  const counts = countDiscussion(discord);
  let duplicates = 0;
  let lost = 0;
  let unpinged = 0;
  let notifiedTwice = 0;
  for (const paper of papers) {
    for (const [what, map] of [
      ['card', counts.cards],
      ['thread', counts.threads],
      ['forum post', counts.posts],
    ] as const) {
      const n = map.get(paper.id) ?? 0;
      if (n === 0) {
        lost += 1;
        problems.push(`${paper.id} has no ${what}`);
      } else if (n > 1) {
        duplicates += n - 1;
        problems.push(`${paper.id} has ${n} ${what}s`);
      }
    }
    if (!matching.has(paper.id)) continue;
    const pinged = counts.mentions.get(paper.id) ?? new Map<string, number>();
    for (const member of MEMBERS) {
      const n = pinged.get(member) ?? 0;
      if (n === 0) unpinged += 1;
      if (n > 1) notifiedTwice += 1;
    }
  }
  if (counts.channelPings > 0) problems.push(`${counts.channelPings} mentions went to the channel instead of the papers' threads`);

  // The votes: members per paper from the reactions standing, against what the database counted (the finisher
  // read back the reactions made while no bot ran, and counted the others as they came).
  const paperOf = new Map(votableMessages(discord).map((m) => [m.messageId, m.paperId]));
  const expectedVotes = new Set<string>();
  for (const [messageId, members] of reacted) for (const member of members) expectedVotes.add(`${paperOf.get(messageId)}/${member}`);
  const stored = await openSqliteStore(databaseIn(dir));
  const countedVotes = new Set<string>();
  for (const [paperId, members] of stored.read().votes.get(GUILD) ?? [])
    for (const member of members.keys()) countedVotes.add(`${paperId}/${member}`);
  await stored.close();
  const votes = { applied: expectedVotes.size, counted: countedVotes.size };
  const wrong =
    [...expectedVotes].filter((v) => !countedVotes.has(v)).length + [...countedVotes].filter((v) => !expectedVotes.has(v)).length;
  if (wrong > 0) problems.push(`${votes.applied} votes standing on Discord, ${votes.counted} counted, ${wrong} differ`);

  await discord.close();
  await rm(dir, { recursive: true, force: true });
  return {
    scenario: 'discussion',
    load: `${papers.length} papers in a threads feed and a forum feed (${papers.length * 2} threads and posts), ${MEMBERS.length} subscribers, ${killed} kill -9 with restarts, ${votes.applied} votes standing (${votes.counted} counted)`,
    faults: "30 ms thread and post creations, 3% 5xx on them, Discord's nonce window (5 min)",
    papersExpected: papers.length * 2,
    papersPosted: papers.filter((p) => counts.threads.get(p.id)).length + papers.filter((p) => counts.posts.get(p.id)).length,
    duplicates,
    lost,
    unpinged,
    notifiedTwice,
    interactionsSent: null,
    interactionsAnswered: null,
    p99Ms: null,
    peakRssMb: peakRss || null,
    crashes,
    problems,
    durationMs: Date.now() - started,
  };
}
