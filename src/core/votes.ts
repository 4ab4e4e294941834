import { z } from 'zod';

/*
 * Votes: members' reactions with a feed's vote emoji on the papers the server was sent. A member counts once per
 * paper and server, whichever message of it they reacted on; the vote remembers that message, so a reconciliation
 * read of one message replaces exactly the votes it accounts for.
 */

const isoDate = z.iso.datetime({ offset: true });

/** The zod schema of one vote, as a dump lists it. */
export const voteSchema = z.object({
  guildId: z.string().min(1),
  paperId: z.string().min(1),
  userId: z.string().min(1),
  /** The message the reaction is on. */
  messageId: z.string().min(1),
  /** When it was recorded. */
  at: isoDate,
});

/** One member's vote for one paper in one server. */
export type Vote = z.infer<typeof voteSchema>;

/** Which vote: a member's on a paper in a server, through one message. */
export type VoteKey = Omit<Vote, 'at'>;

/** The votes a store holds: per server, then per paper, then per member. */
export type VoteBook = ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, { messageId: string; at: string }>>>;

/** How many members voted for each paper in a server. */
export function countVotes(votes: VoteBook, guildId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [paperId, members] of votes.get(guildId) ?? []) counts.set(paperId, members.size);
  return counts;
}

/**
 * How many members voted for a paper in a server under any of its ids (its id and the older ids it was posted and
 * voted under before a rename, `Paper.aliases`): each member once.
 */
export function countVoters(votes: VoteBook, guildId: string, paperIds: Iterable<string>): number {
  const papers = votes.get(guildId);
  if (!papers) return 0;
  const members = new Set<string>();
  for (const id of paperIds) for (const userId of papers.get(id)?.keys() ?? []) members.add(userId);
  return members.size;
}

/** Every vote as a flat list, sorted by server, paper and member (a dump's order). */
export function listVotes(votes: VoteBook): Vote[] {
  const rows: Vote[] = [];
  for (const [guildId, papers] of votes)
    for (const [paperId, members] of papers) for (const [userId, vote] of members) rows.push({ guildId, paperId, userId, ...vote });
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort((a, b) => compare(a.guildId, b.guildId) || compare(a.paperId, b.paperId) || compare(a.userId, b.userId));
}

/** What replacing one message's votes changes: the members to add and the ones whose vote through it goes. */
export interface VoteReplacement {
  add: Vote[];
  remove: VoteKey[];
}

/**
 * Plans replacing the votes cast through one message with `userIds` (what reading its reactions found): a member
 * no longer reacting loses the vote that message gave, a new one gains one, and a member already counted through
 * another message of the same paper keeps that vote.
 */
export function planVoteReplacement(
  votes: VoteBook,
  target: { guildId: string; paperId: string; messageId: string },
  userIds: Iterable<string>,
  at: string,
): VoteReplacement {
  const members = votes.get(target.guildId)?.get(target.paperId);
  const wanted = new Set(userIds);
  const add: Vote[] = [];
  const remove: VoteKey[] = [];
  for (const [userId, vote] of members ?? [])
    if (vote.messageId === target.messageId && !wanted.has(userId)) remove.push({ ...target, userId });
  for (const userId of wanted) if (!members?.has(userId)) add.push({ ...target, userId, at });
  return { add, remove };
}
