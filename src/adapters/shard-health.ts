import { createServer, type Server } from 'node:http';
import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../app/ports.js';
import { evaluateHealth, type HealthStatus, type HealthVerdict } from '../core/health.js';
import { HealthEndpointError, readHealthFile } from './health-reporter.js';
import { isProcessAlive } from './process-identity.js';
import { systemClock } from './system-clock.js';

/** One process's health as its status file tells it: which shards, what it reported, and the verdict on it. */
export interface ShardHealthReport {
  /** `shard 2`, `shards 0, 1`, or `bot` for a process without shards. */
  label: string;
  file: string;
  status: HealthStatus | null;
  verdict: HealthVerdict;
}

/** The status files of every shard process of this machine, next to the database (`paperboy.sqlite.shard-N.health`). */
export async function listShardHealthFiles(databaseFile: string): Promise<string[]> {
  const prefix = `${basename(databaseFile)}.shard-`;
  const names = await readdir(dirname(databaseFile)).catch(() => [] as string[]);
  return names
    .filter((name) => name.startsWith(prefix) && name.endsWith('.health'))
    .map((name) => join(dirname(databaseFile), name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** `…/paperboy.sqlite.shard-0+1.health` → `shards 0, 1`; `….shard-2.health` → `shard 2`; any other file → `bot`. */
export function shardLabelOf(file: string): string {
  const ids = /\.shard-([\d+]+)\.health$/.exec(file)?.[1]?.split('+') ?? [];
  return ids.length === 0 ? 'bot' : `shard${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`;
}

/**
 * Removes the shard status files a previous run left (a killed manager's shards never removed theirs, and a shard
 * count that shrank would leave a file no process refreshes, failing health for ever). The manager calls it before
 * it spawns the shards, which write theirs within seconds.
 */
export async function removeShardHealthFiles(databaseFile: string): Promise<void> {
  for (const file of await listShardHealthFiles(databaseFile)) await unlink(file).catch(() => undefined);
}

/** Reads one status file and judges it: no file, a process gone, a stale heartbeat or a problem are unhealthy. */
export async function readShardHealth(file: string, now: Date = systemClock.now()): Promise<ShardHealthReport> {
  const label = shardLabelOf(file);
  const status = await readHealthFile(file);
  if (!status)
    return {
      label,
      file,
      status,
      verdict: { ok: false, state: 'unhealthy', reason: `no status at ${file}: the bot is not running (or has not finished starting)` },
    };
  if (!(await isProcessAlive(status.pid)))
    return {
      label,
      file,
      status,
      verdict: { ok: false, state: 'unhealthy', reason: `the bot process (pid ${status.pid}) is not running` },
    };
  return { label, file, status, verdict: evaluateHealth(status, now) };
}

/** Every shard process of this machine, judged; empty when none has written a status yet. */
export async function readFleetHealth(databaseFile: string, now: Date = systemClock.now()): Promise<ShardHealthReport[]> {
  return Promise.all((await listShardHealthFiles(databaseFile)).map((file) => readShardHealth(file, now)));
}

/**
 * Serves `GET /healthz` for the shard manager, which runs no bot of its own: 200 when every shard process of this
 * machine is healthy or degraded, 503 when one is not or none has reported, with each shard's verdict and status
 * (gateway connection, feeds owned, lag) in the body.
 */
export async function startShardHealthEndpoint(options: {
  databaseFile: string;
  port: number;
  host?: string;
  logger: Logger;
  /** Values never served (the token), replaced wherever a status quotes them. */
  secrets?: ReadonlyArray<string | null | undefined>;
}): Promise<{ port: number; stop(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 8);
  const scrub = (json: string) => secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), json);
  const server: Server = createServer((request, response) => {
    if (request.url !== '/healthz') {
      response.writeHead(404).end();
      return;
    }
    void readFleetHealth(options.databaseFile).then(
      (reports) => {
        const ok = reports.length > 0 && reports.every((r) => r.verdict.ok);
        const body = {
          ok,
          state: !ok ? 'unhealthy' : reports.some((r) => r.verdict.state === 'degraded') ? 'degraded' : 'ok',
          ...(reports.length === 0 ? { reason: 'no shard has reported yet: the shards are starting, or none runs' } : {}),
          shards: reports.map((r) => ({ shard: r.label, ...r.verdict, status: r.status })),
        };
        response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(scrub(JSON.stringify(body)));
      },
      (error: unknown) => response.writeHead(500).end(scrub(String(error))),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new HealthEndpointError(host, options.port, error)));
    server.listen(options.port, host, () => resolve());
  });
  options.logger.info(
    { host, port: options.port },
    `health endpoint of the shards on http://${host.includes(':') ? `[${host}]` : host}:${options.port}/healthz`,
  );
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
