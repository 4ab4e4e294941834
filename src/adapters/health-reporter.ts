import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { Logger } from '../app/ports.js';
import type { ShardSet } from '../core/shards.js';
import { OperatorError } from '../core/errors.js';
import { evaluateHealth, type HealthStatus } from '../core/health.js';
import { systemClock } from './system-clock.js';

/**
 * The status file next to the database: `data/paperboy.sqlite` → `data/paperboy.sqlite.health`; a process running
 * shards has its own, `data/paperboy.sqlite.shard-0+1.health`, so that the shards of a machine never overwrite each other's.
 */
export function healthFileFor(databaseFile: string, shards: ShardSet | null = null): string {
  return shards ? `${databaseFile}.shard-${shards.ids.join('+')}.health` : `${databaseFile}.health`;
}

/** `/healthz` cannot listen where HEALTH_HOST and HEALTH_PORT ask (port taken, address not on this machine...). */
export class HealthEndpointError extends OperatorError {
  constructor(host: string, port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | null)?.code ?? String(cause);
    const why =
      code === 'EADDRINUSE'
        ? 'the port is already in use'
        : code === 'EADDRNOTAVAIL'
          ? 'this machine has no such address'
          : code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges)'
            : code;
    super(
      `cannot serve /healthz on ${host.includes(':') ? `[${host}]` : host}:${port}: ${why}. Change HEALTH_PORT or HEALTH_HOST (or leave HEALTH_PORT empty), then start again.`,
    );
    this.name = 'HealthEndpointError';
  }
}

/** Writes the bot's status every `intervalMs` (and on demand), and serves it on `/healthz` when a port is set. */
export interface HealthReporter {
  /** Writes the status now (after a digest, a disconnect...). */
  report(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts reporting: a heartbeat in the status file next to the state, and optionally `GET /healthz` on `host`
 * (default 127.0.0.1: this machine only; the Docker image listens on 0.0.0.0 so that probes can reach it).
 */
export async function startHealthReporter(options: {
  file: string;
  status: () => HealthStatus;
  logger: Logger;
  intervalMs?: number;
  port?: number | null;
  host?: string;
  /** Values that must never leave the process (the token), replaced wherever an error message quotes them. */
  secrets?: ReadonlyArray<string | null | undefined>;
  now?: () => Date;
}): Promise<HealthReporter> {
  const now = options.now ?? (() => systemClock.now());
  const host = options.host ?? '127.0.0.1';
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 8);
  // The endpoint may face a network: whatever text an error carries, a secret in it is never served.
  const scrub = (json: string) => secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), json);
  let failing = false;
  const write = async () => {
    const tmp = `${options.file}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(tmp, `${scrub(JSON.stringify(options.status()))}\n`);
      await rename(tmp, options.file);
      if (failing) options.logger.info({ file: options.file }, 'health status file writable again');
      failing = false;
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      // Logged once: a full or read-only disk is also reported by the digest, and the stale heartbeat says so.
      if (!failing) options.logger.warn({ file: options.file, err: error }, 'cannot write the health status file');
      failing = true;
    }
  };
  await write();
  const timer = setInterval(() => void write(), options.intervalMs ?? 15_000);
  timer.unref();

  let server: Server | null = null;
  if (options.port) {
    server = createServer((request, response) => {
      if (request.url !== '/healthz') {
        response.writeHead(404).end();
        return;
      }
      const status = options.status();
      const verdict = evaluateHealth(status, now());
      response.writeHead(verdict.ok ? 200 : 503, { 'content-type': 'application/json' }).end(scrub(JSON.stringify({ ...verdict, status })));
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', (error) => reject(new HealthEndpointError(host, options.port!, error)));
      listening.listen(options.port!, host, () => resolve());
    }).catch(async (error: unknown) => {
      // The start stops here: no heartbeat may outlive it and claim a bot that is not running.
      clearInterval(timer);
      await unlink(options.file).catch(() => undefined);
      throw error;
    });
    const shown = host.includes(':') ? `[${host}]` : host;
    options.logger.info({ host, port: options.port }, `health endpoint on http://${shown}:${options.port}/healthz`);
  }

  return {
    report: write,
    async stop() {
      clearInterval(timer);
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await unlink(options.file).catch(() => undefined);
    },
  };
}

/** Reads a status file written by a running bot, or null when there is none. */
export async function readHealthFile(file: string): Promise<HealthStatus | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as HealthStatus;
  } catch {
    return null;
  }
}
