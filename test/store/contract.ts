import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type Store, StoreNotEmptyError } from '../../src/app/ports.js';
import { buildDump, type StoreDump, storeDumpSchema } from '../../src/core/store-dump.js';
import { dumpSourceOf } from '../../src/app/store-dump-source.js';
import {
  createEmptyProgress,
  type FeedState,
  markFailed,
  markPending,
  markPosted,
  startDigest,
  type Subscriber,
} from '../../src/core/state.js';
import { renamePaperIds } from '../../src/core/paper-renames.js';
import { READING_LIST_CAP } from '../../src/core/reading-list.js';
import { countVotes } from '../../src/core/votes.js';
import { createRandom } from '../support/random.js';
import { makeFeed } from '../support/memory-ports.js';
import { CRASH_FEED } from './adapters.js';
import { describeLeases } from './lease-contract.js';

/** A store adapter as the contract suite drives it. */
export interface StoreUnderTest {
  name: string;
  /** Opens the store kept at `location` (a fresh one the first time). */
  open(location: string): Promise<Store>;
  /** Where the store lives inside a test's fresh directory. */
  locationIn(dir: string): string;
  /** True when a store opened again at the same location sees everything the previous one committed. */
  durable: boolean;
  /** Makes the store's next writes fail as a full or locked disk would; resolves with the function that mends it. */
  breakWrites?(location: string): Promise<() => Promise<void>>;
  /** The adapter name the crash child opens (test/store/adapters.ts), for the kill -9 tests. */
  crashAdapter?: string;
  /**
   * Calls `onWrite` each time the database at `location` writes a commit to its log (the crash test kills the child
   * right then); returns the function that stops watching. Without it, those kills land just after an acknowledgement.
   */
  watchWrites?(location: string, onWrite: () => void): () => void;
  /** Opens a second, independent client of the store at `location` (another process would), for lease races. */
  openSecond?(location: string): Promise<Store>;
}

const AT = '2026-06-22T09:00:00.000Z';
const FEED = 'news';
const GUILD = '900000000000000001';
const OTHER_GUILD = '900000000000000002';
const SNOW = (n: number) => String(1_100_000_000_000_000_000n + BigInt(n));
const member = (topics: string[], dm = false): Subscriber => ({ topics, dm, updatedAt: AT });
const postedIds = (store: Store, feedId = FEED) => [...store.posted(feedId).entries()].map((e) => e.paperId);

/** The dump of everything a store holds, as `paperboy state export` writes it. */
export function dumpOf(store: Store, options: { feedId?: string } = {}): StoreDump {
  return buildDump(dumpSourceOf(store), { at: AT, ...options });
}

/** Runs every store test against an adapter. */
export function describeStoreContract(adapter: StoreUnderTest): void {
  const dirs: string[] = [];
  const open: Store[] = [];
  let dir: string;
  let location: string;
  const openStore = async (at = location) => {
    const store = await adapter.open(at);
    open.push(store);
    return store;
  };
  /** Closes the store and opens it again (a restart), for durable adapters; the same store otherwise. */
  const reopen = async (store: Store) => {
    if (!adapter.durable) return store;
    await store.close();
    return openStore();
  };
  const withFeed = async () => {
    const store = await openStore();
    await store.saveFeed(makeFeed({ id: FEED, guildId: GUILD }));
    return store;
  };

  beforeEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close().catch(() => undefined)));
    dir = await mkdtemp(join(tmpdir(), `paperboy-store-${adapter.name}-`));
    dirs.push(dir);
    location = adapter.locationIn(dir);
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((store) => store.close().catch(() => undefined)));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  describe(`the ${adapter.name} store`, () => {
    it('given a new store, then it holds nothing and is blank', async () => {
      const store = await openStore();
      expect(store.read().feeds.size).toBe(0);
      expect(store.read().subscriptions.size).toBe(0);
      expect(store.read().meta).toEqual({ commands: null, imported: null });
      expect(store.isBlank()).toBe(true);
      expect(store.posted('nowhere').size).toBe(0);
    });

    it('given a saved feed, then it has empty progress; saving it again keeps its progress; removing it drops everything', async () => {
      let store = await withFeed();
      expect(store.read().progress.get(FEED)).toEqual(createEmptyProgress());
      await store.step(FEED, (s) => markPosted(s, 'a', SNOW(1), AT));
      await store.saveFeed(makeFeed({ id: FEED, guildId: GUILD, channelId: '333333333333333333', size: 7 }));
      store = await reopen(store);
      expect(store.read().feeds.get(FEED)).toMatchObject({ channelId: '333333333333333333', size: 7 });
      expect(store.read().progress.get(FEED)?.postedCount).toBe(1);
      expect(postedIds(store)).toEqual(['a']);
      await store.removeFeed(FEED);
      store = await reopen(store);
      expect(store.read().feeds.has(FEED)).toBe(false);
      expect(store.read().progress.has(FEED)).toBe(false);
      expect(store.posted(FEED).size).toBe(0);
    });

    it('given steps, then each commits its progress and its log rows together, and a restart sees them in order', async () => {
      let store = await withFeed();
      await store.step(FEED, (s) => startDigest(s, { papers: ['a', 'b', 'c'], remainingAfter: 0, at: AT, headerNonce: 'h' }));
      await store.step(FEED, (s) => markPending(s, 'a', 'n-a', AT));
      const after = await store.step(FEED, (s) => markPosted(s, 'a', SNOW(1), AT));
      expect(after.posted.get('a')?.seq).toBe(1);
      await store.step(FEED, (s) => markPosted(markPosted(s, 'b', SNOW(2), AT), 'c', SNOW(3), AT));
      await store.step(FEED, (s) => markFailed(s, 'd', 'refused', AT));
      store = await reopen(store);
      const progress = store.read().progress.get(FEED)!;
      expect(postedIds(store)).toEqual(['a', 'b', 'c']);
      expect([...store.posted(FEED).newestFirst()].map((e) => e.seq)).toEqual([3, 2, 1]);
      expect(progress).toMatchObject({ postedCount: 3, lastMessageId: SNOW(3), pending: {}, failed: { d: { reason: 'refused' } } });
      expect(progress.inFlight?.papers).toEqual(['a', 'b', 'c']);
    });

    it('given renames and merges of posted papers, then the log keeps the earlier post under the new id', async () => {
      let store = await withFeed();
      await store.step(FEED, (s) => markPosted(markPosted(markPosted(s, 'old', SNOW(1), AT), 'new', SNOW(2), AT), 'x', SNOW(3), AT));
      await store.step(FEED, (s) =>
        renamePaperIds(
          s,
          new Map([
            ['old', 'new'],
            ['x', 'y'],
          ]),
        ),
      );
      store = await reopen(store);
      expect([...store.posted(FEED).entries()].map((e) => [e.paperId, e.seq])).toEqual([
        ['new', 1],
        ['y', 3],
      ]);
    });

    it('given a step on an unknown feed, a transition that throws, or one that makes the progress invalid, then it rejects and nothing changes', async () => {
      const store = await withFeed();
      await store.step(FEED, (s) => markPosted(s, 'a', SNOW(1), AT));
      const before = dumpOf(store);
      await expect(store.step('missing', (s) => s)).rejects.toThrow(/no feed missing/);
      await expect(
        store.step(FEED, (s) => {
          markPosted(s, 'b', SNOW(2), AT);
          throw new Error('a bug');
        }),
      ).rejects.toThrow('a bug');
      await expect(store.step(FEED, (s): FeedState => ({ ...s, progress: { ...s.progress, digests: -1 } }))).rejects.toThrow(/invalid/);
      expect(dumpOf(store)).toEqual(before);
      expect(dumpOf(await reopen(store))).toEqual(before);
    });

    it('given steps started together, then they apply one after the other, in call order', async () => {
      const store = await withFeed();
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.step(FEED, (s) => markPosted(s, `p${i}`, SNOW(i), AT))));
      expect(postedIds(store)).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`));
      expect(store.read().progress.get(FEED)?.postedCount).toBe(20);
    });

    it("given members' topics in two servers, then each server keeps its own, a member left without topics is forgotten, and a move keeps members already there", async () => {
      let store = await openStore();
      await store.updateSubscriber(GUILD, '1', () => member(['llm']));
      await store.updateSubscriber(OTHER_GUILD, '1', () => member(['robots'], true));
      await store.updateSubscriber('', '2', () => member(['rag']));
      await store.updateSubscriber('', '1', () => member(['parked']));
      expect(await store.updateSubscriber(GUILD, '3', () => member(['gone']))).toEqual(member(['gone']));
      expect(await store.updateSubscriber(GUILD, '3', () => null)).toBeNull();
      expect(await store.moveSubscriptions('', GUILD)).toBe(1);
      store = await reopen(store);
      const guilds = store.read().subscriptions;
      expect(Object.fromEntries(guilds.get(GUILD)!)).toEqual({ '1': member(['llm']), '2': member(['rag']) });
      expect(Object.fromEntries(guilds.get(OTHER_GUILD)!)).toEqual({ '1': member(['robots'], true) });
      expect(guilds.has('')).toBe(false);
    });

    it("given a server the bot was removed from, then its removal is kept until it returns, and a purge deletes that server's feeds, logs, topics and reading lists only", async () => {
      let store = await openStore();
      await store.saveFeed(makeFeed({ id: 'a1', guildId: GUILD }));
      await store.saveFeed(makeFeed({ id: 'a2', guildId: GUILD, channelId: '333333333333333333' }));
      await store.saveFeed(makeFeed({ id: 'b1', guildId: OTHER_GUILD }));
      await store.step('a1', (s) => markPosted(s, 'p', SNOW(1), AT));
      await store.step('b1', (s) => markPosted(s, 'p', SNOW(2), AT));
      await store.updateSubscriber(GUILD, '1', () => member(['llm']));
      await store.updateSubscriber(OTHER_GUILD, '1', () => member(['robots']));
      await store.saveToReadingList(GUILD, '1', { paperId: '2411.00001', savedAt: AT });
      await store.saveToReadingList(OTHER_GUILD, '1', { paperId: '2411.00002', savedAt: AT });
      await store.markGuildRemoved(GUILD, AT);
      await store.markGuildRemoved(OTHER_GUILD, AT);
      await store.markGuildRemoved(OTHER_GUILD, null);
      await store.addVote({ guildId: GUILD, paperId: 'p', userId: '1', messageId: SNOW(1), at: AT });
      await store.addVote({ guildId: OTHER_GUILD, paperId: 'p', userId: '1', messageId: SNOW(2), at: AT });
      store = await reopen(store);
      expect(Object.fromEntries(store.read().removedGuilds)).toEqual({ [GUILD]: AT });
      expect((await store.purgeGuild(GUILD)).sort()).toEqual(['a1', 'a2']);
      store = await reopen(store);
      expect([...store.read().feeds.keys()]).toEqual(['b1']);
      expect([...store.read().progress.keys()]).toEqual(['b1']);
      expect(store.posted('a1').size).toBe(0);
      expect(postedIds(store, 'b1')).toEqual(['p']);
      expect([...store.read().subscriptions.keys()]).toEqual([OTHER_GUILD]);
      expect(store.readingListCount(GUILD, '1')).toBe(0);
      expect([...store.read().readingLists.keys()]).toEqual([OTHER_GUILD]);
      expect(store.readingList(OTHER_GUILD, '1').map((e) => e.paperId)).toEqual(['2411.00002']);
      expect(store.read().removedGuilds.size).toBe(0);
      expect([...store.read().votes.keys()]).toEqual([OTHER_GUILD]);
      // A feed created again with a purged id starts from nothing.
      await store.saveFeed(makeFeed({ id: 'a1', guildId: GUILD }));
      expect(store.read().progress.get('a1')).toEqual(createEmptyProgress());
    });

    it('given papers saved to reading lists, then each member keeps their own per server, newest first, a save is idempotent, and a removal drops only that paper', async () => {
      let store = await openStore();
      const at = (minute: number) => `2026-06-22T09:${String(minute).padStart(2, '0')}:00.000Z`;
      expect(await store.saveToReadingList(GUILD, '1', { paperId: '2411.00001', savedAt: at(1) })).toEqual({
        outcome: 'saved',
        count: 1,
        cap: READING_LIST_CAP,
      });
      await store.saveToReadingList(GUILD, '1', { paperId: '2411.00002', savedAt: at(2) });
      await store.saveToReadingList(GUILD, '1', { paperId: '2411.00003', savedAt: at(3) });
      await store.saveToReadingList(GUILD, '2', { paperId: '2411.00001', savedAt: at(4) });
      await store.saveToReadingList(OTHER_GUILD, '1', { paperId: '2411.00009', savedAt: at(5) });
      // Saved again later: nothing changes, the first save's time stays.
      expect(await store.saveToReadingList(GUILD, '1', { paperId: '2411.00001', savedAt: at(9) })).toEqual({
        outcome: 'already-saved',
        count: 3,
        cap: READING_LIST_CAP,
      });
      expect(store.isBlank()).toBe(false);
      store = await reopen(store);
      const ids = (guild: string, user: string, page?: { offset: number; limit: number }) =>
        store.readingList(guild, user, page).map((e) => e.paperId);
      expect(ids(GUILD, '1')).toEqual(['2411.00003', '2411.00002', '2411.00001']);
      expect(store.readingList(GUILD, '1')[2]).toEqual({ paperId: '2411.00001', savedAt: at(1) });
      expect(ids(GUILD, '1', { offset: 1, limit: 1 })).toEqual(['2411.00002']);
      expect(ids(GUILD, '1', { offset: 3, limit: 5 })).toEqual([]);
      expect(ids(GUILD, '2')).toEqual(['2411.00001']);
      expect(ids(OTHER_GUILD, '1')).toEqual(['2411.00009']);
      expect(ids(GUILD, '3')).toEqual([]);
      expect(store.readingListCount(GUILD, '1')).toBe(3);
      expect(await store.removeFromReadingList(GUILD, '1', '2411.00002')).toBe(true);
      expect(await store.removeFromReadingList(GUILD, '1', '2411.00002')).toBe(false);
      expect(await store.removeFromReadingList(GUILD, '2', '2411.00001')).toBe(true);
      store = await reopen(store);
      expect(ids(GUILD, '1')).toEqual(['2411.00003', '2411.00001']);
      expect(store.readingListCount(GUILD, '2')).toBe(0);
      expect([...(store.read().readingLists.get(GUILD)?.keys() ?? [])]).toEqual(['1']);
    });

    it('given a reading list at its cap, then another paper is refused with the cap and the list unchanged, and a removal makes room', async () => {
      let store = await openStore();
      for (let i = 0; i < READING_LIST_CAP; i++)
        await store.saveToReadingList(GUILD, '1', { paperId: `2411.${String(i).padStart(5, '0')}`, savedAt: AT });
      expect(await store.saveToReadingList(GUILD, '1', { paperId: '2412.00001', savedAt: AT })).toEqual({
        outcome: 'full',
        count: READING_LIST_CAP,
        cap: READING_LIST_CAP,
      });
      // A paper already there is still answered as saved, not as refused.
      expect((await store.saveToReadingList(GUILD, '1', { paperId: '2411.00007', savedAt: AT })).outcome).toBe('already-saved');
      store = await reopen(store);
      expect(store.readingListCount(GUILD, '1')).toBe(READING_LIST_CAP);
      expect(store.readingList(GUILD, '1').some((e) => e.paperId === '2412.00001')).toBe(false);
      await store.removeFromReadingList(GUILD, '1', '2411.00000');
      expect((await store.saveToReadingList(GUILD, '1', { paperId: '2412.00001', savedAt: AT })).outcome).toBe('saved');
      // Another member's list is not held to this one's count.
      expect((await store.saveToReadingList(GUILD, '2', { paperId: '2412.00001', savedAt: AT })).outcome).toBe('saved');
    });

    it('given reactions, then a member counts once per paper and server, removals take back only the vote that message gave, and a restart sees them', async () => {
      let store = await openStore();
      const vote = (userId: string, messageId = SNOW(1), paperId = 'p', guildId = GUILD) => ({
        guildId,
        paperId,
        userId,
        messageId,
        at: AT,
      });
      const key = (userId: string, messageId = SNOW(1), paperId = 'p') => ({ guildId: GUILD, paperId, userId, messageId });
      expect(await store.addVote(vote('1'))).toBe(true);
      expect(await store.addVote(vote('1'))).toBe(false);
      // The same paper posted again in another message of the server: still one vote.
      expect(await store.addVote(vote('1', SNOW(2)))).toBe(false);
      expect(await store.addVote(vote('2'))).toBe(true);
      expect(await store.addVote(vote('2', SNOW(3), 'q'))).toBe(true);
      expect(await store.addVote(vote('2', SNOW(4), 'p', OTHER_GUILD))).toBe(true);
      expect(store.isBlank()).toBe(false);
      store = await reopen(store);
      expect(Object.fromEntries(countVotes(store.read().votes, GUILD))).toEqual({ p: 2, q: 1 });
      expect(Object.fromEntries(countVotes(store.read().votes, OTHER_GUILD))).toEqual({ p: 1 });
      // A removal from a message the vote did not come through changes nothing.
      expect(await store.removeVote(key('1', SNOW(2)))).toBe(false);
      expect(await store.removeVote(key('1'))).toBe(true);
      expect(await store.removeVote(key('1'))).toBe(false);
      expect(await store.removeVote(key('2', SNOW(3), 'q'))).toBe(true);
      store = await reopen(store);
      expect(Object.fromEntries(countVotes(store.read().votes, GUILD))).toEqual({ p: 1 });
      expect(store.read().votes.get(GUILD)?.get('p')?.get('2')).toEqual({ messageId: SNOW(1), at: AT });
    });

    it('given a reconciliation read of a message, then its votes become the members found, and a vote through another message stays', async () => {
      let store = await openStore();
      const target = { guildId: GUILD, paperId: 'p', messageId: SNOW(1) };
      await store.addVote({ ...target, userId: '1', at: AT });
      await store.addVote({ ...target, userId: '2', at: AT });
      await store.addVote({ ...target, userId: '3', messageId: SNOW(2), at: AT });
      const later = '2026-06-23T09:00:00.000Z';
      expect(await store.replaceMessageVotes(target, ['2', '3', '4', '4'], later)).toEqual({ added: 1, removed: 1 });
      store = await reopen(store);
      const members = store.read().votes.get(GUILD)!.get('p')!;
      expect(Object.fromEntries(members)).toEqual({
        '2': { messageId: SNOW(1), at: AT },
        '3': { messageId: SNOW(2), at: AT },
        '4': { messageId: SNOW(1), at: later },
      });
      expect(await store.replaceMessageVotes(target, ['2', '3', '4'], later)).toEqual({ added: 0, removed: 0 });
      expect(await store.replaceMessageVotes(target, [], later)).toEqual({ added: 0, removed: 2 });
      store = await reopen(store);
      expect([...store.read().votes.get(GUILD)!.get('p')!.keys()]).toEqual(['3']);
    });

    it("given the store's records changed, then they are kept", async () => {
      let store = await openStore();
      await store.updateMeta((m) => ({ ...m, commands: { hash: 'h', scope: 'guild 1', registeredAt: AT } }));
      store = await reopen(store);
      expect(store.read().meta.commands).toEqual({ hash: 'h', scope: 'guild 1', registeredAt: AT });
    });

    it('given a dump, then it imports into a blank store, is refused over data without replace, replaces everything with it, and exports back the same', async () => {
      const source = await withFeed();
      await source.saveFeed(makeFeed({ id: 'other', guildId: OTHER_GUILD }));
      await source.step(FEED, (s) => markPosted(markPending(s, 'b', 'n', AT), 'a', SNOW(1), AT));
      await source.step('other', (s) => markPosted(s, 'z', SNOW(9), AT));
      await source.updateSubscriber(GUILD, '1', () => member(['llm'], true));
      await source.saveToReadingList(GUILD, '1', { paperId: '2411.00001', savedAt: AT });
      await source.saveToReadingList(GUILD, '2', { paperId: '2411.00002', savedAt: '2026-06-23T09:00:00.000Z' });
      await source.saveToReadingList(OTHER_GUILD, '1', { paperId: '2411.00003', savedAt: AT });
      await source.addVote({ guildId: GUILD, paperId: 'a', userId: '1', messageId: SNOW(1), at: AT });
      await source.addVote({ guildId: OTHER_GUILD, paperId: 'z', userId: '2', messageId: SNOW(9), at: AT });
      // A server that removed the bot, its purge pending: the move must not forget it (its data would stay for ever).
      await source.markGuildRemoved(OTHER_GUILD, '2026-06-20T08:00:00.000Z');
      const dump = storeDumpSchema.parse(JSON.parse(JSON.stringify(dumpOf(source))));
      expect(dump.removedGuilds).toEqual([{ guildId: OTHER_GUILD, removedAt: '2026-06-20T08:00:00.000Z' }]);
      expect(dump.readingLists?.map((r) => r.paperId)).toEqual(['2411.00001', '2411.00002', '2411.00003']);
      expect(dump.votes?.map((v) => v.guildId)).toEqual([GUILD, OTHER_GUILD]);
      await source.close();

      location = adapter.locationIn(join(dir, 'second'));
      let target = await openStore();
      await target.updateMeta((m) => ({ ...m, commands: { hash: 'before', scope: 'global', registeredAt: AT } }));
      expect(target.isBlank()).toBe(true);
      await target.importDump(dump, { replace: false });
      target = await reopen(target);
      expect(dumpOf(target)).toEqual(dump);
      expect(Object.fromEntries(target.read().removedGuilds)).toEqual({ [OTHER_GUILD]: '2026-06-20T08:00:00.000Z' });
      expect(target.isBlank()).toBe(false);
      await expect(target.importDump(dump, { replace: false })).rejects.toBeInstanceOf(StoreNotEmptyError);
      const one = dumpOf(target, { feedId: 'other' });
      expect(one.feeds.map((f) => f.feed.id)).toEqual(['other']);
      expect(one.subscriptions).toEqual([]);
      expect(one.readingLists).toEqual([{ guildId: OTHER_GUILD, userId: '1', paperId: '2411.00003', savedAt: AT }]);
      expect(target.readingList(GUILD, '2').map((e) => e.paperId)).toEqual(['2411.00002']);
      expect(one.votes).toEqual([{ guildId: OTHER_GUILD, paperId: 'z', userId: '2', messageId: SNOW(9), at: AT }]);
      expect(one.removedGuilds).toEqual([{ guildId: OTHER_GUILD, removedAt: '2026-06-20T08:00:00.000Z' }]);
      expect(dumpOf(target, { feedId: FEED }).removedGuilds).toBeUndefined();
      await target.importDump(one, { replace: true });
      target = await reopen(target);
      expect(dumpOf(target)).toEqual(one);
      expect(target.readingListCount(GUILD, '1')).toBe(0);
      expect(target.read().feeds.has(FEED)).toBe(false);
      // A dump written before reading lists existed has no such field: it imports, with none.
      const { readingLists: _lists, ...older } = dump;
      await target.importDump(storeDumpSchema.parse(older), { replace: true });
      target = await reopen(target);
      expect(target.read().readingLists.size).toBe(0);
      expect(dumpOf(target)).toEqual(older);
    });

    it('given a closed store, then writes reject', async () => {
      const store = await withFeed();
      await store.close();
      await expect(store.step(FEED, (s) => s)).rejects.toThrow(/closed/);
    });

    describeLeases(adapter, {
      openStore,
      withFeed,
      reopen,
      location: () => location,
      track: (store) => void open.push(store),
    });

    if (adapter.breakWrites) {
      const breakWrites = adapter.breakWrites.bind(adapter);
      it('given writes that fail, then each rejects with StateWriteError, memory keeps the last committed state, and writing works again once mended', async () => {
        const store = await withFeed();
        await store.step(FEED, (s) => markPosted(s, 'a', SNOW(1), AT));
        const before = dumpOf(store);
        const mend = await breakWrites(location);
        const failed = await store.step(FEED, (s) => markPosted(s, 'b', SNOW(2), AT)).catch((e: unknown) => e);
        expect(failed).toMatchObject({
          name: 'StateWriteError',
          message: expect.stringMatching(/cannot save state to .*nothing more will be posted/),
        });
        await expect(store.updateSubscriber(GUILD, '1', () => member(['llm']))).rejects.toMatchObject({ name: 'StateWriteError' });
        expect(dumpOf(store)).toEqual(before);
        await mend();
        await store.step(FEED, (s) => markPosted(s, 'b', SNOW(2), AT));
        expect(postedIds(await reopen(store))).toEqual(['a', 'b']);
      });
    }

    if (adapter.crashAdapter) describeCrashes(adapter, adapter.crashAdapter);
  });
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('../support/state-crash-child.ts', import.meta.url));

/** When the kill delay starts: at spawn, once the store is open, once a first step is acknowledged, or at the n-th write. */
type KillFrom = 'spawn' | 'ready' | 'ack' | 'write';

/** Starts the posting child and SIGKILLs it `delay` after the chosen moment; returns the acknowledged step indexes. */
async function runAndKill(
  adapter: StoreUnderTest,
  adapterName: string,
  location: string,
  delay: number,
  from: KillFrom,
): Promise<number[]> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', childScript, 'post', location, '-', adapterName], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const reached = new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`${from === 'write' ? 'ack' : from} `)) resolve();
    });
  });
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  if (from === 'write' && adapter.watchWrites) {
    const watchWrites = adapter.watchWrites.bind(adapter);
    // Each commit writes the database's log: the kill lands right as the n-th commit writes it.
    await new Promise<void>((resolve) => {
      let seen = 0;
      const stop = watchWrites(location, () => {
        if (++seen < delay) return;
        child.kill('SIGKILL');
        stop();
        resolve();
      });
      void exited.then(() => {
        stop();
        resolve();
      });
    });
  } else if (from === 'write') {
    // No way to see a commit land: right after an acknowledgement, while the next step is on its way.
    await Promise.race([reached, exited]);
    await new Promise((resolve) => setTimeout(resolve, delay / 3));
  } else {
    if (from !== 'spawn') await Promise.race([reached, exited]);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  child.kill('SIGKILL');
  const code = await exited;
  // The child never ends by itself: an exit code means it failed before the kill.
  if (code !== null) throw new Error(`the child exited with code ${code} before it was killed:\n${errors}`);
  // Only whole lines count: the kill may cut the last one.
  const lines = output.split('\n').slice(0, -1);
  return lines.filter((line) => line.startsWith('ack ')).map((line) => Number(line.slice(4)));
}

function describeCrashes(adapter: StoreUnderTest, adapterName: string): void {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('given a process that posts and is killed with SIGKILL at random instants, then every reopen succeeds at once and holds a prefix of the steps, every acknowledged one included, with progress and log in agreement', async () => {
    const lanes = 3;
    const killsPerLane = 7;
    const kinds: KillFrom[] = ['spawn', 'ready', 'ack', 'write'];

    const runLane = async (lane: number) => {
      const laneDir = await mkdtemp(join(tmpdir(), `paperboy-crash-${adapter.name}-${lane}-`));
      dirs.push(laneDir);
      const location = adapter.locationIn(laneDir);
      const acknowledged: number[] = [];
      let postedBefore = 0;
      for (let round = 0; round < killsPerLane; round += 1) {
        const seed = lane * 1000 + round + 1;
        const random = createRandom(seed);
        const from = kinds[(lane + round) % kinds.length] ?? 'ack';
        const delay =
          from === 'write'
            ? 1 + Math.floor(random() * 6)
            : Math.round(from === 'spawn' ? 150 + random() * 750 : from === 'ready' ? random() * 250 : random() * 150);
        const acks = await runAndKill(adapter, adapterName, location, delay, from);
        acknowledged.push(...acks);
        const where = `seed ${seed} (lane ${lane}, round ${round}, ${from === 'write' ? `at commit #${delay}` : `${delay} ms after ${from}`})`;

        const started = performance.now();
        const store = await adapter.open(location);
        expect(performance.now() - started, `the stale lock is reclaimed at once: ${where}`).toBeLessThan(2000);
        const ids = [...store.posted(CRASH_FEED).entries()];
        const progress = store.read().progress.get(CRASH_FEED);
        const count = ids.length;
        ids.forEach((entry, i) => expect([entry.paperId, entry.seq], `p${i} in a prefix: ${where}`).toEqual([`p${i}`, i + 1]));
        // One transaction per step: the progress document never disagrees with the log.
        if (progress) {
          expect(progress.postedCount, `progress and log agree: ${where}`).toBe(count);
          expect(progress.lastMessageId, `progress and log agree: ${where}`).toBe(ids.at(-1)?.messageId ?? null);
        }
        expect(count, `nothing lost: ${where}`).toBeGreaterThanOrEqual(postedBefore);
        for (const index of acknowledged) expect(index, `acknowledged step ${index} is saved: ${where}`).toBeLessThan(count);
        // At most one step can be committed and not yet acknowledged when the kill lands.
        const lastAck = acks.length > 0 ? Math.max(...acks) : postedBefore - 1;
        expect(count - 1, `no step beyond the one under way: ${where}`).toBeLessThanOrEqual(lastAck + 1);
        postedBefore = count;
        await store.close();
      }
      return postedBefore;
    };

    const posted = await Promise.all(Array.from({ length: lanes }, (_, lane) => runLane(lane)));
    expect(Math.min(...posted), 'every lane got some steps through').toBeGreaterThan(0);
  }, 180_000);
}
