import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Errors, HttpError } from './errors.js';
import type { PeekedBody, RestFaults, RestFault } from './faults.js';
import { type RateLimitVerdict, type RateLimiter, tooManyRequests } from './rate-limit.js';
import type { RequestLogEntry } from './types.js';

/** A file uploaded with a multipart request. */
export interface UploadedFile {
  field: string;
  filename: string;
  size: number;
  /** The uploaded bytes (Discord serves them back at the attachment's `url`; tests read them here). */
  data: Buffer;
}

/** What a route handler receives. */
export interface RouteContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
}

/** What a route handler returns; `body` undefined means 204-style empty. */
export interface RouteResult {
  status: number;
  body?: unknown;
}

/** A REST route: `pattern` uses `:name` segments; `bucket: 'none'` skips per-route and global limits. */
export interface Route {
  method: string;
  pattern: string;
  auth: boolean;
  bucket: 'messages' | 'other' | 'none';
  handler(ctx: RouteContext): RouteResult | Promise<RouteResult>;
}

const API_PREFIX = '/api/v10';

function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | 'method' | null {
  const parts = path.split('/').filter(Boolean);
  let pathMatched = false;
  for (const route of routes) {
    const pattern = route.pattern.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((seg, i) => {
      const part = decodeURIComponent(parts[i]!);
      if (seg.startsWith(':')) params[seg.slice(1)] = part;
      return seg.startsWith(':') || seg === part;
    });
    if (!ok) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  return pathMatched ? 'method' : null;
}

/** The top-level resource Discord rate limits by (channel, guild, or webhook id + token). */
function majorParameter(path: string): string {
  const m = /^\/webhooks\/(\d+\/[^/]+)|^\/(?:channels|guilds)\/(\d+)/.exec(path);
  return m?.[2] ?? m?.[1] ?? 'global';
}

/** The request's JSON object body for fault matching, or null (none, multipart, not JSON). */
function peekJson(req: IncomingMessage, raw: Buffer): PeekedBody {
  if (raw.length === 0 || !(req.headers['content-type'] ?? '').startsWith('application/json')) return null;
  try {
    const body: unknown = JSON.parse(raw.toString('utf8'));
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(req: IncomingMessage, raw: Buffer): Promise<{ body: unknown; files: UploadedFile[] }> {
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { body: null, files: [] };
  if (type.startsWith('multipart/form-data')) {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- a test server reads small bodies whole; no need to stream them
    const form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
    const files: UploadedFile[] = [];
    let body: unknown = {};
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
      } else files.push({ field, filename: value.name, size: value.size, data: Buffer.from(await value.arrayBuffer()) });
    }
    return { body, files };
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    throw Errors.invalidJson();
  }
}

/** Creates the request listener serving Discord's REST API under `/api/v10` with auth, rate limits and faults. */
export function createRestListener(deps: {
  token: () => string;
  routes: Route[];
  limiter: RateLimiter;
  faults: RestFaults;
  log: RequestLogEntry[];
}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fake-discord crashed: ${String(error)}`, code: 0 }));
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) || '/' : url.pathname;
    const entry: RequestLogEntry = { method, path, query: url.search, status: 0, body: null, at: Date.now() };
    deps.log.push(entry);
    const raw = await readBody(req);
    const peeked = peekJson(req, raw);

    const send = (status: number, body: unknown, headers: Record<string, string> = {}, fault?: string): void => {
      entry.status = status;
      if (fault) entry.fault = fault;
      if (body === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const reset = (fault: string): void => {
      entry.status = 0;
      entry.fault = fault;
      res.socket?.resetAndDestroy();
    };
    const sendFault = (fault: RestFault): void => {
      if (fault.kind === 'reset') return reset(fault.label);
      if (fault.status === 429) {
        const verdict = tooManyRequests(fault.retryAfterMs ?? 1000, 'user', {
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset-After': ((fault.retryAfterMs ?? 1000) / 1000).toFixed(3),
        });
        return send(429, verdict.body, verdict.headers, fault.label);
      }
      const body = fault.code !== undefined ? { message: 'Injected failure', code: fault.code } : Errors.serverError(fault.status).body;
      send(fault.status, body, {}, fault.label);
    };

    if (!url.pathname.startsWith(`${API_PREFIX}/`)) return send(404, Errors.notFound().body);
    const found = matchRoute(deps.routes, method, path);
    if (found === null) return send(404, Errors.notFound().body);
    if (found === 'method') return send(405, Errors.methodNotAllowed().body);
    const { route, params } = found;

    if (route.auth && req.headers.authorization !== `Bot ${deps.token()}`) return send(401, Errors.unauthorized().body);

    const delay = deps.faults.delayFor(method, path, peeked);
    if (delay > 0) await sleep(delay);
    const now = Date.now();
    const storm = deps.faults.activeStorm(method, path, now, peeked);
    // Interaction callbacks and webhook-token routes are not bound to the bot's global limit.
    if (storm && !(storm.global && !route.auth)) {
      const verdict = tooManyRequests(
        storm.retryAfterMs,
        storm.global ? 'global' : 'user',
        storm.global
          ? {}
          : {
              'X-RateLimit-Remaining': '0',
              'X-RateLimit-Reset-After': (storm.retryAfterMs / 1000).toFixed(3),
            },
      );
      return send(429, verdict.body, verdict.headers, 'rateLimitStorm');
    }
    // Injected pre-commit failures model the edge (proxy/network), so they spend no rate-limit budget.
    const before = deps.faults.take(method, path, 'before', peeked);
    if (before) return sendFault(before);
    let limits: RateLimitVerdict = { limited: false, headers: {} };
    if (route.bucket !== 'none') {
      const global = route.auth ? deps.limiter.checkGlobal(now) : null;
      if (global) return send(429, global.body, global.headers);
      limits = deps.limiter.checkRoute(route.bucket, `${method} ${route.pattern}`, majorParameter(path), now);
      if (limits.limited) return send(429, limits.body, limits.headers);
    }

    let result: RouteResult;
    try {
      const { body, files } = await parseBody(req, raw);
      entry.body = body;
      result = await route.handler({ method, path, params, query: url.searchParams, body, files });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return send(error.status, error.body, limits.headers);
    }
    // A slow answer to work already done: a client killed meanwhile never learns that it succeeded.
    const slow = deps.faults.delayFor(method, path, peeked, 'after');
    if (slow > 0) await sleep(slow);
    const after = deps.faults.take(method, path, 'after', peeked);
    if (after) return sendFault(after);
    send(result.status, result.body, limits.headers);
  }
}
