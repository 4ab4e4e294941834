import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { runCli } from '../support/run-cli.js';

let server: FakeDiscord;
let dir: string;
let bot: BotProcess;
let port: number;
let env: Record<string, string>;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '0.0.0.0', resolve));
  const { port: free } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return free;
}

beforeAll(async () => {
  server = await startFakeDiscord();
  dir = await mkdtemp(join(tmpdir(), 'paperboy-healthz-'));
  port = await freePort();
  env = {
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: 'seeds',
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
    HEALTH_PORT: String(port),
    HEALTH_HOST: '0.0.0.0',
  };
  bot = spawnBot(env);
  await bot.waitFor(/health endpoint on/);
}, 60_000);

afterAll(async () => {
  bot.kill('SIGTERM');
  await bot.exited;
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the running bot's /healthz", () => {
  it('given HEALTH_HOST=0.0.0.0, then /healthz answers on another address of the machine (what `docker run -p` reaches)', async () => {
    // 127.0.0.2 is loopback on Linux but not the address 127.0.0.1: only a 0.0.0.0 listener answers there.
    const response = await fetch(`http://127.0.0.2:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(bot.stderr()).toContain(`health endpoint on http://0.0.0.0:${port}/healthz`);
  });

  it('given a request, then the answer reveals no token and no environment', async () => {
    const body = await (await fetch(`http://127.0.0.2:${port}/healthz`)).text();
    expect(body).not.toContain(server.token);
    expect(body).not.toMatch(/DISCORD_TOKEN|DISCORD_API_URL|STATE_FILE|PATH|HOME/);
    for (const value of [server.token, server.apiUrl, dir, process.env.PATH ?? '', process.env.HOME ?? ''])
      if (value) expect(body).not.toContain(value);
    const parsed = JSON.parse(body) as { ok: boolean; status: Record<string, unknown> };
    expect(parsed.ok).toBe(true);
    expect(parsed.status.mode).toBe('discord');
  });
});

describe('HEALTH_HOST validation', () => {
  it('given a host name instead of an address, then the start stops with exit 2 and says what to put', async () => {
    const result = await runCli(['start'], { env: { ...env, HEALTH_HOST: 'example.org', STATE_FILE: join(dir, 'other', 'state.json') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/HEALTH_HOST "example\.org" must be an IP address to listen on: 127\.0\.0\.1 .* 0\.0\.0\.0/);
  });
});
