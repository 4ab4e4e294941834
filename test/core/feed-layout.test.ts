import { describe, expect, it } from 'vitest';
import { parseFeedInput } from '../../src/core/feed-input.js';
import { parseLayout, readFeedLayout } from '../../src/core/feed-layout.js';

describe('feed layout', () => {
  it('given what an admin typed, then cards and compact are read in any case, and anything else is refused by name', () => {
    expect(parseLayout(' Compact ')).toEqual({ ok: true, value: 'compact' });
    expect(parseLayout('cards')).toEqual({ ok: true, value: 'cards' });
    expect(parseLayout('**list**')).toEqual({ ok: false, reason: '`layout`: "\\*\\*list\\*\\*" is not a layout; use cards or compact.' });
  });

  it('given a feed whose options name no layout, then it posts cards', () => {
    expect(readFeedLayout({})).toEqual({ ok: true, value: 'cards' });
    expect(readFeedLayout({ threads: true, layout: 'compact' })).toEqual({ ok: true, value: 'compact' });
  });

  it('given stored options with a value that is not a layout, then the reason names it and the default', () => {
    const read = readFeedLayout({ layout: 42 });
    expect(read.ok).toBe(false);
    expect(!read.ok && read.reason).toMatch(/layout is number, not one of cards, compact; it posts in the cards layout/);
  });

  it('given /digest setup input with a layout, then it is read with the other options; a bad one is one more reason', () => {
    expect(parseFeedInput({ size: 3, layout: 'compact' }, ['UTC'])).toEqual({ ok: true, value: { size: 3, layout: 'compact' } });
    expect(parseFeedInput({ size: 30, layout: 'grid' }, ['UTC'])).toEqual({
      ok: false,
      reasons: [
        '`size`: 30 papers is not possible; a digest posts 1 to 10 papers.',
        '`layout`: "grid" is not a layout; use cards or compact.',
      ],
    });
  });
});
