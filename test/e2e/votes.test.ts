import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readState } from '../support/read-state.js';
import { type FakeDiscord, type InteractionOutcome, startFakeDiscord } from '../support/fake-discord/index.js';
import { PermissionFlagsBits } from 'discord.js';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import type { Vote } from '../../src/core/votes.js';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { databaseIn } from '../support/read-state.js';

let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];
const MEMBER = (n: number) => String(800_000_000_000_000_000n + BigInt(n));

beforeEach(async () => {
  server = await startFakeDiscord();
  dir = await mkdtemp(join(tmpdir(), 'paperboy-votes-'));
});
afterEach(async () => {
  for (const bot of bots.splice(0)) bot.kill('SIGKILL');
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function start(extra: Record<string, string> = {}): BotProcess {
  const bot = spawnBot({
    ...discordEnv(server),
    DATA_DIR: dir,
    CORPUS_DIR: 'seeds',
    DIGEST_CRON: '*/2 * * * * *',
    LOG_LEVEL: 'debug',
    ...extra,
  });
  bots.push(bot);
  return bot;
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The votes the bot's database holds, as `server/paper: members` (sorted). */
async function votesNow(): Promise<Record<string, string[]>> {
  const votes: Vote[] = (await readState(dir))?.votes ?? [];
  const out: Record<string, string[]> = {};
  for (const v of votes) (out[v.paperId] ??= []).push(v.userId);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The posted paper cards: message id → paper id, from the database. */
async function postedCards(): Promise<Array<{ messageId: string; paperId: string }>> {
  const state = await readState(dir);
  return (state?.feeds ?? []).flatMap((f) => f.posted.map((p) => ({ messageId: p.messageId, paperId: p.paperId })));
}

const sorted = (record: Record<string, string[]>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));

async function stop(bot: BotProcess): Promise<void> {
  bot.kill('SIGTERM');
  expect(await bot.exited).toBe(0);
}

describe('votes by reaction', () => {
  it("given members reacting with 👍 on paper cards, then each counts once per paper, removals take it back, and other emojis, other messages and the bot's own reactions count for nothing, also after a restart", async () => {
    const bot = start();
    await waitUntil(async () => (await postedCards()).length >= 3);
    // Posting stops here: the cards are what the test reacts to.
    await stop(bot);
    const [first, second] = await postedCards();
    const header = server.messages(server.channelId).find((m) => m.embeds.length === 0)!;

    const running = start({ DIGEST_CRON: '0 0 1 1 *' });
    await running.waitFor(/next digest: /);
    server.react(first!.messageId, MEMBER(1), '👍');
    server.react(first!.messageId, MEMBER(2), '👍');
    server.react(first!.messageId, MEMBER(3), '🎉');
    server.react(second!.messageId, MEMBER(1), '👍');
    server.react(header.id, MEMBER(4), '👍');
    server.react(first!.messageId, server.botUserId, '👍');
    server.unreact(second!.messageId, MEMBER(1), '👍');
    await waitUntil(async () => JSON.stringify(await votesNow()) === JSON.stringify({ [first!.paperId]: [MEMBER(1), MEMBER(2)] }));
    await stop(running);

    // After a restart no message is in any cache: the reactions arrive as partials and still count.
    const again = start({ DIGEST_CRON: '0 0 1 1 *' });
    await again.waitFor(/next digest: /);
    server.react(second!.messageId, MEMBER(5), '👍');
    server.unreact(first!.messageId, MEMBER(2), '👍');
    const expected = { [first!.paperId]: [MEMBER(1)], [second!.paperId]: [MEMBER(5)] };
    await waitUntil(async () => JSON.stringify(await votesNow()) === JSON.stringify(sorted(expected)));
    await stop(again);
  });

  it('given a member reacting with 🔖 on a paper card, then the paper is in their reading list, and taking the reaction back keeps it there', async () => {
    const bot = start();
    await waitUntil(async () => (await postedCards()).length >= 2);
    await stop(bot);
    const [first, second] = await postedCards();
    const running = start({ DIGEST_CRON: '0 0 1 1 *' });
    await running.waitFor(/next digest: /);
    server.react(first!.messageId, MEMBER(1), '🔖');
    server.react(second!.messageId, MEMBER(2), '🔖');
    // Taking the bookmark back leaves the list as it is: a member removes papers with /reading-list show.
    server.unreact(first!.messageId, MEMBER(1), '🔖');
    const listOf = async (member: string) =>
      ((await readState(dir))?.readingLists ?? []).filter((r) => r.userId === member).map((r) => r.paperId);
    await waitUntil(async () => (await listOf(MEMBER(1))).length === 1 && (await listOf(MEMBER(2))).length === 1);
    expect(await listOf(MEMBER(1))).toEqual([first!.paperId]);
    expect(await listOf(MEMBER(2))).toEqual([second!.paperId]);
    await stop(running);
  });

  it('given reactions added and removed while the bot was down, then the restarted bot reads them back (paged beyond 100) and counts them', async () => {
    const bot = start();
    await waitUntil(async () => (await postedCards()).length >= 3);
    const [first, second, third] = await postedCards();
    server.react(first!.messageId, MEMBER(1), '👍');
    server.react(second!.messageId, MEMBER(9), '👍');
    await waitUntil(async () => Object.keys(await votesNow()).length === 2);
    bot.kill('SIGKILL');
    await bot.exited;

    // While it is down.
    server.unreact(first!.messageId, MEMBER(1), '👍');
    server.react(first!.messageId, MEMBER(2), '👍');
    server.react(first!.messageId, MEMBER(3), '👍');
    server.react(first!.messageId, server.botUserId, '👍');
    server.react(second!.messageId, MEMBER(4), '🎉');
    for (let n = 100; n < 230; n += 1) server.react(third!.messageId, MEMBER(n), '👍');

    const again = start({ DIGEST_CRON: '0 0 1 1 *' });
    await again.waitFor(/votes reconciled/);
    const votes = await votesNow();
    expect(votes[first!.paperId]).toEqual([MEMBER(2), MEMBER(3)]);
    expect(votes[second!.paperId]).toEqual([MEMBER(9)]);
    expect(votes[third!.paperId]).toHaveLength(130);
    // Read in pages of 100, Discord's maximum, each after the last member of the page before.
    const reads = server.requests.filter((r) => r.method === 'GET' && r.path.includes(`/messages/${third!.messageId}/reactions/`));
    expect(reads.map((r) => r.query)).toEqual(['?limit=100', `?limit=100&after=${MEMBER(199)}`]);
    await stop(again);
  });
});

describe('votes after a lost gateway session', () => {
  it('given a reaction while the session was invalidated (its event lost), then the new session reads it back', async () => {
    const bot = start();
    await waitUntil(async () => (await postedCards()).length >= 3);
    await stop(bot);
    const [card] = await postedCards();
    const running = start({ DIGEST_CRON: '0 0 1 1 *', DIGEST_CATCH_UP: 'false' });
    await running.waitFor(/votes reconciled/);
    const before = running.stderr().split('votes reconciled').length;
    // The session is forgotten at once: the reaction's event reaches nobody, and the bot identifies anew.
    server.faults.sendInvalidSession(false);
    server.react(card!.messageId, MEMBER(7), '👍');
    await waitUntil(() => running.stderr().split('votes reconciled').length > before, 30_000);
    await waitUntil(async () => (await votesNow())[card!.paperId]?.includes(MEMBER(7)) === true);
    await stop(running);
  });
});

const isBestOf = (body: Record<string, unknown>) => String(body.content ?? '').startsWith('🏆 **Best of the week**');
const bestOfs = () => server.messages(server.channelId).filter((m) => m.content.startsWith('🏆 **Best of the week**'));

/** Posts a first digest, stops, then gives the feed a `weekly` schedule (as the database would hold it) and one vote. */
async function prepareBestOf(weekly: string): Promise<Array<{ messageId: string; paperId: string }>> {
  const bot = start();
  await waitUntil(async () => (await postedCards()).length >= 3);
  await stop(bot);
  const cards = await postedCards();
  const store = await openSqliteStore(databaseIn(dir));
  const feed = store.read().feeds.get('env')!;
  await store.saveFeed({ ...feed, options: { ...feed.options, weekly } });
  await store.close();
  // A member's vote, cast while the bot is down: the start reads it back.
  server.react(cards[1]!.messageId, MEMBER(1), '👍');
  return cards;
}

describe('weekly best-of', () => {
  it('given a weekly schedule, then each period posts one compact message of its papers, the voted one first, and a period without new papers posts nothing', async () => {
    const cards = await prepareBestOf('*/3 * * * * *');
    const bot = start({ DIGEST_CRON: '0 0 1 1 *', DIGEST_CATCH_UP: 'false' });
    await bot.waitFor(/weekly best-of posted/);
    await bot.waitFor(/weekly best-of: no paper posted this period/, 10_000);
    await stop(bot);
    const posted = bestOfs();
    expect(posted).toHaveLength(1);
    const lines = posted[0]!.content.split('\n');
    expect(lines[1]).toContain(cards[1]!.paperId.slice(0, 20));
    expect(lines[1]).toMatch(/ · 👍 1$/);
    expect(lines).toHaveLength(1 + (await postedCards()).length);
    expect(posted[0]!.payload.allowed_mentions).toEqual({ parse: [] });
    const progress = (await readState(dir))!.feeds.find((f) => f.feed.id === 'env')!.progress;
    expect(progress.bestOf?.content).toBeNull();
  });

  it('given a kill -9 after the best-of reached Discord but before its message was recorded, then the restart sends it again with the same nonce and it exists once', async () => {
    await prepareBestOf('*/3 * * * * *');
    // The post is stored by Discord, and its answer held back: the bot dies waiting for it.
    server.faults.delay({ method: 'POST', path: /\/messages$/, body: isBestOf }, 30_000, { afterCommit: true });
    const bot = start({ DIGEST_CRON: '0 0 1 1 *', DIGEST_CATCH_UP: 'false' });
    await waitUntil(() => bestOfs().length === 1);
    bot.kill('SIGKILL');
    await bot.exited;
    const intent = (await readState(dir))!.feeds.find((f) => f.feed.id === 'env')!.progress.bestOf!;
    expect(intent.messageId).toBeNull();
    server.faults.clearDelays();

    const again = start({ DIGEST_CRON: '0 0 1 1 *', DIGEST_CATCH_UP: 'false' });
    await again.waitFor(/weekly best-of posted/);
    await stop(again);
    expect(bestOfs()).toHaveLength(1);
    const done = (await readState(dir))!.feeds.find((f) => f.feed.id === 'env')!.progress.bestOf!;
    // The schedule runs every 3 s: a later period may have come since, found no new paper and posted nothing.
    if (done.period === intent.period) expect(done.messageId).toBe(bestOfs()[0]!.id);
    else expect(done).toMatchObject({ content: null, messageId: null });
    const attempts = server.requests.filter(
      (r) =>
        r.method === 'POST' && r.path === `/channels/${server.channelId}/messages` && r.body && isBestOf(r.body as Record<string, unknown>),
    );
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    // Every attempt with the intent's nonce: Discord deduplicated the resend.
    expect(new Set(attempts.map((r) => (r.body as { nonce?: unknown }).nonce))).toEqual(new Set([intent.nonce]));
  });
});

describe('votes and the best-of set up by slash command', () => {
  it('given /digest setup vote_emoji:⭐ weekly:<cron>, then ⭐ votes (👍 does not) and /top ranks by them', async () => {
    const bot = spawnBot({
      DISCORD_TOKEN: server.token,
      DISCORD_API_URL: server.apiUrl,
      DISCORD_GUILD_ID: server.guildId,
      DATA_DIR: dir,
      CORPUS_DIR: 'seeds',
      LOG_LEVEL: 'debug',
    });
    bots.push(bot);
    await bot.waitFor(/registered \d+ slash commands/, 30_000);
    const admin = { id: MEMBER(90) };
    const ask = (name: string, options: Record<string, string | number | boolean>, subcommand?: string) =>
      server.interact({
        type: 'command',
        name,
        ...(subcommand ? { subcommand } : {}),
        options,
        guildId: server.guildId,
        channelId: server.channelId,
        user: admin,
        memberPermissions: PermissionFlagsBits.ManageGuild.toString(),
      });
    const final = async (outcome: InteractionOutcome) =>
      outcome.callbackType === 5 ? ((await outcome.waitForFinal(15_000)).content ?? '') : String(outcome.data?.content ?? '');

    const bad = await final(await ask('digest', { channel: server.channelId, vote_emoji: 'thumbs' }, 'setup'));
    expect(bad).toMatch(/`vote_emoji`: "thumbs" is not one emoji/);
    const set = await final(await ask('digest', { channel: server.channelId, vote_emoji: '⭐', weekly: '0 0 1 1 *' }, 'setup'));
    expect(set).toContain('**Votes:** react ⭐ on a paper card · **weekly best-of:** cron `0 0 1 1 *` (UTC)');
    await final(await ask('digest', {}, 'now'));
    await waitUntil(async () => (await postedCards()).length >= 3);
    const cards = await postedCards();
    server.react(cards[2]!.messageId, MEMBER(1), '⭐');
    server.react(cards[2]!.messageId, MEMBER(2), '⭐');
    server.react(cards[1]!.messageId, MEMBER(1), '👍');
    await waitUntil(async () => (await votesNow())[cards[2]!.paperId]?.length === 2);
    expect(Object.keys(await votesNow())).toEqual([cards[2]!.paperId]);

    const top = await final(await ask('top', { public: true }));
    expect(top.split('\n')[1]).toMatch(/ · ⭐ 2$/);
    expect(top.split('\n')[1]).toContain(cards[2]!.paperId.slice(0, 20));
    await stop(bot);
  });
});
