import { describe, expect, it } from 'vitest';
import { collectNames, describeFollow, filterNames, matchFollows, parseFollow } from '../../src/core/follows.js';
import { escapeMarkdown } from '../../src/core/markdown.js';
import type { Subscriber } from '../../src/core/state.js';
import { selectAudience } from '../../src/core/subscriptions.js';
import { makePapers } from '../support/memory-ports.js';

const [base] = makePapers(1);
const paper = (title: string, extra: { authorNames?: string[]; organization?: string | null } = {}) => ({
  ...base!,
  title,
  abstract: 'We study it.',
  organization: null,
  ...extra,
});
const rlRobots = paper('Reinforcement learning for robotics', { authorNames: ['Ada Lovelace', 'Alan Turing'] });
const rlGames = paper('Reinforcement learning in games', { authorNames: ['Grace Hopper'], organization: 'DeepMind' });
const folding = paper('Protein folding at scale', { authorNames: ['Ádá  LOVELACE'], organization: 'BAIDU' });

describe('parseFollow', () => {
  it.each([
    ['scaling laws', { kind: 'topic', key: 'scaling laws', include: 'scaling laws', exclude: [] }],
    [
      '  Reinforcement   Learning -Robotics -robotics -GAMES ',
      { kind: 'topic', key: 'reinforcement learning -robotics -games', include: 'reinforcement learning', exclude: ['robotics', 'games'] },
    ],
    ['self-supervised learning', { kind: 'topic', key: 'self-supervised learning', include: 'self-supervised learning', exclude: [] }],
    ['author: Ada   Lovelace ', { kind: 'author', key: 'author:Ada Lovelace', name: 'Ada Lovelace' }],
    ['org:BAIDU', { kind: 'org', key: 'org:BAIDU', name: 'BAIDU' }],
  ])('given %j, then it reads as a follow', (raw, follow) => {
    expect(parseFollow(raw)).toEqual({ ok: true, follow });
  });

  it.each([
    ['', /Please give a topic/],
    ['-robotics', /not only words to leave out/],
    ['-robotics -games', /not only words to leave out/],
    ['learning -x', /"-x" cannot be left out: A topic needs at least 2 characters/],
    ['learning -!!', /cannot be left out: A topic needs letters or digits/],
    [`learning ${Array.from({ length: 12 }, (_, i) => `-excluded${String.fromCharCode(97 + i)}`).join(' ')}`, /at most 100 characters/],
    ['author:', /Please give an author's name/],
    ['org:  !!', /Please give an organisation's name/],
    [`author:${'x'.repeat(94)}`, /A name can be at most 93 characters/],
  ])('given garbage %j, then it is refused with a reason', (raw, reason) => {
    const result = parseFollow(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('matchFollows', () => {
  it('given a topic with a left-out term, then a paper holding that term does not match, others do', () => {
    const topics = ['reinforcement learning -robotics'];
    expect(matchFollows(rlRobots, topics)).toEqual([]);
    expect(matchFollows(rlGames, topics)).toEqual(topics);
    expect(matchFollows(folding, topics)).toEqual([]);
  });

  it('given an author or an organisation, then papers naming them match, whatever the case, accents or spacing', () => {
    expect(matchFollows(rlRobots, ['author:ada lovelace'])).toEqual(['author:ada lovelace']);
    expect(matchFollows(folding, ['author:Ada Lovelace', 'org:baidu'])).toEqual(['author:Ada Lovelace', 'org:baidu']);
    expect(matchFollows(rlGames, ['author:Ada Lovelace', 'org:BAIDU'])).toEqual([]);
    // A paper without author names (a page copy gives a count only) matches no author.
    expect(matchFollows(paper('Reinforcement learning'), ['author:Ada Lovelace'])).toEqual([]);
  });

  it('given members following topics, authors and organisations, then the audience of each paper is exactly those it matches', () => {
    const members: Array<[string, Subscriber]> = [
      ['1', { topics: ['reinforcement learning -robotics'], dm: false, updatedAt: '2026-06-22T09:00:00.000Z' }],
      ['2', { topics: ['author:Ada Lovelace'], dm: true, updatedAt: '2026-06-22T09:00:00.000Z' }],
      ['3', { topics: ['org:DeepMind', 'protein'], dm: false, updatedAt: '2026-06-22T09:00:00.000Z' }],
    ];
    expect(selectAudience(rlRobots, members)).toEqual({ mentions: [], direct: [{ userId: '2', topics: ['author:Ada Lovelace'] }] });
    expect(selectAudience(rlGames, members)).toEqual({
      mentions: [
        { userId: '1', topics: ['reinforcement learning -robotics'] },
        { userId: '3', topics: ['org:DeepMind'] },
      ],
      direct: [],
    });
    expect(selectAudience(folding, members)).toEqual({
      mentions: [{ userId: '3', topics: ['protein'] }],
      direct: [{ userId: '2', topics: ['author:Ada Lovelace'] }],
    });
  });
});

describe('names of the corpus', () => {
  it('given papers, then authors are counted once per paper, spelled as most papers spell them, most papers first', () => {
    const names = collectNames([rlRobots, rlGames, folding, paper('x', { authorNames: ['Ada Lovelace', 'Ada Lovelace'] })], 'author');
    expect(names).toEqual([
      { name: 'Ada Lovelace', papers: 3 },
      { name: 'Alan Turing', papers: 1 },
      { name: 'Grace Hopper', papers: 1 },
    ]);
    expect(collectNames([rlRobots, rlGames, folding], 'org')).toEqual([
      { name: 'BAIDU', papers: 1 },
      { name: 'DeepMind', papers: 1 },
    ]);
  });

  it('given typed text, then names with a word starting with it come first, then names containing it', () => {
    const names = [
      { name: 'Mary Turing', papers: 5 },
      { name: 'Alan Turing', papers: 3 },
      { name: 'Saturin', papers: 2 },
    ];
    expect(filterNames(names, 'tur', 25).map((n) => n.name)).toEqual(['Mary Turing', 'Alan Turing', 'Saturin']);
    expect(filterNames(names, 'alan', 25).map((n) => n.name)).toEqual(['Alan Turing']);
    expect(filterNames(names, '', 2)).toHaveLength(2);
  });
});

describe('describeFollow', () => {
  it.each([
    ['scaling laws', '**scaling laws**'],
    ['reinforcement learning -robotics -games', '**reinforcement learning** (leaving out **robotics**, **games**)'],
    ['author:Ada *Lovelace*', 'papers by **Ada \\*Lovelace\\***'],
    ['org:@everyone', 'papers from **@\u200Beveryone**'],
  ])('given %j, then it reads %j', (topic, text) => {
    expect(describeFollow(topic, escapeMarkdown)).toBe(text);
  });
});
