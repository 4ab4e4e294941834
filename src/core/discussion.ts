import { formatMentionChunks, type Mention, type MentionChunk } from './format.js';
import { escapeAndFit } from './markdown.js';
import { type FeedState, type FeedView, updateProgress } from './state.js';

/*
 * Discussion threads as pure state transitions. A thread owed to a paper is recorded with the intent to post the
 * paper (before its card leaves), started once the card is recorded posted, and forgotten once Discord shows it
 * exists: a message has at most one thread, whose id is the message's, so starting it again after a crash finds the
 * one that exists (160004) instead of making a second.
 */

/** A thread owed to a paper, as the runner sees it: where it stands now. */
export interface OwedThread {
  paperId: string;
  name: string;
  /** The paper's message, which the thread is started from (and whose id it takes), once the paper is posted. */
  messageId: string | null;
  /** `posted`: start it now; `refused`: the card was refused, no thread; `waiting`: the card is not out yet. */
  status: 'posted' | 'refused' | 'waiting';
}

/** Records that a paper's message gets a discussion thread named `name`, in the step of the intent to post it. */
export function recordThreadIntent(s: FeedState, paperId: string, name: string, at: string): FeedState {
  if (s.progress.threads?.[paperId]) return s;
  return updateProgress(s, (d) => ({ ...d, threads: { ...d.threads, [paperId]: { name, at } } }));
}

/** The threads owed so far, oldest intent first, with the message each starts from when the paper is posted. */
export function listOwedThreads({ progress: d, posted }: FeedView): OwedThread[] {
  return Object.entries(d.threads ?? {})
    .sort(([, a], [, b]) => Date.parse(a.at) - Date.parse(b.at))
    .map(([paperId, { name }]) => {
      const entry = posted.get(paperId);
      const status = entry ? 'posted' : d.failed[paperId] ? 'refused' : 'waiting';
      return { paperId, name, messageId: entry?.messageId ?? null, status };
    });
}

/** Records a paper's thread as started (or found started): its intent is forgotten, and threads work again. */
export function markThreadStarted(s: FeedState, paperId: string): FeedState {
  return updateProgress(s, (d) => {
    const { [paperId]: _done, ...threads } = d.threads ?? {};
    const { threadsUnavailable: _fixed, threads: _all, ...rest } = d;
    return Object.keys(threads).length > 0 ? { ...rest, threads } : rest;
  });
}

/**
 * A thread that will not be started: its intent is dropped (no retry loop) and the mentions meant for it go to the
 * feed's channel instead, so nobody loses their notification. `unavailable`: why no thread of the feed can be
 * started (the bot lacks Create Public Threads or Send Messages in Threads), kept for `/digest status`; left out
 * when only this paper is concerned (its card was refused or deleted).
 */
export function giveUpThread(s: FeedState, paperId: string, at: string, unavailable?: string): FeedState {
  return updateProgress(s, (d) => {
    const { [paperId]: _gone, ...threads } = d.threads ?? {};
    const notices = Object.fromEntries(
      Object.entries(d.notices ?? {}).map(([nonce, notice]) => {
        if (notice.thread !== paperId) return [nonce, notice];
        const { thread: _thread, ...inChannel } = notice;
        return [nonce, inChannel];
      }),
    );
    const { threads: _t, notices: _n, ...rest } = d;
    return {
      ...rest,
      ...(Object.keys(threads).length > 0 ? { threads } : {}),
      ...(Object.keys(notices).length > 0 ? { notices } : {}),
      ...(unavailable ? { threadsUnavailable: { reason: unavailable, at } } : {}),
    };
  });
}

/** Records why the feed's papers get no thread for now (a thread permission is missing), for `/digest status`. */
export function markThreadsUnavailable(s: FeedState, reason: string, at: string): FeedState {
  if (s.progress.threadsUnavailable?.reason === reason) return s;
  return updateProgress(s, (d) => ({ ...d, threadsUnavailable: { reason, at } }));
}

/** True while a channel notice must wait: its paper's thread is owed but not started yet. */
export function isWaitingForThread(view: FeedView, thread: string | undefined): boolean {
  return thread !== undefined && view.progress.threads?.[thread] !== undefined;
}

/**
 * The mentions of a paper whose feed starts threads, as messages of their own sent in its thread: every chunk
 * names the paper, so one sent to the channel instead (threads unavailable) still says what it is about.
 */
export function formatThreadMentions(title: string, mentions: Mention[]): MentionChunk[] {
  const lead = `🔔 **${escapeAndFit(title, 200)}** matches your topics:`;
  return formatMentionChunks(mentions, { first: lead, next: lead });
}

/** Sends one thread notice to the feed's channel instead (its thread refused it): the mention is not lost. */
export function moveNoticeToChannel(s: FeedState, nonce: string): FeedState {
  return updateProgress(s, (d) => {
    const notice = d.notices?.[nonce];
    if (!notice?.thread) return d;
    const { thread: _thread, ...inChannel } = notice;
    return { ...d, notices: { ...d.notices, [nonce]: inChannel } };
  });
}
