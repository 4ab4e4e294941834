import { describe, expect, it } from 'vitest';
import { buildSearchData } from '../../../src/core/search/index-data.js';
import { completeWord, findNearWords, forEachWordWithin } from '../../../src/core/search/words.js';
import { makePaper } from './papers.js';

const { words } = buildSearchData([
  makePaper('Models of Weather', 'Model the weather with models.', null, 1),
  makePaper('Modern Modes', 'Modest models for modern weather.', null, 2),
  makePaper('Analysis and Another Analysis', 'An analysis of the anatomy.', null, 3),
]);

describe('findNearWords', () => {
  it('given two swapped neighbours, then the word is one edit away', () => {
    expect(findNearWords('modles', 1, words.lexicon)).toContainEqual({ word: 'models', distance: 1 });
  });

  it('given several near words, then the closest come first, then the most common', () => {
    const near = findNearWords('modeks', 2, words.lexicon);
    expect(near[0]).toEqual({ word: 'models', distance: 1 });
    expect(near.every((candidate, i) => i === 0 || candidate.distance >= near[i - 1]!.distance)).toBe(true);
    expect(near.every((candidate) => candidate.distance <= 2)).toBe(true);
  });

  it('given a word too far from every other, then nothing is near', () => {
    expect(findNearWords('zzzzzz', 1, words.lexicon)).toEqual([]);
  });
});

describe('completeWord', () => {
  it('given a prefix, then the most common completions come first (ties in word order), stop words and the prefix itself left out', () => {
    // `models` is in both papers, the others in one.
    expect(completeWord('mode', words.lexicon)).toEqual(['models', 'model', 'modern', 'modes', 'modest']);
    expect(completeWord('model', words.lexicon)).toEqual(['models']);
    expect(completeWord('an', words.lexicon)).toEqual(['analysis', 'anatomy', 'another']);
  });

  it('given a prefix no word starts with, then there is no completion', () => {
    expect(completeWord('zq', words.lexicon)).toEqual([]);
  });
});

describe('forEachWordWithin', () => {
  const sorted = ['', 'a', 'ab', 'abc', 'abd', 'b', 'bad', 'kitten', 'mitten', 'sitting', 'smitten', 'zzzz'];
  const within = (query: string, max: number) => {
    const found: Array<[string, number]> = [];
    forEachWordWithin(sorted, query, max, (word, distance) => found.push([sorted[word]!, distance]));
    return found;
  };

  it('given a word and a distance, then exactly the words within that many edits come back, with their Levenshtein distance', () => {
    expect(within('kitten', 1)).toEqual([
      ['kitten', 0],
      ['mitten', 1],
    ]);
    expect(within('kitten', 3)).toEqual([
      ['kitten', 0],
      ['mitten', 1],
      ['sitting', 3],
      ['smitten', 2],
    ]);
    expect(within('ab', 1)).toEqual([
      ['a', 1],
      ['ab', 0],
      ['abc', 1],
      ['abd', 1],
      ['b', 1],
    ]);
  });

  it('given random words, then it finds what comparing every word finds', () => {
    const letters = 'abcde';
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const word = () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => letters[Math.floor(random() * 5)]).join('');
    const words = [...new Set(Array.from({ length: 400 }, word))].sort();
    const distance = (a: string, b: string): number => {
      let row = Array.from({ length: b.length + 1 }, (_, j) => j);
      for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++)
          next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
        row = next;
      }
      return row[b.length]!;
    };
    for (let i = 0; i < 50; i++) {
      const query = word();
      const max = 1 + (i % 2);
      const found: Array<[string, number]> = [];
      forEachWordWithin(words, query, max, (at, d) => found.push([words[at]!, d]));
      const expected = words.map((w): [string, number] => [w, distance(query, w)]).filter(([, d]) => d <= max);
      expect(found).toEqual(expected);
    }
  });
});
