import { describe, expect, it } from 'vitest';
import { formatExplanationMessage, measureDigestSupply, readExplanationKey } from '../../src/core/digest-supply.js';
import { createPostedLog } from '../../src/core/posted-log.js';
import { createEmptyProgress } from '../../src/core/state.js';
import { makePapers } from '../support/memory-ports.js';

const papers = makePapers(8).map((p, i) => ({ ...p, upvotes: i }));
const entry = (paperId: string, seq: number) => ({ paperId, messageId: String(seq), postedAt: '2026-01-01T00:00:00.000Z', digest: 1, seq });

describe('measureDigestSupply', () => {
  it('given posted, refused and filtered papers, then each is counted once, under the first filter that leaves it out', () => {
    const view = {
      progress: { ...createEmptyProgress(), failed: { [papers[1]!.id]: { reason: 'bad', at: '2026-01-01T00:00:00.000Z', digest: 1 } } },
      posted: createPostedLog([entry(papers[0]!.id, 1)]),
    };
    const supply = measureDigestSupply(papers, view, {
      size: 3,
      // Papers 3 to 8 are left: 7 and 8 miss the topics, 3 is excluded, 4 and 5 have too few upvotes, 6 waits.
      include: ['number 3', 'number 4', 'number 5', 'number 6'],
      exclude: ['number 3'],
      minUpvotes: 5,
    });
    expect(supply).toEqual({ corpus: 8, posted: 1, held: 1, filtered: { include: 2, exclude: 1, minUpvotes: 2 }, waiting: 1, size: 3 });
  });
});

describe('explanation messages', () => {
  it('given a sentence with a mention in it, then it pings nobody and its marker reads back; other messages read as none', () => {
    const message = formatExplanationMessage('Nothing new @everyone', 'all-posted+source-failing');
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.content).not.toContain('@everyone');
    expect(readExplanationKey(message.content)).toBe('all-posted+source-failing');
    expect(readExplanationKey('📰 **Paperboy digest #1**')).toBeNull();
    expect(readExplanationKey('-# Paperboy note: all-posted\nmore')).toBeNull();
  });
});
