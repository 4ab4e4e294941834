import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, HttpFetchError, readRetryAfter, type HttpClientOptions } from '../../../src/adapters/http/http-client.js';
import { createUserAgent } from '../../../src/adapters/http/user-agent.js';
import { startFakeSources, type FakeSources } from '../../support/fake-sources.js';

let fake: FakeSources;
let sleeps: number[];
let url: string;
const NOW = new Date('2026-10-05T12:00:00Z');

beforeEach(async () => {
  fake = await startFakeSources();
  fake.setDay('2026-10-05', [{ paper: { id: '2610.00001' }, title: 'One' }]);
  url = `${fake.hfApiUrl}/daily_papers?date=2026-10-05`;
  sleeps = [];
});
afterEach(() => fake.close());

/** A client whose waits are recorded, not waited out: the spacing logic is checked, not the wall clock. */
const client = (options: Partial<HttpClientOptions> = {}) =>
  createHttpClient({ userAgent: createUserAgent(), now: () => NOW, sleep: async (ms) => void sleeps.push(ms), ...options });

const failure = async (promise: Promise<unknown>): Promise<HttpFetchError> => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpFetchError);
  return error as HttpFetchError;
};

describe('the polite HTTP client', () => {
  it('given a request, then it names Paperboy and its version in the User-Agent', async () => {
    await client().get(url);
    expect(fake.requests[0]!.headers['user-agent']).toMatch(/^Paperboy\/0\.1\.0 \(.*digest bot.*\)$/);
  });

  it('given a 429 with Retry-After: 7, then it waits 7 s and tries again', async () => {
    fake.inject('/api', { kind: 'status', status: 429, retryAfter: '7' });
    const result = await client().get(url);
    expect(result.status).toBe('ok');
    expect(sleeps).toEqual([7000]);
    expect(fake.requests.map((r) => r.served)).toEqual(['status', 200]);
  });

  it('given a 503 with Retry-After as an HTTP date, then it waits until that time', async () => {
    fake.inject('/api', { kind: 'status', status: 503, retryAfter: 'Mon, 05 Oct 2026 12:00:20 GMT' });
    await client().get(url);
    expect(sleeps).toEqual([20_000]);
  });

  it('given 503s without Retry-After, then it backs off 1 s, 2 s, 4 s and fails after 4 attempts, saying what and where', async () => {
    fake.inject('/api', ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 503 })));
    const error = await failure(client().get(url));
    expect(error.message).toBe(`GET ${url} failed with status 503 after 4 attempts`);
    expect(sleeps).toEqual([1000, 2000, 4000]);
    expect(fake.requests).toHaveLength(4);
  });

  it('given a Retry-After longer than it waits, then it fails at once instead of holding the digest up', async () => {
    fake.inject('/api', { kind: 'status', status: 429, retryAfter: '3600' });
    const error = await failure(client().get(url));
    expect(error.message).toContain('the server asks to wait 3600 s (Retry-After)');
    expect(sleeps).toEqual([]);
  });

  it('given a 404, then it does not retry', async () => {
    const error = await failure(client().get(`${fake.arxivRssUrl}/no.SUCH`));
    expect(error.message).toBe(`GET ${fake.arxivRssUrl}/no.SUCH failed with status 404 (not retried: asking again would not help)`);
    expect(fake.requests).toHaveLength(1);
  });

  it('given a slow answer beyond the timeout, then the attempt is abandoned and retried', async () => {
    fake.inject('/api', { kind: 'slow', delayMs: 5000 });
    const result = await client({ timeoutMs: 200 }).get(url);
    expect(result.status).toBe('ok');
    expect(sleeps).toEqual([1000]);
  });

  it('given answers that are always too slow, then it fails after 4 attempts naming the timeout', async () => {
    fake.inject('/api', ...Array.from({ length: 4 }, () => ({ kind: 'slow' as const, delayMs: 5000 })));
    const error = await failure(client({ timeoutMs: 200 }).get(url));
    expect(error.message).toBe(`GET ${url} failed after 4 attempts: timed out after 0.2 s`);
    expect(fake.requests).toHaveLength(4);
  });

  it('given a body larger than the cap, then it stops reading and does not retry', async () => {
    fake.inject('/api', { kind: 'huge', bytes: 5 * 1024 * 1024 });
    const error = await failure(client({ maxBytes: 256 * 1024 }).get(url));
    expect(error.message).toBe(`GET ${url} failed: the response is larger than the 256 KB limit; stopped reading (not retried)`);
    expect(fake.requests).toHaveLength(1);
  });

  it('given a dropped connection, then it retries', async () => {
    fake.inject('/api', { kind: 'drop' });
    expect((await client().get(url)).status).toBe('ok');
    expect(sleeps).toEqual([1000]);
  });

  it('given the ETag of the last answer, then it sends If-None-Match and reports not modified on 304', async () => {
    const first = await client().get(url);
    if (first.status !== 'ok') throw new Error('expected a body');
    expect(first.etag).toBeTruthy();
    const second = await client().get(url, { etag: first.etag });
    expect(second.status).toBe('not-modified');
    expect(fake.requests[1]!.headers['if-none-match']).toBe(first.etag);
  });

  it('given a stop during a slow answer, then the request ends at once, is not retried, and says Paperboy is stopping', async () => {
    fake.inject('/api/daily_papers', { kind: 'slow', delayMs: 60_000 });
    const stop = new AbortController();
    fake.onRequest = () => setTimeout(() => stop.abort(), 20);
    const error = await failure(client({ timeoutMs: 120_000 }).get(url, { signal: stop.signal }));
    expect(error.message).toBe(`GET ${url} stopped: Paperboy is stopping (the next fetch tries again)`);
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('given a stop while it waits out a Retry-After, then the real wait ends at once and nothing is asked again', async () => {
    fake.inject('/api/daily_papers', { kind: 'status', status: 503, retryAfter: '50' });
    const stop = new AbortController();
    fake.onRequest = () => setTimeout(() => stop.abort(), 50);
    const error = await failure(createHttpClient({ userAgent: createUserAgent(), now: () => NOW }).get(url, { signal: stop.signal }));
    expect(error.message).toContain('stopped: Paperboy is stopping');
    expect(fake.requests).toHaveLength(1);
  });

  it('given a signal stopped before the request, then nothing is sent', async () => {
    const error = await failure(client().get(url, { signal: AbortSignal.abort() }));
    expect(error.message).toContain('stopped: Paperboy is stopping');
    expect(fake.requests).toHaveLength(0);
  });

  it('given Retry-After values, then seconds and HTTP dates are read and nonsense is ignored', () => {
    expect(readRetryAfter('12', NOW)).toBe(12_000);
    expect(readRetryAfter('Mon, 05 Oct 2026 11:00:00 GMT', NOW)).toBe(0);
    expect(readRetryAfter('soon', NOW)).toBeNull();
    expect(readRetryAfter(null, NOW)).toBeNull();
  });
});
