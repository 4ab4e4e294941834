import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import { readPaperIdFromFooter } from '../../src/core/format.js';
import type { Paper } from '../../src/core/paper.js';
import type { State } from '../../src/core/legacy-state.js';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { runCli } from '../support/run-cli.js';
import { readFeed, readState, subscriptionsOf, writeLegacyState } from '../support/read-state.js';
import { matchTopics } from '../../src/core/topics.js';

// Written by release 973d788 (see test/fixtures/state/README.md): 6 seed papers posted to a channel, 3 in console mode.
const FIXTURE = new URL('../fixtures/state/release-973d788-seed-posted.json', import.meta.url);
const FIXTURE_CHANNEL = 'channel:1577748352982978565';
const MANAGE_GUILD = (1n << 5n).toString();
const ADMIN = { id: '200000000000000001', username: 'admin' };

let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];

beforeEach(async () => {
  server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
  dir = await mkdtemp(join(tmpdir(), 'paperboy-upgrade-'));
});
afterEach(async () => {
  for (const bot of bots.splice(0)) bot.kill('SIGKILL');
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const cardsInChannel = () =>
  server.messages(server.channelId).flatMap((m) => {
    const id = readPaperIdFromFooter((m.embeds[0]?.footer as { text?: string } | undefined)?.text);
    return id ? [id] : [];
  });

/** One item of `GET /api/daily_papers` (2024 shape) for a paper of the seed, now with its arXiv id. */
function apiItem(arxivId: string, paper: Pick<Paper, 'title' | 'abstract'>, upvotes: number) {
  return {
    paper: {
      id: arxivId,
      title: paper.title,
      summary: paper.abstract,
      upvotes,
      publishedAt: '2024-11-26T10:00:00.000Z',
      authors: [{ name: 'A. Author', hidden: false }],
    },
    publishedAt: '2024-11-27T09:00:00.000Z',
    title: paper.title,
    numComments: 2,
  };
}

/** Asks the running bot for `/digest status`, as an admin. */
async function digestStatus(): Promise<string> {
  const outcome = await server.interact({
    type: 'command',
    name: 'digest',
    subcommand: 'status',
    user: ADMIN,
    memberPermissions: MANAGE_GUILD,
  });
  return String(outcome.data?.content ?? '');
}

/** Starts the bot without a digest due, reads `/digest status`, and stops it. */
async function statusFromBot(env: Record<string, string>): Promise<string> {
  const bot = spawnBot({ ...env, DIGEST_CRON: '0 0 1 1 *', DIGEST_CATCH_UP: 'false' });
  bots.push(bot);
  // The health file is written once the bot has started: from then on it answers, and stops cleanly on SIGTERM.
  await bot.waitFor(/next digest: /);
  for (let tries = 0; (await runCli(['health'], { env: { STATE_FILE: env.STATE_FILE! } })).code !== 0; tries += 1) {
    if (tries > 100) throw new Error('the bot did not report healthy');
    await new Promise((r) => setTimeout(r, 100));
  }
  const status = await digestStatus();
  bot.kill('SIGTERM');
  expect(await bot.exited).toBe(0);
  return status;
}

describe('upgrading from the release that identified papers by title', () => {
  it('given its state file and the seed now also in an API snapshot by arXiv id, then neither a dry run nor real digests post a paper again, and status counts stay right', async () => {
    const channel = `channel:${server.channelId}`;
    const old = JSON.parse(await readFile(FIXTURE, 'utf8')) as State;
    expect(old.version).toBe(2);
    const { [FIXTURE_CHANNEL]: posted, ...others } = old.destinations;
    const stateFile = join(dir, 'state.json');
    const written = JSON.stringify({ ...old, destinations: { ...others, [channel]: posted } });
    await writeFile(stateFile, written);
    const postedBefore = posted!.posted;

    const corpus = join(dir, 'corpus');
    await mkdir(join(corpus, 'hf-daily'), { recursive: true });
    await cp('seeds', corpus, { recursive: true });
    const seed = (await loadCorpus('seeds')).papers;
    const oldIds = Object.keys(postedBefore);
    expect(oldIds).toEqual(seed.slice(0, 6).map((p) => p.id));
    // Two posted papers (seq 1 and 5), one not yet posted, and one the seed does not have. 2411.17691 is the real
    // arXiv id of the first; the others are written for this test.
    const items = [
      apiItem('2411.17691v1', seed[0]!, 64),
      apiItem('2410.11840', seed[4]!, 12),
      apiItem('2411.00010', seed[10]!, 3),
      apiItem(
        '2411.99999',
        { title: 'A Paper Only the Daily List Has', abstract: 'It arrived with the API snapshot and is posted once, like any new paper.' },
        1,
      ),
    ];
    await writeFile(join(corpus, 'hf-daily', '2024-11-27.json'), JSON.stringify(items));
    const env = { ...discordEnv(server), STATE_FILE: stateFile, CORPUS_DIR: corpus, DIGEST_SIZE: '10' };

    // Before any digest of the new version: the first start imported the file (kept, renamed), the records are still
    // under the old ids, and the counts are right.
    const before = await statusFromBot(env);
    expect(before).toContain('**Posted:** 6 papers in 2 digests');
    expect(before).toContain('**Left:** 46 of 52');
    expect(await readFile(`${stateFile}.imported`, 'utf8')).toBe(written);
    await expect(readFile(stateFile, 'utf8')).rejects.toThrow(/ENOENT/);

    const saved = await readState(dir);
    const dry = await runCli(['digest', '--dry-run', '--count', '3'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Dry run for ${channel}: the next digest would post 3 papers; 43 would remain.`);
    for (const paper of seed.slice(0, 6)) expect(dry.stdout).not.toContain(paper.title.slice(0, 40));
    expect(dry.stdout).toContain(seed[6]!.title.slice(0, 40));
    expect(await readState(dir)).toEqual(saved);

    const logs: string[] = [];
    for (let run = 0; run < 8; run += 1) {
      const result = await runCli(['digest'], { env });
      logs.push(result.stderr);
      expect(result.code).toBe(0);
      if (/no unposted papers remain/.test(result.stderr)) break;
    }
    const cards = cardsInChannel();
    expect(cards).toHaveLength(46);
    expect(new Set(cards).size).toBe(46);
    for (const id of [...oldIds, '2411.17691', '2410.11840']) expect(cards).not.toContain(id);
    expect(cards).toContain('2411.00010');
    expect(cards.at(-1)).toBe('2411.99999');
    expect(logs.join('\n').match(/2 papers are now identified by their arXiv id/g)).toHaveLength(1);

    const record = (await readFeed(dir))!.posted;
    expect(Object.keys(record)).toHaveLength(52);
    expect(record['2411.17691']).toEqual({ ...postedBefore[seed[0]!.id], paperId: '2411.17691' });
    expect(record['2410.11840']).toEqual({ ...postedBefore[seed[4]!.id], paperId: '2410.11840' });
    expect(record[seed[0]!.id]).toBeUndefined();
    // The console feed's records moved when console mode ran a digest: here it never did, so its ids are the old ones.
    expect(Object.keys((await readFeed(dir, 'console'))!.posted)).toEqual(seed.slice(0, 3).map((p) => p.id));

    const final = await statusFromBot(env);
    expect(final).toContain('**Posted:** 52 papers in 7 digests');
    expect(final).toContain('**Left:** none');
  }, 180_000);

  it('given its state file in console mode, then the next printed digest starts after the papers it printed before', async () => {
    const stateFile = join(dir, 'state.json');
    await writeFile(stateFile, await readFile(FIXTURE, 'utf8'));
    const corpus = join(dir, 'corpus');
    await mkdir(corpus);
    await cp('seeds', corpus, { recursive: true });
    const seed = (await loadCorpus('seeds')).papers;
    await writeFile(join(corpus, 'daily.json'), JSON.stringify([apiItem('2411.17691', seed[0]!, 64)]));
    const result = await runCli(['digest', '--count', '3'], { env: { STATE_FILE: stateFile, CORPUS_DIR: corpus } });
    expect(result.code).toBe(0);
    for (const paper of seed.slice(0, 3)) expect(result.stdout).not.toContain(paper.title.slice(0, 40));
    for (const paper of seed.slice(3, 6)) expect(result.stdout).toContain(paper.title.slice(0, 40));
  }, 60_000);
});

describe('upgrading a deployment without DISCORD_GUILD_ID', () => {
  it("given a state file with members' topics, then they belong to the digest channel's server once the bot has looked it up, and notify as before", async () => {
    const MEMBER = { id: '210000000000000001', username: 'reader' };
    server.addUser(MEMBER);
    const { papers } = await loadCorpus('seeds');
    const stateFile = join(dir, 'state.json');
    await writeLegacyState(
      stateFile,
      {},
      { subscriptions: { [MEMBER.id]: { topics: ['quantization'], dm: false, updatedAt: '2026-06-01T00:00:00.000Z' } } },
    );
    const bot = spawnBot({
      ...discordEnv(server, { guild: false }),
      STATE_FILE: stateFile,
      CORPUS_DIR: 'seeds',
      DIGEST_CRON: '0 0 1 1 *',
      DIGEST_CATCH_UP: 'false',
    });
    bots.push(bot);
    await bot.waitFor(/now belong to server \d+, the digest's server/);
    await bot.waitFor(/registered \d+ slash commands/);
    expect(subscriptionsOf(await readState(dir), server.guildId)).toEqual({
      [MEMBER.id]: { topics: ['quantization'], dm: false, updatedAt: '2026-06-01T00:00:00.000Z' },
    });
    const list = await server.interact({ type: 'command', name: 'subscriptions', user: MEMBER });
    expect(String(list.data?.content)).toMatch(/quantization/);
    const now = await server.interact({ type: 'command', name: 'digest', subcommand: 'now', user: ADMIN, memberPermissions: MANAGE_GUILD });
    expect((await now.waitForFinal(15_000)).content).toMatch(/^Posted digest #1/);
    const matching = papers.slice(0, 3).filter((p) => matchTopics(p, ['quantization']).length > 0);
    expect(matching.length).toBeGreaterThan(0);
    const pinged = server.messages(server.channelId).filter((m) => m.pinged.users.includes(MEMBER.id));
    expect(pinged).toHaveLength(matching.length);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 60_000);
});
