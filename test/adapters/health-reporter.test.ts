import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthEndpointError, type HealthReporter, startHealthReporter } from '../../src/adapters/health-reporter.js';
import type { HealthStatus } from '../../src/core/health.js';
import { createMemoryLogger } from '../support/memory-ports.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fake-token-that-must-never-be-served';

let dir: string;
let reporter: HealthReporter | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-health-'));
});

afterEach(async () => {
  await reporter?.stop();
  reporter = null;
  await rm(dir, { recursive: true, force: true });
});

/** A TCP port free right now on every interface. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '0.0.0.0', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const status = (overrides: Partial<HealthStatus> = {}): HealthStatus => ({
  pid: process.pid,
  mode: 'discord',
  connected: true,
  heartbeatAt: new Date().toISOString(),
  startedAt: new Date().toISOString(),
  nextRunAt: null,
  lastRun: null,
  problem: null,
  ...overrides,
});

/** GET on an address, or the connection error's code. */
async function get(url: string): Promise<{ status: number; body: string } | string> {
  try {
    const response = await fetch(url);
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return String((error as { cause?: { code?: string } }).cause?.code ?? error);
  }
}

describe('health endpoint host', () => {
  // Linux routes all of 127.0.0.0/8 to loopback: 127.0.0.2 stands in for "another interface" of this machine.
  it('given no host, then /healthz listens on 127.0.0.1 only: another address of this machine is refused', async () => {
    const port = await freePort();
    reporter = await startHealthReporter({
      file: join(dir, 'state.json.health'),
      status: () => status(),
      logger: createMemoryLogger(),
      port,
    });
    expect(await get(`http://127.0.0.1:${port}/healthz`)).toMatchObject({ status: 200 });
    expect(await get(`http://127.0.0.2:${port}/healthz`)).toBe('ECONNREFUSED');
  });

  it('given host 0.0.0.0, then /healthz is reachable on every address, as `docker run -p` and probes need', async () => {
    const port = await freePort();
    const logger = createMemoryLogger();
    reporter = await startHealthReporter({ file: join(dir, 'state.json.health'), status: () => status(), logger, port, host: '0.0.0.0' });
    expect(await get(`http://127.0.0.2:${port}/healthz`)).toMatchObject({ status: 200 });
    expect(logger.lines.map((l) => l.message)).toContain(`health endpoint on http://0.0.0.0:${port}/healthz`);
  });

  it('given a port already in use, then the start fails with a reason naming HEALTH_PORT and leaves no heartbeat behind', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const file = join(dir, 'state.json.health');
      const start = startHealthReporter({ file, status: () => status(), logger: createMemoryLogger(), port });
      await expect(start).rejects.toBeInstanceOf(HealthEndpointError);
      await expect(start).rejects.toThrow(/the port is already in use\. Change HEALTH_PORT or HEALTH_HOST/);
      await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});

describe('health endpoint secrets', () => {
  it('given an error that quotes the token, then neither /healthz nor the status file reveals it', async () => {
    const port = await freePort();
    const file = join(dir, 'state.json.health');
    const leaky = status({
      lastRun: { at: new Date().toISOString(), outcome: 'failed', error: `request with Bot ${TOKEN} failed` },
      problem: `token ${TOKEN}`,
    });
    reporter = await startHealthReporter({ file, status: () => leaky, logger: createMemoryLogger(), port, secrets: [TOKEN, null] });
    const served = await get(`http://127.0.0.1:${port}/healthz`);
    expect(served).toMatchObject({ status: 503 });
    const body = (served as { body: string }).body;
    expect(body).not.toContain(TOKEN);
    expect(body).toContain('[redacted]');
    expect(await readFile(file, 'utf8')).not.toContain(TOKEN);
  });

  it('given any other path or a query, then the answer is an empty 404', async () => {
    const port = await freePort();
    reporter = await startHealthReporter({
      file: join(dir, 'state.json.health'),
      status: () => status(),
      logger: createMemoryLogger(),
      port,
    });
    for (const path of ['/', '/env', '/healthz/../env', '/healthz?verbose=1', '/.env']) {
      expect(await get(`http://127.0.0.1:${port}${path}`), path).toEqual({ status: 404, body: '' });
    }
  });
});
