import type { Fence, Lease, Logger, Store, WriteOptions } from './ports.js';
import type { DigestResult, DigestRunner } from './run-digest.js';

/** How long a lease lasts unless renewed; renewed every third of it while a run goes on. */
const DEFAULT_TTL_MS = 60_000;

const BUSY: DigestResult = { outcome: 'busy', digest: null, posted: [], failed: [], remaining: 0, durationMs: 0 };

/**
 * The store as a fenced run sees it: every write carries the run's fence (when it holds one), so the database
 * refuses it once another process took the feed's lease (a LeaseLostError), and nothing of it is written.
 */
export function fenceStore(store: Store, fence: () => Fence | null): Store {
  const fenced = (options?: WriteOptions): WriteOptions => {
    const current = fence();
    return options?.fence || !current ? (options ?? {}) : { ...options, fence: current };
  };
  return {
    ...store,
    step: (feedId, change, options) => store.step(feedId, change, fenced(options)),
    saveFeed: (feed, options) => store.saveFeed(feed, fenced(options)),
    updateSubscriber: (guildId, userId, change, options) => store.updateSubscriber(guildId, userId, change, fenced(options)),
    updateMeta: (change, options) => store.updateMeta(change, fenced(options)),
  };
}

/**
 * A feed's runner whose runs each hold the feed's lease (issue 14): several processes may believe they run the same
 * feed (a rolling deploy, a mis-set SHARD_IDS), and only the holder of the lease posts. A run that cannot take the
 * lease is `busy` (another process runs the feed now); a run whose lease was taken over meanwhile (the process was
 * paused past its expiry) has every later write refused, so it records and posts nothing more, and the new owner
 * resumes through the recovery protocol.
 */
export function createLeasedRunner(deps: {
  store: Store;
  feedId: string;
  /** Who this process is, for the lease row (host, pid and a random part). */
  owner: string;
  logger: Logger;
  ttlMs?: number;
  /** Builds the feed's runner over the fenced store. */
  build: (store: Store) => DigestRunner;
}): DigestRunner {
  const { store, feedId, logger } = deps;
  const ttlMs = deps.ttlMs ?? DEFAULT_TTL_MS;
  let current: Lease | null = null;
  let taking = false;
  const inner = deps.build(fenceStore(store, () => current));

  /** Runs `work` holding the lease, renewing it meanwhile; null when another process holds it. */
  const holding = async <T>(work: () => Promise<T>): Promise<T | null> => {
    if (taking || inner.isRunning()) return await work();
    taking = true;
    let lease: Lease | null;
    try {
      lease = await store.leases.acquire(feedId, deps.owner, ttlMs);
    } finally {
      taking = false;
    }
    if (!lease) {
      logger.info({ feed: feedId }, `feed ${feedId} is being run by another process now; this run is skipped`);
      return null;
    }
    current = lease;
    const renewal = setInterval(
      () => {
        const held = current;
        if (!held) return;
        store.leases.renew(held, ttlMs).then(
          (renewed) => {
            if (current === held) current = renewed;
          },
          (error: unknown) =>
            logger.warn({ feed: feedId, err: error }, `lost the lease on feed ${feedId}: its run records and posts nothing more`),
        );
      },
      Math.max(1, Math.floor(ttlMs / 3)),
    );
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      // The lease as last renewed (the renewals keep `current` up to date).
      const held = current;
      current = null;
      await store.leases.release(held).catch(() => undefined);
    }
  };

  return {
    async run(options) {
      return (await holding(() => inner.run(options))) ?? BUSY;
    },
    preview: (options) => inner.preview(options),
    async deliverNotifications(options) {
      await holding(() => inner.deliverNotifications(options));
    },
    isRunning: () => taking || inner.isRunning(),
  };
}
