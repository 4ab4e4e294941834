import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RunningShardManager, startShardManager } from '../../../src/adapters/discord/shard-manager.js';
import { type FakeDiscord, startFakeDiscord } from '../../support/fake-discord/index.js';
import { createMemoryLogger } from '../../support/memory-ports.js';

const CHILD = new URL('../../support/shard-child.ts', import.meta.url).pathname;
// Snowflakes whose timestamp part (id >> 22) is T + k: among 2 shards, guild k is on shard k % 2.
const T = 300_000_000_000n;
const snowflake = (k: number): string => (((T + BigInt(k)) << 22n) | 1n).toString();

let server: FakeDiscord | undefined;
let manager: RunningShardManager | undefined;
const saved = { ...process.env };

afterEach(async () => {
  await manager?.stop('test over');
  manager = undefined;
  await server?.close();
  server = undefined;
  process.env = { ...saved };
});

async function start(options: { count: number | 'auto'; childExitCode?: string }) {
  server = await startFakeDiscord({
    recommendedShards: 2,
    maxConcurrency: 16,
    guilds: [0, 1, 2, 3].map((k) => ({
      id: snowflake(k),
      name: `guild ${k}`,
      channels: [{ id: (BigInt(snowflake(k)) + 7n).toString(), name: 'general' }],
    })),
  });
  const logger = createMemoryLogger();
  // The children read the API URL from the environment they inherit, like a real `paperboy start` would.
  process.env.DISCORD_API_URL = server.apiUrl;
  if (options.childExitCode) process.env.SHARD_CHILD_EXIT_CODE = options.childExitCode;
  const running = startShardManager({
    file: CHILD,
    args: [],
    execArgv: ['--import', 'tsx'],
    count: options.count,
    token: server.token,
    apiUrl: server.apiUrl,
    logger,
  });
  return { logger, running };
}

describe('startShardManager', () => {
  it('given SHARDS=auto, then the count comes from the configured API, each shard is a process on its own session with its own guilds, and a stop ends them all with exit 0', async () => {
    const { running } = await start({ count: 'auto' });
    manager = await running;
    expect(manager.count).toBe(2);
    await vi.waitFor(() => expect(server!.sessions().filter((s) => s.connected)).toHaveLength(2), { timeout: 20_000 });
    const byShard = new Map(server!.sessions().map((s) => [s.shard.join('/'), s.guildIds]));
    expect(byShard.get('0/2')).toEqual([snowflake(0), snowflake(2)]);
    expect(byShard.get('1/2')).toEqual([snowflake(1), snowflake(3)]);
    const pids = manager.shards().map((shard) => shard.process!.pid);
    expect(new Set(pids).size).toBe(2);
    expect(await manager.stop('received SIGTERM')).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid!, 0)).toThrow();
    manager = undefined;
  }, 60_000);

  it('given a shard killed with SIGKILL, then the manager starts it again on the same shard', async () => {
    const { running, logger } = await start({ count: 2 });
    manager = await running;
    const victim = manager.shards().find((shard) => shard.id === 1)!;
    const before = victim.process!.pid;
    victim.process!.kill('SIGKILL');
    await vi.waitFor(() => expect(victim.process?.pid ?? before).not.toBe(before), { timeout: 20_000 });
    await vi.waitFor(() => expect(server!.sessions().filter((s) => s.connected && s.shard[0] === 1).length).toBeGreaterThan(0), {
      timeout: 20_000,
    });
    expect(logger.lines.map((l) => l.message)).toContain('shard 1 exited (code signal); discord.js starts it again');
  }, 60_000);

  it('given shards that exit 2 (an invalid configuration), then the manager stops every shard and exits 2 instead of respawning', async () => {
    const { running, logger } = await start({ count: 2, childExitCode: '2' });
    manager = await running;
    expect(await manager.exited).toBe(2);
    expect(logger.lines.map((l) => l.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/shard 0 stopped on an invalid configuration: stopping every shard/)]),
    );
  }, 60_000);
});
