import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import { spawnBot, discordEnv } from '../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { createRandom } from '../support/generate-corpus.js';
import { readFeed } from '../support/read-state.js';

const KILLS = 16;
let server: FakeDiscord;
let dir: string;

beforeAll(async () => {
  server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
  // Slow creates widen the window between "request sent" and "response recorded", where a crash hurts most.
  server.faults.delay({ method: 'POST', path: /\/messages$/ }, 40);
  dir = await mkdtemp(join(tmpdir(), 'paperboy-crash-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const postedPaperIds = () => server.postedPaperIds();

describe('exactly once under kill -9', () => {
  it(`given the bot killed at ${KILLS} random instants of its digests, then every paper is posted exactly once, in order`, async () => {
    const env = {
      ...discordEnv(server, { guild: false }),
      STATE_FILE: join(dir, 'state.json'),
      CORPUS_DIR: 'seeds',
      DIGEST_CRON: '* * * * * *',
      DIGEST_SIZE: '2',
      LOG_LEVEL: 'info',
    };
    const { papers } = await loadCorpus('seeds');
    for (let seed = 1; seed <= KILLS; seed += 1) {
      const random = createRandom(seed);
      const bot = spawnBot(env);
      // Every fourth kill lands anywhere from spawn on (start-up included); the others land in the digests,
      // counted from the connection so a slow machine does not turn them all into start-up kills.
      if (seed % 4 !== 0) await bot.waitFor(/connected to Discord/, 30_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 1500)));
      bot.kill('SIGKILL');
      await bot.exited;
      const ids = postedPaperIds();
      expect(new Set(ids).size, `duplicate after kill #${seed}`).toBe(ids.length);
    }
    expect(postedPaperIds().length).toBeGreaterThan(0);

    const finisher = spawnBot({ ...env, DIGEST_SIZE: '10', LOG_LEVEL: 'info' });
    await finisher.waitFor(/no unposted papers remain/, 60_000);
    finisher.kill('SIGTERM');
    expect(await finisher.exited).toBe(0);

    const ids = postedPaperIds();
    expect(ids).toEqual(papers.map((p) => p.id));
    const feed = (await readFeed(dir))!;
    const posted = feed.posted;
    expect(feed.postedCount).toBe(ids.length);
    expect(
      Object.entries(posted)
        .sort((a, b) => a[1].seq - b[1].seq)
        .map(([id]) => id),
    ).toEqual(ids);
  }, 180_000);
});
