import { describe, expect, it } from 'vitest';
import { createClientOptions } from '../../../src/adapters/discord/client.js';

describe('the client options (createClientOptions)', () => {
  it('given one unsharded process, then discord.js paces it at Discord’s whole global limit', () => {
    expect(createClientOptions('http://127.0.0.1:9/api').rest?.globalRequestsPerSecond).toBe(50);
  });

  it('given a shard of four in its own process, then it paces itself at its quarter, so that the four stay under the limit together', () => {
    const options = createClientOptions('http://127.0.0.1:9/api', { ids: [2], count: 4 });
    expect(options.rest?.globalRequestsPerSecond).toBe(12);
    expect(options.rest?.api).toBe('http://127.0.0.1:9/api');
    expect(options.shards).toEqual([2]);
  });
});
