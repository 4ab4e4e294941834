import { describe, expect, it } from 'vitest';
import { isSameEmoji, parseVoteEmoji, voteEmojiOf } from '../../src/core/vote-emoji.js';

describe('vote emoji', () => {
  it.each([
    ['👍', '👍'],
    [' ⭐ ', '⭐'],
    ['❤️', '❤️'],
    ['👍🏽', '👍🏽'],
    ['<:paperboy:1100000000000000001>', 'paperboy:1100000000000000001'],
    ['<a:dance:1100000000000000002>', 'dance:1100000000000000002'],
  ])('given %j, then it is read as %j', (raw, value) => {
    expect(parseVoteEmoji(raw)).toEqual({ ok: true, value });
  });

  it.each(['', 'thumbs up', '👍👎', '👍👎x', ':+1:', '<@123456789012345678>', '**bold**'])(
    'given %j, then a clear reason, escaped',
    (raw) => {
      const result = parseVoteEmoji(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason).toMatch(/^`vote_emoji`: ".*" is not one emoji; give one, like 👍/);
        expect(result.reason).not.toContain('**bold**');
      }
    },
  );

  it('given a feed without the option, or with garbage in it, then it votes with 👍; a custom emoji matches by id', () => {
    expect(voteEmojiOf({ options: {} })).toEqual({ id: null, name: '👍' });
    expect(voteEmojiOf({ options: { vote_emoji: 42 } })).toEqual({ id: null, name: '👍' });
    expect(voteEmojiOf({ options: { vote_emoji: 'paperboy:1100000000000000001' } })).toEqual({
      id: '1100000000000000001',
      name: 'paperboy',
    });
    expect(isSameEmoji({ id: '1100000000000000001', name: 'renamed' }, { id: '1100000000000000001', name: 'paperboy' })).toBe(true);
    expect(isSameEmoji({ id: null, name: '❤' }, { id: null, name: '❤️' })).toBe(true);
    expect(isSameEmoji({ id: null, name: '👎' }, { id: null, name: '👍' })).toBe(false);
    expect(isSameEmoji({ id: null, name: null }, { id: null, name: null })).toBe(false);
  });
});
