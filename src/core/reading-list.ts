import { z } from 'zod';
import { MAX_PAPER_ID_LENGTH } from './paper.js';

/*
 * A member's reading list in one server (issue 15): the papers they saved for later, newest first, private to them.
 * The store keeps it; these are its pure rules.
 */

/**
 * How many papers one member may keep in one server's reading list. A list is shown a page at a time and exported
 * as one file; 200 is months of saving a paper a day, and keeps every list (and the store's memory) small.
 */
export const READING_LIST_CAP = 200;

const isoDate = z.iso.datetime({ offset: true });

/** The zod schema of one saved paper. */
export const readingListEntrySchema = z.object({ paperId: z.string().min(1).max(MAX_PAPER_ID_LENGTH), savedAt: isoDate });

/** One saved paper: which, and when it was saved. */
export type ReadingListEntry = z.infer<typeof readingListEntrySchema>;

/** What saving a paper did: saved it, found it already there (nothing changed), or refused it at the cap. */
export interface ReadingListSave {
  outcome: 'saved' | 'already-saved' | 'full';
  /** Papers in the list afterwards. */
  count: number;
  /** The cap the list is held to. */
  cap: number;
}

/** The list after saving a paper (null: unchanged) and what saving did; pure, so every store decides alike. */
export function planReadingListSave(
  current: readonly ReadingListEntry[],
  entry: ReadingListEntry,
  cap = READING_LIST_CAP,
): { save: ReadingListSave; next: ReadingListEntry[] | null } {
  if (!readingListEntrySchema.safeParse(entry).success)
    throw new Error(`refusing to save ${JSON.stringify(entry.paperId)}: invalid (a bug)`);
  if (current.some((e) => e.paperId === entry.paperId))
    return { save: { outcome: 'already-saved', count: current.length, cap }, next: null };
  if (current.length >= cap) return { save: { outcome: 'full', count: current.length, cap }, next: null };
  const next = sortReadingList([...current, entry]);
  return { save: { outcome: 'saved', count: next.length, cap }, next };
}

/** Newest first; papers saved at the same instant by id, so every store lists them in the same order. */
export function sortReadingList(entries: ReadingListEntry[]): ReadingListEntry[] {
  return entries.sort((a, b) => compare(b.savedAt, a.savedAt) || compare(a.paperId, b.paperId));
}

/** One page of a list: `limit` entries from `offset` (both clamped to whole numbers from 0). */
export function pageOfReadingList(entries: readonly ReadingListEntry[], page: { offset: number; limit: number }): ReadingListEntry[] {
  const offset = Math.max(0, Math.floor(page.offset));
  return entries.slice(offset, offset + Math.max(0, Math.floor(page.limit)));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
