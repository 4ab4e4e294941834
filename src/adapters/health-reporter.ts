import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { Logger } from '../app/ports.js';
import { evaluateHealth, type HealthStatus } from '../core/health.js';
import { systemClock } from './system-clock.js';

/** The status file of a state file: `data/state.json` → `data/state.json.health`. */
export function healthFileFor(stateFile: string): string {
  return `${stateFile}.health`;
}

/** Writes the bot's status every `intervalMs` (and on demand), and serves it on `/healthz` when a port is set. */
export interface HealthReporter {
  /** Writes the status now (after a digest, a disconnect...). */
  report(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts reporting: a heartbeat in the status file next to the state, and optionally `GET /healthz` on 127.0.0.1. */
export async function startHealthReporter(options: {
  file: string;
  status: () => HealthStatus;
  logger: Logger;
  intervalMs?: number;
  port?: number | null;
  now?: () => Date;
}): Promise<HealthReporter> {
  const now = options.now ?? (() => systemClock.now());
  let failing = false;
  const write = async () => {
    const tmp = `${options.file}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(tmp, `${JSON.stringify(options.status())}\n`);
      await rename(tmp, options.file);
      if (failing) options.logger.info({ file: options.file }, 'health status file writable again');
      failing = false;
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      // Logged once: a full or read-only disk is also reported by the digest, and the stale heartbeat says so.
      if (!failing) options.logger.warn({ file: options.file, err: String(error) }, 'cannot write the health status file');
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
      response.writeHead(verdict.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ...verdict, status }));
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(options.port!, '127.0.0.1', () => resolve());
    });
    options.logger.info({ port: options.port }, `health endpoint on http://127.0.0.1:${options.port}/healthz`);
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
