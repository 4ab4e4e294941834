import { describe, expect, it } from 'vitest';
import { createSearchIndex, decodeIndexImage, encodeIndexImage, IndexImageError, restoreSearchIndex } from '../../../src/core/search.js';
import { makeCommonPapers, makePaper } from './papers.js';

const papers = [
  ...makeCommonPapers('Transformer', 210),
  makePaper('Zebra Stripes: Sparse Attention (SA)', 'Reinforcement learning from human feedback (RLHF) for zebras, café.', '2025-01-02', 1),
  { ...makePaper('Quantized Models', 'Low-bit weights.', null, 2), aiKeywords: ['quantization', 'edge'] },
];
const index = createSearchIndex(papers);

describe('index images', () => {
  it('given an index, then its image reads back to the same state, and the restored index answers the same', () => {
    const bytes = encodeIndexImage(index.data);
    const image = decodeIndexImage(bytes);
    expect(image.state).toEqual(index.data.state);
    expect(image.derived).toEqual(index.data.derived);
    const restored = restoreSearchIndex(image, papers);
    for (const query of ['zebra', 'transformer 12', 'rlhf', 'quantization', 'cafe', 'zebar', 'tra']) {
      expect(restored.search(query)).toEqual(index.search(query));
      expect(restored.suggest(query)).toEqual(index.suggest(query));
    }
  });

  it('given a truncated or damaged image, or another version, then reading it fails with a reason instead of answering wrong', () => {
    const bytes = encodeIndexImage(index.data);
    expect(() => decodeIndexImage(bytes.subarray(0, bytes.length - 100))).toThrow(IndexImageError);
    expect(() => decodeIndexImage(bytes.subarray(0, 8))).toThrow(IndexImageError);
    const otherVersion = bytes.slice();
    otherVersion[4] = 99;
    expect(() => decodeIndexImage(otherVersion)).toThrow(/version 99/);
    // A posting pointing past the last paper.
    const image = decodeIndexImage(bytes.slice());
    image.state.fields[0]!.docs[0] = 5000;
    expect(() => decodeIndexImage(encodeIndexImage(image))).toThrow(/inconsistent/);
  });

  it('given papers other than those indexed, then restoring refuses', () => {
    expect(() => restoreSearchIndex(index.data, papers.slice(1))).toThrow(IndexImageError);
  });
});
