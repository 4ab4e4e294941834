import type { Paper } from './paper.js';
import { changeLog, type FeedProgress, type FeedState, type FeedView, type NoticeItem } from './state.js';

/** Old paper id → the paper's current id. */
export type PaperRenames = ReadonlyMap<string, string>;

/**
 * The renames the corpus implies: each alias of a paper (a title-hash id older versions used) maps to the paper's
 * id, unless the alias is itself another paper's id or an earlier paper claimed it (the first in corpus order wins,
 * as older versions kept the first copy of a title).
 */
export function collectPaperRenames(papers: readonly Paper[]): Map<string, string> {
  const renames = new Map<string, string>();
  let ids: Set<string> | null = null;
  for (const paper of papers) {
    if (!paper.aliases) continue;
    ids ??= new Set(papers.map((p) => p.id));
    for (const alias of paper.aliases) if (alias !== paper.id && !ids.has(alias) && !renames.has(alias)) renames.set(alias, paper.id);
  }
  return renames;
}

/** The old ids under which a feed still holds a record: what {@link renamePaperIds} moves. */
export function listRenamablePaperIds({ progress: dest, posted }: FeedView, renames: PaperRenames): string[] {
  if (renames.size === 0) return [];
  const found = new Set<string>();
  const check = (id: string) => {
    if (renames.has(id)) found.add(id);
  };
  // The posted log is looked up by the old ids, never scanned: the renames are few, the posted papers many.
  for (const id of renames.keys()) if (posted.has(id)) found.add(id);
  for (const map of [dest.pending, dest.failed, dest.unverified, dest.waiting, dest.audiences, dest.fallbackDue]) {
    for (const id of Object.keys(map ?? {})) check(id);
  }
  for (const id of dest.inFlight?.papers ?? []) check(id);
  for (const items of Object.values(dest.directDue ?? {})) for (const item of items) check(item.paper);
  for (const notice of Object.values(dest.notices ?? {})) for (const item of notice.items) check(item.paper);
  return [...found];
}

/**
 * Moves every record a feed holds under an old paper id to the paper's current id: posted (the log's rows are
 * renamed), pending, failed, unverified, waiting, audiences, owed notifications and the digest under way. Nonces
 * and message ids stay as they were, so a post made under the old id is still recognised (pending and unverified
 * records remember their former ids for the recovery read). If two old ids become one, the earlier post wins.
 * Returns the same state when there is nothing to move.
 */
export function renamePaperIds(s: FeedState, renames: PaperRenames): FeedState {
  const movable = listRenamablePaperIds(s, renames);
  if (movable.length === 0) return s;
  const rename = (id: string) => renames.get(id) ?? id;
  let next = s;
  for (const from of movable) {
    const row = next.posted.get(from);
    if (!row) continue;
    const to = rename(from);
    const there = next.posted.get(to);
    if (!there) next = changeLog(next, { kind: 'rename', from, to });
    else if (row.seq < there.seq) {
      next = changeLog(next, { kind: 'remove', paperId: to });
      next = changeLog(next, { kind: 'rename', from, to });
    } else next = changeLog(next, { kind: 'remove', paperId: from });
  }
  return { ...next, progress: renameInProgress(next.progress, rename, (id) => next.posted.has(id)) };
}

function renameInProgress(dest: FeedProgress, rename: (id: string) => string, isPosted: (id: string) => boolean): FeedProgress {
  const pending = renameKeys(dest.pending, rename, keepWithFormerIds, withFormerId);
  const unverified = dest.unverified && renameKeys(dest.unverified, rename, keepWithFormerIds, withFormerId);
  const failed = renameKeys(dest.failed, rename);
  const waiting = dest.waiting && renameKeys(dest.waiting, rename);
  const audiences = dest.audiences && renameKeys(dest.audiences, rename);
  const fallbackDue = dest.fallbackDue && renameKeys(dest.fallbackDue, rename);
  // A paper posted under one of its ids is posted: nothing else may stay recorded for it.
  for (const map of [pending, unverified, failed, waiting]) {
    if (map) for (const id of Object.keys(map)) if (isPosted(id)) delete map[id];
  }
  const renameItems = (items: NoticeItem[]) => {
    const seen = new Set<string>();
    return items.flatMap((item) => {
      const paper = rename(item.paper);
      if (seen.has(paper)) return [];
      seen.add(paper);
      return [{ ...item, paper }];
    });
  };
  const result: FeedProgress = {
    ...dest,
    pending,
    failed,
    inFlight: dest.inFlight && { ...dest.inFlight, papers: [...new Set(dest.inFlight.papers.map(rename))] },
  };
  setOptional(result, 'unverified', unverified);
  setOptional(result, 'waiting', waiting);
  setOptional(result, 'audiences', audiences);
  setOptional(result, 'fallbackDue', fallbackDue);
  if (dest.directDue)
    result.directDue = Object.fromEntries(Object.entries(dest.directDue).map(([user, items]) => [user, renameItems(items)]));
  if (dest.notices)
    result.notices = Object.fromEntries(
      Object.entries(dest.notices).map(([nonce, notice]) => [nonce, { ...notice, items: renameItems(notice.items) }]),
    );
  return result;
}

/** Optional maps stay absent when they are empty, as the state transitions keep them. */
function setOptional<K extends 'unverified' | 'waiting' | 'audiences' | 'fallbackDue'>(
  dest: FeedProgress,
  key: K,
  value: FeedProgress[K],
): void {
  if (value && Object.keys(value).length > 0) dest[key] = value;
  else delete dest[key];
}

/** A copy of a record map with renamed keys; when two keys meet, `pick` chooses (the record already there by default). */
function renameKeys<T>(
  map: Record<string, T>,
  rename: (id: string) => string,
  pick: (kept: T, other: T) => T = (kept) => kept,
  moved: (record: T, from: string) => T = (record) => record,
): Record<string, T> {
  const result: Record<string, T> = {};
  for (const [id, record] of Object.entries(map)) {
    const target = rename(id);
    const value = target === id ? record : moved(record, id);
    const kept = result[target];
    result[target] = kept === undefined ? value : pick(kept, value);
  }
  return result;
}

type WithFormerIds = { formerIds?: string[] | undefined };

function withFormerId<T extends WithFormerIds>(record: T, from: string): T {
  return { ...record, formerIds: [...new Set([...(record.formerIds ?? []), from])] };
}

function keepWithFormerIds<T extends WithFormerIds>(kept: T, other: T): T {
  const formerIds = [...new Set([...(kept.formerIds ?? []), ...(other.formerIds ?? [])])];
  return formerIds.length > 0 ? { ...kept, formerIds } : kept;
}
