/** Compact sets of paper indexes (one bit per paper): how the search scores words most papers share. */

/** An empty set able to hold indexes below `size`. */
export function createBitset(size: number): Uint32Array {
  return new Uint32Array((size + 31) >>> 5);
}

/** Adds an index to the set. */
export function setBit(bits: Uint32Array, index: number): void {
  bits[index >>> 5]! |= 1 << (index & 31);
}

/** True when the set holds the index. */
export function hasBit(bits: Uint32Array, index: number): boolean {
  return (bits[index >>> 5]! & (1 << (index & 31))) !== 0;
}

/** Adds every index of `source` to `target`. */
export function orBitsInto(target: Uint32Array, source: Uint32Array): void {
  for (let i = 0; i < target.length; i++) target[i]! |= source[i]!;
}

/** The indexes every set holds. */
export function intersectAll(sets: readonly Uint32Array[], size: number): Uint32Array {
  const result = createBitset(size);
  if (sets.length === 0) return result;
  result.set(sets[0]!);
  for (const set of sets.slice(1)) for (let i = 0; i < result.length; i++) result[i]! &= set[i]!;
  return result;
}

/** The set cut to its `max` smallest indexes. */
export function keepFirstBits(bits: Uint32Array, max: number): Uint32Array {
  let seen = 0;
  for (let i = 0; i < bits.length; i++) {
    if (seen >= max) bits[i] = 0;
    else {
      seen += countBits(bits[i]!);
      let word = bits[i]!;
      while (seen > max) {
        word &= ~(1 << (31 - Math.clz32(word)));
        seen -= 1;
      }
      bits[i] = word;
    }
  }
  return bits;
}

/** How many bits of one 32-bit word are set. */
export function countBits(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** How many indexes the set holds. */
export function countSetBits(bits: Uint32Array): number {
  let total = 0;
  for (const word of bits) total += countBits(word);
  return total;
}

/** Calls `visit` with every index of the set, smallest first. */
export function forEachBit(bits: Uint32Array, visit: (index: number) => void): void {
  for (let i = 0; i < bits.length; i++) {
    let word = bits[i]!;
    while (word !== 0) {
      const low = word & -word;
      visit((i << 5) + 31 - Math.clz32(low));
      word ^= low;
    }
  }
}
