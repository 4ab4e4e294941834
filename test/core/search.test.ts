import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCorpus } from '../../src/core/corpus.js';
import { paperId, type Paper } from '../../src/core/paper.js';
import { createSearchIndex, countAllowedEdits, isRelevantMatch, truncateAtWord } from '../../src/core/search.js';

const seed = parseCorpus(readFileSync(new URL('../../seeds/000_ccff3ae36fc46473.txt', import.meta.url), 'utf8'), {
  file: 'seeds/000_ccff3ae36fc46473.txt',
  referenceDate: '2026-06-22',
}).papers;
const seedIndex = createSearchIndex(seed);

function paper(title: string, abstract = '', published: string | null = null, line = 1): Paper {
  return {
    id: paperId(title),
    title,
    abstract,
    authors: null,
    organization: null,
    published,
    comments: null,
    links: [],
    source: { file: 'test.txt', line },
  };
}

function topTitle(query: string, index = seedIndex): string | undefined {
  return index.search(query, { limit: 5 })[0]?.paper.title;
}

describe('search ranking', () => {
  it('given an exact title, then that paper comes first even when another paper repeats its words more', () => {
    const index = createSearchIndex([
      paper('Densing Law of LLMs and the Densing Law of Agents', 'densing law densing law densing law densing law'),
      paper('Densing Law', 'A short note.'),
    ]);
    expect(topTitle('densing law', index)).toBe('Densing Law');
    expect(topTitle('Scaling Laws with Vocabulary: Larger Models Deserve Larger Vocabularies')).toBe(
      'Scaling Laws with Vocabulary: Larger Models Deserve Larger Vocabularies',
    );
  });

  it('given a phrase, then papers with the words side by side in the title come before papers with them apart', () => {
    const index = createSearchIndex([
      paper('Laws of Motion for Scaling Robot Fleets', 'Scaling robots needs laws. Laws and scaling, scaling and laws.'),
      paper('Neural Scaling Laws Revisited', 'We revisit them.'),
    ]);
    expect(topTitle('scaling laws', index)).toBe('Neural Scaling Laws Revisited');
  });

  it('given a phrase found only in abstracts, then the abstract holding the phrase comes first', () => {
    const index = createSearchIndex([
      paper('Study A', 'Capacity grows while density falls; capacity and density, density and capacity, again capacity.'),
      paper('Study B', 'We define capacity density as a new metric.'),
    ]);
    expect(topTitle('capacity density', index)).toBe('Study B');
  });

  it('given a typo, then the intended paper is still found first', () => {
    expect(topTitle('checkpont merging metrics')).toBe('Parameter-Efficient Checkpoint Merging via Metrics-Weighted Averaging');
    expect(topTitle('fingerprnting schemes')).toBe('Queries, Representation & Detection: The Next 100 Model Fingerprinting Schemes');
    expect(topTitle('zebra lama')).toBe('Zebra-Llama: Towards Extremely Efficient Hybrid Models');
  });

  it('given two swapped letters, then the word is still found', () => {
    const index = createSearchIndex([paper('Models of Weather', 'Climate.'), paper('Cooking', 'Recipes.')]);
    expect(topTitle('modles weather', index)).toBe('Models of Weather');
  });

  it('given a word of three letters or fewer, then no typo is tolerated', () => {
    expect(countAllowedEdits('gpu')).toBe(0);
    expect(countAllowedEdits('llama')).toBe(1);
    expect(countAllowedEdits('quantization')).toBe(2);
    const index = createSearchIndex([paper('GPU Kernels', 'Fast kernels.')]);
    expect(index.search('gpy')).toEqual([]);
  });

  it('given a British spelling, then the American spelling is found, and the other way round', () => {
    expect(topTitle('quantisation undertrained')).toBe(
      'Low-Bit Quantization Favors Undertrained LLMs: Scaling Laws for Quantized LLMs with 100T Training Tokens',
    );
    const index = createSearchIndex([paper('Optimisation of Behaviour Modelling', 'British text.'), paper('Other', 'Nothing.')]);
    expect(topTitle('optimization behavior modeling', index)).toBe('Optimisation of Behaviour Modelling');
  });

  it('given inflected forms, then quantization, quantized and quantisation meet', () => {
    const index = createSearchIndex([paper('Quantized Networks', 'We study networks.'), paper('Pruned Networks', 'We study networks.')]);
    for (const query of ['quantization', 'quantisation', 'quantized', 'quantizing'])
      expect(topTitle(query, index)).toBe('Quantized Networks');
  });

  it('given a half-typed last word, then it is completed', () => {
    expect(topTitle('densing la')).toBe('Densing Law of LLMs');
    expect(topTitle('openbez')).toBe('OpenBezoar: Small, Cost-Effective and Open Models Trained on Mixes of Instruction Data');
    expect(topTitle('structured context engin')).toMatch(/^Structured Context Engineering/);
  });

  it('given LLM.int8(), then it is found whole and by its parts', () => {
    const title = 'LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale';
    expect(topTitle('LLM.int8()')).toBe(title);
    expect(topTitle('llm.int8')).toBe(title);
    expect(topTitle('int8 matrix')).toBe(title);
  });

  it('given Zebra-Llama, then it is found whole and by its parts', () => {
    const title = 'Zebra-Llama: Towards Extremely Efficient Hybrid Models';
    expect(topTitle('Zebra-Llama')).toBe(title);
    expect(topTitle('zebra llama')).toBe(title);
    expect(topTitle('zebra')).toBe(title);
  });

  it('given 1.7B, then the paper about the 1.7B-parameter model comes first', () => {
    expect(topTitle('1.7B')).toBe('Experience of Training a 1.7B-Parameter LLaMa Model From Scratch');
  });

  it('given 10,000 written with or without the separator, then MegaScale comes first', () => {
    const title = 'MegaScale: Scaling Large Language Model Training to More Than 10,000 GPUs';
    expect(topTitle('10,000 GPUs')).toBe(title);
    expect(topTitle('10000')).toBe(title);
  });

  it('given case and diacritics, then they are ignored', () => {
    const index = createSearchIndex([paper('Émergence des Modèles', 'Résumé.'), paper('Other Things', 'Nothing.')]);
    expect(topTitle('EMERGENCE DES MODELES', index)).toBe('Émergence des Modèles');
  });

  it('given papers that score the same, then they come in corpus order', () => {
    const a = paper('Sparse Attention One', 'Same words here.', null, 1);
    const b = paper('Sparse Attention Two', 'Same words here.', null, 2);
    expect(
      createSearchIndex([a, b])
        .search('sparse attention')
        .map((hit) => hit.paper.title),
    ).toEqual([a.title, b.title]);
    expect(
      createSearchIndex([b, a])
        .search('sparse attention')
        .map((hit) => hit.paper.title),
    ).toEqual([b.title, a.title]);
  });

  it('given results, then scores never increase down the list and the limit is kept', () => {
    const hits = seedIndex.search('scaling laws', { limit: 7 });
    expect(hits).toHaveLength(7);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
    expect(seedIndex.search('scaling')).toHaveLength(10);
    expect(seedIndex.search('scaling', { limit: 0 })).toEqual([]);
  });

  it('given words most papers share, then they still rank, title matches and rarer words first', () => {
    // 300 papers put "language model" past the common-term threshold, where it is scored from bitsets.
    const filler = Array.from({ length: 300 }, (_, i) => paper(`Filler Study ${i}`, 'A language model for tasks.', null, i + 10));
    const index = createSearchIndex([...filler, paper('Language Model Quokkas', 'Marsupials.', null, 400)]);
    expect(topTitle('language model', index)).toBe('Language Model Quokkas');
    expect(topTitle('quokkas language', index)).toBe('Language Model Quokkas');
    expect(index.search('language model', { limit: 20 })).toHaveLength(20);
    expect(
      index
        .search('language model', { limit: 3 })
        .slice(1)
        .map((hit) => hit.paper.title),
    ).toEqual(['Filler Study 0', 'Filler Study 1']);
  });

  it('given more than 32 words, then the words after the 32nd are ignored', () => {
    const filler = Array.from({ length: 32 }, (_, i) => `zzfiller${i}`).join(' ');
    // One word of 32 is below the relevance floor: `closest` shows the ranking all the same.
    expect(seedIndex.closest(`${filler} megascale`)).toEqual([]);
    expect(seedIndex.closest(`megascale ${filler}`)[0]?.paper.title).toMatch(/^MegaScale/);
  });
});

describe('search with an acronym and its long form typed together', () => {
  const papers = [
    paper(
      'Asynchronous RLHF: Faster Off-Policy Training',
      'The dominant paradigm for RLHF is on-policy; we make RLHF asynchronous.',
      null,
      1,
    ),
    paper('A Survey of Alignment', 'We review Reinforcement Learning from Human Feedback (RLHF) and its variants.', null, 2),
    paper(
      'Learning to Act from Human Demonstrations',
      'Reinforcement learning agents learn from human feedback signals and demonstrations.',
      null,
      3,
    ),
    paper('Human Feedback for Robots', 'Robots learn from human feedback.', null, 4),
    paper('Deep Reinforcement Learning at Scale', 'Reinforcement learning with many workers.', null, 5),
  ];
  const index = createSearchIndex(papers);
  const LONG = 'reinforcement learning from human feedback';

  it('given "RLHF" and its long form, then a paper that only writes RLHF ranks and scores as for the long form alone', () => {
    const alone = index.search(LONG);
    const both = index.search(`RLHF ${LONG}`);
    const rank = (hits: typeof alone) => hits.findIndex((hit) => hit.paper.title.startsWith('Asynchronous RLHF'));
    expect(rank(alone)).toBeGreaterThanOrEqual(0);
    expect(rank(both)).toBeLessThanOrEqual(rank(alone));
    expect(both[rank(both)]!.score).toBeCloseTo(alone[rank(alone)]!.score, 6);
    // It stays above the papers that hold only some of the long form's words.
    expect(rank(both)).toBeLessThan(both.findIndex((hit) => hit.paper.title === 'Human Feedback for Robots'));
    expect(rank(both)).toBeLessThan(both.findIndex((hit) => hit.paper.title === 'Deep Reinforcement Learning at Scale'));
  });

  it('given the long form with words most papers share, then papers that only write the acronym are found too', () => {
    // 250 papers each put "rlhf", "learning" and "human" past the common-term threshold (scored from bitsets).
    const many = [
      papers[1]!,
      ...Array.from({ length: 3 }, (_, i) =>
        paper(`Reinforcement Learning from Human Feedback for Task ${i}`, `Agents on task ${i}.`, null, 10 + i),
      ),
      ...Array.from({ length: 250 }, (_, i) => paper(`Faster RLHF Variant ${i}`, `We make it cheaper, variant ${i}.`, null, 20 + i)),
      ...Array.from({ length: 250 }, (_, i) =>
        paper(`Human Learning ${i}`, `Learning in humans, feedback, reinforcement ${i}.`, null, 300 + i),
      ),
    ];
    const titles = createSearchIndex(many)
      .search(LONG)
      .map((hit) => hit.paper.title);
    expect(titles.slice(0, 3).every((title) => title.startsWith('Reinforcement Learning from Human Feedback'))).toBe(true);
    expect(titles.slice(3).every((title) => title.startsWith('Faster RLHF Variant'))).toBe(true);
  });

  it('given a word typed twice, then it counts once: scores are those of the query with it once', () => {
    const once = seedIndex.search('vocabulary scaling.');
    const twice = seedIndex.search('vocabulary scaling vocabulary.');
    expect(once.length).toBeGreaterThan(2);
    expect(twice.map((hit) => [hit.paper.title, hit.score])).toEqual(once.map((hit) => [hit.paper.title, hit.score]));
  });
});

describe('the relevance floor', () => {
  const papers = [
    paper(
      'BPE Stays on SCRIPT: Structured Encoding for Robust Multilingual Pretokenization',
      'Byte-level BPE merges across scripts.',
      null,
      1,
    ),
    paper('LongAlign: A Recipe for Long Context Alignment', 'A recipe for aligning models on long inputs.', null, 2),
    paper('Open-World Agent Skills', 'Agents that learn skills in an open world.', null, 3),
    paper('Make It Fast: Kernel Fusion for Transformers', 'We make attention kernels fast.', null, 4),
    paper(
      'Quantized Models Stay Safe',
      'Is a quantized model still safe when its benchmark scores look fine? We test safety under quantization.',
      null,
      5,
    ),
  ];
  const index = createSearchIndex(papers);

  it.each([
    ['@everyone <script>', 'BPE Stays on SCRIPT'],
    ['pizza recipe', 'LongAlign'],
    ['hello world', 'Open-World Agent Skills'],
    ['cake', 'Make It Fast'],
    ['<script>alert(1)</script>', 'BPE Stays on SCRIPT'],
  ])('given garbage "%s", then search answers nothing and closest still offers "%s"', (query, closest) => {
    expect(index.search(query)).toEqual([]);
    expect(index.closest(query, { limit: 3 })[0]?.paper.title).toMatch(new RegExp(`^${closest}`));
  });

  it.each([
    ['script', 'BPE Stays on SCRIPT'],
    ['long context recipe', 'LongAlign'],
    ['scirpt encoding', 'BPE Stays on SCRIPT'],
    ['quantised model safety when benchmark scores look fine', 'Quantized Models Stay Safe'],
    ['make it fast', 'Make It Fast'],
  ])('given the real query "%s", then search answers with "%s"', (query, title) => {
    expect(index.search(query)[0]?.paper.title).toMatch(new RegExp(`^${title}`));
  });

  it.each([
    // tier, found, found as typed, typed words → answer?
    [2, 0, 0, 3, true],
    [1, 1, 1, 4, true],
    [0, 1, 1, 1, true],
    [0, 1, 0, 1, false],
    [0, 1, 1, 2, false],
    [0, 2, 2, 3, true],
    [0, 2, 1, 3, false],
    [0, 3, 3, 6, true],
    [0, 2, 2, 4, false],
    [0, 3, 1, 3, true],
    [0, 0, 0, 0, false],
  ])('given tier %i with %i of the typed words found (%i as typed) out of %i, then answer is %s', (tier, matched, sure, words, answer) => {
    expect(isRelevantMatch({ tier, matched, sure, words })).toBe(answer);
  });
});

describe('search index basics', () => {
  it('given an id, then get returns that paper, and size counts papers once', () => {
    const first = seed[0]!;
    expect(seedIndex.get(first.id)).toBe(first);
    expect(seedIndex.get('no-such-paper-0000000000')).toBeUndefined();
    expect(seedIndex.size).toBe(seed.length);
    expect(createSearchIndex([first, first]).size).toBe(1);
  });

  it('given no papers, then every call answers with nothing', () => {
    const empty = createSearchIndex([]);
    expect(empty.size).toBe(0);
    expect(empty.search('anything')).toEqual([]);
    expect(empty.suggest('')).toEqual([]);
    expect(empty.suggest('anything')).toEqual([]);
  });
});

describe('suggest', () => {
  it('given typed words, then papers of the index come back, at most the limit, the same first ones whatever the limit', () => {
    const papers = seedIndex.suggest('model');
    expect(papers.length).toBe(25);
    for (const found of papers) expect(seedIndex.get(found.id)).toBe(found);
    expect(seedIndex.suggest('model', { limit: 5 })).toEqual(papers.slice(0, 5));
    expect(seedIndex.suggest('', { limit: 3 })).toEqual(seedIndex.suggest('').slice(0, 3));
  });
});

describe('truncateAtWord', () => {
  it('given a short text, then it is unchanged', () => {
    expect(truncateAtWord('Densing Law of LLMs')).toBe('Densing Law of LLMs');
  });

  it('given a long text, then it is cut before the word that does not fit, without trailing punctuation', () => {
    const cut = truncateAtWord('alpha beta, gamma delta', 14);
    expect(cut).toBe('alpha beta…');
  });

  it('given one long word, then it is cut inside the word', () => {
    expect(truncateAtWord('x'.repeat(150))).toBe(`${'x'.repeat(99)}…`);
  });

  it('given an emoji at the cut, then no half surrogate pair is left', () => {
    const cut = truncateAtWord('😀'.repeat(80));
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).not.toMatch(/[\uD800-\uDBFF]…$/);
  });
});

describe('no query throws', () => {
  const awkward = [
    '',
    ' ',
    'x'.repeat(10_000),
    'scaling '.repeat(2_000),
    '!!!???...',
    '.*+?^${}()|[]\\/',
    '(?<=a)b[[:alpha:]]',
    '😀🚀 🧪',
    '\uD800',
    '\uDC00abc',
    'a\uD800b\uDFFF',
    '\u0000\u0007\u200B',
    '-- , . \' "',
    'e.g. i.e. et al.',
    '10,000,000 1.7.3 v2.0-beta',
  ];

  it.each(awkward.map((query) => [JSON.stringify(query.slice(0, 30)), query]))(
    'given %s, then search and suggest answer',
    (_label, query) => {
      expect(() => seedIndex.search(query)).not.toThrow();
      expect(() => seedIndex.closest(query)).not.toThrow();
      expect(() => seedIndex.suggest(query)).not.toThrow();
    },
  );

  it('given values that are not strings, then search and suggest answer', () => {
    expect(() => seedIndex.search(undefined as unknown as string)).not.toThrow();
    expect(() => seedIndex.suggest(null as unknown as string)).not.toThrow();
    expect(() => seedIndex.search('x', { limit: Number.NaN })).not.toThrow();
    expect(seedIndex.search('scaling', { limit: -3 })).toEqual([]);
  });

  it('given any string, then search and suggest never throw and stay within their limits', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: 'grapheme', maxLength: 80 })), (query) => {
        expect(seedIndex.search(query, { limit: 5 }).length).toBeLessThanOrEqual(5);
        expect(seedIndex.closest(query, { limit: 5 }).length).toBeLessThanOrEqual(5);
        expect(seedIndex.suggest(query).length).toBeLessThanOrEqual(25);
      }),
      { numRuns: 300 },
    );
  });
});
