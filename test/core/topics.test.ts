import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCorpus } from '../../src/core/corpus.js';
import { paperId, type Paper } from '../../src/core/paper.js';
import {
  createTopicMatcher,
  filterTopicSuggestions,
  matchTopics,
  normalizeTopic,
  suggestTopics,
  type TopicSuggestion,
} from '../../src/core/topics.js';

const seed = parseCorpus(readFileSync(new URL('../../seeds/000_ccff3ae36fc46473.txt', import.meta.url), 'utf8'), {
  file: 'seeds/000_ccff3ae36fc46473.txt',
  referenceDate: '2026-06-22',
}).papers;

function paper(title: string, abstract = ''): Paper {
  return {
    id: paperId(title),
    title,
    abstract,
    authors: null,
    organization: null,
    published: null,
    comments: null,
    links: [],
    source: { file: 't.txt', line: 1 },
  };
}

describe('normalizeTopic', () => {
  it('given spaces, case and diacritics, then they are trimmed, folded and collapsed', () => {
    expect(normalizeTopic('  Scaling \t  LAWS \n')).toEqual({ ok: true, topic: 'scaling laws' });
    expect(normalizeTopic('Émergence')).toEqual({ ok: true, topic: 'emergence' });
    expect(normalizeTopic('LLM.int8()')).toEqual({ ok: true, topic: 'llm.int8()' });
  });

  it('given 2 to 100 characters, then the topic is accepted, and refused outside that range with a reason', () => {
    expect(normalizeTopic('rl')).toEqual({ ok: true, topic: 'rl' });
    expect(normalizeTopic(`${'abcd '.repeat(19)}abcde`).ok).toBe(true);
    const short = normalizeTopic('x');
    const long = normalizeTopic('a'.repeat(101));
    expect(short.ok).toBe(false);
    expect(long.ok).toBe(false);
    if (!short.ok) expect(short.reason).toMatch(/at least 2/);
    if (!long.ok) expect(long.reason).toMatch(/at most 100/);
  });

  it('given nothing, punctuation only or stop words only, then it is refused with a reason', () => {
    for (const raw of ['', '   ', '!!', '…—?', 'the', 'of the']) {
      const result = normalizeTopic(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(10);
    }
  });

  it('given any string, then it returns a result and never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (raw) => {
        const result = normalizeTopic(raw);
        if (result.ok) {
          expect(result.topic.length).toBeGreaterThanOrEqual(2);
          expect(result.topic.length).toBeLessThanOrEqual(100);
          expect(result.topic).toBe(result.topic.trim());
          expect(normalizeTopic(result.topic)).toEqual(result);
        } else expect(result.reason).toBeTruthy();
      }),
      { numRuns: 300 },
    );
  });
});

describe('matchTopics', () => {
  const scaling = paper('Neural Scaling Laws', 'We fit power laws to losses.');
  const law = paper('Legal Reasoning', 'We read one law and apply it.');

  it('given "scaling laws", then a paper about scaling laws matches and one that only says "law" does not', () => {
    expect(matchTopics(scaling, ['scaling laws'])).toEqual(['scaling laws']);
    expect(matchTopics(law, ['scaling laws'])).toEqual([]);
  });

  it('given singular, plural, British or other inflections, then the stems meet', () => {
    expect(matchTopics(scaling, ['scaling law', 'Scaled laws'])).toEqual(['scaling law', 'Scaled laws']);
    expect(matchTopics(paper('Quantized Models', 'Low-bit weights.'), ['quantisation', 'quantization'])).toEqual([
      'quantisation',
      'quantization',
    ]);
    expect(matchTopics(paper('Émergence in Transformers'), ['emergence'])).toEqual(['emergence']);
  });

  it('given words spread over title and abstract, then the topic matches; a missing word means no match', () => {
    const spread = paper('Checkpoint Merging', 'We average weights across scaling runs.');
    expect(matchTopics(spread, ['merging scaling', 'checkpoint averaging'])).toEqual(['merging scaling', 'checkpoint averaging']);
    expect(matchTopics(spread, ['checkpoint robotics', 'merging'])).toEqual(['merging']);
  });

  it('given a compound topic, then it matches the compound or all of its parts', () => {
    expect(matchTopics(paper('Zebra-Llama: Hybrid Models'), ['zebra-llama', 'zebra llama'])).toEqual(['zebra-llama', 'zebra llama']);
    expect(matchTopics(paper('A zebra met a llama'), ['zebra-llama'])).toEqual(['zebra-llama']);
    expect(matchTopics(paper('A zebra alone'), ['zebra-llama'])).toEqual([]);
  });

  it('given invalid topics, then they match nothing and the others keep their order', () => {
    expect(matchTopics(scaling, ['', 'the', '!!', 'laws', 'neural'])).toEqual(['laws', 'neural']);
  });

  it('given a matcher for many topics, then it agrees with matchTopics on every paper', () => {
    const topics = ['scaling laws', 'checkpointing', 'quantization', 'model merging', 'zebra-llama', 'robotics', 'LLM.int8()'];
    const matcher = createTopicMatcher(topics);
    expect(matcher.topics).toEqual(topics.map((t) => t.toLowerCase()));
    for (const p of seed) expect(matcher.match(p)).toEqual(matchTopics(p, matcher.topics));
    expect(seed.filter((p) => matcher.match(p).includes('scaling laws')).length).toBeGreaterThan(5);
  });
});

describe('suggestTopics', () => {
  const suggestions = suggestTopics(seed, { limit: 40 });

  it('given the seed corpus, then suggestions are ranked by papers covered, most first, and include scaling laws', () => {
    expect(suggestions.length).toBeGreaterThanOrEqual(20);
    expect(suggestions.map((s) => s.papers)).toEqual([...suggestions.map((s) => s.papers)].sort((a, b) => b - a));
    expect(suggestions.map((s) => s.topic)).toContain('scaling laws');
    expect(suggestions.map((s) => s.topic)).toContain('quantization');
  });

  it('given the seed corpus, then no stop words or generic paper words are suggested', () => {
    for (const word of ['the', 'of', 'paper', 'propose', 'results', 'model', 'models', 'method', 'large']) {
      expect(suggestions.map((s) => s.topic)).not.toContain(word);
    }
    for (const s of suggestions) expect(normalizeTopic(s.topic)).toEqual({ ok: true, topic: s.topic });
  });

  it('given a limit, then no more suggestions come back', () => {
    expect(suggestTopics(seed, { limit: 5 })).toHaveLength(5);
    expect(suggestTopics([], { limit: 5 })).toEqual([]);
  });

  it('given a phrase that always appears whole, then its lone word is left to the phrase', () => {
    const papers = ['A', 'B', 'C'].map((x) => paper(`Retrieval Augmentation ${x}`, 'We test retrieval augmentation again.'));
    const topics = suggestTopics(papers).map((s) => s.topic);
    expect(topics).toContain('retrieval augmentation');
    expect(topics).not.toContain('augmentation');
  });
});

describe('filterTopicSuggestions', () => {
  const suggestions: TopicSuggestion[] = [
    { topic: 'scaling laws', papers: 12 },
    { topic: 'quantization', papers: 7 },
    { topic: 'checkpoint merging', papers: 3 },
    { topic: 'model scaling', papers: 2 },
  ];

  it('given nothing typed, then the best covered topics come, at most 25', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ topic: `topic ${i}`, papers: 40 - i }));
    const choices = filterTopicSuggestions(many, '');
    expect(choices).toHaveLength(25);
    expect(choices[0]).toEqual({ name: 'topic 0 (40 papers)', value: 'topic 0' });
  });

  it('given typed text, then it comes first, then topics starting with it, then topics with a word starting with it', () => {
    expect(filterTopicSuggestions(suggestions, 'Sca').map((c) => c.value)).toEqual(['sca', 'scaling laws', 'model scaling']);
    expect(filterTopicSuggestions(suggestions, 'scaling laws')).toEqual([{ name: 'scaling laws (12 papers)', value: 'scaling laws' }]);
  });

  it('given a very long topic, then name and value fit in 100 characters', () => {
    const long = [{ topic: `${'word '.repeat(19)}final`, papers: 1 }];
    const [choice] = filterTopicSuggestions(long, 'word');
    const [typed] = filterTopicSuggestions([], 'x'.repeat(500));
    expect(typed).toBeUndefined();
    const all = filterTopicSuggestions(long, '');
    for (const c of [choice!, ...all]) {
      expect(c.name.length).toBeLessThanOrEqual(100);
      expect(c.value.length).toBeLessThanOrEqual(100);
    }
    expect(all[0]!.name).toMatch(/…$/);
  });

  it('given any typed string, then it never throws and stays within Discord limits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (typed) => {
        const choices = filterTopicSuggestions(suggestions, typed);
        expect(choices.length).toBeLessThanOrEqual(25);
        for (const c of choices) expect(c.value.length).toBeLessThanOrEqual(100);
      }),
      { numRuns: 200 },
    );
  });
});
