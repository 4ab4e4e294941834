import { describe, expect, it } from 'vitest';
import { rankTopPapers } from '../../src/core/top-papers.js';
import { countVoters, planVoteReplacement, type VoteBook } from '../../src/core/votes.js';
import { makePapers } from '../support/memory-ports.js';

const AT = '2026-06-22T09:00:00.000Z';
const book = (rows: Array<[string, string, string]>): VoteBook => {
  const votes = new Map<string, Map<string, Map<string, { messageId: string; at: string }>>>();
  for (const [guild, paper, user] of rows) {
    if (!votes.has(guild)) votes.set(guild, new Map());
    if (!votes.get(guild)!.has(paper)) votes.get(guild)!.set(paper, new Map());
    votes.get(guild)!.get(paper)!.set(user, { messageId: 'm', at: AT });
  }
  return votes;
};

describe('votes', () => {
  it('given votes under a paper id and the older id it had before a rename, then each member counts once', () => {
    const votes = book([
      ['g', 'new', '1'],
      ['g', 'old', '1'],
      ['g', 'old', '2'],
      ['h', 'new', '3'],
    ]);
    expect(countVoters(votes, 'g', ['new', 'old'])).toBe(2);
    expect(countVoters(votes, 'g', ['new'])).toBe(1);
    expect(countVoters(votes, 'x', ['new'])).toBe(0);
    const [paper] = makePapers(1);
    const ranked = rankTopPapers({
      sent: [{ paperId: paper!.id, postedAt: AT }],
      votesOf: (p) => countVoters(votes, 'g', [p.id, ...(p.aliases ?? [])]),
      paperOf: () => ({ ...paper!, id: 'new', aliases: ['old'] }),
      since: null,
    });
    expect(ranked.map((r) => r.votes)).toEqual([2]);
  });

  it('given a reconciliation read, then it adds those not counted and removes only the votes that came through that message', () => {
    const votes: VoteBook = new Map([
      [
        'g',
        new Map([
          [
            'p',
            new Map([
              ['1', { messageId: 'm1', at: AT }],
              ['2', { messageId: 'm2', at: AT }],
            ]),
          ],
        ]),
      ],
    ]);
    const plan = planVoteReplacement(votes, { guildId: 'g', paperId: 'p', messageId: 'm1' }, ['3'], AT);
    expect(plan.remove).toEqual([{ guildId: 'g', paperId: 'p', messageId: 'm1', userId: '1' }]);
    expect(plan.add.map((v) => v.userId)).toEqual(['3']);
  });
});
