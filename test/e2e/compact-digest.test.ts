import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import { readCompactPaperIds } from '../../src/core/compact-digest.js';
import type { Paper } from '../../src/core/paper.js';
import { matchTopics } from '../../src/core/topics.js';
import { type BotProcess, discordEnv, spawnBot } from '../support/bot-process.js';
import { type FakeDiscord, type InteractionOutcome, startFakeDiscord } from '../support/fake-discord/index.js';
import { createRandom } from '../support/generate-corpus.js';
import { readFeed, writeLegacyState } from '../support/read-state.js';

// The compact layout through the real bot on the fake Discord: set up by `/digest setup layout:compact`, one list
// message per digest with full cards for the papers a member subscribed to, and exactly once under kill -9.

const MANAGE_GUILD = PermissionFlagsBits.ManageGuild.toString();
const ADMIN = '700000000000000001';
const MEMBER = '700000000000000002';
let papers: Paper[];
let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];

beforeAll(async () => {
  papers = (await loadCorpus('seeds')).papers;
});
beforeEach(async () => {
  // No nonce window: a create retried after a crash is not deduplicated by Discord, so only reading the channel back
  // (the list's marker line) keeps a paper from being posted twice.
  server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } }, nonceWindowMs: 0 });
  dir = await mkdtemp(join(tmpdir(), 'paperboy-compact-'));
});
afterEach(async () => {
  for (const bot of bots.splice(0)) bot.kill('SIGKILL');
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function spawn(extra: Record<string, string> = {}): BotProcess {
  const bot = spawnBot({
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: 'seeds',
    DIGEST_SIZE: '5',
    // Never fires unless a test says so: digests come from `/digest now`.
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
    LOG_LEVEL: 'info',
    ...extra,
  });
  bots.push(bot);
  return bot;
}

/** A member following `topic` (in the state file the first start imports). */
async function seedSubscriber(topic: string): Promise<void> {
  server.addUser({ id: MEMBER, username: 'member' });
  await writeLegacyState(
    join(dir, 'state.json'),
    {},
    { subscriptions: { [MEMBER]: { topics: [topic], dm: false, updatedAt: '2026-06-01T00:00:00.000Z' } } },
  );
}

const digest = (subcommand: string, options: Record<string, string | number> = {}) =>
  server.interact({
    type: 'command',
    name: 'digest',
    subcommand,
    options,
    guildId: server.guildId,
    channelId: server.channelId,
    user: { id: ADMIN },
    memberPermissions: MANAGE_GUILD,
  });
const finalOf = async (outcome: InteractionOutcome): Promise<string> =>
  outcome.callbackType === 5 ? ((await outcome.waitForFinal(30_000)).content ?? '') : String(outcome.data?.content ?? '');

/** The bot's digest messages (no interaction replies). */
const posts = () => server.messages(server.channelId).filter((m) => !m.interactionId);
/** Every paper the channel shows, from card footers and list markers, in posting order. */
const shownIds = () =>
  posts().flatMap((m) => {
    const listed = readCompactPaperIds(m.content);
    if (listed) return listed;
    const footer = (m.embeds[0]?.footer as { text?: string } | undefined)?.text;
    return footer?.startsWith('Paper id: ') ? [footer.slice('Paper id: '.length)] : [];
  });
async function waitUntil(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
const matching = (topic: string, among: Paper[]) => among.filter((p) => matchTopics(p, [topic]).length > 0);

describe('compact layout, end to end', () => {
  it('given /digest setup layout:compact and a member subscribed to a topic, then /digest now posts one list message and a full card, with the mention, for each subscribed paper', async () => {
    await seedSubscriber('language models');
    const bot = spawn();
    await bot.waitFor(/registered \d+ slash commands/, 30_000);
    expect(await finalOf(await digest('setup', { channel: server.channelId, layout: 'compact' }))).toContain('**Layout:** compact');
    expect(await finalOf(await digest('now'))).toMatch(/Posted digest #1: 5 papers/);

    const first = papers.slice(0, 5);
    const subscribed = matching('language models', first);
    expect(subscribed.length).toBeGreaterThan(0);
    expect(subscribed.length).toBeLessThan(5);
    const [list, ...cards] = posts();
    expect(list!.content.split('\n')[0]).toMatch(/^📰 \*\*Paperboy digest #1\*\* · .* · 5 new papers, 46 still to come$/);
    expect(list!.embeds).toEqual([]);
    expect(list!.pinged).toEqual({ everyone: false, users: [], roles: [] });
    expect(readCompactPaperIds(list!.content)).toEqual(first.filter((p) => !subscribed.includes(p)).map((p) => p.id));
    expect(cards.map((m) => (m.embeds[0]?.footer as { text: string }).text)).toEqual(subscribed.map((p) => `Paper id: ${p.id}`));
    expect(cards.every((m) => m.pinged.users.includes(MEMBER))).toBe(true);

    const feed = (await readFeed(dir))!;
    expect(Object.keys(feed.posted).sort()).toEqual(first.map((p) => p.id).sort());
    for (const p of first) expect(feed.posted[p.id]!.messageId).toBe(subscribed.includes(p) ? cards[subscribed.indexOf(p)]!.id : list!.id);
    expect(await finalOf(await digest('status'))).toContain('**Layout:** compact');
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 90_000);

  it('given kill -9 while the list is created but its answer not yet received, then the restart finds the list by its marker: nothing is listed twice and the cards follow', async () => {
    await seedSubscriber('language models');
    const setup = spawn();
    await setup.waitFor(/registered \d+ slash commands/, 30_000);
    await finalOf(await digest('setup', { channel: server.channelId, layout: 'compact' }));
    // The list is created in the channel; its answer is held until the process is dead.
    server.faults.delay(
      { method: 'POST', path: /\/messages$/, body: (b) => typeof b.content === 'string' && b.content.includes('-# Paper ids:') },
      60_000,
      { afterCommit: true },
    );
    void digest('now');
    await waitUntil(() => posts().length === 1);
    setup.kill('SIGKILL');
    await setup.exited;
    server.faults.clearDelays();
    expect((await readFeed(dir))!.pending).not.toEqual({});

    // The restart resumes the interrupted digest by itself.
    const bot = spawn();
    await bot.waitFor(/digest posted: \d+ posted/, 30_000);
    const first = papers.slice(0, 5);
    expect(posts().filter((m) => readCompactPaperIds(m.content))).toHaveLength(1);
    expect(bot.stderr()).toMatch(/found a compact list a crash left unrecorded/);
    expect(shownIds().sort()).toEqual(first.map((p) => p.id).sort());
    const feed = (await readFeed(dir))!;
    expect(Object.keys(feed.posted).sort()).toEqual(first.map((p) => p.id).sort());
    expect(feed.inFlight).toBeNull();
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 120_000);

  it('given a compact feed killed at random instants of its digests, then every paper is shown exactly once, as a list line or a card', async () => {
    await seedSubscriber('reasoning');
    // Slow creates widen the window between "request sent" and "response recorded", where a crash hurts most.
    server.faults.delay({ method: 'POST', path: /\/messages$/ }, 40);
    const setup = spawn();
    await setup.waitFor(/registered \d+ slash commands/, 30_000);
    expect(await finalOf(await digest('setup', { channel: server.channelId, layout: 'compact' }))).toContain('**Layout:** compact');
    setup.kill('SIGTERM');
    expect(await setup.exited).toBe(0);

    const every = { DIGEST_CRON: '* * * * * *', DIGEST_SIZE: '4' };
    // Five kills: the deterministic kill above is what proves the recovery; these look for what it does not foresee.
    for (let seed = 1; seed <= 5; seed += 1) {
      const random = createRandom(seed);
      const bot = spawn(every);
      if (seed % 4 !== 0) await bot.waitFor(/connected to Discord/, 30_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 1500)));
      bot.kill('SIGKILL');
      await bot.exited;
      const ids = shownIds();
      expect(new Set(ids).size, `duplicate after kill #${seed}`).toBe(ids.length);
    }
    const finisher = spawn({ ...every, DIGEST_SIZE: '10' });
    await finisher.waitFor(/no unposted papers remain/, 90_000);
    finisher.kill('SIGTERM');
    expect(await finisher.exited).toBe(0);

    expect(shownIds().sort()).toEqual(papers.map((p) => p.id).sort());
    expect(posts().filter((m) => readCompactPaperIds(m.content)).length).toBeGreaterThan(0);
    // Subscribed papers came as cards, the others in lists.
    const cards = server.postedPaperIds();
    expect(cards.sort()).toEqual(
      matching('reasoning', papers)
        .map((p) => p.id)
        .sort(),
    );
    const feed = (await readFeed(dir))!;
    expect(feed.postedCount).toBe(papers.length);
    expect(Object.keys(feed.posted).sort()).toEqual(papers.map((p) => p.id).sort());
    expect(Object.keys(feed.pending)).toEqual([]);
  }, 240_000);
});
