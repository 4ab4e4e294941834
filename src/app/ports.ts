import type { CorpusFileProblem, Paper } from '../core/paper.js';
import type { Feed } from '../core/feed.js';
import type { OutgoingMessage } from '../core/format.js';
import { OperatorError } from '../core/errors.js';
import type { PostedLog } from '../core/posted-log.js';
import type { FeedProgress, FeedState, Subscriber } from '../core/state.js';
import type { ReadingListEntry, ReadingListSave } from '../core/reading-list.js';
import type { StoreDump, StoreMeta } from '../core/store-dump.js';
import type { Vote, VoteBook, VoteKey } from '../core/votes.js';

/** What the store holds, besides the posted logs: read in memory, as last committed. */
export interface StoreSnapshot {
  feeds: ReadonlyMap<string, Feed>;
  /** Per feed id. */
  progress: ReadonlyMap<string, FeedProgress>;
  /** Per server id, then per member id. */
  subscriptions: ReadonlyMap<string, ReadonlyMap<string, Subscriber>>;
  /** Servers the bot was removed from, by id: when (their data is purged some days later unless it is invited back). */
  removedGuilds: ReadonlyMap<string, string>;
  /** Members' reading lists per server id, then per member id, each newest first. */
  readingLists: ReadonlyMap<string, ReadonlyMap<string, readonly ReadingListEntry[]>>;
  /** Members' votes for papers (see src/core/votes.ts): per server, then per paper, then per member. */
  votes: VoteBook;
  meta: StoreMeta;
}

/**
 * Proof that this process still owns what it writes: a lease's fencing token (issue 14). Every adapter checks it in
 * the same transaction as the write and rejects the write with a {@link LeaseLostError} once the lease was acquired
 * again (by another process, or by this one) or released, writing nothing.
 */
export interface Fence {
  /** What the lease guards: a feed id (or any other name, e.g. a shard). */
  readonly scope: string;
  /** The lease's token: a decimal integer, strictly greater at every acquisition of the same scope. */
  readonly token: string;
}

/** A held lease: a fence with its owner and when it lapses unless renewed. */
export interface Lease extends Fence {
  readonly owner: string;
  /** When it lapses unless renewed (ISO 8601), by the store's clock (PostgreSQL: the server's). */
  readonly expiresAt: string;
}

/**
 * Leases kept in the store, one per scope (a feed id): who runs it, until when, and a fencing token that grows at
 * every acquisition. A lapsed lease stays its owner's until another acquires it: writes fenced with its token go
 * through until then, and never after.
 */
export interface Leases {
  /** Takes the scope's lease for `ttlMs` with a new, greater token, unless another owner holds it unexpired (null). */
  acquire(scope: string, owner: string, ttlMs: number): Promise<Lease | null>;
  /** Extends a lease still held by this token; rejects with a {@link LeaseLostError} once it was taken or released. */
  renew(lease: Lease, ttlMs: number): Promise<Lease>;
  /** Gives the lease up (the token stays, so the next acquisition's is greater); nothing if it was already lost. */
  release(lease: Lease): Promise<void>;
}

/** A write or a renewal fenced with a token that is no longer the scope's: nothing was written. */
export class LeaseLostError extends OperatorError {
  constructor(
    readonly scope: string,
    readonly token: string,
    message = `the lease on ${scope} (token ${token}) was lost: another process acquired it, or it was released; nothing was written`,
  ) {
    super(message);
    this.name = 'LeaseLostError';
  }
}

/** Options of every write. */
export interface WriteOptions {
  fence?: Fence;
}

/**
 * Owner of the state: feeds, each feed's progress and posted log, members' topics per server, and the store's
 * records. Reads are synchronous, from memory (the process owns the data); every write is one transaction, and
 * memory changes only once it is committed. A write that fails (disk full, read-only, lock lost) rejects, and
 * memory keeps the last committed state: nothing more is posted until it can be recorded.
 */
export interface Store {
  read(): StoreSnapshot;
  /** A feed's posted log (empty for an unknown feed). */
  posted(feedId: string): PostedLog;
  /**
   * One state step of a feed, in one transaction: `change` (pure transitions) maps the feed's state to the next;
   * its progress and its changes to the posted log are written together. Rejects for an unknown feed.
   */
  step(feedId: string, change: (state: FeedState) => FeedState, options?: WriteOptions): Promise<FeedState>;
  /** Creates a feed (with empty progress) or changes one's configuration (its progress and log stay). */
  saveFeed(feed: Feed, options?: WriteOptions): Promise<void>;
  /** Deletes a feed with its progress and posted log. */
  removeFeed(feedId: string, options?: WriteOptions): Promise<void>;
  /** Changes one member's topics in one server (`null`: none left, forgotten); resolves with what was saved. */
  updateSubscriber(
    guildId: string,
    userId: string,
    change: (current: Subscriber | null) => Subscriber | null,
    options?: WriteOptions,
  ): Promise<Subscriber | null>;
  /**
   * Adds a paper to a member's reading list in one server: idempotent (a paper already there stays where it is), and
   * refused once the list holds its cap (READING_LIST_CAP, src/core/reading-list.ts); resolves with what happened and the count.
   */
  saveToReadingList(guildId: string, userId: string, entry: ReadingListEntry, options?: WriteOptions): Promise<ReadingListSave>;
  /** Removes a paper from a member's reading list; resolves with whether it was there. */
  removeFromReadingList(guildId: string, userId: string, paperId: string, options?: WriteOptions): Promise<boolean>;
  /** One page of a member's reading list in one server, newest first (all of it without `page`). */
  readingList(guildId: string, userId: string, page?: { offset: number; limit: number }): ReadingListEntry[];
  /** How many papers a member's reading list in one server holds. */
  readingListCount(guildId: string, userId: string): number;
  /** Moves every member's topics from one server key to another (a member already there keeps theirs). */
  moveSubscriptions(fromGuildId: string, toGuildId: string, options?: WriteOptions): Promise<number>;
  updateMeta(change: (meta: StoreMeta) => StoreMeta, options?: WriteOptions): Promise<StoreMeta>;
  /** Records that the bot was removed from a server at `removedAt`, or (null) that it is back in it. */
  markGuildRemoved(guildId: string, removedAt: string | null, options?: WriteOptions): Promise<void>;
  /** Records a member's vote for a paper; resolves false (nothing written) when they already count for it. */
  addVote(vote: Vote, options?: WriteOptions): Promise<boolean>;
  /** Removes a member's vote given through that message; resolves false when there was none. */
  removeVote(key: VoteKey, options?: WriteOptions): Promise<boolean>;
  /**
   * Replaces the votes given through one message with those of `userIds` (a read of its reactions), in one
   * transaction; a member counted through another message of the paper keeps that vote. Resolves with the changes.
   */
  replaceMessageVotes(
    target: { guildId: string; paperId: string; messageId: string },
    userIds: Iterable<string>,
    at: string,
    options?: WriteOptions,
  ): Promise<{ added: number; removed: number }>;
  /**
   * Deletes everything of one server in one transaction: its feeds with their progress and posted logs, its members'
   * topics, reading lists and votes, and its removal record. Resolves with the ids of the feeds deleted.
   */
  purgeGuild(guildId: string, options?: WriteOptions): Promise<string[]>;
  /**
   * Loads a dump (validated by the caller) in one transaction: into an empty store, or over everything with
   * `replace`. Rejects with a {@link StoreNotEmptyError} when the store holds data and `replace` is not set.
   */
  importDump(dump: StoreDump, options: { replace: boolean } & WriteOptions): Promise<void>;
  /** True while the store holds nothing a person would miss: no post, no record, no subscription, no saved paper. */
  isBlank(): boolean;
  /** Leases with fencing tokens, for writers that share the store (see {@link Fence}). */
  readonly leases: Leases;
  /** Finishes the write under way and releases the store (its lock); later writes reject. */
  close(): Promise<void>;
}

/** An import into a store that holds data, without `replace`. */
export class StoreNotEmptyError extends OperatorError {
  constructor(message: string) {
    super(message);
    this.name = 'StoreNotEmptyError';
  }
}

/** Where digests go: a Discord channel or the terminal. */
export interface Poster {
  /** `channel:<id>` or `console`: where it posts, for logs. */
  readonly destination: string;
  /**
   * Posts one message; with a nonce, a retried create returns the existing message instead of a duplicate. A paper
   * card carries `post` (its thread name and topics): in a forum channel it becomes a forum post of that name, with
   * tags from those topics, and the returned id is the post's (its first message's) id.
   */
  post(message: OutgoingMessage, nonce: string, post?: PaperPost): Promise<{ messageId: string }>;
  /** `forum` when the destination is a forum channel (each paper a post; no opening message), else `text`; null when unknown. */
  channelKind?(): 'text' | 'forum' | null;
  /**
   * Starts the public discussion thread of a message (its id becomes the thread's). `existed`: the message already
   * had one (Discord answers 160004), which is then the thread. Rejects with a {@link PostError}: `forbidden` when
   * the bot lacks Create Public Threads or Send Messages in Threads.
   */
  startThread?(messageId: string, name: string): Promise<{ threadId: string; existed: boolean }>;
  /** Why no thread can be started now (the bot is known to lack a thread permission), or null. */
  threadsBlocked?(): string | null;
  /** Posts a message in a thread of the destination (the mentions of a paper), with a nonce like {@link post}. */
  postInThread?(threadId: string, message: OutgoingMessage, nonce: string): Promise<{ messageId: string }>;
  /**
   * Reads back the destination's own messages newer than a known point, to reconcile posts a crash left
   * unrecorded, and says whether the read can be trusted to show every one of them. Console mode answers a
   * trusted empty read (the terminal cannot be read back; printing a paper twice harms nobody).
   */
  readOwnMessages(from: HistoryAnchor): Promise<HistoryRead>;
  /** Sends a direct message to a member (Discord only), with a nonce like {@link post}. */
  sendDirect?(userId: string, message: OutgoingMessage, nonce: string): Promise<{ messageId: string }>;
}

/** What a paper card says about itself to a destination that makes each paper a thread (a forum post). */
export interface PaperPost {
  /** The thread's name (core/thread-name.ts). */
  name: string;
  /** The paper's matched topics, most relevant first: a forum post's tags. */
  topics: string[];
}

/** A message found in the destination, reduced to what reconciling needs. */
export interface PostedMessage {
  messageId: string;
  /** Paper id read back from the embed footer, when the message is a paper card. */
  paperId: string | null;
  /** Digest number read back from a digest's opening message. */
  digest: number | null;
  /** Paper ids read back from a compact list message's marker line (core/compact-digest.ts). */
  paperIds?: string[];
  /** The key read back from an empty-digest explanation's marker line (core/digest-supply.ts). */
  explained?: string;
}

/** Where a recovery read starts. */
export interface HistoryAnchor {
  /**
   * Ids of messages this feed recorded as posted, all older than every post sought, newest first. The read
   * starts at the first and must see it (proof that the history is readable); when it was deleted, the next.
   */
  witnesses: string[];
  /** Without a witness: the local time the earliest post sought was attempted (the read allows for clock skew). */
  since: string;
}

/** What a recovery read found, and whether its silence proves anything. */
export interface HistoryRead {
  /** Own messages found, oldest first (usable even when the read is not trusted: a found post is a fact). */
  messages: PostedMessage[];
  /** True only when the read saw its witness (or the bot may read the history) and reached the present. */
  trusted: boolean;
  /** Why the read proves nothing, with the fix (e.g. grant Read Message History): for logs, status and health. */
  problem?: string;
}

/** Why a post failed, as far as what to do next is concerned. */
export type PostFailureKind =
  /** 5xx, timeout, connection reset, rate limit beyond patience: try again later; the paper stays unposted. */
  | 'transient'
  /** 400: the payload broke a Discord rule (a formatting bug): record and report, do not retry blindly. */
  | 'invalid-payload'
  /** Missing access or permissions in the channel: tell the admin once, keep running. */
  | 'forbidden'
  /** The channel does not exist (or the bot cannot see it). */
  | 'unknown-channel'
  /** The token is invalid: nothing will work until the admin fixes it. */
  | 'unauthorized';

/** A failed post, classified so the use case can decide what to do. */
export class PostError extends OperatorError {
  constructor(
    readonly kind: PostFailureKind,
    message: string,
    readonly status: number | null = null,
    readonly code: number | null = null,
    /** For `forbidden`: the channel permissions the bot lacks, when known (e.g. "Read Message History"). */
    readonly missing: readonly string[] = [],
    /**
     * What an admin should do about it, in the words of the destination's own settings (which permission to grant,
     * which id to check): supplied by the adapter that knows the destination, so the use cases need not.
     */
    readonly advice?: string,
  ) {
    super(message);
    this.name = 'PostError';
  }
}

/** The corpus as of now (re-read at every digest so added files are picked up without a restart). */
export interface CorpusSource {
  /**
   * Rejects, with a message naming the path and the reason, when the corpus cannot be read at all. `problems`
   * lists the files that give nothing because they were skipped or quarantined (what an admin must look at).
   */
  load(): Promise<{
    papers: Paper[];
    warnings: number;
    problems?: CorpusFileProblem[];
    /** An identity of what the corpus was read from: the same version always gives the same papers. */
    version?: string;
    /** The corpus kept before this load, when it was another: an index kept for it is updated, not rebuilt. */
    previous?: { papers: Paper[]; version: string };
  }>;
  /** Where the corpus lives (a folder path), for messages that tell an admin where to look. */
  readonly location?: string;
}

/** The current time; the only place that reads the clock. */
export interface Clock {
  now(): Date;
}

/** Structured logging: a message and optional context fields. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
