import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { type BotProcess, discordEnv, spawnBot } from '../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { startTestPostgres } from '../support/postgres.js';
import { itUnless } from '../support/skip.js';

// Two bot processes that both believe they run the same feed (a rolling deploy, or SHARD_IDS set alike on two
// machines), sharing one PostgreSQL database: each digest run holds the feed's lease, so only one of them posts it.

const { server: postgres, skip } = await startTestPostgres();
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  await postgres?.stop();
});
const it = itUnless(skip);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two processes on one PostgreSQL database', () => {
  it('given two bots running the same feed every second, with one of them killed -9 and restarted, then every paper is posted exactly once, in order', async () => {
    // Discord's nonce window at 0: only Paperboy's own records (and the lease) keep a paper from going out twice.
    const discord: FakeDiscord = await startFakeDiscord({
      nonceWindowMs: 0,
      rateLimits: { messagesPerChannel: { limit: 50, windowMs: 1000 } },
    });
    const url = await postgres!.createDatabase();
    const bots: BotProcess[] = [];
    try {
      const start = async () => {
        const dir = await mkdtemp(join(tmpdir(), 'paperboy-two-'));
        dirs.push(dir);
        const bot = spawnBot({
          ...discordEnv(discord),
          DATABASE_URL: url,
          DATA_DIR: dir,
          CORPUS_DIR: 'seeds',
          DIGEST_CRON: '* * * * * *',
          DIGEST_SIZE: '2',
          // The same machine's two processes: each needs its own health file, not a port.
          HEALTH_PORT: '',
        });
        bots.push(bot);
        return bot;
      };
      const a = await start();
      await a.waitFor(/next digest/, 30_000);
      const b = await start();
      await b.waitFor(/next digest/, 30_000);
      // Both run a while, one dies without warning and comes back, then both run on.
      await sleep(6000);
      a.kill('SIGKILL');
      await a.exited;
      const c = await start();
      await c.waitFor(/next digest/, 30_000);
      // A lease the killed process held lapses after its 60 s: the others wait that long at most.
      const deadline = Date.now() + 120_000;
      while (discord.postedPaperIds().length < 51 && Date.now() < deadline) await sleep(500);
      for (const bot of [b, c]) bot.kill('SIGTERM');
      expect(await b.exited).toBe(0);
      expect(await c.exited).toBe(0);
      const ids = discord.postedPaperIds();
      expect(ids.length - new Set(ids).size).toBe(0);
      expect(new Set(ids).size).toBe(51);
      // Both processes did post: the lease moved between them rather than one never running.
      expect([b, c].some((bot) => /is being run by another process now/.test(bot.stderr()))).toBe(true);
    } finally {
      for (const bot of bots) bot.kill('SIGKILL');
      await discord.close();
    }
  }, 240_000);
});
