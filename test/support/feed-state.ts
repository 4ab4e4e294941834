import { createPostedLog, type PostedEntry } from '../../src/core/posted-log.js';
import { beginStep, createEmptyProgress, type FeedProgress, type FeedState } from '../../src/core/state.js';

const AT = '2024-10-25T09:00:00.000Z';

/**
 * A feed's state for core tests: its progress (empty unless given) and a posted log holding `posted` (paper ids,
 * or whole rows), with no changes of its own yet.
 */
export function makeFeedState(
  options: { feedId?: string; progress?: Partial<FeedProgress>; posted?: Array<string | PostedEntry> } = {},
): FeedState {
  const rows = (options.posted ?? []).map((row, i): PostedEntry =>
    typeof row === 'string'
      ? { paperId: row, messageId: String(1_000_000_000_000_000_000n + BigInt(i)), postedAt: AT, digest: 1, seq: i + 1 }
      : row,
  );
  const progress = { ...createEmptyProgress(), postedCount: rows.reduce((n, r) => Math.max(n, r.seq), 0), ...options.progress };
  return beginStep(options.feedId ?? 'feed-1', progress, createPostedLog(rows));
}

/** The state a committed step leaves: its log changes written to a new log, as a store would. */
export function commitStep(s: FeedState): FeedState {
  const log = createPostedLog(s.posted.entries());
  return beginStep(s.feedId, s.progress, log);
}
