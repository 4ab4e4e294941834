import { z } from 'zod';
import { DISCORD_LIMITS } from './discord-limits.js';

/*
 * The JSON state file (STATE_FILE) of the releases before the database, frozen: read only to import it into the
 * database at the first start after the upgrade (legacy-import.ts), never written again. Its record shapes are kept
 * here as they were, apart from the live model in state.ts, so that a change there never changes how an old file
 * reads.
 */

/** The state file's last schema version; older files are migrated on load (see state-migrations.ts). */
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

/** The zod schema of the state file's last version. */
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

/** Everything Paperboy 0.1 remembered between runs, as its state file holds it. */
export type State = z.infer<typeof stateSchema>;
/** What was posted to one destination, and what is under way. */
export type DestinationState = z.infer<typeof destinationSchema>;

/** The state of a bot that never ran, as the state file would hold it. */
export function createEmptyState(): State {
  return { version: STATE_VERSION, destinations: {}, schedule: { nextDueAt: null }, subscriptions: {}, commands: null, updatedAt: null };
}

/** A destination that never received anything, as the state file would hold it. */
export function createEmptyDestination(): DestinationState {
  return { posted: {}, pending: {}, failed: {}, inFlight: null, digests: 0, lastRun: null };
}
