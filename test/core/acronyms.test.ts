import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcronymTable, acronymTerm, findAcronymDefinitions, longFormTerms } from '../../src/core/acronyms.js';
import { paperId, type Paper } from '../../src/core/paper.js';
import { createSearchIndex } from '../../src/core/search.js';

function paper(title: string, abstract: string): Paper {
  return {
    id: paperId(title),
    title,
    abstract,
    authors: null,
    organization: null,
    published: null,
    comments: null,
    links: [],
    source: { file: 'test.txt', line: 1 },
  };
}

describe('acronym definitions', () => {
  it.each([
    ['We study Reinforcement Learning from Human Feedback (RLHF) at scale.', 'RLHF', 'Reinforcement Learning from Human Feedback'],
    ['the context window of large language models (LLMs). However', 'LLMs', 'large language models'],
    ['A sparse Mixture-of-Experts (MoE) layer', 'MoE', 'Mixture-of-Experts'],
    ['a capability called in-context learning (ICL), models', 'ICL', 'in-context learning'],
    ['measured as Model FLOPs Utilization (MFU) on H100s', 'MFU', 'Model FLOPs Utilization'],
  ])('given "%s", then %s stands for "%s"', (text, acronym, longForm) => {
    expect(findAcronymDefinitions(text)).toEqual([{ acronym, longForm }]);
  });

  it.each([
    ['results improve (see Table 2) overall'],
    ['our method (Ours) wins'],
    ['a model (GPT) that'],
    ['zero-shot cross-lingual transfer (ZS-XLT), whose X stands for cross'],
    ['QA (QA) is circular'],
    ['no parentheses at all'],
  ])('given "%s", then no definition is found', (text) => {
    expect(findAcronymDefinitions(text)).toEqual([]);
  });

  it('given plural, hyphenated and differently spelt long forms, then they share one key', () => {
    expect(longFormTerms('Mixture-of-Experts')).toEqual(longFormTerms('mixtures of experts'));
    expect(longFormTerms('Reinforcement Learning from Human Feedback')).toEqual(
      longFormTerms('reinforcement learning from human feedback'),
    );
    expect(acronymTerm('IT')).toBeNull();
  });

  it('given a long form defined with two acronyms, then the one the corpus uses most wins', () => {
    const table = new AcronymTable();
    table.learn('Large Language Models (LLMs) are big. Large Language Models (LLMs) again.');
    table.learn('Large Language Models (LaLM) is rare.');
    expect(table.lookup(longFormTerms('large language models'))).toBe(acronymTerm('LLMs'));
    expect(table.lookup(longFormTerms('language models'))).toBeUndefined();
  });
});

describe('acronym definitions on any text', () => {
  it('given random text with parentheses, then every definition found is words written just before its acronym', () => {
    let withDefinitions = 0;
    const piece = fc.oneof(fc.string(), fc.constantFrom('(', ')', ' ', 'Large Language Models', '(LLMs)', '(A-B)', '(Xy)', '-', '\n'));
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((parts) => parts.join('')),
        (text) => {
          const flat = text.replace(/\s+/g, ' ');
          const found = findAcronymDefinitions(text);
          if (found.length > 0) withDefinitions += 1;
          for (const { acronym, longForm } of found) {
            expect([`${longForm} (${acronym})`, `${longForm}(${acronym})`].some((written) => flat.includes(written))).toBe(true);
            expect(longForm.split(/[\s-]+/).length).toBeGreaterThanOrEqual(2);
          }
        },
      ),
      { numRuns: 500 },
    );
    // The generator does reach the interesting case.
    expect(withDefinitions).toBeGreaterThan(10);
  });
});

describe('search with acronyms the corpus defines', () => {
  const papers = [
    paper('Asynchronous RLHF: Faster Off-Policy Training', 'The dominant paradigm for RLHF is on-policy; we make RLHF asynchronous.'),
    paper('A Survey of Alignment', 'We review Reinforcement Learning from Human Feedback (RLHF) and its variants.'),
    paper(
      'Learning to Act from Human Demonstrations',
      'Reinforcement learning agents learn from human feedback signals and demonstrations.',
    ),
  ];

  it('given the long form typed out, then a paper that only writes the acronym is found first', () => {
    const index = createSearchIndex(papers);
    const titles = index.search('asynchronous reinforcement learning from human feedback').map((hit) => hit.paper.title);
    expect(titles[0]).toBe('Asynchronous RLHF: Faster Off-Policy Training');
  });

  it('given no paper defines the acronym, then the long form finds only papers with its words', () => {
    const index = createSearchIndex([papers[0]!, papers[2]!]);
    const titles = index.search('asynchronous reinforcement learning from human feedback').map((hit) => hit.paper.title);
    expect(titles[0]).toBe('Learning to Act from Human Demonstrations');
  });
});
