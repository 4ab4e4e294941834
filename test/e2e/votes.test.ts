import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readState } from '../support/read-state.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import type { Vote } from '../../src/core/votes.js';

let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];
const MEMBER = (n: number) => String(800_000_000_000_000_000n + BigInt(n));

beforeEach(async () => {
  server = await startFakeDiscord();
  dir = await mkdtemp(join(tmpdir(), 'paperboy-votes-'));
});
afterEach(async () => {
  for (const bot of bots.splice(0)) {
    if (process.env.H2_DEBUG) console.log(bot.stderr().slice(-4000));
    bot.kill('SIGKILL');
  }
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
