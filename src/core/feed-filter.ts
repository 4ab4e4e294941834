import type { Feed } from './feed.js';
import type { Paper } from './paper.js';
import { createTopicMatcher } from './topics.js';

/** Which papers a feed posts: topics to include (none: every paper), topics that keep a paper out, a minimum of upvotes. */
export type PaperFilter = Pick<Feed, 'include' | 'exclude' | 'minUpvotes'>;

/** A filter that lets every paper through (a feed without topics or minimum). */
export const NO_FILTER: PaperFilter = { include: [], exclude: [], minUpvotes: null };

/**
 * The test a paper must pass to be one of a feed's: it matches one included topic (when there are any), no excluded
 * topic, and has at least `minUpvotes` upvotes. Topics match as members' topics do (every word of the topic, stemmed
 * and folded, in the title or abstract). A paper whose upvotes are unknown does not meet a minimum: the feed asked
 * for papers known to be liked. A paper left out is not posted and not lost: it is simply not this feed's.
 */
export function createPaperFilter(filter: PaperFilter): (paper: Paper) => boolean {
  const { minUpvotes } = filter;
  if (filter.include.length === 0 && filter.exclude.length === 0 && minUpvotes === null) return () => true;
  // Analysed once per run, not once per paper.
  const include = filter.include.length > 0 ? createTopicMatcher(filter.include) : null;
  const exclude = filter.exclude.length > 0 ? createTopicMatcher(filter.exclude) : null;
  return (paper) => {
    if (minUpvotes !== null && !(typeof paper.upvotes === 'number' && Number.isFinite(paper.upvotes) && paper.upvotes >= minUpvotes))
      return false;
    if (include && include.match(paper).length === 0) return false;
    return !(exclude && exclude.match(paper).length > 0);
  };
}

/** True when a filter keeps some papers out (so "every paper was posted" means every paper that passes it). */
export function isFiltering(filter: PaperFilter): boolean {
  return filter.include.length > 0 || filter.exclude.length > 0 || filter.minUpvotes !== null;
}
