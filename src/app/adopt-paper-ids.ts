import type { Paper } from '../core/paper.js';
import { collectPaperRenames, listRenamablePaperIds, renamePaperIds } from '../core/paper-renames.js';
import type { FeedStore } from './feed-store.js';
import type { Logger } from './ports.js';

/**
 * Moves what a feed recorded under papers' old ids (the title-hash ids of versions before arXiv identity) to their
 * current ids, in one state step, before a digest selects anything: a paper posted under its old id is then posted
 * under its new one and never goes out again. Does nothing (and writes nothing) once the records are moved, so it
 * logs once per upgrade.
 */
export async function adoptCurrentPaperIds(deps: { feed: FeedStore; logger: Logger }, papers: readonly Paper[]): Promise<void> {
  const renames = collectPaperRenames(papers);
  const moved = listRenamablePaperIds(deps.feed.view(), renames);
  if (moved.length === 0) return;
  await deps.feed.step((state) => renamePaperIds(state, renames));
  deps.logger.info(
    { feed: deps.feed.feedId, papers: moved.length, renamed: Object.fromEntries(moved.slice(0, 20).map((id) => [id, renames.get(id)])) },
    `${moved.length} paper${moved.length === 1 ? ' is' : 's are'} now identified by ${moved.length === 1 ? 'its' : 'their'} arXiv id; what the state recorded under the old id${moved.length === 1 ? ' was' : 's was'} moved (nothing is posted again)`,
  );
}
