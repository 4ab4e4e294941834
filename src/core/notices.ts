import { createHash } from 'node:crypto';
import { DISCORD_LIMITS } from './discord-limits.js';
import { formatThreadMentions } from './discussion.js';
import { formatCardMentions } from './format.js';
import { formatDigestDirectMessage, formatFallbackMentions } from './format-notify.js';
import { type Audience, type FeedProgress, type FeedState, type FeedView, type Notice, type NoticeItem, updateProgress } from './state.js';

/**
 * Notifications as pure state transitions. What a paper owes its subscribers is recorded with the intent to post
 * it, released in the same state step that records it posted, and every notification message is recorded (with
 * a deterministic nonce) before it is sent and forgotten once sent: a crash at any instant loses nothing.
 */

/** Records who a paper notifies, in the same step as the intent to post it. */
export function recordAudience(s: FeedState, paperId: string, audience: Audience): FeedState {
  return updateProgress(s, (d) => ({ ...d, audiences: { ...d.audiences, [paperId]: audience } }));
}

/** Papers whose audience waits to be released: posted (found by recovery, or a crash came in between) or refused. */
export function listReleasableAudiences({ progress: d, posted }: FeedView): string[] {
  return Object.keys(d.audiences ?? {}).filter((id) => posted.has(id) || d.failed[id]);
}

/**
 * Once a paper is posted, turns its audience into what is owed: its follow-up mention messages (the first chunk
 * rode on the card) and a line in the next direct message of each member who asked for one. A refused paper's
 * audience is dropped; a paper not yet posted is left as it is.
 */
export function releaseAudience(s: FeedState, paperId: string, at: string): FeedState {
  const posted = s.posted.has(paperId);
  return updateProgress(s, (d) => {
    const audience = d.audiences?.[paperId];
    if (!audience || (!posted && !d.failed[paperId])) return d;
    const { [paperId]: _released, ...audiences } = d.audiences!;
    if (!posted) return tidy({ ...d, audiences });
    const notices = { ...d.notices };
    const item: NoticeItem = { paper: paperId, title: audience.title, topics: [] };
    if (audience.inThread) {
      // None rode on the card: every chunk goes in the paper's thread (in the channel if no thread can be started).
      formatThreadMentions(audience.title, audience.mentions).forEach((chunk, i) => {
        notices[createNoticeNonce(s.feedId, 'thread-mention', paperId, String(i))] = {
          kind: 'channel',
          content: chunk.content,
          users: chunk.users,
          items: [item],
          recordedAt: at,
          thread: paperId,
        };
      });
    } else
      formatCardMentions(audience.title, audience.mentions)
        .slice(1)
        .forEach((chunk, i) => {
          notices[createNoticeNonce(s.feedId, 'mention', paperId, String(i + 1))] = {
            kind: 'channel',
            content: chunk.content,
            users: chunk.users,
            items: [item],
            recordedAt: at,
          };
        });
    const directDue = { ...d.directDue };
    for (const { userId, topics } of audience.direct) {
      const owed = directDue[userId] ?? [];
      if (!owed.some((i) => i.paper === paperId)) directDue[userId] = [...owed, { paper: paperId, title: audience.title, topics }];
    }
    return tidy({ ...d, audiences, notices, directDue });
  });
}

/** The nonce of the direct message that tells a member about these papers (in any order), for a feed. */
export function createDirectNonce(feedId: string, userId: string, items: readonly NoticeItem[]): string {
  return createNoticeNonce(
    feedId,
    'direct',
    userId,
    items
      .map((i) => i.paper)
      .sort()
      .join(','),
  );
}

/** Direct messages begun in the feed's latest digest (the per-digest cap counts them). */
export function countDirectMessages(d: FeedProgress): number {
  return d.directBudget?.digest === d.digests ? d.directBudget.sent : 0;
}

/**
 * Records a direct message just before it is sent: the member's owed papers move into it, and it counts against
 * the digest's cap whether or not it then goes through (Discord's anti-spam counts attempts too).
 */
export function recordDirectNotice(s: FeedState, userId: string, at: string): FeedState {
  return updateProgress(s, (d) => {
    const owed = d.directDue?.[userId];
    if (!owed?.length) return d;
    // In posting order, whatever order a crash or a recovery released them in.
    const items = [...owed].sort((a, b) => (s.posted.get(a.paper)?.seq ?? 0) - (s.posted.get(b.paper)?.seq ?? 0));
    const { [userId]: _moved, ...directDue } = d.directDue!;
    const notice: Notice = { kind: 'direct', userId, content: formatDigestDirectMessage(items).content!, users: [], items, recordedAt: at };
    return tidy({
      ...d,
      directDue,
      notices: { ...d.notices, [createDirectNonce(s.feedId, userId, items)]: notice },
      directBudget: { digest: d.digests, sent: countDirectMessages(d) + 1 },
    });
  });
}

/** Forgets a notification once it was sent. */
export function markNoticeSent(s: FeedState, nonce: string): FeedState {
  return updateProgress(s, (d) => {
    if (!d.notices?.[nonce]) return d;
    const { [nonce]: _sent, ...notices } = d.notices;
    return tidy({ ...d, notices });
  });
}

/** Forgets a notification Discord refused as malformed (a formatting bug: sending it again would fail the same way). */
export const dropNotice = markNoticeSent;

/**
 * Members whose direct message cannot go out (over the cap, DMs closed, or a send a crash left in doubt) are
 * owed a mention in the channel instead, per paper: taken from what they are owed, or from their recorded DM.
 */
export function fallBackToChannel(s: FeedState, sources: ReadonlyArray<{ userId: string } | { nonce: string }>): FeedState {
  return updateProgress(s, (d) => {
    const directDue = { ...d.directDue };
    const notices = { ...d.notices };
    const fallbackDue = { ...d.fallbackDue };
    for (const source of sources) {
      let userId: string;
      let items: NoticeItem[];
      if ('nonce' in source) {
        const notice = notices[source.nonce];
        if (!notice || notice.kind !== 'direct' || !notice.userId) continue;
        userId = notice.userId;
        items = notice.items;
        delete notices[source.nonce];
      } else {
        userId = source.userId;
        items = directDue[userId] ?? [];
        delete directDue[userId];
      }
      for (const item of items) {
        const entry = fallbackDue[item.paper] ?? { title: item.title, recipients: [] };
        if (!entry.recipients.some((r) => r.userId === userId))
          fallbackDue[item.paper] = { ...entry, recipients: [...entry.recipients, { userId, topics: item.topics }] };
      }
    }
    return tidy({ ...d, directDue, notices, fallbackDue });
  });
}

/** Turns the owed fallbacks into channel mention messages, recorded with their nonces before any is sent. */
export function releaseFallbacks(s: FeedState, at: string): FeedState {
  return updateProgress(s, (d) => {
    if (!d.fallbackDue) return d;
    const notices = { ...d.notices };
    for (const [paperId, { title, recipients }] of Object.entries(d.fallbackDue)) {
      for (const chunk of formatFallbackMentions(title, recipients)) {
        const nonce = createNoticeNonce(s.feedId, 'fallback', paperId, chunk.users.join(','));
        notices[nonce] = {
          kind: 'channel',
          content: chunk.content,
          users: chunk.users,
          items: [{ paper: paperId, title, topics: [] }],
          recordedAt: at,
        };
      }
    }
    return tidy({ ...d, notices, fallbackDue: {} });
  });
}

/** A notice as the message it sends. */
export function toNoticeMessage(notice: Notice): { content: string; allowed_mentions: { parse: []; users?: string[] } } {
  return { content: notice.content, allowed_mentions: notice.users.length ? { parse: [], users: [...notice.users] } : { parse: [] } };
}

/** Deterministic, so a retried send carries the same nonce (cut to Discord's nonce length). */
function createNoticeNonce(feedId: string, kind: string, key: string, part: string): string {
  return createHash('sha256').update(`${kind}\u0000${feedId}\u0000${key}\u0000${part}`).digest('base64url').slice(0, DISCORD_LIMITS.nonce);
}

/** Leaves out empty notification records, so an idle feed's progress stays small. */
function tidy(d: FeedProgress): FeedProgress {
  const out = { ...d };
  for (const key of ['audiences', 'directDue', 'fallbackDue', 'notices'] as const) {
    if (out[key] && Object.keys(out[key]).length === 0) delete out[key];
  }
  return out;
}
