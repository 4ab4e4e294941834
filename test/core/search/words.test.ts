import { describe, expect, it } from 'vitest';
import { buildSearchData } from '../../../src/core/search/index-data.js';
import { completeWord, findNearWords } from '../../../src/core/search/words.js';
import { makePaper } from './papers.js';

const { words } = buildSearchData([
  makePaper('Models of Weather', 'Model the weather with models.', null, 1),
  makePaper('Modern Modes', 'Modest models for modern weather.', null, 2),
  makePaper('Analysis and Another Analysis', 'An analysis of the anatomy.', null, 3),
]);

describe('findNearWords', () => {
  it('given two swapped neighbours, then the word is one edit away', () => {
    expect(findNearWords('modles', 1, words.vocabulary, words.fuzzyWords)).toContainEqual({ word: 'models', distance: 1 });
  });

  it('given several near words, then the closest come first, then the most common', () => {
    const near = findNearWords('modeks', 2, words.vocabulary, words.fuzzyWords);
    expect(near[0]).toEqual({ word: 'models', distance: 1 });
    expect(near.every((candidate, i) => i === 0 || candidate.distance >= near[i - 1]!.distance)).toBe(true);
    expect(near.every((candidate) => candidate.distance <= 2)).toBe(true);
  });

  it('given a word too far from every other, then nothing is near', () => {
    expect(findNearWords('zzzzzz', 1, words.vocabulary, words.fuzzyWords)).toEqual([]);
  });
});

describe('completeWord', () => {
  it('given a prefix, then the most common completions come first (ties in word order), stop words and the prefix itself left out', () => {
    // `models` is in both papers, the others in one.
    expect(completeWord('mode', words.sortedWords, words.vocabulary)).toEqual(['models', 'model', 'modern', 'modes', 'modest']);
    expect(completeWord('model', words.sortedWords, words.vocabulary)).toEqual(['models']);
    expect(completeWord('an', words.sortedWords, words.vocabulary)).toEqual(['analysis', 'anatomy', 'another']);
  });

  it('given a prefix no word starts with, then there is no completion', () => {
    expect(completeWord('zq', words.sortedWords, words.vocabulary)).toEqual([]);
  });
});
