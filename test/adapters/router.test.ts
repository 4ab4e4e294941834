import { once } from 'node:events';
import { ApplicationCommandOptionType, Client, Events, GatewayIntentBits, type Interaction, MessageFlags, Routes } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/app/errors.js';
import type { AutocompleteChoice } from '../../src/adapters/discord/choices.js';
import type { CommandContext, SlashCommand } from '../../src/adapters/discord/command.js';
import { createInteractionRouter } from '../../src/adapters/discord/router.js';
import { type FakeDiscord, type InteractionOutcome, startFakeDiscord } from '../support/fake-discord/index.js';
import { createMemoryLogger } from '../support/memory-ports.js';

// The interaction router driven by the real discord.js client against the fake Discord: the gate on where an
// interaction comes from (every server, no DM), unknown commands, buttons, and the one catch (a member's problem vs a
// bug, for commands and autocomplete). The handlers are probes; the real commands have their own tests.

const HOME = { guild: '130000000000000001', channel: '130000000000000011' };
const OTHER = { guild: '140000000000000001', channel: '140000000000000011' };
const STRANGER = { guild: '150000000000000001', channel: '150000000000000011' };
const MEMBER = { id: '310000000000000001', username: 'member' };
const INTERNAL = /^Something went wrong on Paperboy's side \(error id ([0-9a-f]{8})\)\. An admin can find it in the logs\.$/;

let server: FakeDiscord;
let client: Client;
const logger = createMemoryLogger();
const executed: string[] = [];

/** Autocomplete answers of the `probe` command, by what the member typed. */
function suggest(typed: string): AutocompleteChoice[] {
  if (typed === 'throw') throw new Error('index not ready');
  if (typed === 'many') return Array.from({ length: 40 }, (_, i) => ({ name: `choice ${i % 30} ${'x'.repeat(120)}`, value: `v${i % 30}` }));
  return [{ name: `${typed} papers`, value: `${typed}-id` }];
}

/** Probe handlers: each command does one thing, named by its `how` option. */
const probe: SlashCommand = {
  data: {
    name: 'probe',
    description: 'probe',
    options: [{ type: ApplicationCommandOptionType.String, name: 'how', description: 'what the probe does', autocomplete: true }],
  },
  async execute(interaction) {
    const how = interaction.options.getString('how') ?? 'serve';
    executed.push(how);
    if (how === 'member-problem') throw new UserFacingError('That topic is not followed.');
    if (how === 'bug') throw new TypeError("Cannot read properties of undefined (reading 'topics')");
    if (how === 'defer-then-bug') {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      throw new Error('state store went away');
    }
    if (how === 'reply-then-member-problem') {
      await interaction.reply({ content: 'first part', flags: MessageFlags.Ephemeral });
      throw new UserFacingError('The second part could not be sent.');
    }
    await interaction.reply({ content: 'served', flags: MessageFlags.Ephemeral });
  },
  autocomplete: (interaction) => suggest(interaction.options.getFocused()),
};

const content = (outcome: InteractionOutcome) => String(outcome.data?.content ?? '');
const errors = () => logger.lines.filter((l) => l.level === 'error');
/** The stack a log line carries, whether it logged the error itself or its stack as text. */
const stackOf = (err: unknown): string => (err instanceof Error ? String(err.stack) : String(err));

beforeAll(async () => {
  server = await startFakeDiscord({
    guilds: [
      { id: HOME.guild, channels: [{ id: HOME.channel, name: 'papers' }] },
      { id: OTHER.guild, channels: [{ id: OTHER.channel, name: 'general' }] },
      { id: STRANGER.guild, channels: [{ id: STRANGER.channel, name: 'lobby' }] },
    ],
  });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
  const how = { type: ApplicationCommandOptionType.String, name: 'how', description: 'what the probe does', autocomplete: true };
  // `ghost` is registered with Discord but has no handler: commands that are out of date.
  await client.rest.put(Routes.applicationCommands(server.applicationId), {
    body: [
      { name: 'probe', description: 'probe', contexts: [0, 1], options: [how] },
      { name: 'ghost', description: 'ghost', contexts: [0, 1], options: [how] },
    ],
  });
  const route = createInteractionRouter({ logger } as unknown as CommandContext, { commands: [probe] });
  client.on(Events.InteractionCreate, (interaction: Interaction) => void route(interaction));
});
afterAll(async () => {
  await client.destroy();
  await server.close();
});
beforeEach(() => {
  logger.lines.length = 0;
  executed.length = 0;
});

describe('interaction router: commands', () => {
  it('given a command from the home server, then its handler answers and nothing is logged', async () => {
    const outcome = await server.interact({ type: 'command', name: 'probe', guildId: HOME.guild, user: MEMBER });
    expect(content(outcome)).toBe('served');
    expect(executed).toEqual(['serve']);
    expect(logger.lines).toEqual([]);
  });

  it('given a command from any other server, then its handler answers there too (each server is served)', async () => {
    for (const guildId of [OTHER.guild, STRANGER.guild]) {
      const outcome = await server.interact({ type: 'command', name: 'probe', guildId, user: MEMBER });
      expect(content(outcome)).toBe('served');
    }
    expect(executed).toEqual(['serve', 'serve']);
    expect(logger.lines).toEqual([]);
  });

  it('given a command from a direct message, then it is refused ephemerally and no handler runs', async () => {
    const outcome = await server.interact({ type: 'command', name: 'probe', guildId: null, user: MEMBER });
    expect(outcome).toMatchObject({ callbackType: 4, ephemeral: true });
    expect(content(outcome)).toBe("Paperboy's commands work inside a server, not in direct messages.");
    expect(executed).toEqual([]);
    expect(errors()).toEqual([]);
  });

  it('given a command Discord knows but Paperboy has no handler for, then the member is told to ask for a re-registration', async () => {
    const outcome = await server.interact({ type: 'command', name: 'ghost', guildId: HOME.guild, user: MEMBER });
    expect(outcome.ephemeral).toBe(true);
    expect(content(outcome)).toBe(
      'Paperboy has no `/ghost` command (its commands may be out of date: an admin can run `paperboy register`).',
    );
    expect(errors()).toEqual([]);
  });

  it('given a handler that throws a UserFacingError, then the member sees its message, ephemerally, and it is not logged as a bug', async () => {
    const outcome = await server.interact({
      type: 'command',
      name: 'probe',
      options: { how: 'member-problem' },
      guildId: HOME.guild,
      user: MEMBER,
    });
    expect(outcome).toMatchObject({ callbackType: 4, ephemeral: true });
    expect(content(outcome)).toBe('That topic is not followed.');
    expect(logger.lines).toEqual([]);
  });

  it('given a handler that throws anything else, then the member sees an error id, and the log has the same id with the command, the member and the stack', async () => {
    const outcome = await server.interact({ type: 'command', name: 'probe', options: { how: 'bug' }, guildId: HOME.guild, user: MEMBER });
    expect(outcome.ephemeral).toBe(true);
    const errorId = INTERNAL.exec(content(outcome))?.[1];
    expect(errorId).toBeDefined();
    expect(content(outcome)).not.toMatch(/topics|TypeError/);
    expect(errors()).toEqual([
      {
        level: 'error',
        message: `command failed (error id ${errorId})`,
        fields: { errorId, command: 'probe', user: MEMBER.id, err: expect.anything() },
      },
    ]);
    expect(stackOf(errors()[0]!.fields.err)).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'topics'\)\n\s+at /);
  });

  it('given two failures, then each gets its own error id', async () => {
    const ids = [];
    for (let i = 0; i < 2; i += 1) {
      const outcome = await server.interact({ type: 'command', name: 'probe', options: { how: 'bug' }, guildId: HOME.guild, user: MEMBER });
      ids.push(INTERNAL.exec(content(outcome))?.[1]);
    }
    expect(new Set(ids).size).toBe(2);
  });

  it('given a handler that deferred and then failed, then the deferred reply is edited into the error message', async () => {
    const outcome = await server.interact({
      type: 'command',
      name: 'probe',
      options: { how: 'defer-then-bug' },
      guildId: HOME.guild,
      user: MEMBER,
    });
    expect(outcome).toMatchObject({ callbackType: 5, ephemeral: true });
    const final = await outcome.waitForFinal(5000);
    const errorId = INTERNAL.exec(final.content)?.[1];
    expect(errorId).toBeDefined();
    expect(errors().map((l) => l.fields.errorId)).toEqual([errorId]);
  });

  it('given a handler that replied and then failed, then the error message is an ephemeral follow-up', async () => {
    const outcome = await server.interact({
      type: 'command',
      name: 'probe',
      options: { how: 'reply-then-member-problem' },
      guildId: HOME.guild,
      user: MEMBER,
    });
    expect(content(outcome)).toBe('first part');
    await outcome.waitFor((o) => o.followUps.length > 0, 5000);
    expect(outcome.followUps.map((m) => [m.content, (m.flags & 64) !== 0])).toEqual([['The second part could not be sent.', true]]);
  });
});

describe('interaction router: autocomplete', () => {
  const typing = (value: string, guildId: string | null = HOME.guild) =>
    server.interact({ type: 'autocomplete', name: 'probe', options: { how: value }, focused: 'how', guildId, user: MEMBER });

  it("given typing in the home server, then the handler's choices are the answer", async () => {
    expect((await typing('scal')).data!.choices).toEqual([{ name: 'scal papers', value: 'scal-id' }]);
  });

  it('given a handler that throws, then the answer is no choices and the error is logged', async () => {
    const outcome = await typing('throw');
    expect(outcome.callbackType).toBe(8);
    expect(outcome.data!.choices).toEqual([]);
    expect(errors().map((l) => [l.message, l.fields.command, stackOf(l.fields.err).split('\n')[0]])).toEqual([
      ['autocomplete failed; answering with no choices', 'probe', 'Error: index not ready'],
    ]);
  });

  it('given more than 25 choices, long names and repeated values, then at most 25 distinct ones of at most 100 characters are sent', async () => {
    const choices = (await typing('many')).data!.choices as AutocompleteChoice[];
    expect(choices).toHaveLength(25);
    expect(new Set(choices.map((c) => c.value)).size).toBe(25);
    expect(Math.max(...choices.map((c) => c.name.length))).toBeLessThanOrEqual(100);
  });

  it('given typing in a direct message, then the one choice says why, and it picks nothing', async () => {
    expect((await typing('scal', null)).data!.choices).toEqual([
      { name: "Paperboy's commands work inside a server only", value: 'paperboy-refused' },
    ]);
  });

  it('given a command Discord knows but Paperboy has no handler for, then the answer is no choices', async () => {
    const outcome = await server.interact({
      type: 'autocomplete',
      name: 'ghost',
      options: { how: 'x' },
      focused: 'how',
      guildId: HOME.guild,
      user: MEMBER,
    });
    expect(outcome.data!.choices).toEqual([]);
    expect(errors()).toEqual([]);
  });

  it('given typing in another server, then its handler answers there too', async () => {
    expect((await typing('scal', STRANGER.guild)).data!.choices).toEqual([{ name: 'scal papers', value: 'scal-id' }]);
  });
});
