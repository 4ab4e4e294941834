import type { StoreDump } from '../core/store-dump.js';
import { checkFence, type LeaseRow, planAcquire, planRelease, planRenew, toLease } from './lease-rules.js';
import { type Leases, type Store, StoreNotEmptyError, type WriteOptions } from './ports.js';
import {
  applyFeed,
  applyFeedRemoval,
  applyGuildPurge,
  applyGuildRemoved,
  applyMove,
  applyReplaceVotes,
  deleteVote,
  planAddVote,
  planRemoveVote,
  planReplaceVotes,
  setVote,
  applyStep,
  checkFeed,
  createStoreMemory,
  isBlankMemory,
  planMeta,
  planGuildPurge,
  planReadingListAdd,
  planReadingListRemove,
  readingListOf,
  readingListPage,
  setReadingList,
  planMove,
  planStep,
  planSubscriber,
  postedOf,
  setSubscriber,
  snapshotOf,
  type StoreMemory,
} from './store-memory.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The clock leases expire by, in milliseconds; without one, time stands still and a lease lapses only when released. */
  now?: () => number;
}

/**
 * A store that lives in memory only: what a digest preview or a dry run writes to (forked from the real store, see
 * forkStoreMemory), and the reference the store contract tests hold the database adapters to.
 */
export function createMemoryStore(memory: StoreMemory = createStoreMemory(), options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? (() => 0);
  const leaseRows = new Map<string, LeaseRow>();
  let closed = false;
  // Writes are synchronous here, yet resolve like a database's: a caller never sees memory change before its promise.
  const write = <T>(run: () => T, writeOptions?: WriteOptions): Promise<T> => {
    if (closed) return Promise.reject(new Error('the store is closed; the change was not saved'));
    try {
      if (writeOptions?.fence) checkFence(leaseRows.get(writeOptions.fence.scope), writeOptions.fence);
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const leases: Leases = {
    acquire: (scope, owner, ttlMs) =>
      write(() => {
        const next = planAcquire(leaseRows.get(scope), scope, owner, now(), ttlMs);
        if (next) leaseRows.set(scope, next);
        return next && toLease(next);
      }),
    renew: (lease, ttlMs) =>
      write(() => {
        const next = planRenew(leaseRows.get(lease.scope), lease, now(), ttlMs);
        leaseRows.set(lease.scope, next);
        return toLease(next);
      }),
    release: (lease) =>
      write(() => {
        const next = planRelease(leaseRows.get(lease.scope), lease, now());
        if (next) leaseRows.set(lease.scope, next);
      }),
  };
  return {
    read: () => snapshotOf(memory),
    posted: (feedId) => postedOf(memory, feedId),
    step: (feedId, change, o) => write(() => applyStep(memory, planStep(memory, feedId, change)), o),
    saveFeed: (feed, o) => write(() => applyFeed(memory, checkFeed(feed)), o),
    removeFeed: (feedId, o) => write(() => applyFeedRemoval(memory, feedId), o),
    updateSubscriber: (guildId, userId, change, o) =>
      write(() => {
        const next = planSubscriber(memory, guildId, userId, change);
        setSubscriber(memory, guildId, userId, next);
        return next;
      }, o),
    saveToReadingList: (guildId, userId, entry, o) =>
      write(() => {
        const { save, next } = planReadingListAdd(memory, guildId, userId, entry);
        if (next) setReadingList(memory, guildId, userId, next);
        return save;
      }, o),
    removeFromReadingList: (guildId, userId, paperId, o) =>
      write(() => {
        const next = planReadingListRemove(memory, guildId, userId, paperId);
        if (next) setReadingList(memory, guildId, userId, next);
        return next !== null;
      }, o),
    readingList: (guildId, userId, page) => readingListPage(memory, guildId, userId, page),
    readingListCount: (guildId, userId) => readingListOf(memory, guildId, userId).length,
    moveSubscriptions: (from, to, o) =>
      write(() => {
        const moved = planMove(memory, from, to);
        applyMove(memory, from, to, moved);
        return moved.length;
      }, o),
    updateMeta: (change, o) => write(() => (memory.meta = planMeta(memory, change)), o),
    markGuildRemoved: (guildId, removedAt, o) => write(() => applyGuildRemoved(memory, guildId, removedAt), o),
    addVote: (vote, o) =>
      write(() => {
        const added = planAddVote(memory, vote);
        if (added) setVote(memory, vote);
        return added;
      }, o),
    removeVote: (key, o) =>
      write(() => {
        const removed = planRemoveVote(memory, key);
        if (removed) deleteVote(memory, key);
        return removed;
      }, o),
    replaceMessageVotes: (target, userIds, at, o) =>
      write(() => {
        const plan = planReplaceVotes(memory, target, userIds, at);
        applyReplaceVotes(memory, plan);
        return { added: plan.add.length, removed: plan.remove.length };
      }, o),
    purgeGuild: (guildId, o) => write(() => applyGuildPurge(memory, guildId, planGuildPurge(memory, guildId)), o),
    importDump: (dump: StoreDump, o) =>
      write(() => {
        if (!o.replace && !isBlankMemory(memory)) throw new StoreNotEmptyError('the store already holds data');
        Object.assign(memory, createStoreMemory(dump));
      }, o),
    isBlank: () => isBlankMemory(memory),
    leases,
    async close() {
      closed = true;
    },
  };
}
