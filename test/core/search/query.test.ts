import { describe, expect, it } from 'vitest';
import { buildSearchData } from '../../../src/core/search/index-data.js';
import { capQuery, countAllowedEdits, MAX_QUERY_CHARS, MAX_QUERY_WORDS, parseQuery } from '../../../src/core/search/query.js';
import { makePaper } from './papers.js';

const data = buildSearchData([
  makePaper('Quantized Networks for the Edge', 'We align with Reinforcement Learning from Human Feedback (RLHF).', null, 1),
  makePaper('Analysis of Attention', 'Attention analysis methods.', null, 2),
  makePaper('Checkpoint Merging', 'Merging checkpoints.', null, 3),
  makePaper('Analytic Models', 'Closed forms.', null, 4),
]);
const parse = (query: string) => parseQuery(query, data.words);

describe('parseQuery: typed words', () => {
  it('given an indexed word, then its term counts for that word at full weight, as typed', () => {
    const parsed = parse('networks ');
    expect(parsed.terms.get('network')).toEqual({ weight: 1, bits: 1, sure: 1 });
    expect(parsed.words).toBe(1);
  });

  it('given another form of an indexed stem, then it is that term, not a typo', () => {
    expect(parse('quantization ').terms.get('quantiz')).toEqual({ weight: 1, bits: 1, sure: 1 });
  });

  it('given a typo, then the near words stand for it at a lower weight and not as typed', () => {
    const term = parse('netwroks ').terms.get('network');
    expect(term?.bits).toBe(1);
    expect(term?.sure).toBe(0);
    expect(term?.weight).toBeCloseTo((0.45 * 8) / 9, 10);
  });

  it('given stop words, then they are left out and not counted', () => {
    const parsed = parse('analysis of the attention ');
    expect([...parsed.terms.keys()].sort()).toEqual(['analysis', 'attention']);
    expect(parsed.words).toBe(2);
    expect(parsed.terms.get('attention')?.bits).toBe(2);
  });

  it('given a word typed twice, then it is one word of the query', () => {
    const parsed = parse('attention analysis attention ');
    expect(parsed.words).toBe(2);
    expect(parsed.terms.get('attention')?.bits).toBe(1);
  });

  it('given a bare one- or two-digit number, then it is a weak word', () => {
    const parsed = parse('attention 7 ');
    expect(parsed.words).toBe(2);
    expect(parsed.weak).toBe(2);
    expect(parse('attention 2024 ').weak).toBe(0);
  });

  it(`given more than ${MAX_QUERY_WORDS} words, then the rest are ignored`, () => {
    const many = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    expect(parse(`${many} `).words).toBe(MAX_QUERY_WORDS);
  });

  it('given punctuation, case and thousands separators, then the phrase is the normalised text', () => {
    expect(parse('Scaling-Laws, for 10,000 ').phrase).toBe('scaling laws for 10000');
  });
});

describe('parseQuery: the word being typed', () => {
  it('given a half-typed last word, then its completions count for it, as typed, below full weight', () => {
    const term = parse('checkp').terms.get('checkpoint');
    expect(term?.bits).toBe(1);
    expect(term?.sure).toBe(1);
    expect(term?.weight).toBeCloseTo((0.375 * 10) / (10 + 0.3 * 4), 10);
  });

  it('given a space after the last word, then it is not completed', () => {
    expect(parse('checkp ').terms.has('checkpoint')).toBe(false);
  });

  it('given a last word that looks like a stop word, then it is only completed, and not counted as a word', () => {
    const parsed = parse('attention an');
    expect(parsed.terms.get('analysis')?.bits).toBe(2);
    expect(parsed.terms.has('analytic')).toBe(true);
    expect(parsed.words).toBe(1);
  });

  it('given a two- or three-letter prefix, then its completions are remembered; a longer one is not', () => {
    const fresh = buildSearchData([makePaper('Analysis of Attention', '', null, 1)]);
    parseQuery('ana', fresh.words);
    parseQuery('anal', fresh.words);
    expect([...fresh.words.completions.keys()]).toEqual(['ana']);
    expect(fresh.words.completions.get('ana')).toEqual(['analysis']);
  });
});

describe('parseQuery: acronyms', () => {
  const LONG = 'reinforcement learning from human feedback ';

  it('given a long form the corpus defined an acronym for, then the acronym stands for all of its words', () => {
    const parsed = parse(LONG);
    expect(parsed.words).toBe(4);
    expect(parsed.terms.get('rlhf')).toEqual({ weight: 1, bits: 0b1111, sure: 0b1111 });
  });

  it('given the acronym typed beside its long form, then it is folded into the long form: one thing named twice', () => {
    const parsed = parse(`RLHF ${LONG}`);
    expect(parsed.words).toBe(4);
    expect(parsed.terms.get('rlhf')).toEqual({ weight: 1, bits: 0b11110, sure: 0b11110 });
  });

  it('given words that are no defined long form, then no acronym is added', () => {
    expect(parse('human reinforcement ').terms.has('rlhf')).toBe(false);
  });
});

describe('query limits', () => {
  it.each([
    ['gpu', 0],
    ['llama', 1],
    ['network', 1],
    ['quantization', 2],
  ])('given "%s", then %i typo edits are allowed', (word, edits) => {
    expect(countAllowedEdits(word)).toBe(edits);
  });

  it(`given a query longer than ${MAX_QUERY_CHARS} characters, then it is cut, never inside a surrogate pair`, () => {
    expect(capQuery('a'.repeat(400))).toHaveLength(MAX_QUERY_CHARS);
    const cut = capQuery(`${'a'.repeat(MAX_QUERY_CHARS - 1)}😀`);
    expect(cut).toBe('a'.repeat(MAX_QUERY_CHARS - 1));
  });
});
