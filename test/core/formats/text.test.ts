import { describe, expect, it } from 'vitest';
import { normalizeArxivId } from '../../../src/core/paper.js';
import { arxivIdFromUrl, parseCount, toHttpsUrl, unescapeMarkdown } from '../../../src/core/formats/text.js';

describe('normalizeArxivId', () => {
  it.each([
    ['2411.17691v2', '2411.17691'],
    ['2411.17691', '2411.17691'],
    ['arXiv:2411.17691v10', '2411.17691'],
    [' 1706.03762 ', '1706.03762'],
    ['0704.0001', '0704.0001'],
    ['hep-th/9901001v1', 'hep-th/9901001'],
    ['HEP-TH/9901001', 'hep-th/9901001'],
    ['math.gt/0309136', 'math.GT/0309136'],
    ['cs/0112017', 'cs/0112017'],
  ])('given "%s", then it is "%s"', (text, id) => {
    expect(normalizeArxivId(text)).toBe(id);
  });

  it.each([
    '',
    'paper',
    '2411',
    '2411.176',
    '2411.176911',
    '2411.17691v',
    '2411.17691 extra',
    'https://arxiv.org/abs/2411.17691',
    '../2411.17691',
  ])('given "%s", then it is not an arXiv id', (text) => {
    expect(normalizeArxivId(text)).toBeNull();
  });
});

describe('arxivIdFromUrl', () => {
  it.each([
    ['https://huggingface.co/papers/2603.25728', '2603.25728'],
    ['https://huggingface.co/papers/2603.25728#community', '2603.25728'],
    ['https://huggingface.co/login?next=%2Fpapers%2F2603.25728', '2603.25728'],
    ['https://arxiv.org/abs/2610.05608', '2610.05608'],
    ['https://arxiv.org/abs/2610.05608v3', '2610.05608'],
    ['https://arxiv.org/pdf/2610.05608v1.pdf', '2610.05608'],
    ['https://huggingface.co/papers/trending', undefined],
    ['https://huggingface.co/papers/date/2026-03-26', undefined],
    ['https://example.com/papers/2603.25728', undefined],
  ])('given %s, then the id is %s', (url, id) => {
    expect(arxivIdFromUrl(url)).toBe(id);
  });
});

describe('toHttpsUrl', () => {
  it.each([
    ['https://github.com/a/b', 'https://github.com/a/b'],
    ['  https://kandinskylab.ai/  ', 'https://kandinskylab.ai/'],
    ['https://example.com/x?q=1#top', 'https://example.com/x?q=1#top'],
  ])('given %s, then it is kept as %s', (raw, url) => {
    expect(toHttpsUrl(raw)).toBe(url);
  });

  it.each([
    'http://github.com/a/b',
    'javascript:alert(1)',
    'JAVASCRIPT://github.com/%0aalert(1)',
    'data:text/html,x',
    'https://localhost',
    'https://user@github.com/a',
    'https://github.com/a b',
    'https://github.com/<script>',
    '//github.com/a',
    'github.com/a',
    'https://' + 'a'.repeat(2100) + '.com',
    null,
    3,
  ])('given %s, then it is dropped', (raw) => {
    expect(toHttpsUrl(raw)).toBeUndefined();
  });
});

describe('parseCount', () => {
  it.each([
    ['106', 106],
    ['2.3k', 2300],
    ['1.36k', 1360],
    ['110k', 110000],
    ['1,024', 1024],
    [' 7 ', 7],
  ])('given "%s", then it is %i', (text, count) => {
    expect(parseCount(text)).toBe(count);
  });

  it.each(['-', '', 'k', 'ten', '1.2.3', '-5', '9'.repeat(40)])('given "%s", then it is no count', (text) => {
    expect(parseCount(text)).toBeUndefined();
  });
});

describe('unescapeMarkdown', () => {
  it.each([
    ['Public\\_Medical\\_Datasets', 'Public_Medical_Datasets'],
    ['token \\[RET\\], then', 'token [RET], then'],
    ['93.5\\\\% accuracy', '93.5\\% accuracy'],
    ['Engage\\  with Past', 'Engage with Past'],
    ['tracing\\\\\nknowledge', 'tracing knowledge'],
    ['a hard\\\nbreak', 'a hard break'],
    ["\\`Definitely AI'", "`Definitely AI'"],
    ['no escapes here', 'no escapes here'],
    ['a lone \\ backslash', 'a lone \\ backslash'],
  ])('given %j, then it reads %j', (text, expected) => {
    expect(unescapeMarkdown(text)).toBe(expected);
  });
});
