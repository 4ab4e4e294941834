import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readExplanationKey } from '../../src/core/digest-supply.js';
import { type BotProcess, discordEnv, spawnBot } from '../support/bot-process.js';
import { type FakeDiscord, type InteractionOutcome, startFakeDiscord } from '../support/fake-discord/index.js';
import { readFeed } from '../support/read-state.js';

// An empty digest explains itself through the real bot on the fake Discord: once in the channel, not at every tick,
// and in `/digest status`.

const MANAGE_GUILD = PermissionFlagsBits.ManageGuild.toString();
const ADMIN = '710000000000000001';
let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];

beforeEach(async () => {
  server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
  dir = await mkdtemp(join(tmpdir(), 'paperboy-empty-'));
});
afterEach(async () => {
  for (const bot of bots.splice(0)) bot.kill('SIGKILL');
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function spawn(cron: string): BotProcess {
  const bot = spawnBot({
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: 'seeds',
    DIGEST_CRON: cron,
    DIGEST_CATCH_UP: 'false',
    LOG_LEVEL: 'info',
  });
  bots.push(bot);
  return bot;
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
const ticks = (bot: BotProcess) => bot.stderr().match(/digest empty: 0 posted/g)?.length ?? 0;

async function waitUntil(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('an empty digest explains itself', () => {
  it('given topics no paper matches and empty ticks every second, then the channel is told why once, pinging nobody, and /digest status says it', async () => {
    const setup = spawn('0 0 1 1 *');
    await setup.waitFor(/registered \d+ slash commands/, 30_000);
    expect(await finalOf(await digest('setup', { channel: server.channelId, topics: 'quantum chromodynamics' }))).toContain(
      'quantum chromodynamics',
    );
    setup.kill('SIGTERM');
    expect(await setup.exited).toBe(0);

    const bot = spawn('* * * * * *');
    await waitUntil(() => ticks(bot) >= 3);
    const sentence =
      "Nothing to post: every one of the 51 new papers is filtered out, 51 by the include topics; an admin can widen the feed's include topics to let more through.";
    const notes = server.messages(server.channelId).filter((m) => !m.interactionId && readExplanationKey(m.content));
    expect(notes.map((m) => m.content)).toEqual([`ℹ️ ${sentence}\n-# Paperboy note: all-filtered`]);
    expect(notes[0]!.pinged).toEqual({ everyone: false, users: [], roles: [] });
    expect(notes[0]!.payload.nonce).toEqual(expect.any(String));
    expect(server.messages(server.channelId).filter((m) => !m.interactionId)).toHaveLength(1);
    expect(await finalOf(await digest('status'))).toContain(`**Why nothing new:** ${sentence}`);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect((await readFeed(dir))!.explained).toMatchObject({ key: 'all-filtered', messageId: notes[0]!.id });
  }, 90_000);
});
