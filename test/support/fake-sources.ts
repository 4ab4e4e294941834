import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fault the fake serves instead of the normal answer, once, to the next request that matches.
 * `slow` holds the answer back; `huge` streams a body of that many bytes without a Content-Length.
 */
export type SourceFault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'html' }
  | { kind: 'truncated' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'empty-list' }
  | { kind: 'drop' };

/** One request the fake received, in arrival order. */
export interface FakeSourceRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** What it was answered: a status, or the fault's kind. */
  served: number | SourceFault['kind'];
}

/** A local stand-in for `GET /api/daily_papers` (Hugging Face) and `GET /rss/<category>` (arXiv). */
export interface FakeSources {
  /** `http://127.0.0.1:<port>/api`: what HF_API_URL points at. */
  hfApiUrl: string;
  /** `http://127.0.0.1:<port>/rss`: what ARXIV_RSS_URL points at. */
  arxivRssUrl: string;
  /** The items `GET /api/daily_papers?date=<day>` lists (paged by `p` and `limit`, as the Hub does). */
  setDay(day: string, items: unknown[]): void;
  /** The RSS document `GET /rss/<category>` serves. */
  setFeed(category: string, xml: string): void;
  /**
   * Queues faults for the next requests whose path and query start with `prefix` (`/api/daily_papers`,
   * `/rss/cs.CL`, or `/api/daily_papers?date=2024-10-25&limit=10&p=1` for one page).
   */
  inject(prefix: string, ...faults: SourceFault[]): void;
  /** Every request so far. */
  requests: FakeSourceRequest[];
  /** Called as each request arrives (before it is answered), e.g. to log events in order. */
  onRequest: ((request: FakeSourceRequest) => void) | null;
  close(): Promise<void>;
}

/** Options of {@link startFakeSources}. */
export interface FakeSourcesOptions {
  /** Send ETags and answer a matching If-None-Match with 304, as both APIs do; default true. */
  etags?: boolean;
  /** Serve the first page whatever `p` says (a server that does not page): default false. */
  ignorePaging?: boolean;
}

const DEFAULT_LIMIT = 50;
const HTML_ERROR_PAGE =
  '<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n<body><h1>Service Temporarily Unavailable</h1><p>The server is down for maintenance.</p></body></html>\n';

/** Starts the fake on a free loopback port. */
export async function startFakeSources(options: FakeSourcesOptions = {}): Promise<FakeSources> {
  const days = new Map<string, unknown[]>();
  const feeds = new Map<string, string>();
  const faults: Array<{ prefix: string; fault: SourceFault }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const requests: FakeSourceRequest[] = [];

  const fake: FakeSources = {
    hfApiUrl: '',
    arxivRssUrl: '',
    setDay: (day, items) => void days.set(day, items),
    setFeed: (category, xml) => void feeds.set(category, xml),
    inject: (prefix, ...list) => void faults.push(...list.map((fault) => ({ prefix, fault }))),
    requests,
    onRequest: null,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  /** The normal answer to a request: status, content type and body. */
  const answer = (path: string, query: URLSearchParams): { status: number; type: string; body: string } => {
    if (path === '/api/daily_papers') {
      const day = query.get('date') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return { status: 400, type: 'application/json', body: '{"error":"Invalid date"}' };
      const limit = Number(query.get('limit') ?? DEFAULT_LIMIT);
      const page = options.ignorePaging ? 0 : Number(query.get('p') ?? 0);
      const items = (days.get(day) ?? []).slice(page * limit, (page + 1) * limit);
      return { status: 200, type: 'application/json; charset=utf-8', body: JSON.stringify(items) };
    }
    const feed = /^\/rss\/([^/]+)$/.exec(path);
    if (feed && feeds.has(feed[1]!)) return { status: 200, type: 'application/rss+xml', body: feeds.get(feed[1]!)! };
    return {
      status: 404,
      type: 'text/html',
      body: '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>Not found</body></html>',
    };
  };

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    // An aborted client makes later writes fail: that is the client's doing, not the fake's.
    res.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const index = faults.findIndex((f) => `${path}${url.search}`.startsWith(f.prefix));
    const fault = index === -1 ? null : faults.splice(index, 1)[0]!.fault;
    const normal = answer(path, url.searchParams);
    const request: FakeSourceRequest = { path, query: url.searchParams, headers: req.headers, served: fault ? fault.kind : normal.status };
    requests.push(request);
    fake.onRequest?.(request);

    const sendNormal = () => {
      const etag = `"${createHash('sha1').update(normal.body).digest('hex')}"`;
      if (options.etags !== false && normal.status === 200 && req.headers['if-none-match'] === etag) {
        request.served = 304;
        res.writeHead(304, { etag }).end();
        return;
      }
      res
        .writeHead(normal.status, { 'content-type': normal.type, ...(options.etags !== false && normal.status === 200 ? { etag } : {}) })
        .end(normal.body);
    };
    if (!fault) return sendNormal();
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
        });
        res.end(JSON.stringify({ error: `fault ${fault.status}` }));
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          sendNormal();
        }, fault.delayMs);
        timers.add(timer);
        return;
      }
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' }).end(HTML_ERROR_PAGE);
        return;
      case 'truncated':
        res.writeHead(200, { 'content-type': normal.type }).end(normal.body.slice(0, Math.floor(normal.body.length / 2)));
        return;
      case 'empty-list':
        res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let left = fault.bytes;
        const pump = () => {
          while (left > 0) {
            const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= part.length;
            if (!res.write(part)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.write('[');
        pump();
        return;
      }
    }
  };

  const server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.hfApiUrl = `http://127.0.0.1:${port}/api`;
  fake.arxivRssUrl = `http://127.0.0.1:${port}/rss`;
  return fake;
}
