import { once } from 'node:events';
import { ApplicationCommandOptionType, Client, Events, GatewayIntentBits, type Interaction, MessageFlags, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandContext, CommandData, SlashCommand } from '../../../src/adapters/discord/command.js';
import { readFocusedText, readOptions, readSubcommand } from '../../../src/adapters/discord/command-options.js';
import { createInteractionRouter } from '../../../src/adapters/discord/router.js';
import { type FakeDiscord, startFakeDiscord } from '../../support/fake-discord/index.js';
import { createMemoryLogger } from '../../support/memory-ports.js';

const GUILD = '160000000000000001';
type Json = Record<string, unknown>;

const lookup = {
  name: 'lookup',
  description: 'lookup',
  options: [
    { type: ApplicationCommandOptionType.String, name: 'query', description: 'q', required: true, autocomplete: true },
    { type: ApplicationCommandOptionType.Boolean, name: 'public', description: 'p' },
    { type: ApplicationCommandOptionType.String, name: 'note', description: 'n' },
  ],
} as const satisfies CommandData;

const control = {
  name: 'control',
  description: 'control',
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'start', description: 's' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'halt', description: 'h' },
  ],
} as const satisfies CommandData;

const read: unknown[] = [];
const commands: SlashCommand[] = [
  {
    data: lookup,
    async execute(interaction) {
      const values = readOptions(interaction, lookup);
      read.push(values);
      await interaction.reply({ content: 'read', flags: MessageFlags.Ephemeral });
    },
    autocomplete: (interaction) => [{ name: `typed: ${readFocusedText(interaction)}`, value: 'typed' }],
  },
  {
    data: control,
    async execute(interaction) {
      read.push(readSubcommand(interaction, control));
      await interaction.reply({ content: 'read', flags: MessageFlags.Ephemeral });
    },
  },
];

let server: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
  read.length = 0;
});

async function boot(): Promise<FakeDiscord> {
  server = await startFakeDiscord({ guilds: [{ id: GUILD, channels: [{ id: '160000000000000011', name: 'papers' }] }] });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
  await client.rest.put(Routes.applicationGuildCommands(server.applicationId, GUILD), { body: [lookup, control] });
  const route = createInteractionRouter({ logger: createMemoryLogger() } as unknown as CommandContext, { commands });
  client.on(Events.InteractionCreate, (interaction: Interaction) => void route(interaction));
  return server;
}

const firstOption = (payload: Json): Json => ((payload.data as Json).options as Json[])[0]!;

describe('option readers typed from a definition', () => {
  it('given the options a member typed, then each is read under its name, and an option left out is undefined', async () => {
    const server = await boot();
    await server.interact({ type: 'command', name: 'lookup', guildId: GUILD, options: { query: 'scaling laws', public: true } });
    await server.interact({ type: 'command', name: 'lookup', guildId: GUILD, options: { query: 'x', note: 'hello' } });
    expect(read).toEqual([
      { query: 'scaling laws', public: true, note: undefined },
      { query: 'x', public: undefined, note: 'hello' },
    ]);
  });

  it('given a blank required text, then the member is asked to give it', async () => {
    const server = await boot();
    const outcome = await server.interact({ type: 'command', name: 'lookup', guildId: GUILD, options: { query: '   ' } });
    expect(outcome.data!.content).toBe('Please give a `query`.');
    expect(outcome.ephemeral).toBe(true);
    expect(read).toEqual([]);
  });

  it('given a text option that arrives as a number, then the member is told it could not be read', async () => {
    const server = await boot();
    const outcome = await server.interactMutated(
      { type: 'command', name: 'lookup', guildId: GUILD, options: { query: 'x' } },
      (payload) => {
        firstOption(payload).value = 42;
        return payload;
      },
    );
    expect(outcome.data!.content).toBe(
      'The `query` option arrived in a shape Paperboy cannot read. Try the command again, picking from the suggestions.',
    );
    expect(read).toEqual([]);
  });

  it('given a boolean option that arrives as text, then it counts as not given', async () => {
    const server = await boot();
    await server.interactMutated({ type: 'command', name: 'lookup', guildId: GUILD, options: { public: true, query: 'x' } }, (payload) => {
      firstOption(payload).value = 'yes';
      return payload;
    });
    expect(read).toEqual([{ query: 'x', public: undefined, note: undefined }]);
  });

  it('given an autocomplete, then the focused text is what was typed', async () => {
    const server = await boot();
    const outcome = await server.interact({
      type: 'autocomplete',
      name: 'lookup',
      guildId: GUILD,
      options: { query: 'sca' },
      focused: 'query',
    });
    expect(outcome.data!.choices).toEqual([{ name: 'typed: sca', value: 'typed' }]);
  });
});

describe('the subcommand reader', () => {
  it('given a subcommand of the definition, then it is read', async () => {
    const server = await boot();
    await server.interact({ type: 'command', name: 'control', guildId: GUILD, subcommand: 'halt' });
    expect(read).toEqual(['halt']);
  });

  it('given no subcommand, then the member is shown the ones there are', async () => {
    const server = await boot();
    const outcome = await server.interactMutated({ type: 'command', name: 'control', guildId: GUILD, subcommand: 'start' }, (payload) => {
      delete (payload.data as Json).options;
      return payload;
    });
    expect(outcome.data!.content).toBe('Pick one of `/control start` or `/control halt`.');
    expect(read).toEqual([]);
  });

  it('given a subcommand the definition does not have, then the member is told which to use', async () => {
    const server = await boot();
    const outcome = await server.interactMutated({ type: 'command', name: 'control', guildId: GUILD, subcommand: 'start' }, (payload) => {
      firstOption(payload).name = 'explode';
      return payload;
    });
    expect(outcome.data!.content).toBe('Unknown subcommand `explode`; use start or halt.');
    expect(read).toEqual([]);
  });
});
