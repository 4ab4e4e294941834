import { createExplanationNonce, explanationKey, formatExplanationMessage, measureDigestSupply } from '../core/digest-supply.js';
import { type DigestSupply, explainDigestSupply } from '../core/empty-digest.js';
import type { Paper } from '../core/paper.js';
import { type FeedProgress, newestKnownMessage, updateProgress } from '../core/state.js';
import type { Retrying } from './digest-retry.js';
import type { FeedStore } from './feed-store.js';
import type { Clock, Logger, Poster } from './ports.js';

/*
 * Why a digest posted nothing or less than its size, said in the channel once per reason (not at every run) and
 * forgotten by a full digest. The message follows the exactly-once protocol of a post: its intent (key, text,
 * nonce, anchor) is recorded before it is sent, its id after, and a crash in between is settled by reading the
 * channel back, where its marker line names its key.
 */

/** What the explanation step needs. */
export interface ExplanationDeps {
  feed: FeedStore;
  poster: Poster;
  clock: Clock;
  logger: Logger;
  /** A live source that keeps failing, as health names it (`hf-daily, since Mon 5 Oct 2026, 09:00 UTC`), or null. */
  failingSource?: () => string | null;
}

/** The explanation step of a digest run; see {@link createDigestExplainer}. */
export interface DigestExplainer {
  /** What the digest about to start has to choose from; null while a digest is under way (it chose already). */
  measure(papers: readonly Paper[]): DigestSupply | null;
  /** After the run: says why it was empty or short, once per reason, or forgets the last reason after a full digest. Never rejects. */
  explain(supply: DigestSupply | null): Promise<void>;
}

/** Creates the explanation step of a feed's digest runs. */
export function createDigestExplainer(deps: ExplanationDeps, io: { retrying: Retrying }): DigestExplainer {
  const { feed, logger } = deps;
  const destination = deps.poster.destination;
  const iso = () => deps.clock.now().toISOString();
  const setExplained = (explained: FeedProgress['explained']) =>
    feed.step((s) =>
      updateProgress(s, (p) => {
        const { explained: _old, ...rest } = p;
        return explained ? { ...rest, explained } : rest;
      }),
    );

  /** Settles an explanation a crash left unknown: found in the channel, proven never sent (then sent), or left unchecked. */
  async function settle(recorded: NonNullable<FeedProgress['explained']>): Promise<void> {
    const read = await deps.poster.readOwnMessages({ witnesses: recorded.after ? [recorded.after] : [], since: recorded.since });
    const found = read.messages.find(
      (m) =>
        m.explained === recorded.key && (!recorded.after || !/^\d+$/.test(m.messageId) || BigInt(m.messageId) > BigInt(recorded.after)),
    );
    if (found) {
      await setExplained({ ...recorded, messageId: found.messageId });
      return;
    }
    if (!read.trusted) {
      logger.warn(
        { destination, problem: read.problem },
        'an explanation may already be in the channel but cannot be checked; it is not posted again',
      );
      await setExplained({ ...recorded, messageId: 'unchecked' });
      return;
    }
    await send(recorded);
  }

  async function send(recorded: NonNullable<FeedProgress['explained']>): Promise<void> {
    const message = formatExplanationMessage(recorded.text, recorded.key);
    const { messageId } = await io.retrying(() => deps.poster.post(message, recorded.nonce));
    await setExplained({ ...recorded, messageId });
    logger.info({ destination, reason: recorded.key }, `told the channel why the digest is empty or short: ${recorded.text}`);
  }

  async function explain(supply: DigestSupply | null): Promise<void> {
    const recorded = feed.progress().explained;
    if (recorded && recorded.messageId === null) await settle(recorded);
    if (!supply) return;
    const failingSource = deps.failingSource?.() ?? null;
    const explanation = explainDigestSupply({ ...supply, failingSource });
    const now = feed.progress().explained;
    if (!explanation) {
      if (now) await setExplained(undefined);
      return;
    }
    const key = explanationKey(explanation, failingSource);
    if (now?.key === key) return;
    const since = iso();
    const after = newestKnownMessage(feed.progress());
    const intent = {
      key,
      text: explanation.text,
      nonce: createExplanationNonce(feed.feedId, key, since, `${feed.progress().postedCount}/${feed.progress().digests}`),
      since,
      ...(after ? { after } : {}),
      messageId: null,
    };
    await setExplained(intent);
    await send(intent);
  }

  return {
    measure(papers) {
      if (feed.progress().inFlight) return null;
      return measureDigestSupply(papers, feed.view(), feed.feed());
    },
    async explain(supply) {
      await explain(supply).catch((error: unknown) =>
        logger.error(
          { destination, err: error },
          'could not tell the channel why the digest is empty or short; it is tried again at the next run',
        ),
      );
    },
  };
}
