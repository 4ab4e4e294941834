import { Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDefinitions } from '../../src/adapters/discord/definitions.js';
import { createRestClient, listBotGuildIds, registerCommands } from '../../src/adapters/discord/register.js';
import { type FakeDiscord, type FakeDiscordOptions, startFakeDiscord } from '../support/fake-discord/index.js';
import { COMMAND_COUNT, COMMAND_NAMES } from '../support/commands.js';

const A = '190000000000000001';
const B = '190000000000000002';
const GONE = '190000000000000099';

let server: FakeDiscord | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: FakeDiscordOptions = { guilds: [{ id: A }, { id: B }] }) {
  server = await startFakeDiscord({ rateLimits: { otherRoutes: { limit: 1000, windowMs: 1000 }, globalPerSecond: 1000 }, ...options });
  const rest = createRestClient(server.token, server.apiUrl);
  const seed = (guildId?: string) =>
    rest.put(
      guildId ? Routes.applicationGuildCommands(server!.applicationId, guildId) : Routes.applicationCommands(server!.applicationId),
      {
        body: buildDefinitions(guildId ? { kind: 'guild', guildId } : { kind: 'global' }),
      },
    );
  return { server, rest, seed };
}

const names = (commands: Array<Record<string, unknown>>) => commands.map((c) => c.name).sort();
const writes = (s: FakeDiscord, path: string) => s.requests.filter((r) => r.method === 'PUT' && r.path === path).length;

describe('registering slash commands', () => {
  it('given global commands from an earlier start, then registering in a server removes them', async () => {
    const { server, rest, seed } = await start();
    await seed();
    const result = await registerCommands({
      rest,
      applicationId: server.applicationId,
      scope: { kind: 'guild', guildId: A },
      previousScope: 'global',
    });
    expect(result).toEqual({ count: COMMAND_COUNT, cleared: ['global'], problems: [] });
    expect(server.commands()).toEqual([]);
    expect(names(server.commands(A))).toEqual([...COMMAND_NAMES]);
  });

  it('given commands in the recorded server and in another server of the bot, then registering globally removes both', async () => {
    const { server, rest, seed } = await start();
    await seed(A);
    await seed(B);
    const result = await registerCommands({
      rest,
      applicationId: server.applicationId,
      scope: { kind: 'global' },
      previousScope: `guild:${A}`,
    });
    expect(result.cleared.sort()).toEqual([`guild:${A}`, `guild:${B}`]);
    expect(result.problems).toEqual([]);
    expect(server.commands(A)).toEqual([]);
    expect(server.commands(B)).toEqual([]);
    expect(server.commands()).toHaveLength(COMMAND_COUNT);
  });

  it('given a switch from one server to another, then the first server is emptied', async () => {
    const { server, rest, seed } = await start();
    await seed(A);
    const result = await registerCommands({
      rest,
      applicationId: server.applicationId,
      scope: { kind: 'guild', guildId: B },
      previousScope: `guild:${A}`,
    });
    expect(result.cleared).toEqual([`guild:${A}`]);
    expect(server.commands(A)).toEqual([]);
    expect(server.commands(B)).toHaveLength(COMMAND_COUNT);
  });

  it('given nothing stale, then every other scope is only read, never written', async () => {
    const { server, rest } = await start();
    const result = await registerCommands({
      rest,
      applicationId: server.applicationId,
      scope: { kind: 'guild', guildId: A },
      previousScope: null,
    });
    expect(result).toEqual({ count: COMMAND_COUNT, cleared: [], problems: [] });
    expect(writes(server, `/applications/${server.applicationId}/commands`)).toBe(0);
    expect(writes(server, `/applications/${server.applicationId}/guilds/${B}/commands`)).toBe(0);
    expect(
      server.requests
        .filter((r) => r.method === 'GET' && /\/commands$/.test(r.path))
        .map((r) => r.path)
        .sort(),
    ).toEqual([`/applications/${server.applicationId}/commands`, `/applications/${server.applicationId}/guilds/${B}/commands`].sort());
  });

  it('given a recorded server the bot has left, then it is skipped without a problem', async () => {
    const { server, rest } = await start();
    const result = await registerCommands({
      rest,
      applicationId: server.applicationId,
      scope: { kind: 'global' },
      previousScope: `guild:${GONE}`,
    });
    expect(result.problems).toEqual([]);
  });

  it('given a scope Discord refuses to read, then the problem is reported, not hidden', async () => {
    const { server, rest, seed } = await start();
    await seed();
    server.faults.failNext({ method: 'GET', path: new RegExp(`^/applications/\\d+/commands$`) }, { status: 403, code: 50013 });
    const result = await registerCommands({ rest, applicationId: server.applicationId, scope: { kind: 'guild', guildId: A } });
    expect(result.cleared).toEqual([]);
    expect(result.problems).toEqual([expect.stringMatching(/^global: 403 /)]);
  });

  it("given more than 200 servers, then every page of the bot's servers is read and the last server is emptied too", async () => {
    const guilds = Array.from({ length: 201 }, (_, i) => ({ id: String(200000000000000000n + BigInt(i)) }));
    const { server, rest, seed } = await start({ guilds });
    const last = guilds.at(-1)!.id;
    await seed(last);
    expect(await listBotGuildIds(rest)).toEqual(guilds.map((g) => g.id));
    const result = await registerCommands({ rest, applicationId: server.applicationId, scope: { kind: 'global' } });
    expect(result.cleared).toEqual([`guild:${last}`]);
    expect(server.commands(last)).toEqual([]);
    expect(server.requests.filter((r) => r.path === '/users/@me/guilds').map((r) => r.query)).toContain(
      `?limit=200&after=${guilds[199]!.id}`,
    );
  }, 30_000);
});
