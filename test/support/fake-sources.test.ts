import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSources, type FakeSources } from './fake-sources.js';

let fake: FakeSources | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ paper: { id: `2610.${String(i).padStart(5, '0')}` }, title: `Paper ${i}` }));

describe('the fake Hugging Face and arXiv server', () => {
  it('given a day of 5 items, then it pages them by p and limit like the Hub, and an unknown day is an empty list', async () => {
    fake = await startFakeSources();
    fake.setDay('2026-10-05', items(5));
    const page = async (query: string) =>
      (await (await fetch(`${fake!.hfApiUrl}/daily_papers?${query}`)).json()) as Array<{ title: string }>;
    expect((await page('date=2026-10-05&limit=2')).map((i) => i.title)).toEqual(['Paper 0', 'Paper 1']);
    expect((await page('date=2026-10-05&limit=2&p=2')).map((i) => i.title)).toEqual(['Paper 4']);
    expect(await page('date=2026-10-04')).toEqual([]);
    expect((await fetch(`${fake.hfApiUrl}/daily_papers?date=yesterday`)).status).toBe(400);
  });

  it('given an ETag it served, then it answers 304, and a changed list gets a new ETag', async () => {
    fake = await startFakeSources();
    fake.setDay('2026-10-05', items(2));
    const url = `${fake.hfApiUrl}/daily_papers?date=2026-10-05`;
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    fake.setDay('2026-10-05', items(3));
    const changed = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('given injected faults, then each is served once, in order, to the matching path only', async () => {
    fake = await startFakeSources();
    fake.setDay('2026-10-05', items(2));
    fake.setFeed('cs.CL', '<rss version="2.0"><channel></channel></rss>');
    fake.inject('/api/daily_papers', { kind: 'status', status: 429, retryAfter: '7' }, { kind: 'html' }, { kind: 'truncated' });
    const url = `${fake.hfApiUrl}/daily_papers?date=2026-10-05`;
    expect((await fetch(`${fake.arxivRssUrl}/cs.CL`)).status).toBe(200);
    const limited = await fetch(url);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    expect(await (await fetch(url)).text()).toMatch(/^<!DOCTYPE html>/);
    const cut = await (await fetch(url)).text();
    expect(() => JSON.parse(cut)).toThrow();
    expect(JSON.parse(await (await fetch(url)).text())).toHaveLength(2);
    expect(fake.requests.map((r) => r.served)).toEqual([200, 'status', 'html', 'truncated', 200]);
  });

  it('given a huge fault, then it streams that many bytes without a Content-Length', async () => {
    fake = await startFakeSources();
    fake.inject('/api/daily_papers', { kind: 'huge', bytes: 300_000 });
    const response = await fetch(`${fake.hfApiUrl}/daily_papers?date=2026-10-05`);
    expect(response.headers.get('content-length')).toBeNull();
    expect((await response.arrayBuffer()).byteLength).toBe(300_001);
  });
});
