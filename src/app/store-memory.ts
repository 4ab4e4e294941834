import type { Feed } from '../core/feed.js';
import { createPostedLog, type MutablePostedLog, type PostedLog, type PostedLogChange, withLogChange } from '../core/posted-log.js';
import {
  beginStep,
  createEmptyProgress,
  type FeedProgress,
  type FeedState,
  feedProgressSchema,
  isBlankProgress,
  type Subscriber,
  subscriberSchema,
} from '../core/state.js';
import { feedSchema } from '../core/feed.js';
import { createEmptyMeta, type ReadingListRow, type StoreDump, type StoreMeta, storeMetaSchema } from '../core/store-dump.js';
import {
  pageOfReadingList,
  planReadingListSave,
  type ReadingListEntry,
  readingListEntrySchema,
  type ReadingListSave,
  sortReadingList,
} from '../core/reading-list.js';
import type { StoreSnapshot } from './ports.js';
import { planVoteReplacement, type Vote, type VoteKey, type VoteReplacement } from '../core/votes.js';

/*
 * The in-memory half of every store adapter: what the store holds, and each write planned (pure, validated) before
 * the adapter commits it and applied to memory after. An adapter's write is: plan → transaction → apply, so memory
 * never holds what the database does not.
 */

/** Everything a store holds, in memory. */
export interface StoreMemory {
  feeds: Map<string, Feed>;
  progress: Map<string, FeedProgress>;
  logs: Map<string, MutablePostedLog>;
  subscriptions: Map<string, Map<string, Subscriber>>;
  removedGuilds: Map<string, string>;
  /** Per server, then per member: saved papers, newest first. */
  readingLists: Map<string, Map<string, ReadingListEntry[]>>;
  /** Per server, then per paper, then per member. */
  votes: Map<string, Map<string, Map<string, { messageId: string; at: string }>>>;
  meta: StoreMeta;
}

/** A store's memory holding a dump's records (an empty store without one). */
export function createStoreMemory(dump?: StoreDump): StoreMemory {
  const memory: StoreMemory = {
    feeds: new Map(),
    progress: new Map(),
    logs: new Map(),
    subscriptions: new Map(),
    removedGuilds: new Map(),
    readingLists: new Map(),
    votes: new Map(),
    meta: createEmptyMeta(),
  };
  if (!dump) return memory;
  for (const vote of dump.votes ?? []) setVote(memory, vote);
  for (const { feed, progress, posted } of dump.feeds) {
    memory.feeds.set(feed.id, feed);
    memory.progress.set(feed.id, progress);
    memory.logs.set(feed.id, createPostedLog(posted));
  }
  for (const { guildId, userId, ...subscriber } of dump.subscriptions) setSubscriber(memory, guildId, userId, subscriber);
  loadReadingLists(memory, dump.readingLists ?? []);
  for (const { guildId, removedAt } of dump.removedGuilds ?? []) memory.removedGuilds.set(guildId, removedAt);
  memory.meta = dump.meta;
  return memory;
}

/**
 * A copy of a store's memory whose writes never reach the original (a digest preview runs on it): feeds and
 * progress are copied (they are small), posted logs are read through, with the copy's own rows laid over them.
 */
export function forkStoreMemory(source: { read(): StoreSnapshot; posted(feedId: string): PostedLog }): StoreMemory {
  const snapshot = source.read();
  const logs = new Map<string, MutablePostedLog>();
  for (const id of snapshot.feeds.keys()) logs.set(id, createOverlayLog(source.posted(id)));
  const subscriptions = new Map([...snapshot.subscriptions].map(([guild, members]) => [guild, new Map(members)]));
  return {
    feeds: new Map(snapshot.feeds),
    progress: new Map(snapshot.progress),
    logs,
    subscriptions,
    removedGuilds: new Map(snapshot.removedGuilds),
    readingLists: new Map(
      [...snapshot.readingLists].map(([guild, members]) => [guild, new Map([...members].map(([m, l]) => [m, [...l]]))]),
    ),
    votes: new Map(
      [...snapshot.votes].map(([guild, papers]) => [guild, new Map([...papers].map(([paper, members]) => [paper, new Map(members)]))]),
    ),
    meta: snapshot.meta,
  };
}

function createOverlayLog(base: PostedLog): MutablePostedLog {
  let view = base;
  return {
    has: (id) => view.has(id),
    get: (id) => view.get(id),
    byMessage: (id) => view.byMessage(id),
    get size() {
      return view.size;
    },
    newestFirst: () => view.newestFirst(),
    entries: () => view.entries(),
    apply(change) {
      view = withLogChange(view, change);
    },
  };
}

const emptyLog = createPostedLog();

/** The snapshot a store's `read()` returns. */
export function snapshotOf(memory: StoreMemory): StoreSnapshot {
  return {
    feeds: memory.feeds,
    progress: memory.progress,
    subscriptions: memory.subscriptions,
    removedGuilds: memory.removedGuilds,
    readingLists: memory.readingLists,
    votes: memory.votes,
    meta: memory.meta,
  };
}

/** A feed's posted log, or an empty one. */
export function postedOf(memory: StoreMemory, feedId: string): PostedLog {
  return memory.logs.get(feedId) ?? emptyLog;
}

/** A planned state step: the progress to write and the log changes to apply, validated. */
export interface StepPlan {
  feedId: string;
  progress: FeedProgress;
  logChanges: readonly PostedLogChange[];
}

/** Runs a step's transitions on the committed state and checks the result; throws for an unknown feed or a bug. */
export function planStep(memory: StoreMemory, feedId: string, change: (state: FeedState) => FeedState): StepPlan {
  const progress = memory.progress.get(feedId);
  if (!progress) throw new Error(`there is no feed ${feedId} in the store`);
  const next = change(beginStep(feedId, progress, postedOf(memory, feedId)));
  const checked = feedProgressSchema.safeParse(next.progress);
  // A bug in a transition must not reach the database, where it would stop the next start.
  if (!checked.success)
    throw new Error(`refusing to save feed ${feedId}: the change made its progress invalid (a bug): ${checked.error.message}`);
  return { feedId, progress: next.progress, logChanges: next.logChanges };
}

/** Applies a committed step to memory. */
export function applyStep(memory: StoreMemory, plan: StepPlan): FeedState {
  memory.progress.set(plan.feedId, plan.progress);
  let log = memory.logs.get(plan.feedId);
  if (!log) memory.logs.set(plan.feedId, (log = createPostedLog()));
  for (const change of plan.logChanges) log.apply(change);
  return beginStep(plan.feedId, plan.progress, log);
}

/** Checks a feed before it is saved; throws for an invalid one. */
export function checkFeed(feed: Feed): Feed {
  const checked = feedSchema.safeParse(feed);
  if (!checked.success) throw new Error(`refusing to save feed ${feed.id}: ${checked.error.message}`);
  return feed;
}

/** Applies a saved feed to memory (a new feed gets empty progress and an empty log). */
export function applyFeed(memory: StoreMemory, feed: Feed): void {
  memory.feeds.set(feed.id, feed);
  if (!memory.progress.has(feed.id)) memory.progress.set(feed.id, createEmptyProgress());
  if (!memory.logs.has(feed.id)) memory.logs.set(feed.id, createPostedLog());
}

/** Applies a removed feed to memory. */
export function applyFeedRemoval(memory: StoreMemory, feedId: string): void {
  memory.feeds.delete(feedId);
  memory.progress.delete(feedId);
  memory.logs.delete(feedId);
}

/** Runs a change of a member's topics and checks the result. */
export function planSubscriber(
  memory: StoreMemory,
  guildId: string,
  userId: string,
  change: (current: Subscriber | null) => Subscriber | null,
): Subscriber | null {
  const next = change(memory.subscriptions.get(guildId)?.get(userId) ?? null);
  if (next !== null && !subscriberSchema.safeParse(next).success)
    throw new Error(`refusing to save the topics of member ${userId}: invalid (a bug)`);
  return next;
}

/** Applies a member's saved topics to memory. */
export function setSubscriber(memory: StoreMemory, guildId: string, userId: string, subscriber: Subscriber | null): void {
  let members = memory.subscriptions.get(guildId);
  if (subscriber === null) {
    members?.delete(userId);
    if (members?.size === 0) memory.subscriptions.delete(guildId);
    return;
  }
  if (!members) memory.subscriptions.set(guildId, (members = new Map<string, Subscriber>()));
  members.set(userId, subscriber);
}

/** A member's reading list in one server, newest first (empty when they saved nothing). */
export function readingListOf(memory: StoreMemory, guildId: string, userId: string): readonly ReadingListEntry[] {
  return memory.readingLists.get(guildId)?.get(userId) ?? [];
}

/** One page of a member's reading list (all of it without `page`), as a copy. */
export function readingListPage(
  memory: StoreMemory,
  guildId: string,
  userId: string,
  page?: { offset: number; limit: number },
): ReadingListEntry[] {
  const entries = readingListOf(memory, guildId, userId);
  return page ? pageOfReadingList(entries, page) : [...entries];
}

/** A planned save to a reading list: what it does, and the list to write (null: nothing to write). */
export function planReadingListAdd(
  memory: StoreMemory,
  guildId: string,
  userId: string,
  entry: ReadingListEntry,
): { save: ReadingListSave; next: ReadingListEntry[] | null; entry: ReadingListEntry } {
  return { ...planReadingListSave(readingListOf(memory, guildId, userId), entry), entry };
}

/** A planned removal from a reading list: the list left (null: the paper was not there). */
export function planReadingListRemove(memory: StoreMemory, guildId: string, userId: string, paperId: string): ReadingListEntry[] | null {
  const entries = readingListOf(memory, guildId, userId);
  return entries.some((e) => e.paperId === paperId) ? entries.filter((e) => e.paperId !== paperId) : null;
}

/** Puts saved papers (rows of any order, validated) into memory, each member's list newest first. */
export function loadReadingLists(memory: StoreMemory, rows: Iterable<ReadingListRow>): void {
  for (const { guildId, userId, paperId, savedAt } of rows) {
    const entry = readingListEntrySchema.parse({ paperId, savedAt });
    let members = memory.readingLists.get(guildId);
    if (!members) memory.readingLists.set(guildId, (members = new Map<string, ReadingListEntry[]>()));
    const list = members.get(userId);
    if (list) list.push(entry);
    else members.set(userId, [entry]);
  }
  for (const members of memory.readingLists.values()) for (const list of members.values()) sortReadingList(list);
}

/** Applies a member's committed reading list to memory (an empty list is forgotten). */
export function setReadingList(memory: StoreMemory, guildId: string, userId: string, entries: ReadingListEntry[]): void {
  let members = memory.readingLists.get(guildId);
  if (entries.length === 0) {
    members?.delete(userId);
    if (members?.size === 0) memory.readingLists.delete(guildId);
    return;
  }
  if (!members) memory.readingLists.set(guildId, (members = new Map<string, ReadingListEntry[]>()));
  members.set(userId, entries);
}

/** The members a move of subscriptions carries over: those of `from` not already in `to`. */
export function planMove(memory: StoreMemory, fromGuildId: string, toGuildId: string): Array<[string, Subscriber]> {
  if (fromGuildId === toGuildId) return [];
  const there = memory.subscriptions.get(toGuildId);
  return [...(memory.subscriptions.get(fromGuildId) ?? [])].filter(([userId]) => !there?.has(userId));
}

/** Applies a committed move of subscriptions to memory. */
export function applyMove(memory: StoreMemory, fromGuildId: string, toGuildId: string, moved: Array<[string, Subscriber]>): void {
  for (const [userId, subscriber] of moved) setSubscriber(memory, toGuildId, userId, subscriber);
  if (fromGuildId !== toGuildId) memory.subscriptions.delete(fromGuildId);
}

/** Applies a server's removal (or return, `removedAt` null) to memory. */
export function applyGuildRemoved(memory: StoreMemory, guildId: string, removedAt: string | null): void {
  if (removedAt === null) memory.removedGuilds.delete(guildId);
  else memory.removedGuilds.set(guildId, removedAt);
}

/** The feeds a purge of a server deletes. */
export function planGuildPurge(memory: StoreMemory, guildId: string): string[] {
  return [...memory.feeds.values()].filter((feed) => feed.guildId === guildId).map((feed) => feed.id);
}

/** Applies a committed purge of a server to memory. */
export function applyGuildPurge(memory: StoreMemory, guildId: string, feedIds: readonly string[]): string[] {
  for (const id of feedIds) applyFeedRemoval(memory, id);
  memory.subscriptions.delete(guildId);
  memory.readingLists.delete(guildId);
  memory.removedGuilds.delete(guildId);
  memory.votes.delete(guildId);
  return [...feedIds];
}

/** Runs a change of the store's records and checks the result. */
export function planMeta(memory: StoreMemory, change: (meta: StoreMeta) => StoreMeta): StoreMeta {
  const next = change(memory.meta);
  const checked = storeMetaSchema.safeParse(next);
  if (!checked.success) throw new Error(`refusing to save the store's records: invalid (a bug): ${checked.error.message}`);
  return next;
}

/** True while the memory holds nothing a person would miss (see {@link isBlankProgress}). */
export function isBlankMemory(memory: StoreMemory): boolean {
  if (memory.subscriptions.size > 0 || memory.readingLists.size > 0 || memory.votes.size > 0) return false;
  for (const [id, progress] of memory.progress) if (!isBlankProgress(progress) || postedOf(memory, id).size > 0) return false;
  return true;
}

/** Applies a recorded vote to memory (a member already counted for the paper keeps the vote they have). */
export function setVote(memory: StoreMemory, vote: Vote): void {
  let papers = memory.votes.get(vote.guildId);
  if (!papers) memory.votes.set(vote.guildId, (papers = new Map<string, Map<string, { messageId: string; at: string }>>()));
  let members = papers.get(vote.paperId);
  if (!members) papers.set(vote.paperId, (members = new Map<string, { messageId: string; at: string }>()));
  if (!members.has(vote.userId)) members.set(vote.userId, { messageId: vote.messageId, at: vote.at });
}

/** Applies a removed vote to memory. */
export function deleteVote(memory: StoreMemory, key: VoteKey): void {
  const papers = memory.votes.get(key.guildId);
  const members = papers?.get(key.paperId);
  if (!members || members.get(key.userId)?.messageId !== key.messageId) return;
  members.delete(key.userId);
  if (members.size === 0) papers!.delete(key.paperId);
  if (papers!.size === 0) memory.votes.delete(key.guildId);
}

/** True when the vote is new: the member has no vote for the paper in that server yet. */
export function planAddVote(memory: StoreMemory, vote: Vote): boolean {
  return !memory.votes.get(vote.guildId)?.get(vote.paperId)?.has(vote.userId);
}

/** True when the member has a vote for the paper through that message (what a removed reaction takes away). */
export function planRemoveVote(memory: StoreMemory, key: VoteKey): boolean {
  return memory.votes.get(key.guildId)?.get(key.paperId)?.get(key.userId)?.messageId === key.messageId;
}

/** Plans replacing one message's votes with those a reconciliation read found. */
export function planReplaceVotes(
  memory: StoreMemory,
  target: { guildId: string; paperId: string; messageId: string },
  userIds: Iterable<string>,
  at: string,
): VoteReplacement {
  return planVoteReplacement(memory.votes, target, userIds, at);
}

/** Applies a committed replacement of one message's votes to memory. */
export function applyReplaceVotes(memory: StoreMemory, plan: VoteReplacement): void {
  for (const key of plan.remove) deleteVote(memory, key);
  for (const vote of plan.add) setVote(memory, vote);
}
