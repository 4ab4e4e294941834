import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFeed } from '../support/read-state.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { COMMAND_NAMES } from '../support/commands.js';

let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];

beforeEach(async () => {
  server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 50, windowMs: 1000 } } });
  dir = await mkdtemp(join(tmpdir(), 'paperboy-e2e-'));
});
afterEach(async () => {
  for (const bot of bots.splice(0)) bot.kill('SIGKILL');
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function botEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...discordEnv(server, { guild: false }),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: 'seeds',
    DIGEST_CRON: '*/2 * * * * *',
    ...extra,
  };
}

function start(extra: Record<string, string> = {}): BotProcess {
  const bot = spawnBot(botEnv(extra));
  bots.push(bot);
  return bot;
}

const postedPaperIds = () => server.postedPaperIds();

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('paperboy start against the fake Discord server', () => {
  it('given a schedule, then each tick posts a header and the next papers with valid payloads, and SIGTERM exits 0', async () => {
    const bot = start();
    await bot.waitFor(/next digest: /);
    await waitUntil(() => postedPaperIds().length >= 6);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    const ids = postedPaperIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(server.requests.filter((r) => r.status === 400)).toEqual([]);
    const messages = server.messages(server.channelId);
    expect(messages[0]!.content).toMatch(/^📰 \*\*Paperboy digest #1\*\* · .* · 3 new papers, 48 still to come$/);
    for (const m of messages) {
      expect(m.pinged).toEqual({ everyone: false, users: [], roles: [] });
      expect(m.payload.allowed_mentions).toEqual({ parse: [] });
      expect(typeof m.payload.nonce).toBe('string');
      expect(m.payload.enforce_nonce).toBe(true);
    }
    // Guilds, and Guild Message Reactions (votes): neither privileged.
    expect(server.gateway.identifiedIntents).toEqual([1 | (1 << 10)]);
    expect(Object.keys((await readFeed(dir))!.posted)).toEqual(ids);
  });

  it('given a restart, then nothing is posted twice', async () => {
    const first = start();
    await waitUntil(() => postedPaperIds().length >= 3);
    first.kill('SIGTERM');
    await first.exited;
    const second = start();
    await waitUntil(() => postedPaperIds().length >= 9);
    second.kill('SIGTERM');
    await second.exited;
    const ids = postedPaperIds();
    expect(new Set(ids).size).toBe(ids.length);
    // Commands are registered once (globally here: no DISCORD_GUILD_ID), not again at the second start.
    const registrations = server.requests.filter((r) => r.method === 'PUT' && /\/applications\/\d+\/commands$/.test(r.path));
    expect(registrations).toHaveLength(1);
    expect(
      server
        .commands()
        .map((c) => c.name)
        .sort(),
    ).toEqual([...COMMAND_NAMES]);
    expect(server.commands().every((c) => JSON.stringify(c.contexts) === '[0]')).toBe(true);
  });

  it('given 5xx errors, a 429 storm and dropped gateway sockets, then no paper is lost or duplicated', async () => {
    const bot = start({ DIGEST_CRON: '* * * * * *' });
    await bot.waitFor(/next digest: /);
    server.faults.failNext({ method: 'POST', path: /\/messages$/ }, { status: 500, count: 6 });
    server.faults.failNext({ method: 'POST', path: /\/messages$/ }, { status: 502, count: 1, afterCommit: true });
    await waitUntil(() => postedPaperIds().length >= 6, 30_000);
    server.faults.rateLimitStorm(1500);
    server.faults.dropGatewaySockets();
    await waitUntil(() => postedPaperIds().length >= 15, 40_000);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    // The faults really happened: 7 server errors and at least one 429 reached the bot.
    expect(server.requests.filter((r) => r.status >= 500).length).toBeGreaterThanOrEqual(7);
    expect(server.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(server.resumes + server.identifies).toBeGreaterThanOrEqual(2);
    const ids = postedPaperIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys((await readFeed(dir))!.posted)).toEqual(ids);
  }, 90_000);

  it('given an invalid token, then start exits 1 with a clear message and never prints the token', async () => {
    const bot = spawnBot(botEnv({ DISCORD_TOKEN: 'bad.token-value-1234567890' }));
    expect(await bot.exited).toBe(1);
    expect(bot.stderr()).toContain('Discord rejected DISCORD_TOKEN');
    expect(bot.stderr() + bot.stdout()).not.toContain('bad.token-value-1234567890');
  });

  it('given a channel the bot cannot post in, then it says so once and keeps running', async () => {
    server.setChannelPermissions(server.channelId, { canSend: false });
    const bot = start({ DIGEST_CRON: '* * * * * *' });
    await bot.waitFor(/lacks permissions/);
    await new Promise((r) => setTimeout(r, 2500));
    expect(bot.stderr().match(/lacks permissions/g)).toHaveLength(1);
    server.setChannelPermissions(server.channelId, { canSend: true });
    await waitUntil(() => postedPaperIds().length >= 3);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  });
});
