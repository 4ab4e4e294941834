import type { PostedLog } from '../core/posted-log.js';
import { type FeedProgress, markHeaderPosted, markPosted, markUnverified, requeueUnverified } from '../core/state.js';
import type { FeedStore } from './feed-store.js';
import type { Clock, HistoryRead, Logger, PostedMessage, Poster } from './ports.js';

/** Settles the posts whose fate a crash left unknown; see {@link createPostReconciler}. */
export interface PostReconciler {
  reconcile(): Promise<{ headerUnknown: boolean }>;
}

/**
 * Creates the recovery step of a digest run. It reads the destination's history back from a message known to
 * exist, records the posts it finds, re-queues held papers a trusted read shows were never posted, and holds
 * back (never posts twice) what it cannot check. Warnings are logged once until what is held changes.
 */
export function createPostReconciler(deps: { feed: FeedStore; poster: Poster; logger: Logger; clock: Clock }): PostReconciler {
  const { feed } = deps;
  const destination = deps.poster.destination;
  const iso = () => deps.clock.now().toISOString();
  let lastHeld: string | null = null;

  /**
   * Settles every post whose fate is unknown (pending papers, papers held as unverified, an unrecorded opening
   * message) by reading the destination's history back from a message known to exist. Found posts are recorded.
   * A trusted read that does not show a post proves it never went out. A read that proves nothing (no Read
   * Message History, too many messages to read) never leads to a second post: the paper is held as unverified.
   * Returns whether the opening message's fate is still unknown (then it is not posted again either).
   */
  async function reconcile(): Promise<{ headerUnknown: boolean }> {
    const dest = feed.progress();
    const inFlight = dest.inFlight;
    const records = [...Object.values(dest.pending), ...Object.values(dest.unverified ?? {})];
    const checkHeader = inFlight !== null && inFlight.header.messageId === null;
    if (records.length === 0 && !checkHeader) return { headerUnknown: false };
    const mustSettle = Object.keys(dest.pending).length > 0 || checkHeader;

    const anchors = records.map((record) => record.after ?? legacyAnchor(dest, record.digest));
    const times = records.map((record) => record.since);
    if (checkHeader) {
      anchors.push(inFlight.after);
      times.push(inFlight.startedAt);
    }
    let read: HistoryRead;
    try {
      read = await deps.poster.readOwnMessages({
        witnesses: witnessesFor(feed.view().posted, anchors),
        since: times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)),
      });
    } catch (error) {
      if (mustSettle) throw error;
      // Only held papers to check: they stay held, and the digest goes on.
      deps.logger.warn({ destination, err: error }, 'could not read the channel back to check the unverified papers; they stay held');
      return { headerUnknown: false };
    }

    for (const message of read.messages) {
      const now = feed.progress();
      if (inFlight && message.digest === inFlight.digest && now.inFlight?.header.messageId === null) {
        await feed.step((s) => markHeaderPosted(s, message.messageId));
      }
      const id = message.paperId && findHeldPaper(now, message.paperId);
      if (id) {
        const was = now.unverified?.[id] ? 'unverified' : 'pending';
        deps.logger.info(
          { destination, paper: id, messageId: message.messageId, was },
          'found a post a crash left unrecorded; marked it posted',
        );
        await feed.step((s) => markPosted(s, id, message.messageId, iso()));
      }
      await settleListed(message);
    }

    const after = feed.progress();
    if (read.trusted) {
      for (const id of Object.keys(after.unverified ?? {})) {
        deps.logger.info(
          { destination, paper: id },
          'the channel history shows this unverified paper was never posted; it is queued again',
        );
        await feed.step((s) => requeueUnverified(s, id));
      }
      if (lastHeld) deps.logger.info({ destination }, 'the digest channel history can be read again: every unverified paper is settled');
      lastHeld = null;
      return { headerUnknown: false };
    }

    const problem = read.problem ?? 'the digest channel history could not be checked';
    for (const [id, record] of [...Object.entries(after.pending), ...Object.entries(after.unverified ?? {})]) {
      if ('reason' in record && record.reason === problem) continue;
      await feed.step((s) => markUnverified(s, id, problem, iso()));
    }
    const held = Object.keys(feed.progress().unverified ?? {});
    const headerUnknown = checkHeader && feed.progress().inFlight?.header.messageId === null;
    const key = `${problem}|${held.join(',')}|${headerUnknown}`;
    if (key !== lastHeld) {
      lastHeld = key;
      const what = [
        held.length > 0 ? `${held.length} paper${held.length === 1 ? '' : 's'}` : null,
        headerUnknown ? `the opening message of digest #${inFlight.digest}` : null,
      ]
        .filter(Boolean)
        .join(' and ');
      deps.logger.warn(
        { destination, unverified: held, headerUnknown },
        `${what} may already be in the channel but cannot be checked: ${problem}. They are not posted again until the history can be read; the digest goes on with the other papers`,
      );
    }
    return { headerUnknown };
  }

  /** Records the held papers a compact list message names as posted with it (its marker line, like a card's footer). */
  async function settleListed(message: PostedMessage): Promise<void> {
    for (const listed of message.paperIds ?? []) {
      const id = findHeldPaper(feed.progress(), listed);
      if (!id) continue;
      deps.logger.info(
        { destination, paper: id, messageId: message.messageId },
        'found a compact list a crash left unrecorded; marked its paper posted',
      );
      await feed.step((s) => markPosted(s, id, message.messageId, iso()));
    }
  }

  return { reconcile };
}

/** The pending or unverified paper a card's footer id names: its id, or an id it had before (see formerIds). */
function findHeldPaper(dest: FeedProgress, footerId: string): string | null {
  if (dest.pending[footerId] || dest.unverified?.[footerId]) return footerId;
  for (const [id, record] of [...Object.entries(dest.pending), ...Object.entries(dest.unverified ?? {})]) {
    if (record.formerIds?.includes(footerId)) return id;
  }
  return null;
}

const isSnowflake = (id: string | null | undefined): id is string => typeof id === 'string' && /^\d{1,20}$/.test(id);

/** For a pending record written before anchors were recorded: its digest's opening message precedes its post. */
function legacyAnchor(dest: FeedProgress, digest: number): string | undefined {
  const header = dest.inFlight?.header.messageId;
  return dest.inFlight?.digest === digest && isSnowflake(header) ? header : undefined;
}

/**
 * Messages a recovery read starts from, newest first: the earliest anchor (older than every post sought), then a
 * few older posts in case a moderator deleted it. None when one post has no anchor (the read then goes by time).
 */
function witnessesFor(posted: PostedLog, anchors: Array<string | undefined>): string[] {
  if (anchors.length === 0 || anchors.some((a) => !isSnowflake(a))) return [];
  const earliest = anchors.map((a) => BigInt(a!)).reduce((a, b) => (a < b ? a : b));
  // The log is walked from its newest post back, only until a few older than the anchor are found.
  const older: bigint[] = [];
  for (const entry of posted.newestFirst()) {
    if (!isSnowflake(entry.messageId)) continue;
    const id = BigInt(entry.messageId);
    if (id < earliest) older.push(id);
    if (older.length === WITNESSES) break;
  }
  older.sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  return [earliest, ...older].map(String);
}

/** Older posts a recovery read may fall back to when its anchor was deleted. */
const WITNESSES = 3;
