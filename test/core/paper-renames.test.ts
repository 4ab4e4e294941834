import { suggestPaperChoices } from '../../src/adapters/discord/choices.js';
import { describe, expect, it } from 'vitest';
import { isUnposted, listUnposted } from '../../src/core/digest.js';
import { formatPaperMessage, readPaperIdFromFooter } from '../../src/core/format.js';
import { recordAudience, releaseAudience } from '../../src/core/notices.js';
import { createSearchIndex } from '../../src/core/search.js';
import { identifyPaper, isPaperIdShape, type Paper, paperId } from '../../src/core/paper.js';
import { collectPaperRenames, listRenamablePaperIds, renamePaperIds } from '../../src/core/paper-renames.js';
import {
  feedProgressSchema,
  type FeedState,
  markFailed,
  markPending,
  markPosted,
  markUnverified,
  markWaiting,
  startDigest,
} from '../../src/core/state.js';
import { commitStep, makeFeedState } from '../support/feed-state.js';

const AT = '2026-06-22T09:00:00.000Z';
const empty = () => makeFeedState();
const postedIds = (s: FeedState) => [...s.posted.entries()].map((e) => e.paperId);

function paper(title: string, extra: Partial<Paper> = {}): Paper {
  return {
    id: paperId(title),
    title,
    abstract: 'An abstract.',
    authors: null,
    organization: null,
    published: null,
    comments: null,
    links: [],
    source: { file: 'a.txt', line: 1 },
    ...extra,
  };
}

describe('paper identity', () => {
  it('given an arXiv id, then the paper is identified by it and keeps its title id as an alias; otherwise it keeps its title id', () => {
    const withId = identifyPaper(paper('Densing Law of LLMs', { arxivId: '2412.04315' }));
    expect(withId).toMatchObject({ id: '2412.04315', aliases: [paperId('Densing Law of LLMs')] });
    const plain = paper('Densing Law of LLMs');
    expect(identifyPaper(plain)).toBe(plain);
    expect(identifyPaper(withId)).toBe(withId);
  });

  it.each([
    ['2411.17691', true],
    ['hep-th/9901001', true],
    ['math.GT/0309136', true],
    ['densing-law-of-llms-0123456789', true],
    ['2411.17691v2', false],
    ['math.gt/0309136', false],
    ['densing law', false],
    ['../etc/passwd', false],
  ])('given %s, then isPaperIdShape is %s', (text, expected) => {
    expect(isPaperIdShape(text)).toBe(expected);
  });
});

describe('old-style arXiv ids wherever an id goes', () => {
  const old = identifyPaper(
    paper('Dualities in String Theory', { arxivId: 'hep-th/9901001', abstract: 'We study dualities. They are many.' }),
  );
  const other = identifyPaper(
    paper('Knots and Three-Manifolds', { arxivId: 'math.GT/0309136', abstract: 'We study knots. They are tied.' }),
  );

  it('given a card, then its footer reads back as the same id', () => {
    for (const p of [old, other]) expect(readPaperIdFromFooter(formatPaperMessage(p).embeds![0]!.footer!.text)).toBe(p.id);
  });

  it('given autocomplete, then the value is the id (at most 100 characters) and picking it finds the paper', () => {
    const index = createSearchIndex([old, other]);
    const choices = suggestPaperChoices(index, '');
    expect(choices.map((c) => c.value).sort()).toEqual(['hep-th/9901001', 'math.GT/0309136']);
    for (const choice of choices) expect(choice.value.length).toBeLessThanOrEqual(100);
    expect(suggestPaperChoices(index, 'hep-th/9901001')[0]).toEqual({ name: 'Dualities in String Theory', value: 'hep-th/9901001' });
    expect(index.get('math.GT/0309136')).toBe(other);
  });

  it('given state records under such ids, then the state is valid', () => {
    const state = markPending(markPosted(empty(), old.id, '111', AT), other.id, 'nonce', AT);
    expect(feedProgressSchema.safeParse(state.progress).success).toBe(true);
    expect(state.posted.get(old.id)?.messageId).toBe('111');
  });
});

describe('collectPaperRenames', () => {
  it("given papers with aliases, then each alias maps to its paper unless it is another paper's id or claimed before", () => {
    const a = { ...paper('One', { arxivId: '2401.00001' }), id: '2401.00001', aliases: [paperId('One'), 'shared-0000000000'] };
    const b = { ...paper('Two', { arxivId: '2401.00002' }), id: '2401.00002', aliases: ['shared-0000000000', paperId('Three')] };
    const c = paper('Three');
    expect([...collectPaperRenames([a, b, c])]).toEqual([
      [paperId('One'), '2401.00001'],
      ['shared-0000000000', '2401.00001'],
    ]);
  });
});

describe('renamePaperIds', () => {
  const OLD = paperId('Densing Law of LLMs');
  const OTHER = paperId('Another Paper');
  const NEW = '2412.04315';
  const renames = new Map([
    [OLD, NEW],
    [OTHER, '2401.00002'],
  ]);

  it('given every kind of record under old ids, then each moves to the new id and the state stays valid', () => {
    let state = empty();
    state = markPosted(state, OLD, '111', AT);
    state = startDigest(state, { papers: [OTHER, 'kept-0000000000'], remainingAfter: 3, at: AT, headerNonce: 'h' });
    state = markPending(state, OTHER, 'nonce-other', AT, '111');
    state = recordAudience(state, OTHER, {
      title: 'Another Paper',
      mentions: [{ userId: '123456789012345678', topics: ['llm'] }],
      direct: [],
    });
    state = commitStep(state);
    const moved = renamePaperIds(state, renames);
    expect(feedProgressSchema.safeParse(moved.progress).success).toBe(true);
    expect(postedIds(moved)).toEqual([NEW]);
    expect(moved.posted.get(NEW)).toEqual({ ...state.posted.get(OLD), paperId: NEW });
    expect(moved.logChanges).toEqual([{ kind: 'rename', from: OLD, to: NEW }]);
    expect(moved.progress.pending).toEqual({ '2401.00002': { ...state.progress.pending[OTHER]!, formerIds: [OTHER] } });
    expect(moved.progress.inFlight!.papers).toEqual(['2401.00002', 'kept-0000000000']);
    expect(Object.keys(moved.progress.audiences!)).toEqual(['2401.00002']);
    const committed = commitStep(moved);
    expect(listRenamablePaperIds(committed, renames)).toEqual([]);
    expect(renamePaperIds(committed, renames)).toBe(committed);
  });

  it('given refused and waiting records under old ids, then they move too', () => {
    const state = markWaiting(markFailed(empty(), OLD, 'refused', AT), OTHER, AT);
    const moved = renamePaperIds(state, renames);
    expect(Object.keys(moved.progress.failed)).toEqual([NEW]);
    expect(Object.keys(moved.progress.waiting!)).toEqual(['2401.00002']);
    expect(moved.logChanges).toEqual([]);
  });

  it('given owed notifications, then the papers they name are renamed and nonces are kept', () => {
    let state = empty();
    state = markPending(state, OLD, 'nonce', AT);
    state = recordAudience(state, OLD, {
      title: 'Densing Law of LLMs',
      mentions: [],
      direct: [{ userId: '123456789012345678', topics: ['llm'] }],
    });
    state = releaseAudience(markPosted(state, OLD, '222', AT), OLD, AT);
    const before = state.progress;
    expect(before.directDue?.['123456789012345678']?.[0]?.paper).toBe(OLD);
    const after = renamePaperIds(state, renames).progress;
    expect(after.directDue?.['123456789012345678']).toEqual([{ ...before.directDue!['123456789012345678']![0]!, paper: NEW }]);
  });

  it('given an unverified record, then it keeps its nonce and anchor, remembers its former id, and keeps it when held again', () => {
    let state = markPending(empty(), OLD, 'nonce', AT, '111');
    state = markUnverified(state, OLD, 'no Read Message History', AT);
    const moved = renamePaperIds(state, renames);
    expect(moved.progress.unverified).toEqual({
      [NEW]: { ...state.progress.unverified![OLD]!, formerIds: [OLD] },
    });
    const again = markUnverified(moved, NEW, 'still no Read Message History', AT);
    expect(again.progress.unverified![NEW]!.formerIds).toEqual([OLD]);
  });

  it('given two old ids of one paper, both posted, then the earlier post is kept and nothing else stays recorded for it', () => {
    const TYPO = paperId('Densing Law of LLM');
    let state: FeedState = markPosted(empty(), OLD, '111', AT);
    state = markPosted(state, TYPO, '222', AT);
    state = commitStep(markFailed(state, NEW, 'refused', AT));
    const both = new Map([
      [OLD, NEW],
      [TYPO, NEW],
    ]);
    const moved = renamePaperIds(state, both);
    expect([...moved.posted.entries()]).toEqual([{ ...state.posted.get(OLD), paperId: NEW }]);
    expect(moved.progress.failed).toEqual({});
    // In the other order of the map, the earlier post still wins.
    const reversed = renamePaperIds(state, new Map([...both].reverse()));
    expect([...reversed.posted.entries()]).toEqual([{ ...state.posted.get(OLD), paperId: NEW }]);
  });

  it('given a paper posted under its new id after an earlier post under its old id, then the earlier post is kept', () => {
    const state = commitStep(markPosted(markPosted(empty(), OLD, '111', AT), NEW, '222', AT));
    const moved = renamePaperIds(state, renames);
    expect([...moved.posted.entries()]).toEqual([{ ...state.posted.get(OLD), paperId: NEW }]);
    expect(moved.logChanges).toEqual([
      { kind: 'remove', paperId: NEW },
      { kind: 'rename', from: OLD, to: NEW },
    ]);
  });
});

describe('isUnposted with aliases', () => {
  it('given a paper posted under its old title id, then it counts as posted before and after the records move', () => {
    const identified = identifyPaper(paper('Densing Law of LLMs', { arxivId: '2412.04315' }));
    const state = markPosted(empty(), paperId('Densing Law of LLMs'), '111', AT);
    expect(isUnposted(identified, state)).toBe(false);
    const moved = renamePaperIds(state, collectPaperRenames([identified]));
    expect(isUnposted(identified, moved)).toBe(false);
    expect(listUnposted([identified, paper('Fresh')], moved, 'corpus').map((p) => p.title)).toEqual(['Fresh']);
  });
});
