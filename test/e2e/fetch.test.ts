import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPaperIdFromFooter } from '../../src/core/format.js';
import { readFixture } from '../core/formats/fixtures.js';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { type FakeDiscord, type InteractionOutcome, startFakeDiscord } from '../support/fake-discord/index.js';
import { startFakeSources, type FakeSources } from '../support/fake-sources.js';
import { runCli } from '../support/run-cli.js';

const MANAGE_GUILD = (1n << 5n).toString();
const ADMIN = { id: '200000000000000001', username: 'admin' };
/** The real `GET /api/daily_papers` capture: 29 items, each with an arXiv id and upvotes. */
const ITEMS = JSON.parse(readFixture('07-d-api-json-daily-2024-10-25.json')) as Array<{
  paper: { id: string; upvotes: number };
  title: string;
}>;

let discord: FakeDiscord;
let sources: FakeSources;
let dir: string;
let corpus: string;
const bots: BotProcess[] = [];

beforeEach(async () => {
  discord = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
  sources = await startFakeSources();
  dir = await mkdtemp(join(tmpdir(), 'paperboy-fetch-e2e-'));
  corpus = join(dir, 'corpus');
  await mkdir(corpus);
});
afterEach(async () => {
  for (const bot of bots.splice(0)) bot.kill('SIGKILL');
  await discord.close();
  await sources.close();
  await rm(dir, { recursive: true, force: true });
});

/** Today in UTC: the day the bot asks the daily list for (with FETCH_DAYS=2, also yesterday, which stays empty). */
const today = () => new Date().toISOString().slice(0, 10);

/** The first `count` items of the real capture, with the upvotes of some papers changed. */
function dayList(count: number, upvotes: Record<string, number> = {}): unknown[] {
  return ITEMS.slice(0, count).map((item) =>
    upvotes[item.paper.id] === undefined ? item : { ...item, paper: { ...item.paper, upvotes: upvotes[item.paper.id] } },
  );
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const admin = (subcommand: 'now' | 'status') =>
  discord.interact({ type: 'command', name: 'digest', subcommand, user: ADMIN, memberPermissions: MANAGE_GUILD });
const finalContent = async (outcome: InteractionOutcome) => (await outcome.waitForFinal(30_000)).content;
const cards = () => discord.messages(discord.channelId).filter((m) => m.embeds.length > 0 && !m.interactionId);
const cardOf = (id: string) => cards().find((m) => readPaperIdFromFooter((m.embeds[0]!.footer as { text: string }).text) === id)!;

describe('the live daily list, fetched before each digest', () => {
  it('given SOURCES=hf-daily, then each digest fetches first, posts the new papers once with their real links, and a re-fetch updates upvotes without re-posting', async () => {
    const env = {
      ...discordEnv(discord),
      STATE_FILE: join(dir, 'state.json'),
      CORPUS_DIR: corpus,
      SOURCES: 'hf-daily',
      HF_API_URL: sources.hfApiUrl,
      FETCH_DAYS: '2',
      DIGEST_SIZE: '10',
      // Never fires during the test: digests are posted with /digest now.
      DIGEST_CRON: '0 0 1 1 *',
      DIGEST_CATCH_UP: 'false',
    };
    const bot = spawnBot(env);
    bots.push(bot);
    await bot.waitFor(/registered \d+ slash commands/, 30_000);
    expect(bot.stderr()).toContain(`live sources hf-daily: fetched into ${corpus} before each digest`);

    // First digest: the day's list so far (8 papers), fetched into the corpus folder, then posted.
    sources.setDay(today(), dayList(8));
    expect(await finalContent(await admin('now'))).toBe('Posted digest #1: 8 papers; 0 left.');
    expect(await readdir(join(corpus, 'hf-daily'))).toContain(`${today()}.json`);
    const first = ITEMS[0]!.paper.id; // Breaking the Memory Barrier …, 64 upvotes in the capture
    const card = cardOf(first).embeds[0]!;
    expect(card.title).toBe(ITEMS[0]!.title);
    expect(card.url).toBe(`https://huggingface.co/papers/${first}`);
    const fields = card.fields as Array<{ name: string; value: string }>;
    expect(fields).toContainEqual({
      name: 'Paper',
      value: `[arXiv](https://arxiv.org/abs/${first}) · [PDF](https://arxiv.org/pdf/${first})`,
    });
    expect(fields).toContainEqual(expect.objectContaining({ name: 'Upvotes', value: '▲ 64' }));

    // The list grew over the day (4 more papers) and the first paper gained upvotes: only the new ones are posted.
    sources.setDay(today(), dayList(12, { [first]: 512 }));
    expect(await finalContent(await admin('now'))).toBe('Posted digest #2: 4 papers; 0 left.');
    const posted = discord.postedPaperIds();
    expect(posted).toEqual(ITEMS.slice(0, 12).map((item) => item.paper.id));
    expect(new Set(posted).size).toBe(posted.length);

    // The stored numbers follow the source: the corpus and a later /paper card show the new count.
    const listed = await runCli(['corpus', '--json'], { env: { CORPUS_DIR: corpus } });
    const stored = (JSON.parse(listed.stdout) as { papers: Array<{ arxivId: string | null; upvotes: number | null }> }).papers;
    expect(stored.find((p) => p.arxivId === first)?.upvotes).toBe(512);
    const lookup = await discord.interact({ type: 'command', name: 'paper', options: { query: first }, user: ADMIN });
    const looked = (lookup.data!.embeds as Array<{ fields: Array<{ name: string; value: string }> }>)[0]!;
    expect(looked.fields).toContainEqual(expect.objectContaining({ name: 'Upvotes', value: '▲ 512' }));

    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    // Nothing was posted twice, and every fetch named Paperboy.
    expect(discord.postedPaperIds()).toEqual(posted);
    expect(sources.requests.every((r) => /^Paperboy\//.test(String(r.headers['user-agent'])))).toBe(true);
  }, 120_000);

  it('given the source answering an HTML page during a digest, then the digest posts from disk, health is degraded with the reason and /digest status has an Attention line, until a clean fetch', async () => {
    const env = {
      ...discordEnv(discord),
      STATE_FILE: join(dir, 'state.json'),
      CORPUS_DIR: corpus,
      SOURCES: 'hf-daily',
      HF_API_URL: sources.hfApiUrl,
      FETCH_DAYS: '2',
      DIGEST_SIZE: '5',
      DIGEST_CRON: '0 0 1 1 *',
      DIGEST_CATCH_UP: 'false',
    };
    const bot = spawnBot(env);
    bots.push(bot);
    await bot.waitFor(/registered \d+ slash commands/, 30_000);
    const health = async () => (await runCli(['health'], { env: { STATE_FILE: env.STATE_FILE } })).stdout;

    sources.setDay(today(), dayList(8));
    expect(await finalContent(await admin('now'))).toBe('Posted digest #1: 5 papers; 3 left.');

    // Both days answer the maintenance page: nothing new can be fetched, the three papers on disk still go out.
    sources.setDay(today(), dayList(12));
    sources.inject('/api/daily_papers', { kind: 'html' }, { kind: 'html' });
    expect(await finalContent(await admin('now'))).toBe('Posted digest #2: 3 papers; 0 left.');
    expect(discord.postedPaperIds()).toEqual(ITEMS.slice(0, 8).map((item) => item.paper.id));
    await bot.waitFor(/fetch hf-daily \d{4}-\d{2}-\d{2} warning: GET .* returned an HTML page instead of JSON/);

    await waitUntil(async () => /^degraded: /.test(await health()));
    const degraded = await health();
    expect(degraded).toMatch(
      /^degraded: the live source hf-daily failed at the last fetch \(.* UTC\): GET http:\/\/127\.0\.0\.1:\d+\/api\/daily_papers\?date=\d{4}-\d{2}-\d{2}&limit=50 returned an HTML page instead of JSON \("503 Service Temporarily Unavailable"\)/,
    );
    expect(degraded).toContain('(and 1 more problem). Digests go on with what the corpus folder already holds');
    const status = String((await admin('status')).data?.content);
    expect(status).toMatch(/\*\*Attention:\*\* the live source hf-daily failed at the last fetch .*returned an HTML page instead of JSON/);

    // The source is back: the next digest fetches the four new papers, and the concern is gone.
    expect(await finalContent(await admin('now'))).toBe('Posted digest #3: 4 papers; 0 left.');
    expect(String((await admin('status')).data?.content)).not.toMatch(/\*\*Attention:\*\*[^\n]*live source/);
    await waitUntil(async () => /^ok: /.test(await health()));
    expect(discord.postedPaperIds()).toEqual(ITEMS.slice(0, 12).map((item) => item.paper.id));
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 120_000);
});
