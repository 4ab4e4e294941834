import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from './fake-discord/index.js';

let server: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
});

// 100 channels over two guilds, with Discord's own limits (the defaults): 50 requests/s globally, 5 messages/5 s per channel.
const GUILDS = ['260000000000000001', '260000000000000002'];
const CHANNELS = Array.from({ length: 100 }, (_, i) => String(261000000000000000n + BigInt(i)));
const OPTIONS = { guilds: GUILDS.map((id, g) => ({ id, channels: CHANNELS.slice(g * 50, g * 50 + 50).map((c) => ({ id: c })) })) };

/** A bare POST, without a client library that would pace itself. */
async function rawPost(s: FakeDiscord, channelId: string, content: string) {
  const response = await fetch(`${s.apiUrl}/v10/channels/${channelId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bot ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe("fake discord: Discord's real rate limits by default", () => {
  it('given a burst of 200 posts across 100 channels, then past 50 a second they are refused with a global 429 carrying Retry-After, and none of those is posted', async () => {
    server = await startFakeDiscord(OPTIONS);
    // Two per channel: under each channel's 5 per 5 s, so only the global limit can refuse.
    const results = await Promise.all(CHANNELS.flatMap((c) => [rawPost(server!, c, 'a'), rawPost(server!, c, 'b')]));
    const refused = results.filter((r) => r.status === 429);
    const posted = results.filter((r) => r.status === 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length + posted.length).toBe(200);
    for (const r of refused) {
      expect(r.body).toMatchObject({ message: 'You are being rate limited.', global: true });
      expect(typeof r.body.retry_after).toBe('number');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get('x-ratelimit-global')).toBe('true');
      expect(r.headers.get('x-ratelimit-scope')).toBe('global');
    }
    expect(CHANNELS.reduce((n, c) => n + server!.messages(c).length, 0)).toBe(posted.length);
  });

  it('given six posts to one channel, then the sixth gets a per-route 429 (not global) with the bucket headers', async () => {
    server = await startFakeDiscord(OPTIONS);
    const results = [];
    for (let i = 0; i < 6; i += 1) results.push(await rawPost(server, CHANNELS[0]!, `post ${i}`));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const last = results[5]!;
    expect(last.body).toMatchObject({ global: false });
    expect(last.headers.get('x-ratelimit-limit')).toBe('5');
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(last.headers.get('x-ratelimit-scope')).toBe('user');
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another channel has its own bucket.
    expect((await rawPost(server, CHANNELS[1]!, 'elsewhere')).status).toBe(200);
  });

  it('given the real client posting 120 messages across 100 channels at once, then every message lands: it paces itself under the limits and retries any 429', async () => {
    server = await startFakeDiscord(OPTIONS);
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
    const ready = once(client, Events.ClientReady);
    await client.login(server.token);
    await ready;
    const targets = Array.from({ length: 120 }, (_, i) => CHANNELS[i % CHANNELS.length]!);
    await Promise.all(targets.map((c, i) => client!.rest.post(Routes.channelMessages(c), { body: { content: `digest ${i}` } })));
    expect(CHANNELS.reduce((n, c) => n + server!.messages(c).length, 0)).toBe(120);
    const refused = server.requests.filter((r) => r.status === 429).length;
    const created = server.requests.filter((r) => r.method === 'POST' && r.status === 200).length;
    expect(created).toBe(120);
    // Every refused request was sent again: the log holds exactly one success per message plus the refusals.
    expect(server.requests.filter((r) => r.method === 'POST').length).toBe(120 + refused);
  });
});
