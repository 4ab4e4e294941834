import { describe, expect, it } from 'vitest';
import {
  countBits,
  countSetBits,
  createBitset,
  forEachBit,
  hasBit,
  intersectAll,
  keepFirstBits,
  orBitsInto,
  setBit,
} from '../../../src/core/search/bitset.js';

function bitsetOf(size: number, indexes: readonly number[]): Uint32Array {
  const bits = createBitset(size);
  for (const index of indexes) setBit(bits, index);
  return bits;
}

function indexesOf(bits: Uint32Array): number[] {
  const found: number[] = [];
  forEachBit(bits, (index) => found.push(index));
  return found;
}

describe('bitset', () => {
  it('given indexes set across several words, then has, count and visit see exactly those, smallest first', () => {
    const bits = bitsetOf(100, [99, 0, 31, 32, 63]);
    expect(bits).toHaveLength(4);
    expect([0, 1, 31, 32, 63, 64, 99].map((index) => hasBit(bits, index))).toEqual([true, false, true, true, true, false, true]);
    expect(countSetBits(bits)).toBe(5);
    expect(indexesOf(bits)).toEqual([0, 31, 32, 63, 99]);
  });

  it('given two sets, then or adds the second into the first and intersect keeps what all hold', () => {
    const a = bitsetOf(70, [1, 40, 65]);
    const b = bitsetOf(70, [2, 40, 69]);
    expect(indexesOf(intersectAll([a, b], 70))).toEqual([40]);
    expect(indexesOf(intersectAll([], 70))).toEqual([]);
    orBitsInto(a, b);
    expect(indexesOf(a)).toEqual([1, 2, 40, 65, 69]);
  });

  it('given a cap, then keepFirstBits keeps the smallest indexes only', () => {
    expect(indexesOf(keepFirstBits(bitsetOf(100, [3, 5, 31, 33, 80]), 3))).toEqual([3, 5, 31]);
    expect(indexesOf(keepFirstBits(bitsetOf(100, [3, 5]), 10))).toEqual([3, 5]);
    expect(indexesOf(keepFirstBits(bitsetOf(100, [3, 5]), 0))).toEqual([]);
  });

  it.each([
    [0, 0],
    [1, 1],
    [0xff, 8],
    [-1, 32],
    [1 << 31, 1],
  ])('given the word %i, then %i bits are set', (word, count) => {
    expect(countBits(word)).toBe(count);
  });
});
