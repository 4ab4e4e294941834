import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { healthFileFor } from '../../src/adapters/health-reporter.js';
import { readFleetHealth, removeShardHealthFiles, shardLabelOf, startShardHealthEndpoint } from '../../src/adapters/shard-health.js';
import type { HealthStatus } from '../../src/core/health.js';
import { createMemoryLogger } from '../support/memory-ports.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fake-token-that-must-never-be-served';

let dir: string;
let database: string;
let stop: (() => Promise<void>) | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-shard-health-'));
  database = join(dir, 'paperboy.sqlite');
});

afterEach(async () => {
  await stop?.();
  stop = null;
  await rm(dir, { recursive: true, force: true });
});

const status = (shard: number, overrides: Partial<HealthStatus> = {}): HealthStatus => ({
  pid: process.pid,
  mode: 'discord',
  connected: true,
  heartbeatAt: new Date().toISOString(),
  startedAt: new Date().toISOString(),
  nextRunAt: null,
  lastRun: null,
  problem: null,
  concerns: [],
  shards: [shard],
  feeds: { running: 10 + shard, paused: 0 },
  lagSeconds: shard,
  ...overrides,
});

const writeShard = (shard: number, overrides: Partial<HealthStatus> = {}) =>
  writeFile(healthFileFor(database, { ids: [shard], count: 2 }), JSON.stringify(status(shard, overrides)));

async function endpoint(): Promise<(path?: string) => Promise<{ code: number; body: Record<string, unknown> | string }>> {
  const served = await startShardHealthEndpoint({ databaseFile: database, port: 0, logger: createMemoryLogger(), secrets: [TOKEN] });
  stop = () => served.stop();
  return async (path = '/healthz') => {
    const response = await fetch(`http://127.0.0.1:${served.port}${path}`);
    const text = await response.text();
    return {
      code: response.status,
      body: response.headers.get('content-type') === 'application/json' ? (JSON.parse(text) as Record<string, unknown>) : text,
    };
  };
}

describe('the shard manager health endpoint', () => {
  it('given every shard healthy, then 200 with each shard: its gateway state, feeds owned and lag', async () => {
    await writeShard(0);
    await writeShard(1);
    const get = await endpoint();
    const { code, body } = await get();
    expect(code).toBe(200);
    expect(body).toMatchObject({
      ok: true,
      state: 'ok',
      shards: [
        { shard: 'shard 0', ok: true, status: { connected: true, feeds: { running: 10, paused: 0 }, lagSeconds: 0 } },
        { shard: 'shard 1', ok: true, status: { connected: true, feeds: { running: 11, paused: 0 }, lagSeconds: 1 } },
      ],
    });
    expect((await get('/other')).code).toBe(404);
  });

  it('given one shard disconnected or silent, then 503 naming that shard, and the token is never served', async () => {
    await writeShard(0);
    await writeShard(1, { connected: false, concerns: [`a message quoting ${TOKEN}`] });
    const get = await endpoint();
    const { code, body } = await get();
    expect(code).toBe(503);
    expect(body).toMatchObject({
      ok: false,
      shards: [
        { shard: 'shard 0', ok: true },
        { shard: 'shard 1', ok: false, reason: expect.stringMatching(/gateway/) },
      ],
    });
    expect(JSON.stringify(body)).not.toContain(TOKEN);

    await writeShard(1, { heartbeatAt: new Date(Date.now() - 120_000).toISOString() });
    expect(await get()).toMatchObject({
      code: 503,
      body: { shards: [{ ok: true }, { ok: false, reason: expect.stringMatching(/no heartbeat/) }] },
    });
  });

  it('given no shard has reported yet, then 503 saying so', async () => {
    const get = await endpoint();
    expect(await get()).toMatchObject({
      code: 503,
      body: { ok: false, reason: expect.stringMatching(/no shard has reported/), shards: [] },
    });
  });
});

describe('shard status files', () => {
  it('given files a previous run left, then the manager start removes every shard file and nothing else', async () => {
    await writeShard(0);
    await writeShard(3);
    await writeFile(healthFileFor(database), '{}');
    expect((await readFleetHealth(database)).map((r) => r.label)).toEqual(['shard 0', 'shard 3']);
    await removeShardHealthFiles(database);
    expect(await readdir(dir)).toEqual(['paperboy.sqlite.health']);
  });

  it('given file names, then labels name the shards', () => {
    expect(shardLabelOf('/d/paperboy.sqlite.shard-0+1.health')).toBe('shards 0, 1');
    expect(shardLabelOf('/d/paperboy.sqlite.shard-2.health')).toBe('shard 2');
    expect(shardLabelOf('/d/paperboy.sqlite.health')).toBe('bot');
  });
});
