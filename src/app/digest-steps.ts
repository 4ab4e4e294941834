import { createPaperNonce, listUnposted, selectNextPapers } from '../core/digest.js';
import { isFiltering } from '../core/feed-filter.js';
import type { OutgoingMessage } from '../core/format.js';
import type { Paper } from '../core/paper.js';
import {
  type Audience,
  clearWaiting,
  finishDigest,
  type InFlightDigest,
  type LastRun,
  markHeaderPosted,
  markWaiting,
  newestKnownMessage,
  recordRun,
} from '../core/state.js';
import { type AudienceOf, buildHeaderMessage, buildPaperMessage } from './digest-messages.js';
import { beginDigest, isUnderWay, recordPosted, recordPostIntent, recordRefused } from './digest-records.js';
import { type Retrying, toPostError } from './digest-retry.js';
import type { FeedStore } from './feed-store.js';
import type { Notifier } from './notify.js';
import { type Clock, type CorpusSource, type Logger, PostError, type Poster } from './ports.js';
import { createPostReconciler } from './reconcile-posts.js';
import { createThreadStarter, type DiscussionPlan, planDiscussion, withAudienceTopics, withThreadIntent } from './discussion-threads.js';

/** What the steps of a digest run need: the runner's dependencies, less its retry and pacing settings. */
export interface DigestStepDeps {
  /** The feed the run posts; its configuration gives the order and the time zone. */
  feed: FeedStore;
  poster: Poster;
  corpus: CorpusSource;
  clock: Clock;
  logger: Logger;
  excerptLength?: number;
  audienceFor?: AudienceOf;
}

/** What one run did, its duration aside. */
export interface DigestSummary {
  outcome: LastRun['outcome'] | 'busy';
  digest: number | null;
  posted: Paper[];
  failed: Array<{ paper: Paper; reason: string }>;
  remaining: number;
  error?: string;
  /** `corpus`: the corpus could not be read at all (its folder is missing or unreadable). */
  errorKind?: PostError['kind'] | 'state' | 'corpus';
}

/** How a run starts: nothing to post (the run is over), or the digest in flight, new or resumed. */
export type DigestStart =
  | { kind: 'empty'; summary: DigestSummary }
  /** `headerUnknown`: the opening message may be in the channel but could not be checked (it is not posted again). */
  | { kind: 'digest'; inFlight: InFlightDigest; headerUnknown: boolean };

/** What became of one planned paper: posted, refused as malformed, settled before this run, or missing from the corpus. */
export type PaperOutcome =
  { kind: 'posted'; paper: Paper } | { kind: 'refused'; paper: Paper; reason: string } | { kind: 'settled' } | { kind: 'waiting' };

/** Why a run stopped, as logged; `fatal`: the advice when nothing will work until the admin acts (an invalid token). */
export interface RunFailure {
  error: string;
  errorKind: NonNullable<DigestSummary['errorKind']>;
  fatal?: string;
}

/** The steps of one digest run; each records its state change before the next step starts, and says what it did. */
export interface DigestSteps {
  /** The corpus as of now; rejects when it cannot be read at all. */
  loadCorpus(): Promise<Paper[]>;
  /** Records a run that could not read the corpus; logs the reason once until it changes. */
  corpusUnavailable(error: unknown): Promise<DigestSummary>;
  /** Settles what an interrupted run left unknown, then resumes its digest or starts the next one. */
  startOrResume(papers: readonly Paper[], count: number): Promise<DigestStart>;
  /** Posts the digest's opening message unless it is out, unknown, or late (a paper already went out). */
  postHeader(start: Extract<DigestStart, { kind: 'digest' }>): Promise<'posted' | 'skipped'>;
  /** Posts one planned paper's card, then the mention follow-ups it owes. */
  postPaper(id: string, corpus: ReadonlyMap<string, Paper>, signal?: AbortSignal): Promise<PaperOutcome>;
  /** Ends the digest and records the run. */
  finishRun(inFlight: InFlightDigest, papers: readonly Paper[], outcomes: readonly PaperOutcome[]): Promise<DigestSummary>;
  /** Stops between papers at a shutdown; the rest of the digest is resumed at the next start. */
  stopForShutdown(inFlight: InFlightDigest, papers: readonly Paper[], outcomes: readonly PaperOutcome[]): DigestSummary;
  /** Logs why a run stopped (a destination problem once until it changes, with the destination's advice). */
  reportFailure(error: unknown): RunFailure;
  /** Records a run that stopped, best effort: a failing disk must not hide the first error. */
  recordFailure(
    failure: RunFailure,
    papers: readonly Paper[],
    inFlight: InFlightDigest | null,
    outcomes: readonly PaperOutcome[],
  ): Promise<DigestSummary>;
}

/** Creates the steps of a digest run for one feed; they remember which problems they already logged. */
export function createDigestSteps(deps: DigestStepDeps, io: { retrying: Retrying; notifier: Notifier }): DigestSteps {
  const { feed, logger } = deps;
  const destination = deps.poster.destination;
  const iso = () => deps.clock.now().toISOString();
  const dest = () => feed.progress();
  const countRemaining = (papers: readonly Paper[]) => listUnposted(papers, feed.view(), feed.feed().order, feed.feed()).length;
  const post = (message: OutgoingMessage, nonce: string) => io.retrying(() => deps.poster.post(message, nonce));
  const reconciler = createPostReconciler(deps);
  const threads = createThreadStarter({ ...deps, retrying: io.retrying });
  let lastProblem: string | null = null;
  let lastCorpusProblem: string | null = null;

  /** Logs a destination problem once until it changes, so a missing permission does not flood the log. */
  function reportProblem(error: PostError): void {
    const key = `${error.kind}:${error.code ?? error.status ?? ''}`;
    if (key === lastProblem) {
      logger.debug({ destination, kind: error.kind }, `still failing: ${error.message}`);
      return;
    }
    lastProblem = key;
    logger.error({ destination, kind: error.kind, status: error.status, code: error.code }, error.advice ?? error.message);
  }

  async function recordEmpty(papers: readonly Paper[]): Promise<DigestSummary> {
    const reason = papers.length === 0 ? 'corpus-empty' : 'all-posted';
    await feed.step((s) => recordRun(s, { at: iso(), outcome: 'empty', posted: 0, remaining: 0, reason }));
    const where = deps.corpus.location ? ` at ${deps.corpus.location}` : '';
    logger.info(
      { destination, corpus: deps.corpus.location, reason },
      reason === 'corpus-empty'
        ? `the corpus${where} has no papers (is the folder mounted, are the files *.txt page copies?); nothing to post`
        : `no unposted papers remain in the corpus${where} (${papers.length} papers${isFiltering(feed.feed()) ? `, filtered by the feed's topics or minimum upvotes` : ''}); nothing to post`,
    );
    return { outcome: 'empty', digest: null, posted: [], failed: [], remaining: 0 };
  }

  async function postCard(
    paper: Paper,
    card: OutgoingMessage,
    nonce: string,
    discussion: DiscussionPlan,
    audience: Audience,
  ): Promise<PaperOutcome> {
    const send = () => deps.poster.post(card, nonce, withAudienceTopics(discussion.post, audience));
    // The record of the post shares the try: a failed write after the post is reported like a failed post.
    try {
      // A forum post takes no nonce: one whose answer was lost is never sent again blindly; the paper stays pending
      // and the next run reads the forum for it first.
      const { messageId } = discussion.forum ? await send() : await io.retrying(send);
      await feed.step((s) => recordPosted(s, paper.id, messageId, iso()));
      return { kind: 'posted', paper };
    } catch (error) {
      const postError = toPostError(error);
      if (postError.kind !== 'invalid-payload') throw postError;
      logger.error(
        { destination, paper: paper.id, status: postError.status, code: postError.code, problem: postError.message },
        `Discord refused the card of "${paper.title}" as malformed (a formatting bug); it is recorded as not posted and shown in /digest status`,
      );
      await feed.step((s) => recordRefused(s, paper.id, postError.message, iso()));
      return { kind: 'refused', paper, reason: postError.message };
    }
  }

  return {
    async loadCorpus() {
      const { papers } = await deps.corpus.load();
      if (lastCorpusProblem) logger.info({ destination, corpus: deps.corpus.location }, 'the corpus can be read again');
      lastCorpusProblem = null;
      return papers;
    },

    async corpusUnavailable(error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastCorpusProblem)
        logger.error(
          { destination, corpus: deps.corpus.location },
          `no digest: ${message}. Nothing is posted until the corpus can be read`,
        );
      lastCorpusProblem = message;
      const remaining = dest().lastRun?.remaining ?? 0;
      await feed
        .step((s) => recordRun(s, { at: iso(), outcome: 'failed', posted: 0, remaining, error: message, reason: 'corpus-unavailable' }))
        .catch(() => undefined);
      return { outcome: 'failed', digest: null, posted: [], failed: [], remaining: 0, error: message, errorKind: 'corpus' };
    },

    async startOrResume(papers, count) {
      const resumed = dest().inFlight;
      const inCorpus = new Set(papers.map((p) => p.id));
      const back = Object.keys(dest().waiting ?? {}).filter((id) => inCorpus.has(id));
      if (back.length > 0) {
        logger.info(
          { destination, papers: back },
          `${back.length} planned paper${back.length === 1 ? ' is' : 's are'} back in the corpus; queued again`,
        );
        await feed.step((s) => clearWaiting(s, back));
      }
      if (resumed) logger.info({ destination, digest: resumed.digest }, `resuming digest #${resumed.digest} that was interrupted`);
      const { headerUnknown } = await reconciler.reconcile();
      // Threads a crash left owed (their papers posted, or found posted just now) are started before anything new.
      await threads.startOwed();
      if (!resumed) {
        const plan = selectNextPapers(papers, feed.view(), count, feed.feed().order, feed.feed());
        if (plan.papers.length === 0) return { kind: 'empty', summary: await recordEmpty(papers) };
        await feed.step((s) => beginDigest(s, { papers: plan.papers.map((p) => p.id), remainingAfter: plan.remainingAfter, at: iso() }));
      }
      return { kind: 'digest', inFlight: dest().inFlight!, headerUnknown };
    },

    async postHeader({ inFlight, headerUnknown }) {
      if (inFlight.header.messageId !== null || headerUnknown || isUnderWay(feed.view(), inFlight.papers)) return 'skipped';
      // A forum takes posts only: its papers are the digest.
      if (deps.poster.channelKind?.() === 'forum') return 'skipped';
      const { messageId } = await post(buildHeaderMessage(inFlight, feed.feed().schedule.timezone), inFlight.header.nonce);
      await feed.step((s) => markHeaderPosted(s, messageId));
      return 'posted';
    },

    async postPaper(id, corpus, signal) {
      const current = dest();
      if (feed.view().posted.has(id) || current.failed[id] || current.unverified?.[id] || current.waiting?.[id]) return { kind: 'settled' };
      const paper = corpus.get(id);
      if (!paper) {
        // A folder not mounted yet or a renamed file: the paper stays queued and goes out when it is back.
        logger.warn(
          { destination, paper: id, corpus: deps.corpus.location },
          'a planned paper is missing from the corpus; it stays queued and is posted when it is back',
        );
        await feed.step((s) => markWaiting(s, id, iso()));
        return { kind: 'waiting' };
      }
      const nonce = current.pending[id]?.nonce ?? createPaperNonce(feed.feedId, id);
      const discussion = planDiscussion(feed.feed(), deps.poster, paper);
      const { card, audience } = buildPaperMessage(current, paper, {
        excerptLength: deps.excerptLength,
        audienceFor: deps.audienceFor,
        inThread: discussion.thread,
      });
      if (!current.pending[id] || !current.audiences?.[id]) {
        const after = newestKnownMessage(current);
        // The thread is owed from the intent on: a post recovery finds after a crash gets its thread too.
        await feed.step((s) => withThreadIntent(recordPostIntent(s, id, { nonce, at: iso(), after, audience }), id, discussion, iso()));
      }
      const outcome = await postCard(paper, card, nonce, discussion, audience);
      await threads.startOwed(signal);
      // The follow-up mentions of a paper with many subscribers go out right after its card (or in its thread).
      await io.notifier.sendChannelNotices(signal);
      return outcome;
    },

    async finishRun(inFlight, papers, outcomes) {
      lastProblem = null;
      const remaining = countRemaining(papers);
      const after = dest();
      const held = inFlight.papers.some((id) => after.unverified?.[id] || after.waiting?.[id]);
      const { posted, failed } = tally(outcomes);
      const outcome = failed.length > 0 || held ? 'partial' : 'posted';
      await feed.step((s) => finishDigest(s, { at: iso(), outcome, posted: posted.length, remaining }));
      return { outcome, digest: inFlight.digest, posted, failed, remaining };
    },

    stopForShutdown(inFlight, papers, outcomes) {
      const error = 'interrupted by shutdown; the rest of this digest is posted at the next start';
      const remaining = countRemaining(papers);
      logger.info({ destination, digest: inFlight.digest }, error);
      return { outcome: 'partial', digest: inFlight.digest, ...tally(outcomes), remaining, error };
    },

    reportFailure(error) {
      if (error instanceof PostError) {
        reportProblem(error);
        return {
          error: error.message,
          errorKind: error.kind,
          ...(error.kind === 'unauthorized' ? { fatal: error.advice ?? error.message } : {}),
        };
      }
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ destination, err: error }, `digest stopped: ${message}`);
      return { error: message, errorKind: 'state' };
    },

    async recordFailure(failure, papers, inFlight, outcomes) {
      const remaining = countRemaining(papers);
      const { posted, failed } = tally(outcomes);
      await feed
        .step((s) => recordRun(s, { at: iso(), outcome: 'failed', posted: posted.length, remaining, error: failure.error }))
        .catch(() => undefined);
      return {
        outcome: 'failed',
        digest: inFlight?.digest ?? null,
        posted,
        failed,
        remaining,
        error: failure.error,
        errorKind: failure.errorKind,
      };
    },
  };
}

/** The papers a run posted and the ones Discord refused, in posting order. */
function tally(outcomes: readonly PaperOutcome[]): Pick<DigestSummary, 'posted' | 'failed'> {
  return {
    posted: outcomes.flatMap((o) => (o.kind === 'posted' ? [o.paper] : [])),
    failed: outcomes.flatMap((o) => (o.kind === 'refused' ? [{ paper: o.paper, reason: o.reason }] : [])),
  };
}
