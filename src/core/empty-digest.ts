/** What the next digest of a feed has to choose from, counted over the corpus. */
export interface DigestSupply {
  /** Papers in the corpus. */
  corpus: number;
  /** Papers of the corpus this feed already posted. */
  posted: number;
  /** Papers not yet posted that a filter of the feed leaves out, counted under the first filter that does. */
  filtered: { include: number; exclude: number; minUpvotes: number };
  /** Papers not yet posted that pass every filter: what the next digest posts from. */
  waiting: number;
  /** Papers held back (refused by Discord, or awaiting a check after a crash); they are neither posted nor waiting. */
  held?: number;
  /** Papers a digest posts at most. */
  size?: number;
  /** A live source that keeps failing, as the health message names it (`hf-daily, since Mon 5 Oct 2026, 09:00 UTC`). */
  failingSource?: string | null;
}

/** Why a digest posts nothing or less than it could, as a reason to remember (say it once) and one sentence. */
export interface DigestExplanation {
  reason: 'empty-corpus' | 'all-posted' | 'all-filtered' | 'held' | 'short';
  text: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * Why a feed's next digest would post nothing (or, given `size`, fewer papers than it could), and what an admin can
 * do about it, in one sentence; null when it posts a full digest. The reason lets the caller say it once, not at every
 * tick.
 */
export function explainDigestSupply(supply: DigestSupply): DigestExplanation | null {
  const failing = supply.failingSource ? ` (the live source ${supply.failingSource} is failing)` : '';
  const { include, exclude, minUpvotes } = supply.filtered;
  const filtered = include + exclude + minUpvotes;
  const held = supply.held ?? 0;
  if (supply.waiting > 0) {
    if (supply.size === undefined || supply.waiting >= supply.size || filtered === 0) return null;
    return {
      reason: 'short',
      text: `Only ${plural(supply.waiting, 'paper')} passed the feed's filters, ${describeFilters(supply.filtered)}; ${advise(supply.filtered)}.`,
    };
  }
  if (supply.corpus === 0) {
    return {
      reason: 'empty-corpus',
      text: `Nothing to post: the corpus holds no paper yet${failing}; add page copies to the corpus folder or turn on a live source (SOURCES).`,
    };
  }
  if (filtered > 0) {
    const heldToo = held > 0 ? ` and ${plural(held, 'paper is', 'papers are')} held back` : '';
    return {
      reason: 'all-filtered',
      text: `Nothing to post: every one of the ${plural(filtered, 'new paper')} is filtered out, ${describeFilters(supply.filtered)}${heldToo}; ${advise(supply.filtered)}.`,
    };
  }
  if (held > 0) {
    return {
      reason: 'held',
      text: `Nothing to post: the ${plural(held, 'paper')} left ${held === 1 ? 'is' : 'are'} held back (refused by Discord or awaiting a check); /digest status says which, and /digest retry queues them again.`,
    };
  }
  return {
    reason: 'all-posted',
    text: `Nothing new: all ${plural(supply.corpus, 'paper')} of the corpus ${supply.corpus === 1 ? 'was' : 'were'} posted${failing}; the next digest posts what is added to the corpus folder or fetched by a live source.`,
  };
}

/** `8 by the include topics, 3 by the exclude terms and 1 below the minimum upvotes` (the filters that removed any). */
function describeFilters(filtered: DigestSupply['filtered']): string {
  const parts = [
    filtered.include > 0 ? `${filtered.include} by the include topics` : '',
    filtered.exclude > 0 ? `${filtered.exclude} by the exclude terms` : '',
    filtered.minUpvotes > 0 ? `${filtered.minUpvotes} below the minimum upvotes` : '',
  ].filter(Boolean);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}` : parts[0]!;
}

/** What to loosen first: the filter that removed the most papers. */
function advise(filtered: DigestSupply['filtered']): string {
  const top = (['include', 'exclude', 'minUpvotes'] as const).reduce((a, b) => (filtered[b] > filtered[a] ? b : a));
  if (top === 'include') return "an admin can widen the feed's include topics to let more through";
  if (top === 'exclude') return "an admin can drop some of the feed's exclude terms to let more through";
  return "an admin can lower the feed's minimum upvotes to let more through";
}
