import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/app/memory-store.js';
import { RECONCILE_MAX_PAGES, reconcileVotes } from '../../src/app/reconcile-votes.js';
import { markPosted } from '../../src/core/state.js';
import { countVotes } from '../../src/core/votes.js';
import { createManualClock, createMemoryLogger, makeFeed, TEST_FEED, TEST_GUILD } from '../support/memory-ports.js';

const SNOW = (n: number) => String(1_100_000_000_000_000_000n + BigInt(n));
const DAY = 86_400_000;

describe('reconcileVotes', () => {
  it('given cards of the last days and older ones, a deleted card and one with more reactors than the pages read, then only recent readable cards are replaced, the huge one only gains', async () => {
    const clock = createManualClock('2026-06-22T09:00:00.000Z');
    const store = createMemoryStore();
    await store.saveFeed(makeFeed());
    const at = (daysAgo: number) => new Date(clock.now().getTime() - daysAgo * DAY).toISOString();
    await store.step(TEST_FEED, (s) =>
      markPosted(
        markPosted(markPosted(markPosted(s, 'old', SNOW(1), at(8)), 'gone', SNOW(2), at(3)), 'huge', SNOW(3), at(2)),
        'new',
        SNOW(4),
        at(1),
      ),
    );
    const guild = TEST_GUILD;
    await store.addVote({ guildId: guild, paperId: 'old', userId: '1', messageId: SNOW(1), at: at(8) });
    await store.addVote({ guildId: guild, paperId: 'huge', userId: 'kept', messageId: SNOW(3), at: at(2) });
    await store.addVote({ guildId: guild, paperId: 'new', userId: 'left', messageId: SNOW(4), at: at(1) });
    const reads: string[] = [];
    const result = await reconcileVotes({
      store,
      botUserId: 'bot',
      owns: () => true,
      clock,
      logger: createMemoryLogger(),
      readReactors: async (_channel, messageId, _emoji, page) => {
        reads.push(messageId);
        if (messageId === SNOW(2)) return null;
        if (messageId === SNOW(3)) return Array.from({ length: page.limit }, (_, i) => `u${String(reads.length).padStart(3, '0')}${i}`);
        return ['bot', 'joined'];
      },
    });
    expect(reads.filter((id) => id === SNOW(1))).toEqual([]);
    expect(reads.filter((id) => id === SNOW(3))).toHaveLength(RECONCILE_MAX_PAGES);
    expect(result).toEqual({ messages: 3, added: 1 + RECONCILE_MAX_PAGES * 100, removed: 1, unreadable: 1 });
    const counts = countVotes(store.read().votes, guild);
    expect(counts.get('old')).toBe(1);
    expect(counts.get('new')).toBe(1);
    expect(store.read().votes.get(guild)!.get('new')!.has('joined')).toBe(true);
    // A partial read takes nothing away.
    expect(store.read().votes.get(guild)!.get('huge')!.has('kept')).toBe(true);
  });
});
