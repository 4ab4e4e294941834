import { afterEach, describe, expect, it } from 'vitest';
import { hashDefinitions, type CommandScope } from '../../../src/adapters/discord/definitions.js';
import { createRestClient } from '../../../src/adapters/discord/register.js';
import { registerCommandsIfChanged } from '../../../src/adapters/discord/registration.js';
import { createEmptyMeta, recordRegistration, type StoreMeta } from '../../../src/core/store-dump.js';
import { type FakeDiscord, startFakeDiscord } from '../../support/fake-discord/index.js';
import { createManualClock, createMemoryLogger, createMemoryStore } from '../../support/memory-ports.js';
import { COMMAND_COUNT } from '../../support/commands.js';

const A = '170000000000000001';
const GUILD_A: CommandScope = { kind: 'guild', guildId: A };

let server: FakeDiscord | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(initial: StoreMeta = createEmptyMeta()) {
  server = await startFakeDiscord({
    guilds: [{ id: A }],
    rateLimits: { otherRoutes: { limit: 1000, windowMs: 1000 }, globalPerSecond: 1000 },
  });
  const store = createMemoryStore();
  await store.updateMeta(() => initial);
  const logger = createMemoryLogger();
  const clock = createManualClock('2026-06-22T09:00:00.000Z');
  const register = (scope: CommandScope) =>
    registerCommandsIfChanged({
      rest: createRestClient(server!.token, server!.apiUrl),
      applicationId: server!.applicationId,
      scope,
      store,
      logger,
      clock,
    });
  const puts = () => server!.requests.filter((r) => r.method === 'PUT' && /\/commands$/.test(r.path)).length;
  return { server, store, logger, clock, register, puts };
}

describe('registering the slash commands when they changed', () => {
  it('given nothing recorded, then the commands are registered and what, where and when is recorded', async () => {
    const { server, store, logger, register } = await setup();
    await register(GUILD_A);
    expect(server.commands(A)).toHaveLength(COMMAND_COUNT);
    expect(store.read().meta.commands).toEqual({
      hash: hashDefinitions(GUILD_A),
      scope: `guild:${A}`,
      registeredAt: '2026-06-22T09:00:00.000Z',
    });
    expect(logger.lines.find((l) => l.level === 'info')?.message).toBe(`registered ${COMMAND_COUNT} slash commands (guild:${A})`);
  });

  it('given the same definitions and scope recorded, then Discord is not asked at all', async () => {
    const recorded = recordRegistration(createEmptyMeta(), {
      hash: hashDefinitions(GUILD_A),
      scope: `guild:${A}`,
      at: '2026-06-01T00:00:00.000Z',
    });
    const { server, store, register } = await setup(recorded);
    await register(GUILD_A);
    expect(server.requests).toEqual([]);
    expect(store.read().meta).toBe(recorded);
    expect(store.saves).toBe(1);
  });

  it('given other definitions recorded, then they are registered again and the new hash recorded', async () => {
    const recorded = recordRegistration(createEmptyMeta(), { hash: 'an-older-hash', scope: `guild:${A}`, at: '2026-06-01T00:00:00.000Z' });
    const { store, register, puts } = await setup(recorded);
    await register(GUILD_A);
    expect(puts()).toBe(1);
    expect(store.read().meta.commands?.hash).toBe(hashDefinitions(GUILD_A));
  });

  it('given a move from global to a server, then the global commands are removed and the new scope recorded', async () => {
    const { server, store, logger, clock, register } = await setup();
    await register({ kind: 'global' });
    expect(server.commands()).toHaveLength(COMMAND_COUNT);
    clock.advance(60_000);
    await register(GUILD_A);
    expect(server.commands()).toEqual([]);
    expect(server.commands(A)).toHaveLength(COMMAND_COUNT);
    expect(store.read().meta.commands).toEqual({
      hash: hashDefinitions(GUILD_A),
      scope: `guild:${A}`,
      registeredAt: '2026-06-22T09:01:00.000Z',
    });
    expect(logger.lines.filter((l) => l.level === 'info').at(-1)?.message).toBe(
      `registered ${COMMAND_COUNT} slash commands (guild:${A}); removed them from global`,
    );
  });

  it('given a stale scope that cannot be emptied, then nothing is recorded, so the next start tries again', async () => {
    const { server, store, logger, register, puts } = await setup();
    server.faults.failNext({ method: 'GET', path: /^\/applications\/\d+\/commands$/ }, { status: 403, code: 50013 });
    await register(GUILD_A);
    expect(store.read().meta.commands).toBeNull();
    expect(logger.lines.find((l) => l.level === 'warn')?.message).toMatch(
      /^could not remove Paperboy's commands from a scope it no longer uses \(global: 403 /,
    );
    await register(GUILD_A);
    expect(puts()).toBe(2);
    expect(store.read().meta.commands?.scope).toBe(`guild:${A}`);
  });

  it('given Discord refuses the registration, then the error is logged with what to do, nothing is recorded and nothing throws', async () => {
    const { server, store, logger, register } = await setup();
    server.faults.failNext({ method: 'PUT', path: /\/commands$/ }, { status: 403, code: 50001 });
    await expect(register(GUILD_A)).resolves.toBeUndefined();
    expect(store.read().meta.commands).toBeNull();
    expect(logger.lines.find((l) => l.level === 'error')?.message).toMatch(
      /^could not register the slash commands; digests still run\. .*`paperboy register`$/,
    );
  });
});
