import { realSleep, type Pacer, type Sleep } from './pacer.js';

/** What a GET gave: the body, or "not modified" when the server confirmed the copy named by the ETag we sent. */
export type HttpGetResult =
  { status: 'ok'; url: string; bytes: Buffer; etag: string | null; contentType: string | null } | { status: 'not-modified'; url: string };

/** A GET that failed for good (after its retries, or at once when retrying cannot help). */
export class HttpFetchError extends Error {
  constructor(
    readonly url: string,
    /** The last HTTP status, or null when no response came (timeout, connection error, size cap). */
    readonly status: number | null,
    readonly attempts: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpFetchError';
  }
}

/** A polite HTTP client for public APIs: one GET at a time per caller, conditional, bounded in time and size. */
export interface HttpClient {
  /**
   * GETs a URL; with `etag`, asks only for a newer copy (`If-None-Match`). `signal` stops the request and any wait
   * for a retry at once (a stopping bot). Throws {@link HttpFetchError}.
   */
  get(url: string, options?: { etag?: string | null; signal?: AbortSignal }): Promise<HttpGetResult>;
}

/** Options of {@link createHttpClient}; everything but the User-Agent has the documented default. */
export interface HttpClientOptions {
  userAgent: string;
  /** Per attempt, from sending the request to the last byte of the body; default 10 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, on 429, 5xx, timeouts and connection errors; default 3. */
  maxRetries?: number;
  /** Bodies larger than this are refused while streaming; default 20 MB. */
  maxBytes?: number;
  /** Wait before retry `n` (1-based) when the server gives no Retry-After; default 1 s, 2 s, 4 s. */
  backoffMs?: (retry: number) => number;
  /** A Retry-After longer than this is not waited for: the fetch fails now and the next one tries again; default 60 s. */
  maxRetryAfterMs?: number;
  sleep?: Sleep;
  /** The current time, to read a Retry-After given as an HTTP date. */
  now: () => Date;
  /** Spaces the attempts (arXiv asks for one request every three seconds); default none. */
  pacer?: Pacer;
  /** The fetch implementation; default Node's global fetch (undici). */
  fetch?: typeof fetch;
}

/** 20 MB: a day of the daily list is about 100 KB and an arXiv feed about 1 MB; anything near this is not a list. */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

/** Creates a {@link HttpClient} that retries with backoff, honours `Retry-After` and caps time and size. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = options.maxRetries ?? 3;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const backoffMs = options.backoffMs ?? ((retry: number) => 1000 * 2 ** (retry - 1));
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const sleep = options.sleep ?? realSleep;
  const doFetch = options.fetch ?? fetch;
  const pace = <T>(task: () => Promise<T>) => (options.pacer ? options.pacer.run(task) : task());

  return {
    async get(url, { etag, signal } = {}) {
      const headers: Record<string, string> = {
        'user-agent': options.userAgent,
        accept: 'application/json, application/rss+xml, application/xml;q=0.9, */*;q=0.1',
      };
      if (etag) headers['if-none-match'] = etag;
      const stopped = (attempt: number) =>
        new HttpFetchError(url, null, attempt, `GET ${url} stopped: Paperboy is stopping (the next fetch tries again)`);
      for (let attempt = 1; ; attempt += 1) {
        if (signal?.aborted) throw stopped(attempt);
        const outcome = await pace(() => attemptGet(doFetch, url, headers, timeoutMs, maxBytes, signal));
        if (outcome.kind === 'stopped') throw stopped(attempt);
        if (outcome.kind === 'response') {
          const { status } = outcome;
          if (status === 304 && etag) return { status: 'not-modified', url };
          if (status >= 200 && status < 300) {
            return {
              status: 'ok',
              url,
              bytes: outcome.body!,
              etag: outcome.headers.get('etag'),
              contentType: outcome.headers.get('content-type'),
            };
          }
          const retryable = status === 429 || status >= 500;
          if (!retryable)
            throw new HttpFetchError(
              url,
              status,
              attempt,
              `GET ${url} failed with status ${status} (not retried: asking again would not help)`,
            );
          if (attempt > maxRetries)
            throw new HttpFetchError(url, status, attempt, `GET ${url} failed with status ${status} after ${attempt} attempts`);
          const asked = status === 429 || status === 503 ? readRetryAfter(outcome.headers.get('retry-after'), options.now()) : null;
          if (asked !== null && asked > maxRetryAfterMs) {
            throw new HttpFetchError(
              url,
              status,
              attempt,
              `GET ${url} failed with status ${status}: the server asks to wait ${Math.ceil(asked / 1000)} s (Retry-After), longer than Paperboy waits; the next fetch tries again`,
            );
          }
          await sleep(asked ?? backoffMs(attempt), signal);
          continue;
        }
        if (outcome.kind === 'too-large') {
          throw new HttpFetchError(
            url,
            null,
            attempt,
            `GET ${url} failed: the response is larger than the ${formatBytes(maxBytes)} limit; stopped reading (not retried)`,
          );
        }
        const reason = outcome.kind === 'timeout' ? `timed out after ${formatSeconds(timeoutMs)}` : outcome.reason;
        if (attempt > maxRetries)
          throw new HttpFetchError(url, null, attempt, `GET ${url} failed after ${attempt} attempts: ${reason}`, { cause: outcome.cause });
        await sleep(backoffMs(attempt), signal);
      }
    },
  };
}

type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Headers; body: Buffer | null }
  | { kind: 'timeout'; cause?: unknown }
  | { kind: 'too-large' }
  | { kind: 'stopped' }
  | { kind: 'network'; reason: string; cause: unknown };

/** One request: headers and (for a 2xx) the whole body within the time and size limits. */
async function attemptGet(
  doFetch: typeof fetch,
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<AttemptOutcome> {
  if (signal?.aborted) return { kind: 'stopped' };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const stop = () => controller.abort();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const response = await doFetch(url, { headers, signal: controller.signal, redirect: 'follow' });
    if (response.status < 200 || response.status >= 300) {
      // The body of an error is not needed; dropping it frees the connection.
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'response', status: response.status, headers: response.headers, body: null };
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      controller.abort();
      return { kind: 'too-large' };
    }
    const body = await readLimited(response, maxBytes, controller);
    if (body === null) return { kind: 'too-large' };
    return { kind: 'response', status: response.status, headers: response.headers, body };
  } catch (error) {
    if (signal?.aborted) return { kind: 'stopped' };
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the timer, which TypeScript does not follow
    if (timedOut) return { kind: 'timeout', cause: error };
    return { kind: 'network', reason: describeNetworkError(error), cause: error };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}

/** Reads a body chunk by chunk, giving up (null) as soon as it passes `maxBytes`, so a huge body never fills memory. */
async function readLimited(response: Response, maxBytes: number, controller: AbortController): Promise<Buffer | null> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    // Leaving the loop cancels the stream; aborting inside it would surface as a network error instead.
    if (total > maxBytes) break;
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  if (total > maxBytes) {
    controller.abort();
    return null;
  }
  return Buffer.concat(chunks, total);
}

/** Milliseconds to wait from a `Retry-After` value (seconds or an HTTP date), or null when there is none or it is unreadable. */
export function readRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code ?? (error as NodeJS.ErrnoException | null)?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed by the server',
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return code ? `${message} (${code})` : message;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`;
}
