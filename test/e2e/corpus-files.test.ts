import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { runCli } from '../support/run-cli.js';

const MANAGE_GUILD = (1n << 5n).toString();
const ADMIN = { id: '200000000000000001', username: 'admin' };
const DAILY = new URL('../fixtures/real/01-b-plaintext-urls-daily-2026-03-27.txt', import.meta.url);

let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];

beforeEach(async () => {
  server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
  dir = await mkdtemp(join(tmpdir(), 'paperboy-corpus-files-'));
});
afterEach(async () => {
  for (const bot of bots.splice(0)) bot.kill('SIGKILL');
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('corpus files that give nothing reach the admin', () => {
  it('given a quarantined copy and an unknown file in the corpus folder, then health is degraded and /digest status has an Attention line, each naming the file and why, until they are gone', async () => {
    const corpus = join(dir, 'corpus');
    await mkdir(join(corpus, 'captures'), { recursive: true });
    await cp('seeds', corpus, { recursive: true });
    // A browser copy-paste of a daily page: the URL lines are gone, so its "papers" are page chrome.
    const daily = await readFile(DAILY, 'utf8');
    await writeFile(
      join(corpus, 'captures', 'copied.txt'),
      daily
        .split('\n')
        .filter((line) => !/^\s*https?:\/\//.test(line))
        .join('\n'),
    );
    await writeFile(join(corpus, 'todo.md'), '# To do\n\nAsk for the daily export.\n');
    const env = {
      ...discordEnv(server),
      STATE_FILE: join(dir, 'state.json'),
      CORPUS_DIR: corpus,
      DIGEST_CRON: '* * * * * *',
      DIGEST_SIZE: '1',
    };
    const bot = spawnBot(env);
    bots.push(bot);
    const health = () => runCli(['health'], { env: { STATE_FILE: env.STATE_FILE } });

    await waitUntil(async () => /^degraded: /.test((await health()).stdout));
    const degraded = (await health()).stdout;
    expect(degraded).toContain(
      `degraded: 2 corpus files at ${corpus} give no papers: captures/copied.txt (quarantined: read as plain-text`,
    );
    expect(degraded).toContain('todo.md (no corpus format recognises it)');
    const status = await server.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'status',
      user: ADMIN,
      memberPermissions: MANAGE_GUILD,
    });
    expect(String(status.data?.content)).toMatch(
      /\*\*Attention:\*\* 2 corpus files at .* give no papers: captures\/copied\.txt \(quarantined: .*todo\.md \(no corpus format recognises it\)/,
    );
    // Nothing from the quarantined copy is posted: every card is a seed paper.
    // (on a busy machine the first digest may still be on its way when health already says degraded)
    const cards = () => server.messages(server.channelId).filter((m) => m.embeds.length > 0);
    await waitUntil(async () => Promise.resolve(cards().length > 0));
    for (const card of cards()) expect(String(card.embeds[0]!.title)).not.toMatch(/Daily Papers|Submitted by|Models/);

    await rm(join(corpus, 'captures'), { recursive: true });
    await rm(join(corpus, 'todo.md'));
    await waitUntil(async () => /^ok: /.test((await health()).stdout));
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 90_000);
});
