import { describe, expect, it } from 'vitest';
import { convertLegacyState, LegacyImportError } from '../../src/core/legacy-import.js';
import { createEmptyDestination, createEmptyState, type DestinationState, type State } from '../../src/core/legacy-state.js';
import { storeDumpSchema } from '../../src/core/store-dump.js';
import type { FeedSettings } from '../../src/core/feed.js';

const AT = '2026-12-02T10:00:00.000Z';
const SETTINGS: FeedSettings = { guildId: '900', channelId: '111', cron: '0 9 * * *', timezone: 'UTC', size: 3, order: 'corpus' };
const posted = (...ids: string[]): DestinationState['posted'] =>
  Object.fromEntries(
    ids.map((id, i) => [id, { messageId: String(1_000_000_000_000_000_000n + BigInt(i)), postedAt: AT, digest: 1, seq: i + 1 }]),
  );

function stateWith(destinations: Record<string, Partial<DestinationState>>, extra: Partial<State> = {}): State {
  return {
    ...createEmptyState(),
    ...extra,
    destinations: Object.fromEntries(Object.entries(destinations).map(([k, d]) => [k, { ...createEmptyDestination(), ...d }])),
  };
}

const convert = (state: State, settings: Partial<FeedSettings> = {}, scheduleFeedId = 'env') =>
  storeDumpSchema.parse(convertLegacyState(state, { settings: { ...SETTINGS, ...settings }, scheduleFeedId, at: AT }));

describe('convertLegacyState', () => {
  it('given the configured channel, the console and another channel, then they become the bootstrap feed, the console feed and a paused feed, each with its progress and log', () => {
    const dump = convert(
      stateWith(
        {
          'channel:111': { posted: posted('a', 'b'), digests: 1, failed: { c: { reason: 'refused', at: AT, digest: 1 } } },
          console: { posted: posted('a'), digests: 1 },
          'channel:222': { posted: posted('x'), digests: 4 },
        },
        { schedule: { nextDueAt: '2026-12-03T09:00:00.000Z' } },
      ),
    );
    const byId = Object.fromEntries(dump.feeds.map((f) => [f.feed.id, f]));
    expect(Object.keys(byId)).toEqual(['console', 'env', 'imported-channel-222']);
    expect(byId.env!.feed).toMatchObject({ guildId: '900', channelId: '111', paused: null, size: 3 });
    expect(byId.env!.progress).toMatchObject({
      postedCount: 2,
      digests: 1,
      nextDueAt: '2026-12-03T09:00:00.000Z',
      failed: { c: { reason: 'refused' } },
    });
    expect(byId.env!.posted.map((p) => p.paperId)).toEqual(['a', 'b']);
    expect(byId.console!.feed).toMatchObject({ guildId: null, channelId: null, paused: null });
    expect(byId.console!.progress.nextDueAt).toBeNull();
    expect(byId['imported-channel-222']!.feed).toMatchObject({
      channelId: '222',
      paused: { reason: expect.stringContaining('channel:222') },
    });
    expect(byId['imported-channel-222']!.progress.digests).toBe(4);
  });

  it('given a digest under way, then its newest known message and its anchor (the newest post outside it) are kept', () => {
    const records = posted('a', 'b', 'c');
    const dump = convert(
      stateWith({
        'channel:111': {
          posted: records,
          digests: 2,
          inFlight: {
            digest: 2,
            startedAt: AT,
            papers: ['c', 'd'],
            remainingAfter: 0,
            header: { nonce: 'h', messageId: '1000000000000000009' },
          },
        },
      }),
    );
    const progress = dump.feeds[0]!.progress;
    expect(progress.lastMessageId).toBe('1000000000000000009');
    expect(progress.inFlight?.after).toBe(records.b!.messageId);
  });

  it("given subscriptions, then they belong to the bootstrap feed's server, or wait for it when it is not known", () => {
    const subscriptions = { '42': { topics: ['llm'], dm: true, updatedAt: AT } };
    expect(convert(stateWith({}, { subscriptions })).subscriptions).toEqual([
      { guildId: '900', userId: '42', topics: ['llm'], dm: true, updatedAt: AT },
    ]);
    expect(convert(stateWith({}, { subscriptions }), { guildId: null }).subscriptions[0]!.guildId).toBe('');
  });

  it('given no DISCORD_CHANNEL_ID and one channel recorded (console mode), then that channel is the bootstrap feed', () => {
    const dump = convert(stateWith({ 'channel:333': { posted: posted('a') }, console: {} }), { channelId: null }, 'console');
    expect(dump.feeds.find((f) => f.feed.id === 'env')?.feed.channelId).toBe('333');
  });

  it('given no DISCORD_CHANNEL_ID and two channels recorded, then it refuses, saying what to set', () => {
    expect(() => convert(stateWith({ 'channel:1': {}, 'channel:2': {} }), { channelId: null })).toThrow(LegacyImportError);
    expect(() => convert(stateWith({ 'channel:1': {}, 'channel:2': {} }), { channelId: null })).toThrow(/Set DISCORD_CHANNEL_ID/);
  });

  it('given the registration of the commands, then it is kept', () => {
    const commands = { hash: 'h', scope: 'guild:900', registeredAt: AT };
    expect(convert(stateWith({}, { commands })).meta.commands).toEqual(commands);
  });
});
