import { z } from 'zod';
import { DISCORD_LIMITS } from './discord-limits.js';
import { type PostedEntry, type PostedLog, type PostedLogChange, withLogChange } from './posted-log.js';

/*
 * A feed's progress: what its digests have under way, bounded by a digest's size, stored as one document per feed
 * and rewritten by each step. What a feed has posted is not in it: that is the append-only posted log
 * (posted-log.ts), which the transitions below only look up and append to, so no step copies or scans it.
 */

const isoDate = z.iso.datetime({ offset: true });

const pendingSchema = z.object({
  nonce: z.string().max(DISCORD_LIMITS.nonce),
  since: isoDate,
  digest: z.number().int().nonnegative(),
  /**
   * A message id recorded before this post was attempted (the digest's opening message, or the last paper posted
   * here): it exists, and the post, if it went out, is newer. A recovery read starts at it and must see it.
   */
  after: z.string().optional(),
  /**
   * Ids this paper was recorded under before it was identified by its arXiv id: a post that may exist carries one
   * of them in its footer, so recovery reads them as this paper.
   */
  formerIds: z.array(z.string()).optional(),
});

/** A paper whose post may have gone out, but the channel's history could not be read to check. */
const unverifiedSchema = pendingSchema.extend({
  /** Why the read proved nothing, with the fix (e.g. grant Read Message History). */
  reason: z.string(),
  at: isoDate,
});

/** A planned paper no longer in the corpus (a renamed file, a folder not mounted yet): queued until it is back. */
const waitingSchema = z.object({
  since: isoDate,
  digest: z.number().int().nonnegative(),
});

const failedSchema = z.object({
  reason: z.string(),
  at: isoDate,
  digest: z.number().int().nonnegative(),
});

const inFlightSchema = z.object({
  digest: z.number().int().positive(),
  startedAt: isoDate,
  /** The paper ids this digest posts, in order: fixed when the digest starts, so a resumed digest posts the same. */
  papers: z.array(z.string()),
  remainingAfter: z.number().int().nonnegative(),
  header: z.object({ nonce: z.string().max(DISCORD_LIMITS.nonce), messageId: z.string().nullable() }),
  /** The newest message recorded before the digest began: its opening message, if it went out, is newer. */
  after: z.string().optional(),
});

const lastRunSchema = z.object({
  at: isoDate,
  outcome: z.enum(['posted', 'partial', 'empty', 'failed']),
  posted: z.number().int().nonnegative(),
  remaining: z.number().int().nonnegative(),
  error: z.string().optional(),
  /** Why a run posted nothing when the corpus, not a failure of the bot, is the cause. */
  reason: z.enum(['corpus-unavailable', 'corpus-empty', 'all-posted']).optional(),
});

/** A member to notify about a paper, with the topics of theirs it matched. */
const recipientSchema = z.object({ userId: z.string(), topics: z.array(z.string()) });

const audienceSchema = z.object({
  title: z.string(),
  /** Members mentioned in the channel: the first chunk rides on the card, the others follow it. */
  mentions: z.array(recipientSchema),
  /** Members who asked for a direct message instead. */
  direct: z.array(recipientSchema),
  /** Every mention goes as a message in the paper's discussion thread, none on the card (feed option `threads`). */
  inThread: z.boolean().optional(),
});

const noticeItemSchema = z.object({ paper: z.string(), title: z.string(), topics: z.array(z.string()) });

const noticeSchema = z.object({
  /** `channel`: a mention message in the feed's channel; `direct`: a direct message to `userId`. */
  kind: z.enum(['channel', 'direct']),
  userId: z.string().optional(),
  /** The message exactly as it is (re)sent: a retry carries the same content and the same nonce. */
  content: z.string().max(DISCORD_LIMITS.content),
  users: z.array(z.string()).max(DISCORD_LIMITS.allowedMentionUsers),
  /** What it notifies about; a direct message that cannot go out falls back to channel mentions of these papers. */
  items: z.array(noticeItemSchema),
  /** When it was recorded; for a direct message, also when its first send began. */
  recordedAt: isoDate,
  /** A channel notice sent in this paper's discussion thread (once it exists) instead of the feed's channel. */
  thread: z.string().optional(),
});

/** A discussion thread owed to a posted paper: recorded before it is started, removed once it exists. */
const threadIntentSchema = z.object({ name: z.string(), at: isoDate });

/** The zod schema of a feed's progress document. */
export const feedProgressSchema = z.object({
  /** Papers recorded as posted so far: the seq of the newest row of the posted log. */
  postedCount: z.number().int().nonnegative(),
  /** The newest message id this feed recorded (a paper's post or an opening message): the recovery anchor. */
  lastMessageId: z.string().nullable(),
  /** When the feed's next scheduled run was due, as computed when it was planned; a start after it is a missed run. */
  nextDueAt: isoDate.nullable(),
  pending: z.record(z.string(), pendingSchema),
  failed: z.record(z.string(), failedSchema),
  /** Papers held back because a post may exist that could not be checked; never posted again until checked. */
  unverified: z.record(z.string(), unverifiedSchema).optional(),
  /** Planned papers missing from the corpus, posted when they come back. */
  waiting: z.record(z.string(), waitingSchema).optional(),
  inFlight: inFlightSchema.nullable(),
  digests: z.number().int().nonnegative(),
  lastRun: lastRunSchema.nullable(),
  /** Per paper: who it notifies, fixed with the intent to post it so a resumed post mentions the same members. */
  audiences: z.record(z.string(), audienceSchema).optional(),
  /** Per member who asked for direct messages: posted papers they have not been sent yet. */
  directDue: z.record(z.string(), z.array(noticeItemSchema)).optional(),
  /** Per paper: members to mention in the channel because their direct message could not go out. */
  fallbackDue: z.record(z.string(), z.object({ title: z.string(), recipients: z.array(recipientSchema) })).optional(),
  /** Notification messages recorded before they are sent, keyed by their nonce; removed once sent. */
  notices: z.record(z.string(), noticeSchema).optional(),
  /** Direct messages begun in the feed's latest digest, against the per-digest cap. */
  directBudget: z.object({ digest: z.number().int().nonnegative(), sent: z.number().int().nonnegative() }).optional(),
  /**
   * The last reason the channel was told why a digest posted nothing or less than its size (said once, not every
   * run; a full digest forgets it). Recorded before its message is posted (`messageId` null until it is known).
   */
  explained: z
    .object({
      key: z.string(),
      text: z.string(),
      nonce: z.string().max(DISCORD_LIMITS.nonce),
      since: isoDate,
      /** The newest message recorded before the post: a read-back after a crash starts there. */
      after: z.string().optional(),
      /** `unchecked`: a crash left it unknown and the channel could not be read back; it is not posted again. */
      messageId: z.string().nullable(),
    })
    .optional(),
  /** Per paper: the discussion thread to start on its message (feed option `threads`), until it is started. */
  threads: z.record(z.string(), threadIntentSchema).optional(),
  /** Why the feed's last thread could not be started (missing permissions): it posts without threads until fixed. */
  threadsUnavailable: z.object({ reason: z.string(), at: isoDate }).optional(),
  /**
   * The latest weekly best-of (feed option `weekly`): its period (the scheduled time it is for), when it was decided,
   * the nonce it is posted with, what it says (null: nothing to post that period), and its message once posted.
   */
  bestOf: z
    .object({
      period: z.string(),
      at: isoDate,
      nonce: z.string().max(DISCORD_LIMITS.nonce),
      content: z.string().nullable(),
      messageId: z.string().nullable(),
    })
    .optional(),
});

/** The zod schema of a member's topics in one server. */
export const subscriberSchema = z.object({
  topics: z.array(z.string()),
  dm: z.boolean(),
  updatedAt: isoDate,
});

/** What a feed has under way: everything but its posted history. */
export type FeedProgress = z.infer<typeof feedProgressSchema>;
/** One digest under way in a feed. */
export type InFlightDigest = z.infer<typeof inFlightSchema>;
/** The summary of a feed's last digest run. */
export type LastRun = z.infer<typeof lastRunSchema>;
/** A paper whose post could not be checked. */
export type UnverifiedPaper = z.infer<typeof unverifiedSchema>;
/** One member's topics in one server. */
export type Subscriber = z.infer<typeof subscriberSchema>;
/** A member to notify about a paper and the topics of theirs it matched. */
export type Recipient = z.infer<typeof recipientSchema>;
/** Who a paper notifies: channel mentions and direct messages. */
export type Audience = z.infer<typeof audienceSchema>;
/** One paper a notification tells a member about. */
export type NoticeItem = z.infer<typeof noticeItemSchema>;
/** A notification message recorded before it is sent. */
export type Notice = z.infer<typeof noticeSchema>;
/** A discussion thread owed to a paper. */
export type ThreadIntent = z.infer<typeof threadIntentSchema>;

/**
 * One feed as a state step sees it: its progress, its posted log (with this step's changes), and the changes to
 * the log the step makes. A step is a chain of the pure transitions below; the store writes the resulting progress
 * and log changes in one transaction.
 */
export interface FeedState {
  /** The feed's id; notification nonces are derived from it, so two feeds sharing a channel never collide. */
  readonly feedId: string;
  readonly progress: FeedProgress;
  readonly posted: PostedLog;
  readonly logChanges: readonly PostedLogChange[];
}

/** What reading a feed needs: its progress and its posted log. */
export type FeedView = Pick<FeedState, 'progress' | 'posted'>;

/** The progress of a feed that never ran. */
export function createEmptyProgress(): FeedProgress {
  return { postedCount: 0, lastMessageId: null, nextDueAt: null, pending: {}, failed: {}, inFlight: null, digests: 0, lastRun: null };
}

/** The state a step starts from: the stored progress and log, no changes yet. */
export function beginStep(feedId: string, progress: FeedProgress, posted: PostedLog): FeedState {
  return { feedId, progress, posted, logChanges: [] };
}

/** Returns the feed with its progress replaced through `change`. */
export function updateProgress(s: FeedState, change: (p: FeedProgress) => FeedProgress): FeedState {
  return { ...s, progress: change(s.progress) };
}

/** Returns the feed with a change to its posted log, seen by the rest of the step and written with it. */
export function changeLog(s: FeedState, change: PostedLogChange): FeedState {
  return { ...s, posted: withLogChange(s.posted, change), logChanges: [...s.logChanges, change] };
}

const isSnowflake = (id: string | null | undefined): id is string => typeof id === 'string' && /^\d{1,20}$/.test(id);

/** The newer of two message ids (Discord snowflakes grow with time); ids that are not snowflakes never count. */
export function newerMessageId(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!isSnowflake(a)) return isSnowflake(b) ? b : null;
  if (!isSnowflake(b)) return a;
  return BigInt(a) >= BigInt(b) ? a : b;
}

/**
 * The newest message the feed recorded (a paper's post or an opening message): a post attempted now is newer
 * than it, so a recovery read can start there.
 */
export function newestKnownMessage(progress: FeedProgress): string | undefined {
  return newerMessageId(progress.lastMessageId, progress.inFlight?.header.messageId) ?? undefined;
}

/** Starts a digest: the plan is recorded before anything is posted, so a crash resumes the same digest. */
export function startDigest(s: FeedState, plan: { papers: string[]; remainingAfter: number; at: string; headerNonce: string }): FeedState {
  return updateProgress(s, (d) => {
    if (d.inFlight) throw new Error(`a digest (#${d.inFlight.digest}) is already under way in feed ${s.feedId}`);
    const digest = d.digests + 1;
    const after = newestKnownMessage(d);
    return {
      ...d,
      digests: digest,
      inFlight: {
        digest,
        startedAt: plan.at,
        papers: plan.papers,
        remainingAfter: plan.remainingAfter,
        header: { nonce: plan.headerNonce, messageId: null },
        ...(after ? { after } : {}),
      },
    };
  });
}

/** Records the digest's opening message. */
export function markHeaderPosted(s: FeedState, messageId: string): FeedState {
  return updateProgress(s, (d) =>
    d.inFlight
      ? {
          ...d,
          lastMessageId: newerMessageId(d.lastMessageId, messageId) ?? d.lastMessageId,
          inFlight: { ...d.inFlight, header: { ...d.inFlight.header, messageId } },
        }
      : d,
  );
}

/**
 * Records the intent to post a paper (before the request leaves), with the nonce the request will carry and the
 * newest message id known in the feed (`after`), where a recovery read would start.
 */
export function markPending(s: FeedState, paperId: string, nonce: string, at: string, after?: string): FeedState {
  if (s.posted.has(paperId)) throw new Error(`paper ${paperId} is already posted in feed ${s.feedId}`);
  return updateProgress(s, (d) => {
    if (d.unverified?.[paperId]) throw new Error(`paper ${paperId} may already be posted in feed ${s.feedId} (unverified)`);
    return {
      ...d,
      pending: { ...d.pending, [paperId]: { nonce, since: at, digest: d.inFlight?.digest ?? d.digests, ...(after ? { after } : {}) } },
    };
  });
}

/** Drops a paper from a record map, keeping the map absent when it empties (optional fields stay optional). */
function without<T>(map: Record<string, T> | undefined, paperId: string): Record<string, T> | undefined {
  if (!map || !(paperId in map)) return map;
  const { [paperId]: _gone, ...rest } = map;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function withMaps(d: FeedProgress, unverified: FeedProgress['unverified'], waiting: FeedProgress['waiting']): FeedProgress {
  const { unverified: _u, waiting: _w, ...rest } = d;
  return { ...rest, ...(unverified ? { unverified } : {}), ...(waiting ? { waiting } : {}) };
}

/**
 * Records that a paper was posted (or found posted while reconciling), clearing every other mark it had: one row
 * appended to the posted log, the progress told its count and newest message.
 */
export function markPosted(s: FeedState, paperId: string, messageId: string, at: string): FeedState {
  if (s.posted.has(paperId)) return s;
  const d = s.progress;
  const { [paperId]: _done, ...pending } = d.pending;
  const { [paperId]: _failed, ...failed } = d.failed;
  const seq = d.postedCount + 1;
  const entry: PostedEntry = { paperId, messageId, postedAt: at, digest: d.inFlight?.digest ?? d.digests, seq };
  const progress: FeedProgress = {
    ...withMaps(d, without(d.unverified, paperId), without(d.waiting, paperId)),
    pending,
    failed,
    postedCount: seq,
    lastMessageId: newerMessageId(d.lastMessageId, messageId) ?? d.lastMessageId,
  };
  return changeLog({ ...s, progress }, { kind: 'append', entry });
}

/** Records a paper Discord refused as malformed: it is not posted, not retried blindly, and shown in status. */
export function markFailed(s: FeedState, paperId: string, reason: string, at: string): FeedState {
  return updateProgress(s, (d) => {
    const { [paperId]: _done, ...pending } = d.pending;
    return {
      ...withMaps(d, without(d.unverified, paperId), without(d.waiting, paperId)),
      pending,
      failed: { ...d.failed, [paperId]: { reason, at, digest: d.inFlight?.digest ?? d.digests } },
    };
  });
}

/**
 * Holds back a pending paper whose post could not be checked (the history cannot be read): it keeps its nonce and
 * anchor, is never posted again blindly, and is resolved by a later read that can be trusted.
 */
export function markUnverified(s: FeedState, paperId: string, reason: string, at: string): FeedState {
  if (s.posted.has(paperId)) return s;
  return updateProgress(s, (d) => {
    const record = d.pending[paperId] ?? d.unverified?.[paperId];
    if (!record) return d;
    const { [paperId]: _done, ...pending } = d.pending;
    const { nonce, since, digest, after, formerIds } = record;
    return {
      ...d,
      pending,
      unverified: {
        ...d.unverified,
        [paperId]: { nonce, since, digest, ...(after ? { after } : {}), ...(formerIds ? { formerIds } : {}), reason, at },
      },
    };
  });
}

/** A trusted read showed an unverified paper was never posted: it is queued again like any unposted paper. */
export function requeueUnverified(s: FeedState, paperId: string): FeedState {
  return updateProgress(s, (d) => withMaps(d, without(d.unverified, paperId), d.waiting));
}

/** Records a planned paper missing from the corpus: not failed, it stays queued and is posted when it is back. */
export function markWaiting(s: FeedState, paperId: string, at: string): FeedState {
  if (s.posted.has(paperId)) return s;
  return updateProgress(s, (d) => {
    const { [paperId]: _done, ...pending } = d.pending;
    return {
      ...d,
      pending,
      waiting: { ...d.waiting, [paperId]: d.waiting?.[paperId] ?? { since: at, digest: d.inFlight?.digest ?? d.digests } },
    };
  });
}

/** Forgets the waiting mark of papers that are back in the corpus (they are ordinary unposted papers again). */
export function clearWaiting(s: FeedState, paperIds: readonly string[]): FeedState {
  return updateProgress(s, (d) =>
    withMaps(
      d,
      d.unverified,
      paperIds.reduce((m, id) => without(m, id), d.waiting),
    ),
  );
}

/** Re-queues every paper Discord refused (an admin's `/digest retry`): they go out with the next digests. */
export function requeueFailed(s: FeedState): FeedState {
  return updateProgress(s, (d) => ({ ...d, failed: {} }));
}

/** Ends the digest under way and records the run's summary. */
export function finishDigest(s: FeedState, lastRun: LastRun): FeedState {
  return updateProgress(s, (d) => ({ ...d, inFlight: null, lastRun }));
}

/** Records a run that posted nothing (no papers left, or an error before the digest started). */
export function recordRun(s: FeedState, lastRun: LastRun): FeedState {
  return updateProgress(s, (d) => ({ ...d, lastRun }));
}

/** Records when the feed's next scheduled run is due. */
export function setNextDue(s: FeedState, nextDueAt: string | null): FeedState {
  return updateProgress(s, (d) => ({ ...d, nextDueAt }));
}

/**
 * True when the progress holds nothing a person would miss: no digest ever started, no record of any paper, no
 * notification owed (a schedule time and a last empty run do not count). What the import of an old state file
 * may replace.
 */
export function isBlankProgress(p: FeedProgress): boolean {
  const empty = (map: object | undefined) => !map || Object.keys(map).length === 0;
  return (
    p.postedCount === 0 &&
    p.digests === 0 &&
    p.inFlight === null &&
    [p.pending, p.failed, p.unverified, p.waiting, p.audiences, p.directDue, p.fallbackDue, p.notices, p.threads].every(empty)
  );
}
