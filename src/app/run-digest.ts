import { createHeaderNonce, createPaperNonce, type DigestOrder, listUnposted, selectNextPapers } from '../core/digest.js';
import { formatDigestHeader, formatPaperMessage, type OutgoingMessage } from '../core/format.js';
import { recordAudience, releaseAudience } from '../core/notices.js';
import type { Paper } from '../core/paper.js';
import {
  clearWaiting,
  type DestinationState,
  finishDigest,
  getDestination,
  type LastRun,
  markFailed,
  markHeaderPosted,
  markPending,
  markPosted,
  markWaiting,
  recordRun,
  type Recipient,
  requeueFailed,
  startDigest,
  type State,
} from '../core/state.js';
import { formatLocalDay } from '../core/time.js';
import { adoptCurrentPaperIds } from './adopt-paper-ids.js';
import { createNotifier, DEFAULT_DIRECT_MESSAGE_LIMITS, type DirectMessageLimits } from './notify.js';
import { type Clock, type CorpusSource, type Logger, PostError, type Poster, type StateStore } from './ports.js';
import { createPostReconciler, newestKnownMessage } from './reconcile-posts.js';

/** Everything a digest run needs, passed in one object (the composition root builds it). */
export interface DigestDeps {
  store: StateStore;
  poster: Poster;
  corpus: CorpusSource;
  clock: Clock;
  logger: Logger;
  size: number;
  order: DigestOrder;
  timezone: string;
  excerptLength?: number;
  /** Pauses between attempts of a post that failed transiently (bounded backoff); default 2 s then 5 s. */
  retryDelaysMs?: number[];
  /** Who a paper notifies (the subscriptions feature): members to mention, members to send a direct message; none by default. */
  audienceFor?: (paper: Paper, state: State) => { mentions: Recipient[]; direct: Recipient[] };
  /** The cap and pacing of direct messages; {@link DEFAULT_DIRECT_MESSAGE_LIMITS} by default. */
  directMessages?: Partial<DirectMessageLimits>;
  sleep?: (ms: number) => Promise<void>;
}

/** What one run did. */
export interface DigestResult {
  outcome: LastRun['outcome'] | 'busy';
  digest: number | null;
  posted: Paper[];
  failed: Array<{ paper: Paper; reason: string }>;
  remaining: number;
  durationMs: number;
  error?: string;
  /** `corpus`: the corpus could not be read at all (its folder is missing or unreadable). */
  errorKind?: PostError['kind'] | 'state' | 'corpus';
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

/** Runs digests for one destination; runs never overlap (a second call while one runs gets `busy`). */
export interface DigestRunner {
  /** `signal`: a shutdown; the run stops after the post under way, leaving the rest of the digest to resume. */
  run(options?: { count?: number; signal?: AbortSignal }): Promise<DigestResult>;
  /** Exactly what the next run would post, simulated on a copy of the state; nothing is posted or saved. */
  preview(options?: { count?: number }): Promise<DigestPreview>;
  /** Delivers the notifications owed from earlier runs (at start, after a crash); a no-op while a run is under way. */
  deliverNotifications(options?: { signal?: AbortSignal }): Promise<void>;
  isRunning(): boolean;
}

/** An error that means nothing will work until the admin acts (an invalid token). */
export class FatalDigestError extends Error {}

/**
 * Creates the digest runner: load → select → record intent → post → mark posted → save, for every paper,
 * so that a crash at any instant leaves a state from which the next run posts each paper exactly once.
 */
export function createDigestRunner(deps: DigestDeps): DigestRunner {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const retryDelays = deps.retryDelaysMs ?? [2000, 5000];
  const destination = deps.poster.destination;
  let running: Promise<unknown> | null = null;
  let lastProblem: string | null = null;
  let lastCorpusProblem: string | null = null;

  const iso = () => deps.clock.now().toISOString();
  const reconciler = createPostReconciler(deps);

  /** Logs a destination problem once until it changes, so a missing permission does not flood the log. */
  function reportProblem(error: PostError): void {
    const key = `${error.kind}:${error.code ?? error.status ?? ''}`;
    if (key === lastProblem) {
      deps.logger.debug({ destination, kind: error.kind }, `still failing: ${error.message}`);
      return;
    }
    lastProblem = key;
    deps.logger.error({ destination, kind: error.kind, status: error.status, code: error.code }, explain(error));
  }

  async function retrying<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const postError = toPostError(error);
        const delay = retryDelays[attempt];
        if (postError.kind !== 'transient' || delay === undefined) throw postError;
        deps.logger.warn({ destination, attempt: attempt + 1, delayMs: delay }, `post failed (${postError.message}); retrying`);
        await sleep(delay);
      }
    }
  }

  const postWithRetry = (message: OutgoingMessage, nonce: string) => retrying(() => deps.poster.post(message, nonce));
  const notifier = createNotifier({
    store: deps.store,
    poster: deps.poster,
    clock: deps.clock,
    logger: deps.logger,
    sleep,
    retrying,
    limits: { ...DEFAULT_DIRECT_MESSAGE_LIMITS, ...deps.directMessages },
  });

  /** Notifications never fail a digest: what could not go out stays recorded for the next delivery. */
  async function deliverSafely(signal: AbortSignal | undefined): Promise<void> {
    await notifier.deliver(signal).catch((error: unknown) =>
      deps.logger.error({ destination, err: error instanceof Error ? error.message : String(error) }, 'notifying subscribers failed for now; they are notified at the next delivery'),
    );
  }

  async function runOnce(count: number, signal: AbortSignal | undefined): Promise<DigestResult> {
    const started = deps.clock.now().getTime();
    const result: DigestResult = { outcome: 'posted', digest: null, posted: [], failed: [], remaining: 0, durationMs: 0 };
    const finish = (): DigestResult => {
      result.durationMs = deps.clock.now().getTime() - started;
      deps.logger.info(
        { destination, digest: result.digest, outcome: result.outcome, posted: result.posted.length, skipped: result.failed.length, remaining: result.remaining, durationMs: result.durationMs },
        `digest ${result.outcome}: ${result.posted.length} posted, ${result.failed.length} skipped, ${result.remaining} remaining`,
      );
      return result;
    };

    let papers: Paper[];
    try {
      ({ papers } = await deps.corpus.load());
    } catch (error) {
      return corpusUnavailable(result, error, finish);
    }
    if (lastCorpusProblem) deps.logger.info({ destination, corpus: deps.corpus.location }, 'the corpus can be read again');
    lastCorpusProblem = null;
    const byId = new Map(papers.map((p) => [p.id, p]));
    let inFlight = getDestination(deps.store.read(), destination).inFlight;

    try {
      await adoptCurrentPaperIds(deps, papers);
      const back = Object.keys(getDestination(deps.store.read(), destination).waiting ?? {}).filter((id) => byId.has(id));
      if (back.length > 0) {
        deps.logger.info({ destination, papers: back }, `${back.length} planned paper${back.length === 1 ? ' is' : 's are'} back in the corpus; queued again`);
        await deps.store.update((s) => clearWaiting(s, destination, back));
      }
      if (inFlight) deps.logger.info({ destination, digest: inFlight.digest }, `resuming digest #${inFlight.digest} that was interrupted`);
      const { headerUnknown } = await reconciler.reconcile();
      if (!inFlight) {
        const plan = selectNextPapers(papers, getDestination(deps.store.read(), destination), count, deps.order);
        if (plan.papers.length === 0) {
          result.outcome = 'empty';
          const reason = papers.length === 0 ? 'corpus-empty' : 'all-posted';
          await deps.store.update((s) => recordRun(s, destination, { at: iso(), outcome: 'empty', posted: 0, remaining: 0, reason }));
          const where = deps.corpus.location ? ` at ${deps.corpus.location}` : '';
          deps.logger.info(
            { destination, corpus: deps.corpus.location, reason },
            reason === 'corpus-empty'
              ? `the corpus${where} has no papers (is the folder mounted, are the files *.txt page copies?); nothing to post`
              : `no unposted papers remain in the corpus${where} (${papers.length} papers); nothing to post`,
          );
          return finish();
        }
        const digest = getDestination(deps.store.read(), destination).digests + 1;
        await deps.store.update((s) =>
          startDigest(s, destination, { papers: plan.papers.map((p) => p.id), remainingAfter: plan.remainingAfter, at: iso(), headerNonce: createHeaderNonce(destination, digest) }),
        );
      }
      inFlight = getDestination(deps.store.read(), destination).inFlight!;
      result.digest = inFlight.digest;

      if (inFlight.header.messageId === null && !headerUnknown && !isUnderWay(getDestination(deps.store.read(), destination), inFlight.papers)) {
        const header = formatDigestHeader({ digest: inFlight.digest, day: formatLocalDay(inFlight.startedAt, deps.timezone), count: inFlight.papers.length, remaining: inFlight.remainingAfter });
        const { messageId } = await postWithRetry(header, inFlight.header.nonce);
        await deps.store.update((s) => markHeaderPosted(s, destination, messageId));
      }

      for (const id of inFlight.papers) {
        if (signal?.aborted) {
          result.outcome = 'partial';
          result.error = 'interrupted by shutdown; the rest of this digest is posted at the next start';
          result.remaining = listUnposted(papers, getDestination(deps.store.read(), destination), deps.order).length;
          deps.logger.info({ destination, digest: inFlight.digest }, result.error);
          return finish();
        }
        const dest = getDestination(deps.store.read(), destination);
        if (dest.posted[id] || dest.failed[id] || dest.unverified?.[id] || dest.waiting?.[id]) continue;
        const paper = byId.get(id);
        if (!paper) {
          // A folder not mounted yet or a renamed file: the paper stays queued and goes out when it is back.
          deps.logger.warn({ destination, paper: id, corpus: deps.corpus.location }, 'a planned paper is missing from the corpus; it stays queued and is posted when it is back');
          await deps.store.update((s) => markWaiting(s, destination, id, iso()));
          continue;
        }
        const nonce = dest.pending[id]?.nonce ?? createPaperNonce(destination, id);
        // Who the paper notifies is fixed with the intent, so a resumed post mentions the same members.
        const audience = dest.audiences?.[id] ?? { title: paper.title, ...(deps.audienceFor?.(paper, deps.store.read()) ?? { mentions: [], direct: [] }) };
        if (!dest.pending[id] || !dest.audiences?.[id]) {
          await deps.store.update((s) => recordAudience(getDestination(s, destination).pending[id] ? s : markPending(s, destination, id, nonce, iso(), newestKnownMessage(dest)), destination, id, audience));
        }
        const message = formatPaperMessage(paper, { excerptLength: deps.excerptLength, mentions: audience.mentions });
        try {
          const { messageId } = await postWithRetry(message, nonce);
          // Who is owed a notification is recorded in the same step as the post: a crash cannot lose it.
          await deps.store.update((s) => releaseAudience(markPosted(s, destination, id, messageId, iso()), destination, id, iso()));
          result.posted.push(paper);
        } catch (error) {
          const postError = toPostError(error);
          if (postError.kind !== 'invalid-payload') throw postError;
          deps.logger.error({ destination, paper: id, status: postError.status, code: postError.code, problem: postError.message }, `Discord refused the card of "${paper.title}" as malformed (a formatting bug); it is recorded as not posted and shown in /digest status`);
          await deps.store.update((s) => releaseAudience(markFailed(s, destination, id, postError.message, iso()), destination, id, iso()));
          result.failed.push({ paper, reason: postError.message });
        }
        // The follow-up mentions of a paper with many subscribers go out right after its card.
        await notifier.sendChannelNotices(signal);
      }

      lastProblem = null;
      const remaining = listUnposted(papers, getDestination(deps.store.read(), destination), deps.order).length;
      result.remaining = remaining;
      const after = getDestination(deps.store.read(), destination);
      const held = inFlight.papers.some((id) => after.unverified?.[id] || after.waiting?.[id]);
      result.outcome = result.failed.length > 0 || held ? 'partial' : 'posted';
      await deps.store.update((s) => finishDigest(s, destination, { at: iso(), outcome: result.outcome as LastRun['outcome'], posted: result.posted.length, remaining }));
      return finish();
    } catch (error) {
      result.outcome = 'failed';
      result.remaining = listUnposted(papers, getDestination(deps.store.read(), destination), deps.order).length;
      if (error instanceof PostError) {
        result.error = error.message;
        result.errorKind = error.kind;
        reportProblem(error);
        if (error.kind === 'unauthorized') throw new FatalDigestError(explain(error));
      } else {
        result.error = error instanceof Error ? error.message : String(error);
        result.errorKind = 'state';
        deps.logger.error({ destination, err: result.error }, `digest stopped: ${result.error}`);
      }
      // Best effort: the run's summary is useful in status, but a failing disk must not hide the first error.
      await deps.store
        .update((s) => recordRun(s, destination, { at: iso(), outcome: 'failed', posted: result.posted.length, remaining: result.remaining, error: result.error }))
        .catch(() => undefined);
      return finish();
    }
  }

  /** Runs the next digest on a copy of the state with a poster that only records: what a real run would post. */
  async function simulate(count: number | undefined): Promise<Pick<DigestPreview, 'messages' | 'directMessages'>> {
    let state = deps.store.read();
    const messages: OutgoingMessage[] = [];
    const directMessages: DigestPreview['directMessages'] = [];
    const sandbox = createDigestRunner({
      ...deps,
      store: { read: () => state, update: async (change) => (state = change(state)), close: async () => undefined },
      poster: {
        destination,
        post: async (message) => ({ messageId: `dry-run:${messages.push(message)}` }),
        readOwnMessages: async () => ({ messages: [], trusted: true }),
        ...(deps.poster.sendDirect ? { sendDirect: async (userId: string, message: OutgoingMessage) => ({ messageId: `dry-run:dm:${directMessages.push({ userId, message })}` }) } : {}),
      },
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      sleep: async () => undefined,
    });
    await sandbox.run({ count });
    return { messages, directMessages };
  }

  /** A corpus that cannot be read: nothing is posted, the run says why (path and reason), once in the log. */
  async function corpusUnavailable(result: DigestResult, error: unknown, finish: () => DigestResult): Promise<DigestResult> {
    const message = error instanceof Error ? error.message : String(error);
    result.outcome = 'failed';
    result.error = message;
    result.errorKind = 'corpus';
    if (message !== lastCorpusProblem) deps.logger.error({ destination, corpus: deps.corpus.location }, `no digest: ${message}. Nothing is posted until the corpus can be read`);
    lastCorpusProblem = message;
    const remaining = getDestination(deps.store.read(), destination).lastRun?.remaining ?? 0;
    await deps.store
      .update((s) => recordRun(s, destination, { at: iso(), outcome: 'failed', posted: 0, remaining, error: message, reason: 'corpus-unavailable' }))
      .catch(() => undefined);
    return finish();
  }

  return {
    async run(options = {}) {
      if (running) return { outcome: 'busy', digest: null, posted: [], failed: [], remaining: 0, durationMs: 0 };
      const run = (async () => {
        const result = await runOnce(options.count ?? deps.size, options.signal);
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
      const dest = getDestination(deps.store.read(), destination);
      const byId = new Map(papers.map((p) => [p.id, p]));
      const resuming = dest.inFlight !== null;
      const chosen = resuming
        ? dest.inFlight!.papers.filter((id) => !dest.posted[id] && !dest.failed[id]).flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []))
        : selectNextPapers(papers, dest, options.count ?? deps.size, deps.order).papers;
      const left = listUnposted(papers, dest, deps.order).length;
      const remainingAfter = Math.max(left - chosen.length, 0);
      return { resuming, papers: chosen, remainingAfter, ...(await simulate(options.count)) };
    },
    isRunning: () => running !== null,
  };
}

/** True once a paper of the digest went out or was settled: a missing opening message is then not posted late. */
function isUnderWay(dest: DestinationState, papers: readonly string[]): boolean {
  return papers.some((id) => dest.posted[id] || dest.pending[id] || dest.unverified?.[id] || dest.failed[id] || dest.waiting?.[id]);
}

/** The reason older versions recorded for a planned paper missing from the corpus (Discord never refused it). */
export const REMOVED_FROM_CORPUS_REASON = 'removed from the corpus before it was posted';

/**
 * Queues the papers Discord refused in a destination again (`/digest retry`, `paperboy digest --retry`): they go
 * out with the next digests, in the configured order. Returns their ids (none: nothing changed).
 */
export async function requeueRefused(store: StateStore, destination: string): Promise<string[]> {
  if (Object.keys(getDestination(store.read(), destination).failed).length === 0) return [];
  let ids: string[] = [];
  await store.update((s) => {
    ids = Object.keys(getDestination(s, destination).failed);
    return requeueFailed(s, destination);
  });
  return ids;
}

/** Anything thrown by a poster, as a classified {@link PostError} (unknown errors count as transient). */
export function toPostError(error: unknown): PostError {
  if (error instanceof PostError) return error;
  return new PostError('transient', error instanceof Error ? error.message : String(error));
}

/** What an admin should do about a destination problem. */
export function explain(error: PostError): string {
  switch (error.kind) {
    case 'forbidden': {
      const missing = error.missing.length > 0 ? ` It is missing ${error.missing.join(', ')}.` : '';
      return `cannot post to the digest channel: the bot lacks permissions there (${error.message}).${missing} Give it View Channel, Send Messages, Embed Links and Read Message History (needed to check its own posts after a crash) in that channel; digests resume on the next run.`;
    }
    case 'unknown-channel':
      return `the digest channel does not exist or the bot cannot see it (${error.message}). Check DISCORD_CHANNEL_ID and that the bot is in that server.`;
    case 'unauthorized':
      return `Discord rejected the bot token (${error.message}). Reset the token in the Developer Portal (Bot → Reset Token) and put it in DISCORD_TOKEN.`;
    case 'invalid-payload':
      return `Discord refused a message as malformed (${error.message}).`;
    default:
      return `posting failed for now (${error.message}); the unposted papers will be posted on the next run.`;
  }
}
