import { z } from 'zod';
import { DISCORD_LIMITS } from './discord-limits.js';

/** The state file's current schema version; older files are migrated on load (see state-migrations.ts). */
export const STATE_VERSION = 3;

const isoDate = z.iso.datetime({ offset: true });

const postedSchema = z.object({
  /** Message id on Discord (`console:<n>` in console mode). */
  messageId: z.string(),
  postedAt: isoDate,
  digest: z.number().int().nonnegative(),
  /** Order of posting in this destination, 1-based; lets anyone check papers went out in order. */
  seq: z.number().int().positive(),
});

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

/** A paper whose post may have gone out, but the destination's history could not be read to check. */
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
});

const noticeItemSchema = z.object({ paper: z.string(), title: z.string(), topics: z.array(z.string()) });

const noticeSchema = z.object({
  /** `channel`: a mention message in the destination; `direct`: a direct message to `userId`. */
  kind: z.enum(['channel', 'direct']),
  userId: z.string().optional(),
  /** The message exactly as it is (re)sent: a retry carries the same content and the same nonce. */
  content: z.string().max(DISCORD_LIMITS.content),
  users: z.array(z.string()).max(DISCORD_LIMITS.allowedMentionUsers),
  /** What it notifies about; a direct message that cannot go out falls back to channel mentions of these papers. */
  items: z.array(noticeItemSchema),
  /** When it was recorded; for a direct message, also when its first send began. */
  recordedAt: isoDate,
});

const destinationSchema = z.object({
  posted: z.record(z.string(), postedSchema),
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
  /** Direct messages begun in the destination's latest digest, against the per-digest cap. */
  directBudget: z.object({ digest: z.number().int().nonnegative(), sent: z.number().int().nonnegative() }).optional(),
});

const subscriberSchema = z.object({
  topics: z.array(z.string()),
  dm: z.boolean(),
  updatedAt: isoDate,
});

/** The zod schema of the current state file version. */
export const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  /** Keyed by destination: `channel:<id>` or `console`, so trying Paperboy in a terminal never uses up a channel's queue. */
  destinations: z.record(z.string(), destinationSchema),
  schedule: z.object({
    /** When the next scheduled run was due, as computed when it was planned; a start after it is a missed run. */
    nextDueAt: isoDate.nullable(),
  }),
  /** Per Discord user id. */
  subscriptions: z.record(z.string(), subscriberSchema),
  commands: z.object({ hash: z.string(), scope: z.string(), registeredAt: isoDate }).nullable(),
  updatedAt: isoDate.nullable(),
});

/** Everything Paperboy remembers between runs. */
export type State = z.infer<typeof stateSchema>;
/** What was posted to one destination, and what is under way. */
export type DestinationState = z.infer<typeof destinationSchema>;
/** One digest under way in a destination. */
export type InFlightDigest = z.infer<typeof inFlightSchema>;
/** The summary of a destination's last digest run. */
export type LastRun = z.infer<typeof lastRunSchema>;
/** A paper whose post could not be checked. */
export type UnverifiedPaper = z.infer<typeof unverifiedSchema>;
/** One member's topics. */
export type Subscriber = z.infer<typeof subscriberSchema>;
/** A member to notify about a paper and the topics of theirs it matched. */
export type Recipient = z.infer<typeof recipientSchema>;
/** Who a paper notifies: channel mentions and direct messages. */
export type Audience = z.infer<typeof audienceSchema>;
/** One paper a notification tells a member about. */
export type NoticeItem = z.infer<typeof noticeItemSchema>;
/** A notification message recorded before it is sent. */
export type Notice = z.infer<typeof noticeSchema>;

/** The state of a bot that never ran. */
export function createEmptyState(): State {
  return { version: STATE_VERSION, destinations: {}, schedule: { nextDueAt: null }, subscriptions: {}, commands: null, updatedAt: null };
}

/** A destination that never received anything. */
export function createEmptyDestination(): DestinationState {
  return { posted: {}, pending: {}, failed: {}, inFlight: null, digests: 0, lastRun: null };
}

/** The destination's record, or an empty one (the state is not changed). */
export function getDestination(state: State, destination: string): DestinationState {
  return state.destinations[destination] ?? createEmptyDestination();
}

/** Returns a copy of the state with one destination replaced through `change`. */
export function updateDestination(state: State, destination: string, change: (d: DestinationState) => DestinationState): State {
  return { ...state, destinations: { ...state.destinations, [destination]: change(getDestination(state, destination)) } };
}

/** Starts a digest: the plan is recorded before anything is posted, so a crash resumes the same digest. */
export function startDigest(
  state: State,
  destination: string,
  plan: { papers: string[]; remainingAfter: number; at: string; headerNonce: string },
): State {
  return updateDestination(state, destination, (d) => {
    if (d.inFlight) throw new Error(`a digest (#${d.inFlight.digest}) is already under way in ${destination}`);
    const digest = d.digests + 1;
    return {
      ...d,
      digests: digest,
      inFlight: {
        digest,
        startedAt: plan.at,
        papers: plan.papers,
        remainingAfter: plan.remainingAfter,
        header: { nonce: plan.headerNonce, messageId: null },
      },
    };
  });
}

/** Records the digest's opening message. */
export function markHeaderPosted(state: State, destination: string, messageId: string): State {
  return updateDestination(state, destination, (d) =>
    d.inFlight ? { ...d, inFlight: { ...d.inFlight, header: { ...d.inFlight.header, messageId } } } : d,
  );
}

/**
 * Records the intent to post a paper (before the request leaves), with the nonce the request will carry and the
 * newest message id known in the destination (`after`), where a recovery read would start.
 */
export function markPending(state: State, destination: string, paperId: string, nonce: string, at: string, after?: string): State {
  return updateDestination(state, destination, (d) => {
    if (d.posted[paperId]) throw new Error(`paper ${paperId} is already posted in ${destination}`);
    if (d.unverified?.[paperId]) throw new Error(`paper ${paperId} may already be posted in ${destination} (unverified)`);
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

/** Records that a paper was posted (or found posted while reconciling), clearing every other mark it had. */
export function markPosted(state: State, destination: string, paperId: string, messageId: string, at: string): State {
  return updateDestination(state, destination, (d) => {
    if (d.posted[paperId]) return d;
    const { [paperId]: _done, ...pending } = d.pending;
    const { [paperId]: _failed, ...failed } = d.failed;
    const seq = Object.keys(d.posted).length + 1;
    return {
      ...withMaps(d, without(d.unverified, paperId), without(d.waiting, paperId)),
      pending,
      failed,
      posted: { ...d.posted, [paperId]: { messageId, postedAt: at, digest: d.inFlight?.digest ?? d.digests, seq } },
    };
  });
}

function withMaps(d: DestinationState, unverified: DestinationState['unverified'], waiting: DestinationState['waiting']): DestinationState {
  const { unverified: _u, waiting: _w, ...rest } = d;
  return { ...rest, ...(unverified ? { unverified } : {}), ...(waiting ? { waiting } : {}) };
}

/** Records a paper Discord refused as malformed: it is not posted, not retried blindly, and shown in status. */
export function markFailed(state: State, destination: string, paperId: string, reason: string, at: string): State {
  return updateDestination(state, destination, (d) => {
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
export function markUnverified(state: State, destination: string, paperId: string, reason: string, at: string): State {
  return updateDestination(state, destination, (d) => {
    const record = d.pending[paperId] ?? d.unverified?.[paperId];
    if (!record || d.posted[paperId]) return d;
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
export function requeueUnverified(state: State, destination: string, paperId: string): State {
  return updateDestination(state, destination, (d) => withMaps(d, without(d.unverified, paperId), d.waiting));
}

/** Records a planned paper missing from the corpus: not failed, it stays queued and is posted when it is back. */
export function markWaiting(state: State, destination: string, paperId: string, at: string): State {
  return updateDestination(state, destination, (d) => {
    if (d.posted[paperId]) return d;
    const { [paperId]: _done, ...pending } = d.pending;
    return {
      ...d,
      pending,
      waiting: { ...d.waiting, [paperId]: d.waiting?.[paperId] ?? { since: at, digest: d.inFlight?.digest ?? d.digests } },
    };
  });
}

/** Forgets the waiting mark of papers that are back in the corpus (they are ordinary unposted papers again). */
export function clearWaiting(state: State, destination: string, paperIds: readonly string[]): State {
  return updateDestination(state, destination, (d) =>
    withMaps(
      d,
      d.unverified,
      paperIds.reduce((m, id) => without(m, id), d.waiting),
    ),
  );
}

/** Re-queues every paper Discord refused (an admin's `/digest retry`): they go out with the next digests. */
export function requeueFailed(state: State, destination: string): State {
  return updateDestination(state, destination, (d) => ({ ...d, failed: {} }));
}

/** Ends the digest under way and records the run's summary. */
export function finishDigest(state: State, destination: string, lastRun: LastRun): State {
  return updateDestination(state, destination, (d) => ({ ...d, inFlight: null, lastRun }));
}

/** Records a run that posted nothing (no papers left, or an error before the digest started). */
export function recordRun(state: State, destination: string, lastRun: LastRun): State {
  return updateDestination(state, destination, (d) => ({ ...d, lastRun }));
}

/** Records when the next scheduled run is due. */
export function setNextDue(state: State, nextDueAt: string | null): State {
  return { ...state, schedule: { ...state.schedule, nextDueAt } };
}

/** Records a registration of the slash commands (what was registered, where, when), so a start without changes skips it. */
export function recordRegistration(state: State, registration: { hash: string; scope: string; at: string }): State {
  return { ...state, commands: { hash: registration.hash, scope: registration.scope, registeredAt: registration.at } };
}
