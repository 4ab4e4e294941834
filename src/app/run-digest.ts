import { listUnposted, selectNextPapers } from '../core/digest.js';
import type { OutgoingMessage } from '../core/format.js';
import type { Paper } from '../core/paper.js';
import { type InFlightDigest, requeueFailed } from '../core/state.js';
import type { AudienceOf } from './digest-messages.js';
import { createRetrying } from './digest-retry.js';
import { createDigestSteps, type DigestSummary, type PaperOutcome } from './digest-steps.js';
import { createCompactSteps } from './compact-digest.js';
import { createDigestExplainer } from './digest-explanation.js';
import { adoptCurrentPaperIds } from './adopt-paper-ids.js';
import { type FeedStore, scopeToFeed } from './feed-store.js';
import { createMemoryStore } from './memory-store.js';
import { createNotifier, DEFAULT_DIRECT_MESSAGE_LIMITS, type DirectMessageLimits } from './notify.js';
import type { Clock, CorpusSource, Logger, Poster, Store } from './ports.js';
import { forkStoreMemory } from './store-memory.js';

export { toPostError } from './digest-retry.js';

/** Everything a digest run needs, passed in one object (the composition root builds it). */
export interface DigestDeps {
  store: Store;
  /** The feed this runner posts: its configuration (size, order, time zone) is read at every run. */
  feedId: string;
  poster: Poster;
  corpus: CorpusSource;
  clock: Clock;
  logger: Logger;
  excerptLength?: number;
  /** Pauses between attempts of a post that failed transiently (bounded backoff); default 2 s then 5 s. */
  retryDelaysMs?: number[];
  /** Who a paper notifies (the subscriptions feature): members to mention, members to send a direct message; none by default. */
  audienceFor?: AudienceOf;
  /** The cap and pacing of direct messages; {@link DEFAULT_DIRECT_MESSAGE_LIMITS} by default. */
  directMessages?: Partial<DirectMessageLimits>;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Runs before each digest (not before a preview): the live sources' fetch into the corpus folder. It must never
   * reject; `signal` is the run's shutdown signal.
   */
  beforeRun?: (signal?: AbortSignal) => Promise<void>;
  /** A live source that keeps failing, with since when (for the explanation of an empty digest), or null. */
  failingSource?: () => string | null;
  /** False: an empty or short digest is not explained in the channel (a preview shows the digest only); default true. */
  explain?: boolean;
}

/** What one run did, and how long it took. */
export interface DigestResult extends DigestSummary {
  durationMs: number;
}

/** What the next digest would post, for `--dry-run` and `/digest preview`. */
export interface DigestPreview {
  resuming: boolean;
  papers: Paper[];
  remainingAfter: number;
  /** The channel's messages, in order: header, cards, follow-up mentions, fallbacks. */
  messages: OutgoingMessage[];
  /** Direct messages to members, assuming each member's DMs are open. */
  directMessages: Array<{ userId: string; message: OutgoingMessage }>;
}

/** Runs digests for one feed; runs never overlap (a second call while one runs gets `busy`). */
export interface DigestRunner {
  /**
   * `signal`: a shutdown; the run stops after the post under way, leaving the rest of the digest to resume (a
   * shutdown during {@link DigestDeps.beforeRun} ends the run as `busy`, before anything is recorded). `onStart`
   * runs once the run is sure to go ahead or found another under way, after `beforeRun`.
   */
  run(options?: { count?: number; signal?: AbortSignal; onStart?: () => Promise<void> }): Promise<DigestResult>;
  /** Exactly what the next run would post, simulated on a fork of the store; nothing is posted or saved. */
  preview(options?: { count?: number }): Promise<DigestPreview>;
  /** Delivers the notifications owed from earlier runs (at start, after a crash); a no-op while a run is under way. */
  deliverNotifications(options?: { signal?: AbortSignal }): Promise<void>;
  isRunning(): boolean;
}

/** An error that means nothing will work until the admin acts (an invalid token). */
export class FatalDigestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FatalDigestError';
  }
}

/**
 * Creates the digest runner: load → select → record intent → post → mark posted → save, for every paper,
 * so that a crash at any instant leaves a state from which the next run posts each paper exactly once.
 */
export function createDigestRunner(deps: DigestDeps): DigestRunner {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const destination = deps.poster.destination;
  const feed: FeedStore = scopeToFeed(deps.store, deps.feedId);
  const retrying = createRetrying({ destination, logger: deps.logger, delaysMs: deps.retryDelaysMs ?? [2000, 5000], sleep });
  const notifier = createNotifier({
    feed,
    poster: deps.poster,
    clock: deps.clock,
    logger: deps.logger,
    sleep,
    retrying,
    limits: { ...DEFAULT_DIRECT_MESSAGE_LIMITS, ...deps.directMessages },
  });
  const steps = createDigestSteps({ ...deps, feed }, { retrying, notifier });
  const compact = createCompactSteps({ ...deps, feed }, { retrying });
  const explainer = createDigestExplainer({ ...deps, feed }, { retrying });
  let running: Promise<unknown> | null = null;

  /** Notifications never fail a digest: what could not go out stays recorded for the next delivery. */
  async function deliverSafely(signal: AbortSignal | undefined): Promise<void> {
    await notifier
      .deliver(signal)
      .catch((error: unknown) =>
        deps.logger.error({ destination, err: error }, 'notifying subscribers failed for now; they are notified at the next delivery'),
      );
  }

  /** One digest: start or resume → header → each paper → summary. Each step saves its change before the next. */
  async function runSteps(count: number, signal: AbortSignal | undefined): Promise<DigestSummary> {
    let papers: Paper[];
    try {
      papers = await steps.loadCorpus();
    } catch (error) {
      return steps.corpusUnavailable(error);
    }
    const corpus = new Map(papers.map((p) => [p.id, p]));
    let inFlight: InFlightDigest | null = null;
    const outcomes: PaperOutcome[] = [];
    try {
      await adoptCurrentPaperIds({ feed, logger: deps.logger }, papers);
      // What this digest chooses from, counted before it posts: why it is empty or short is said after it.
      const supply = explainer.measure(papers);
      const start = await steps.startOrResume(papers, count);
      if (start.kind === 'empty') {
        if (deps.explain !== false) await explainer.explain(supply);
        return start.summary;
      }
      inFlight = start.inFlight;
      // The compact layout's lists first: the first carries the opening line, which is then not posted on its own.
      outcomes.push(...(await compact.postLists(start, corpus, signal)));
      await steps.postHeader(start);
      for (const id of inFlight.papers) {
        if (signal?.aborted) return steps.stopForShutdown(inFlight, papers, outcomes);
        outcomes.push(await steps.postPaper(id, corpus, signal));
      }
      const summary = await steps.finishRun(inFlight, papers, outcomes);
      if (deps.explain !== false) await explainer.explain(supply);
      return summary;
    } catch (error) {
      const failure = steps.reportFailure(error);
      if (failure.fatal !== undefined) throw new FatalDigestError(failure.fatal);
      return steps.recordFailure(failure, papers, inFlight, outcomes);
    }
  }

  async function runOnce(count: number, signal: AbortSignal | undefined): Promise<DigestResult> {
    const started = deps.clock.now().getTime();
    const { outcome, digest, posted, failed, remaining, ...why } = await runSteps(count, signal);
    const result: DigestResult = { outcome, digest, posted, failed, remaining, durationMs: deps.clock.now().getTime() - started, ...why };
    deps.logger.info(
      { destination, digest, outcome, posted: posted.length, skipped: failed.length, remaining, durationMs: result.durationMs },
      `digest ${outcome}: ${posted.length} posted, ${failed.length} skipped, ${remaining} remaining`,
    );
    return result;
  }

  /** Runs the next digest on a fork of the store with a poster that only records: what a real run would post. */
  async function simulate(count: number | undefined): Promise<Pick<DigestPreview, 'messages' | 'directMessages'>> {
    const messages: OutgoingMessage[] = [];
    const directMessages: DigestPreview['directMessages'] = [];
    const sandbox = createDigestRunner({
      ...deps,
      // A preview reads the corpus as it is: it never fetches; it shows the digest, not why it is empty or short.
      beforeRun: undefined,
      explain: false,
      store: createMemoryStore(forkStoreMemory(deps.store)),
      poster: {
        destination,
        post: async (message) => ({ messageId: `dry-run:${messages.push(message)}` }),
        readOwnMessages: async () => ({ messages: [], trusted: true }),
        ...(deps.poster.sendDirect
          ? {
              sendDirect: async (userId: string, message: OutgoingMessage) => ({
                messageId: `dry-run:dm:${directMessages.push({ userId, message })}`,
              }),
            }
          : {}),
      },
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      sleep: async () => undefined,
    });
    await sandbox.run({ count });
    return { messages, directMessages };
  }

  return {
    async run(options = {}) {
      const busy: DigestResult = { outcome: 'busy', digest: null, posted: [], failed: [], remaining: 0, durationMs: 0 };
      if (running) {
        await options.onStart?.();
        return busy;
      }
      const run = (async () => {
        await deps.beforeRun?.(options.signal);
        // Stopped while fetching: nothing of this digest is recorded yet, so the next start owes it whole.
        if (options.signal?.aborted) return busy;
        await options.onStart?.();
        const result = await runOnce(options.count ?? feed.feed().size, options.signal);
        // Papers posted before a failure, and posts found by recovery, notify their subscribers too.
        await deliverSafely(options.signal);
        return result;
      })();
      running = run;
      try {
        return await run;
      } finally {
        running = null;
      }
    },
    async deliverNotifications(options = {}) {
      if (running) return;
      const delivery = deliverSafely(options.signal);
      running = delivery;
      try {
        await delivery;
      } finally {
        running = null;
      }
    },
    async preview(options = {}) {
      const { papers } = await deps.corpus.load();
      const view = feed.view();
      const config = feed.feed();
      const { size, order } = config;
      const dest = view.progress;
      const byId = new Map(papers.map((p) => [p.id, p]));
      const resuming = dest.inFlight !== null;
      const chosen = resuming
        ? dest
            .inFlight!.papers.filter((id) => !view.posted.has(id) && !dest.failed[id])
            .flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []))
        : selectNextPapers(papers, view, options.count ?? size, order, config).papers;
      const left = listUnposted(papers, view, order, config).length;
      const remainingAfter = Math.max(left - chosen.length, 0);
      return { resuming, papers: chosen, remainingAfter, ...(await simulate(options.count)) };
    },
    isRunning: () => running !== null,
  };
}

/** The reason older versions recorded for a planned paper missing from the corpus (Discord never refused it). */
export const REMOVED_FROM_CORPUS_REASON = 'removed from the corpus before it was posted';

/**
 * Queues the papers Discord refused in a feed again (`/digest retry`, `paperboy digest --retry`): they go out with
 * the next digests, in the configured order. Returns their ids (none: nothing changed).
 */
export async function requeueRefused(store: Store, feedId: string): Promise<string[]> {
  const feed = scopeToFeed(store, feedId);
  if (Object.keys(feed.progress().failed).length === 0) return [];
  let ids: string[] = [];
  await feed.step((s) => {
    ids = Object.keys(s.progress.failed);
    return requeueFailed(s);
  });
  return ids;
}
