import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { formatPage, generatePapers } from '../support/generate-corpus.js';

// The parsed corpus and the search index are kept in DATA_DIR beside the database (cache/): a restart with the same corpus neither
// parses nor indexes, a damaged cache is rebuilt, and a file added while running is indexed without a rebuild.

let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];

beforeEach(async () => {
  server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
  dir = await mkdtemp(join(tmpdir(), 'paperboy-corpus-cache-'));
  await mkdir(join(dir, 'corpus'));
  await cp('seeds', join(dir, 'corpus'), { recursive: true });
  await writeFile(join(dir, 'corpus', 'generated.txt'), formatPage(generatePapers(300)));
});
afterEach(async () => {
  for (const bot of bots.splice(0)) bot.kill('SIGKILL');
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function start(env: Record<string, string> = {}): BotProcess {
  const bot = spawnBot({
    ...discordEnv(server),
    DATA_DIR: join(dir, 'data'),
    CORPUS_DIR: join(dir, 'corpus'),
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
    ...env,
  });
  bots.push(bot);
  return bot;
}

async function stop(bot: BotProcess): Promise<void> {
  // The signal handlers are installed just after ready.
  await new Promise((resolve) => setTimeout(resolve, 500));
  bot.kill('SIGTERM');
  expect(await bot.exited).toBe(0);
}

const search = async (query: string) =>
  (await server.interact({ type: 'command', name: 'paper', options: { query } })).data?.embeds ? 'card' : 'none';

describe('the corpus kept between starts', () => {
  it('given a start stopped at once, then the restart loads the index instead of building it, and answers the same', async () => {
    const first = start();
    await first.waitFor(/next digest: /, 60_000);
    expect(first.stderr()).toMatch(/search index built in \d+ ms/);
    await stop(first);
    const again = start();
    await again.waitFor(/next digest: /, 60_000);
    expect(again.stderr()).toMatch(/search index loaded in \d+ ms/);
    expect(again.stderr()).not.toMatch(/not used|rebuilding/);
    const outcome = await server.interact({ type: 'command', name: 'paper', options: { query: 'Adaptive Routing for Alignment' } });
    expect(JSON.stringify(outcome.data)).toMatch(/Routing/);
  }, 120_000);

  it('given a damaged cache, then the start says so, rebuilds, and answers', async () => {
    const first = start();
    await first.waitFor(/next digest: /, 60_000);
    await stop(first);
    await writeFile(join(dir, 'data', 'cache', 'corpus.bin'), 'not a corpus');
    await writeFile(join(dir, 'data', 'cache', 'search-index.bin'), '{"format":1}\ngarbage');
    const again = start();
    await again.waitFor(/next digest: /, 60_000);
    expect(again.stderr()).toMatch(/cached parsed corpus not used \(damaged\); rebuilding it/);
    expect(again.stderr()).toMatch(/cached search index not used \([^)]+\); rebuilding it/);
    expect(again.stderr()).toMatch(/search index built/);
    expect(await search('scaling laws')).toBe('card');
  }, 120_000);

  it('given a day’s file added while running, then the next digest’s read indexes it without a rebuild, and search finds it', async () => {
    const bot = start({ DIGEST_CRON: '* * * * * *', DIGEST_SIZE: '1' });
    await bot.waitFor(/next digest: /, 60_000);
    await writeFile(
      join(dir, 'corpus', 'zz-day.txt'),
      formatPage([
        { title: 'Zebrafish Stripes Decoded by Sparse Probes', abstract: 'We decode zebrafish stripes with sparse probes.', footer: null },
      ]),
    );
    await bot.waitFor(/search index updated in \d+ ms/, 30_000);
    expect(bot.stderr()).not.toMatch(/search index built[^\n]*\n[^]*search index built/);
    const outcome = await server.interact({ type: 'command', name: 'paper', options: { query: 'zebrafish stripes' } });
    expect(JSON.stringify(outcome.data)).toMatch(/Zebrafish Stripes Decoded/);
  }, 120_000);
});
