import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { commandScopeFor } from '../../src/adapters/discord/definitions.js';
import { registerCommandsIfChanged } from '../../src/adapters/discord/registration.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { type DigestSession, openDigestSession } from '../../src/session.js';
import { discordEnv } from '../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { createMemoryLogger } from '../support/memory-ports.js';

let discord: FakeDiscord | null = null;
let session: DigestSession | null = null;
let dir: string | null = null;

afterEach(async () => {
  await session?.close();
  await session?.connection?.destroy();
  await discord?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  session = discord = dir = null;
});

describe('interactions that arrive while the bot is starting', () => {
  it('given an interaction after the gateway is ready but before the router is set, then it is answered once the router is set', async () => {
    discord = await startFakeDiscord();
    dir = await mkdtemp(join(tmpdir(), 'paperboy-session-'));
    const config = loadConfig({ ...discordEnv(discord), DATA_DIR: dir, CORPUS_DIR: 'seeds' });
    session = await openDigestSession(config, { out: () => undefined, columns: 80 }, createMemoryLogger(), {
      interactive: true,
      feeds: true,
    });
    // Registered by an earlier run of the bot, as in production: members can use them while this one starts.
    await registerCommandsIfChanged({
      rest: session.connection!.client.rest,
      applicationId: session.connection!.applicationId,
      scope: commandScopeFor(config.discord.guildId),
      store: session.store,
      logger: createMemoryLogger(),
      clock: systemClock,
    });
    const asked = discord.interact({ type: 'command', name: 'paper', options: { query: 'model' } });
    // The start is still busy (reconciling servers, registering commands): the interaction has reached the process.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const handled: string[] = [];
    session.setInteractionHandler(async (interaction) => {
      handled.push(interaction.id);
      if (interaction.isRepliable()) await interaction.reply({ content: 'answered' });
    });
    const outcome = await asked;
    expect(outcome.error).toBeUndefined();
    expect(outcome.data).toMatchObject({ content: 'answered' });
    expect(handled).toEqual([outcome.interactionId]);
  });
});
