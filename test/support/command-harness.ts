import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, type Interaction, Routes } from 'discord.js';
import { createCorpusCatalog } from '../../src/app/corpus-catalog.js';
import { createMemoryStore } from '../../src/app/memory-store.js';
import { createSubscriptions } from '../../src/app/subscriptions.js';
import { createChannelPoster } from '../../src/adapters/discord/channel-poster.js';
import type { CommandContext } from '../../src/adapters/discord/command.js';
import { buildDefinitions } from '../../src/adapters/discord/definitions.js';
import { installInteractionGuard } from '../../src/adapters/discord/interaction-guard.js';
import { createInteractionRouter } from '../../src/adapters/discord/router.js';
import type { Paper } from '../../src/core/paper.js';
import { type FakeDiscord, type GuildInput, startFakeDiscord } from './fake-discord/index.js';
import { createMemoryDesk } from './memory-desk.js';
import { createListCorpus, createManualClock, createMemoryLogger } from './memory-ports.js';

/** Paperboy's real commands, router and discord.js client against the fake Discord, over a memory store and desk. */
export interface CommandHarness {
  server: FakeDiscord;
  client: Client;
  context: CommandContext;
  desk: ReturnType<typeof createMemoryDesk>;
  clock: ReturnType<typeof createManualClock>;
  logger: ReturnType<typeof createMemoryLogger>;
  close(): Promise<void>;
}

/**
 * Starts the fake Discord with `guilds`, logs a discord.js client in (with the bot's interaction guard), registers Paperboy's commands globally (also in
 * DMs, so that a DM can be tried: Discord itself would not offer guild-only commands there) and routes interactions.
 */
export async function startCommandHarness(options: { guilds: GuildInput[]; papers: Paper[] }): Promise<CommandHarness> {
  const server = await startFakeDiscord({ guilds: options.guilds, rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
  const logger = createMemoryLogger();
  // As the bot's client does (client.ts): every payload is checked before discord.js parses it.
  installInteractionGuard(client, logger);
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
  const body = buildDefinitions({ kind: 'global' }).map((d) => ({ ...d, contexts: [0, 1] }));
  await client.rest.put(Routes.applicationCommands(server.applicationId), { body });
  const clock = createManualClock('2026-06-22T07:00:00.000Z');
  const corpus = createListCorpus(options.papers);
  const store = createMemoryStore();
  const catalog = await createCorpusCatalog({ source: corpus, logger, now: () => clock.now().getTime() });
  const desk = createMemoryDesk({
    store,
    clock,
    logger,
    corpus,
    posterFor: (feed) => createChannelPoster({ rest: client.rest, channelId: feed.channelId!, botUserId: () => client.user?.id ?? null }),
  });
  const context: CommandContext = {
    catalog,
    store,
    subscriptions: createSubscriptions({ store, catalog, clock, logger }),
    clock,
    logger,
    desk,
  };
  const route = createInteractionRouter(context);
  client.on(Events.InteractionCreate, (interaction: Interaction) => void route(interaction));
  return {
    server,
    client,
    context,
    desk,
    clock,
    logger,
    async close() {
      await client.destroy();
      await server.close();
    },
  };
}
