import { DISCORD_LIMITS } from './discord-limits.js';
import type { OutgoingMessage } from './format.js';
import { formatCompactLine } from './format-compact.js';
import type { Paper } from './paper.js';
import { matchTopics } from './topics.js';

/*
 * The papers a server was sent, ranked by its members' votes, then by their Hugging Face upvotes: what `/top` shows
 * and what a feed's weekly best-of posts. Pure: the posts, votes and papers come in, the ranking goes out.
 */

/** The periods `/top` ranks over. */
export const TOP_PERIODS = ['day', 'week', 'month', 'all'] as const;
/** A period `/top` ranks over: the last 24 hours, 7 days, 30 days, or everything. */
export type TopPeriod = (typeof TOP_PERIODS)[number];
/** How many papers a ranking shows. */
export const TOP_SIZE = 10;

const PERIOD_DAYS: Record<TopPeriod, number | null> = { day: 1, week: 7, month: 30, all: null };

/** When a period starts, as of `now` (null: the beginning). */
export function periodStart(period: TopPeriod, now: Date): Date | null {
  const days = PERIOD_DAYS[period];
  return days === null ? null : new Date(now.getTime() - days * 86_400_000);
}

/** One paper the server was sent, with when it was first posted. */
export interface SentPaper {
  paperId: string;
  postedAt: string;
}

/** A paper of a ranking, with its votes. */
export interface RankedPaper {
  paper: Paper;
  votes: number;
  postedAt: string;
}

/**
 * Ranks the papers posted since `since` (every one when null) by votes, then Hugging Face upvotes, then the newest
 * post; a paper posted by several feeds counts once; with a topic, only the papers that match it (the members'
 * topic matching); papers gone from the corpus are left out.
 */
export function rankTopPapers(input: {
  sent: Iterable<SentPaper>;
  /** A paper's votes in the server. */
  votesOf: (paper: Paper) => number;
  paperOf: (paperId: string) => Paper | undefined;
  since: Date | null;
  topic?: string | null;
  limit?: number;
}): RankedPaper[] {
  const since = input.since?.getTime() ?? null;
  const first = new Map<string, string>();
  for (const { paperId, postedAt } of input.sent) {
    if (since !== null && Date.parse(postedAt) < since) continue;
    const seen = first.get(paperId);
    if (!seen || postedAt < seen) first.set(paperId, postedAt);
  }
  const ranked: RankedPaper[] = [];
  for (const [paperId, postedAt] of first) {
    const paper = input.paperOf(paperId);
    if (!paper) continue;
    if (input.topic && matchTopics(paper, [input.topic]).length === 0) continue;
    ranked.push({ paper, votes: input.votesOf(paper), postedAt });
  }
  ranked.sort(
    (a, b) =>
      b.votes - a.votes ||
      (b.paper.upvotes ?? -1) - (a.paper.upvotes ?? -1) ||
      (a.postedAt < b.postedAt ? 1 : a.postedAt > b.postedAt ? -1 : 0) ||
      (a.paper.id < b.paper.id ? -1 : 1),
  );
  return ranked.slice(0, input.limit ?? TOP_SIZE);
}

/**
 * A ranking as one message: the header, then one compact line per paper (title, id, upvotes, link) with its votes,
 * titles shortened until it fits Discord's 2,000 characters. Pings nobody.
 */
export function formatTopPapers(ranked: readonly RankedPaper[], options: { header: string; emoji: string }): OutgoingMessage {
  const line = (r: RankedPaper, i: number, titleMax: number) =>
    `${formatCompactLine(r.paper, i + 1, titleMax)} · ${options.emoji} ${r.votes}`;
  let content = '';
  for (let titleMax = 150; titleMax >= 20; titleMax -= 10) {
    content = [options.header, ...ranked.map((r, i) => line(r, i, titleMax))].join('\n');
    if (content.length <= DISCORD_LIMITS.content) break;
  }
  // Ten lines fit at 20 characters a title; a longer list loses its last lines rather than the message.
  while (content.length > DISCORD_LIMITS.content) content = content.slice(0, content.lastIndexOf('\n'));
  return { content, allowed_mentions: { parse: [] } };
}
