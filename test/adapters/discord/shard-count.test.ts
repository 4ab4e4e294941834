import { afterEach, describe, expect, it } from 'vitest';
import { fetchRecommendedShardCount, ShardCountError } from '../../../src/adapters/discord/shard-count.js';
import { type FakeDiscord, startFakeDiscord } from '../../support/fake-discord/index.js';

let server: FakeDiscord | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('fetchRecommendedShardCount', () => {
  it('given the configured API URL, then the count comes from its GET /gateway/bot (not from discord.com)', async () => {
    server = await startFakeDiscord({ recommendedShards: 3 });
    expect(await fetchRecommendedShardCount({ token: server.token, apiUrl: server.apiUrl })).toBe(3);
  });

  it('given a token the API refuses, then the error says HTTP 401 and what to check, without the token', async () => {
    server = await startFakeDiscord({ recommendedShards: 2 });
    const failing = fetchRecommendedShardCount({ token: 'not-the-token-Zq9', apiUrl: server.apiUrl });
    await expect(failing).rejects.toThrow(ShardCountError);
    await expect(failing).rejects.toThrow(/HTTP 401.*DISCORD_TOKEN/);
    await expect(failing).rejects.not.toThrow(/Zq9/);
  });

  it('given nothing listening at the API URL, then the error names the address', async () => {
    const failing = fetchRecommendedShardCount({ token: 't', apiUrl: 'http://127.0.0.1:9/api', timeoutMs: 2000 });
    await expect(failing).rejects.toThrow(/cannot ask http:\/\/127\.0\.0\.1:9\/api how many shards/);
  });
});
