import type { CorpusFileProblem, Paper } from '../core/paper.js';
import type { OutgoingMessage } from '../core/format.js';
import type { State } from '../core/state.js';

/** Owner of the state file: one in-memory copy, changed only through durable, serialised updates. */
export interface StateStore {
  /** The last state that was durably saved (or loaded). */
  read(): State;
  /**
   * Applies `change` to the current state and resolves once the result is durably on disk (temp file, fsync,
   * rename). Updates run one at a time in call order. If the write fails, the in-memory state stays the last
   * good one and the promise rejects with a {@link StateWriteError}-like error naming the file and the cause.
   */
  update(change: (state: State) => State): Promise<State>;
  /** Releases the lock; later updates reject. */
  close(): Promise<void>;
}

/** Where digests go: a Discord channel or the terminal. */
export interface Poster {
  /** `channel:<id>` or `console`: the key of this destination's record in the state. */
  readonly destination: string;
  /** Posts one message; with a nonce, a retried create returns the existing message instead of a duplicate. */
  post(message: OutgoingMessage, nonce: string): Promise<{ messageId: string }>;
  /**
   * Reads back the destination's own messages newer than a known point, to reconcile posts a crash left
   * unrecorded, and says whether the read can be trusted to show every one of them. Console mode answers a
   * trusted empty read (the terminal cannot be read back; printing a paper twice harms nobody).
   */
  readOwnMessages(from: HistoryAnchor): Promise<HistoryRead>;
  /** Sends a direct message to a member (Discord only), with a nonce like {@link post}. */
  sendDirect?(userId: string, message: OutgoingMessage, nonce: string): Promise<{ messageId: string }>;
}

/** A message found in the destination, reduced to what reconciling needs. */
export interface PostedMessage {
  messageId: string;
  /** Paper id read back from the embed footer, when the message is a paper card. */
  paperId: string | null;
  /** Digest number read back from a digest's opening message. */
  digest: number | null;
}

/** Where a recovery read starts. */
export interface HistoryAnchor {
  /**
   * Ids of messages this destination recorded as posted, all older than every post sought, newest first. The read
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
export class PostError extends Error {
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
