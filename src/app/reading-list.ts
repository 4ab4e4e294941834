import type { Paper } from '../core/paper.js';
import { READING_LIST_CAP, type ReadingListSave } from '../core/reading-list.js';
import { formatReadingListMarkdown, type ReadingListItem, type ReadingListView } from '../core/reading-list-format.js';
import { escapeAndFit } from '../core/markdown.js';
import type { CorpusCatalog } from './corpus-catalog.js';
import { UserFacingError } from './errors.js';
import type { Clock, Logger, Store } from './ports.js';
import type { ReactionHandler } from './reactions.js';
import { isSameEmoji } from '../core/vote-emoji.js';

/** Papers shown per page of `/reading-list` (one remove button each: an action row holds five). */
export const READING_LIST_PAGE_SIZE = 5;

/** What saving a paper did, with the paper saved. */
export interface SavedPaper extends ReadingListSave {
  paper: Paper;
}

/** Members' reading lists, per server: private to each member (every call names whose list it is). */
export interface ReadingLists {
  /** Saves a corpus paper to a member's list (what `/reading-list save` and a 🔖 reaction do); idempotent, capped. */
  save(guildId: string, userId: string, paperId: string): Promise<SavedPaper>;
  /** Removes a paper from a member's list; resolves with whether it was there. */
  remove(guildId: string, userId: string, paperId: string): Promise<boolean>;
  /** The page of a member's list that holds `offset` (the last page when the list got shorter), newest first. */
  page(guildId: string, userId: string, offset: number): ReadingListView;
  /** A member's whole list as a markdown file's text, with how many papers it holds. */
  exportMarkdown(guildId: string, userId: string): { markdown: string; count: number };
}

/** Creates the reading-list use cases over the store and the corpus catalog. */
export function createReadingLists(deps: { store: Store; catalog: CorpusCatalog; clock: Clock }): ReadingLists {
  const itemsOf = (entries: ReturnType<Store['readingList']>): ReadingListItem[] => {
    const { index } = deps.catalog.current();
    return entries.map((entry) => ({ entry, paper: index.get(entry.paperId) ?? null }));
  };
  return {
    async save(guildId, userId, paperId) {
      const paper = deps.catalog.current().index.get(paperId);
      if (!paper) throw new UserFacingError('That paper is not in the corpus: pick one of the suggestions as you type.');
      const save = await deps.store.saveToReadingList(guildId, userId, { paperId: paper.id, savedAt: deps.clock.now().toISOString() });
      return { ...save, paper };
    },
    remove: (guildId, userId, paperId) => deps.store.removeFromReadingList(guildId, userId, paperId),
    page(guildId, userId, offset) {
      const total = deps.store.readingListCount(guildId, userId);
      const lastPage = Math.max(0, Math.ceil(total / READING_LIST_PAGE_SIZE) - 1) * READING_LIST_PAGE_SIZE;
      const start = Math.min(Math.max(0, Math.floor(offset / READING_LIST_PAGE_SIZE) * READING_LIST_PAGE_SIZE), lastPage);
      const entries = deps.store.readingList(guildId, userId, { offset: start, limit: READING_LIST_PAGE_SIZE });
      return { items: itemsOf(entries), offset: start, total, cap: READING_LIST_CAP };
    },
    exportMarkdown(guildId, userId) {
      const items = itemsOf(deps.store.readingList(guildId, userId));
      return {
        markdown: formatReadingListMarkdown(items, { at: deps.clock.now().toISOString(), cap: READING_LIST_CAP }),
        count: items.length,
      };
    },
  };
}

/** What a member is told after saving a paper: saved, already there, or refused at the cap (and what to do). */
export function describeSave(saved: SavedPaper): string {
  const title = `**${escapeAndFit(saved.paper.title, 200)}**`;
  if (saved.outcome === 'saved')
    return `Saved ${title} to your reading list (${saved.count}/${saved.cap}). See it with \`/reading-list show\`.`;
  if (saved.outcome === 'already-saved') return `${title} is already in your reading list (${saved.count}/${saved.cap}).`;
  return `Your reading list is full: it holds ${saved.cap} papers, the most it can, so ${title} was not saved. Remove some with \`/reading-list show\` first.`;
}

/**
 * The papers a member liked in a server, most recent first, as "because you liked X" reads them: those they saved,
 * then those they voted for (each once), that the corpus still has.
 */
export function listLikedPapers(deps: { store: Store; catalog: CorpusCatalog }, guildId: string, userId: string): Paper[] {
  const { index } = deps.catalog.current();
  const saved = deps.store.readingList(guildId, userId).map((entry) => entry.paperId);
  const voted = [...(deps.store.read().votes.get(guildId) ?? [])]
    .flatMap(([paperId, members]) => {
      const vote = members.get(userId);
      return vote ? [{ paperId, at: vote.at }] : [];
    })
    .sort((a, b) => b.at.localeCompare(a.at))
    .map((v) => v.paperId);
  return [...new Set([...saved, ...voted])].flatMap((id) => index.get(id) ?? []);
}

/** The reaction that saves a paper card to the member's reading list. */
export const BOOKMARK_EMOJI = '🔖';

/**
 * 🔖 on a paper card saves that paper to the member's reading list, like `/reading-list save`. Taking the reaction
 * back does not unsave it (the list is the member's, managed with `/reading-list show`); a full list is logged, as a
 * reaction has nowhere to answer.
 */
export function createBookmarkHandler(deps: { lists: ReadingLists; logger: Logger }): ReactionHandler {
  return async (event, { entry }) => {
    if (event.kind !== 'add' || !isSameEmoji(event.emoji, { id: null, name: BOOKMARK_EMOJI })) return;
    const saved = await deps.lists.save(event.guildId, event.userId, entry.paperId);
    deps.logger.debug({ guild: event.guildId, paper: entry.paperId, user: event.userId, outcome: saved.outcome }, 'bookmark reaction');
  };
}
