import { describe, expect, it } from 'vitest';
import { percentile } from './stats.js';

describe('percentile', () => {
  it.each([
    [[], 50, null],
    [[7], 0, 7],
    [[7], 99, 7],
    [[3, 1, 2], 50, 2],
    [[1, 2, 3, 4], 50, 3],
    [Array.from({ length: 100 }, (_, i) => 100 - i), 99, 100],
    [Array.from({ length: 100 }, (_, i) => i + 1), 50, 51],
    [Array.from({ length: 1000 }, (_, i) => i), 99, 990],
    [[5, 1, 4], 100, 5],
  ])('given %j, then p%i is %j', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('given a list, then it is left in its order', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});
