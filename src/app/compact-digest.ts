import { createCompactNonce, formatCompactPart, planCompactParts } from '../core/compact-digest.js';
import { createPaperNonce } from '../core/digest.js';
import { readFeedLayout, type FeedLayout } from '../core/feed-layout.js';
import type { Paper } from '../core/paper.js';
import { type FeedState, type InFlightDigest, markHeaderPosted, markPending, newestKnownMessage } from '../core/state.js';
import { buildHeaderMessage } from './digest-messages.js';
import { recordPosted, recordRefused } from './digest-records.js';
import { type Retrying, toPostError } from './digest-retry.js';
import type { DigestStepDeps, PaperOutcome } from './digest-steps.js';

/*
 * The compact layout of a digest (feed option `layout: compact`): the digest's papers without a subscriber go out
 * listed in one message (more when they do not fit in 2,000 characters), the others as cards through the usual
 * per-paper step. A list message follows the same exactly-once protocol as a card: the intent (each of its papers
 * pending under the message's nonce) is recorded before the post, the message id (each paper posted with it) after,
 * and a crash in between is settled by reading the channel back, where its marker line names its papers.
 */

/** The list step of a digest run; see {@link createCompactSteps}. */
export interface CompactSteps {
  /** The feed's layout now (an unreadable option is logged once and read as the default). */
  layout(): FeedLayout;
  /**
   * Posts the digest's list messages: first any a crash left pending (whatever the layout now, so a list begun is
   * finished as a list), then, in the compact layout, one for the papers not yet under way that notify nobody. The
   * first list of a digest carries its opening line when that is not out yet. Stops between messages at a shutdown.
   */
  postLists(
    start: { inFlight: InFlightDigest; headerUnknown: boolean },
    corpus: ReadonlyMap<string, Paper>,
    signal?: AbortSignal,
  ): Promise<PaperOutcome[]>;
}

/** Creates the list step of a digest run for one feed. */
export function createCompactSteps(deps: DigestStepDeps, io: { retrying: Retrying }): CompactSteps {
  const { feed, logger } = deps;
  const destination = deps.poster.destination;
  const iso = () => deps.clock.now().toISOString();
  let lastLayoutProblem: string | null = null;

  /** True when a paper of the digest goes out as a card: its intent was recorded as one, or it notifies someone. */
  function goesAsCard(paper: Paper): boolean {
    const progress = feed.progress();
    const pending = progress.pending[paper.id];
    if (pending) return pending.nonce === createPaperNonce(feed.feedId, paper.id);
    if (progress.audiences?.[paper.id]) return true;
    const audience = deps.audienceFor?.(paper);
    return audience !== undefined && audience.mentions.length + audience.direct.length > 0;
  }

  /** True when nothing of the digest is out or under way but (optionally) the papers of one list: its opening line is still owed. */
  function headerDue(headerUnknown: boolean, papers: readonly string[], group: readonly string[] = []): boolean {
    const { progress, posted } = feed.view();
    if (headerUnknown || !progress.inFlight || progress.inFlight.header.messageId !== null) return false;
    return papers.every(
      (id) =>
        !posted.has(id) &&
        !progress.failed[id] &&
        !progress.unverified?.[id] &&
        !progress.waiting?.[id] &&
        (!progress.pending[id] || group.includes(id)),
    );
  }

  /** Records the intent, posts one list message, and records each of its papers posted with its id (or refused). */
  async function postList(papers: Paper[], nonce: string, options: { header?: string; first: number }): Promise<PaperOutcome[]> {
    // A list begun without the opening line may not fit with it: it then goes without (the opening line is skipped).
    let withHeader = options.header !== undefined;
    let message = formatCompactPart(papers, options);
    if (!message && withHeader) {
      withHeader = false;
      message = formatCompactPart(papers, { first: options.first });
    }
    if (!message) throw new Error(`the compact list of ${papers.length} papers does not fit in one message`);
    const after = newestKnownMessage(feed.progress());
    await feed.step((s) =>
      papers.reduce<FeedState>((t, p) => (t.progress.pending[p.id] ? t : markPending(t, p.id, nonce, iso(), after)), s),
    );
    try {
      const { messageId } = await io.retrying(() => deps.poster.post(message, nonce));
      await feed.step((s) =>
        papers.reduce<FeedState>((t, p) => recordPosted(t, p.id, messageId, iso()), withHeader ? markHeaderPosted(s, messageId) : s),
      );
      return papers.map((paper) => ({ kind: 'posted', paper }));
    } catch (error) {
      const postError = toPostError(error);
      if (postError.kind !== 'invalid-payload') throw postError;
      logger.error(
        { destination, papers: papers.map((p) => p.id), status: postError.status, code: postError.code, problem: postError.message },
        `Discord refused a compact list of ${papers.length} papers as malformed (a formatting bug); they are recorded as not posted and shown in /digest status`,
      );
      await feed.step((s) => papers.reduce<FeedState>((t, p) => recordRefused(t, p.id, postError.message, iso()), s));
      return papers.map((paper) => ({ kind: 'refused', paper, reason: postError.message }));
    }
  }

  function layout(): FeedLayout {
    const read = readFeedLayout(feed.feed().options);
    if (read.ok) {
      lastLayoutProblem = null;
      return read.value;
    }
    if (read.reason !== lastLayoutProblem) logger.warn({ destination, feed: feed.feedId }, read.reason);
    lastLayoutProblem = read.reason;
    return 'cards';
  }

  return {
    layout,

    async postLists({ inFlight, headerUnknown }, corpus, signal) {
      const open = (id: string) => {
        const { progress, posted } = feed.view();
        return !posted.has(id) && !progress.failed[id] && !progress.unverified?.[id] && !progress.waiting?.[id];
      };
      const header = () => buildHeaderMessage(feed.progress().inFlight ?? inFlight, feed.feed().schedule.timezone).content;
      const outcomes: PaperOutcome[] = [];
      let first = 1;
      // Lists a crash left pending go out again with the same papers and nonce (Discord returns a list already made).
      const begun = new Map<string, Paper[]>();
      for (const id of inFlight.papers) {
        const paper = corpus.get(id);
        const pending = feed.progress().pending[id];
        if (!paper || !pending || !open(id) || goesAsCard(paper)) continue;
        begun.set(pending.nonce, [...(begun.get(pending.nonce) ?? []), paper]);
      }
      for (const [nonce, papers] of begun) {
        if (signal?.aborted) return outcomes;
        const withHeader = headerDue(
          headerUnknown,
          inFlight.papers,
          papers.map((p) => p.id),
        );
        outcomes.push(...(await postList(papers, nonce, { ...(withHeader ? { header: header() } : {}), first })));
        first += papers.length;
      }
      if (layout() !== 'compact') return outcomes;
      const fresh = inFlight.papers.flatMap((id) => {
        const paper = corpus.get(id);
        return paper && open(id) && !feed.progress().pending[id] && !goesAsCard(paper) ? [paper] : [];
      });
      const withHeader = headerDue(headerUnknown, inFlight.papers);
      for (const [i, papers] of planCompactParts(fresh, withHeader ? header() : undefined).entries()) {
        if (signal?.aborted) return outcomes;
        const nonce = createCompactNonce(feed.feedId, inFlight.digest, papers[0]!.id);
        outcomes.push(...(await postList(papers, nonce, { ...(i === 0 && withHeader ? { header: header() } : {}), first })));
        first += papers.length;
      }
      return outcomes;
    },
  };
}
