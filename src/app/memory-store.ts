import type { StoreDump } from '../core/store-dump.js';
import { type Store, StoreNotEmptyError } from './ports.js';
import {
  applyFeed,
  applyFeedRemoval,
  applyMove,
  applyStep,
  checkFeed,
  createStoreMemory,
  isBlankMemory,
  planMeta,
  planMove,
  planStep,
  planSubscriber,
  postedOf,
  setSubscriber,
  snapshotOf,
  type StoreMemory,
} from './store-memory.js';

/**
 * A store that lives in memory only: what a digest preview or a dry run writes to (forked from the real store, see
 * forkStoreMemory), and the reference the store contract tests hold the database adapters to.
 */
export function createMemoryStore(memory: StoreMemory = createStoreMemory()): Store {
  let closed = false;
  // Writes are synchronous here, yet resolve like a database's: a caller never sees memory change before its promise.
  const write = <T>(run: () => T): Promise<T> => {
    if (closed) return Promise.reject(new Error('the store is closed; the change was not saved'));
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return {
    read: () => snapshotOf(memory),
    posted: (feedId) => postedOf(memory, feedId),
    step: (feedId, change) => write(() => applyStep(memory, planStep(memory, feedId, change))),
    saveFeed: (feed) => write(() => applyFeed(memory, checkFeed(feed))),
    removeFeed: (feedId) => write(() => applyFeedRemoval(memory, feedId)),
    updateSubscriber: (guildId, userId, change) =>
      write(() => {
        const next = planSubscriber(memory, guildId, userId, change);
        setSubscriber(memory, guildId, userId, next);
        return next;
      }),
    moveSubscriptions: (from, to) =>
      write(() => {
        const moved = planMove(memory, from, to);
        applyMove(memory, from, to, moved);
        return moved.length;
      }),
    updateMeta: (change) => write(() => (memory.meta = planMeta(memory, change))),
    importDump: (dump: StoreDump, options) =>
      write(() => {
        if (!options.replace && !isBlankMemory(memory)) throw new StoreNotEmptyError('the store already holds data');
        Object.assign(memory, createStoreMemory(dump));
      }),
    isBlank: () => isBlankMemory(memory),
    async close() {
      closed = true;
    },
  };
}
