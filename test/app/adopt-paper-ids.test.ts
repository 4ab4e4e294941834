import { describe, expect, it } from 'vitest';
import { createDigestRunner, type DigestDeps } from '../../src/app/run-digest.js';
import { createPaperNonce } from '../../src/core/digest.js';
import { formatPaperMessage } from '../../src/core/format.js';
import { identifyPaper, type Paper } from '../../src/core/paper.js';
import { type FeedState, markPending, markPosted, startDigest } from '../../src/core/state.js';
import { makeFeedState } from '../support/feed-state.js';
import {
  createFakePoster,
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  createMemoryStore,
  makePapers,
  recordsOf,
  TEST_FEED,
} from '../support/memory-ports.js';

const AT = '2026-06-22T08:00:00.000Z';

/** The corpus as this version reads it: the first `withArxiv` papers now carry an arXiv id (an API snapshot gave it). */
function upgradedCorpus(old: Paper[], withArxiv: number): Paper[] {
  return old.map((paper, i) => (i < withArxiv ? identifyPaper({ ...paper, arxivId: `2411.${String(10001 + i)}` }) : paper));
}

function setup(state: FeedState, papers: Paper[]) {
  const store = createMemoryStore({ progress: state.progress, posted: [...state.posted.entries()] });
  const poster = createFakePoster();
  const logger = createMemoryLogger();
  const deps: DigestDeps = {
    store,
    feedId: store.feedId,
    poster,
    corpus: createListCorpus(papers),
    clock: createManualClock(),
    logger,
    retryDelaysMs: [0, 0],
  };
  const footers = () =>
    poster.posts.flatMap((p) => (p.message.embeds?.[0] ? [p.message.embeds[0].footer!.text.replace('Paper id: ', '')] : []));
  return { store, poster, logger, runner: createDigestRunner(deps), footers, dest: () => recordsOf(store) };
}

describe('upgrading to arXiv identity', () => {
  it('given papers posted under their old title ids that now have arXiv ids, then none is posted again, the records move once, and it is logged once', async () => {
    const old = makePapers(6);
    let state = makeFeedState({ feedId: TEST_FEED });
    for (const [i, paper] of old.slice(0, 3).entries()) state = markPosted(state, paper.id, String(900 + i), AT);
    const papers = upgradedCorpus(old, 4);
    const env = setup(state, papers);

    const preview = await env.runner.preview();
    expect(preview.papers.map((p) => p.id)).toEqual([papers[3]!.id, papers[4]!.id, papers[5]!.id]);
    await env.runner.run();
    await env.runner.run();
    expect(env.footers()).toEqual(['2411.10004', old[4]!.id, old[5]!.id]);
    expect(Object.keys(env.dest().posted)).toEqual(['2411.10001', '2411.10002', '2411.10003', '2411.10004', old[4]!.id, old[5]!.id]);
    expect(env.dest().posted['2411.10001']).toEqual({ ...state.posted.get(old[0]!.id), paperId: '2411.10001' });
    expect(env.logger.lines.filter((l) => /now identified by their arXiv id/.test(l.message))).toHaveLength(1);
  });

  it('given a post an older version made but did not record (kill -9), then recovery reads its old footer id as the paper and does not post it again', async () => {
    const old = makePapers(4);
    const papers = upgradedCorpus(old, 1);
    let state = markPosted(makeFeedState({ feedId: TEST_FEED }), old[3]!.id, '999', AT);
    state = startDigest(state, { papers: [old[0]!.id, old[1]!.id], remainingAfter: 1, at: AT, headerNonce: 'header' });
    const nonce = createPaperNonce('channel:111111111111111111', old[0]!.id);
    state = markPending(state, old[0]!.id, nonce, AT, '999');
    const env = setup(state, papers);
    // The older version's card went out (footer: its old id), then the process died before recording it.
    await env.poster.post(formatPaperMessage(old[0]!), nonce);
    // Days later: Discord has forgotten the nonce, so only the footer can tell the post exists.
    env.poster.dedupe = false;

    await env.runner.run();
    await env.runner.run();
    expect(env.footers()).toEqual([old[0]!.id, old[1]!.id, old[2]!.id]);
    expect(Object.keys(env.dest().posted).sort()).toEqual(['2411.10001', old[1]!.id, old[2]!.id, old[3]!.id].sort());
    expect(env.dest().pending).toEqual({});
  });
});
