import { z } from 'zod';

const isoDate = z.iso.datetime({ offset: true });

/** The zod schema of one row of a feed's posted log. */
export const postedEntrySchema = z.object({
  paperId: z.string().min(1),
  /** Message id on Discord (`console:<n>` in console mode). */
  messageId: z.string(),
  postedAt: isoDate,
  digest: z.number().int().nonnegative(),
  /** Order of posting in this feed, 1-based; lets anyone check papers went out in order. */
  seq: z.number().int().positive(),
});

/** One paper posted by a feed: a row of its append-only posted log. */
export type PostedEntry = z.infer<typeof postedEntrySchema>;

/**
 * A feed's posted history, read-only. Steps never copy or scan it: they look papers up and return the rows to
 * append, so a step costs the same at 100 posted papers and at 100,000.
 */
export interface PostedLog {
  has(paperId: string): boolean;
  get(paperId: string): PostedEntry | undefined;
  /** The row of the message a paper was posted in (the earliest row, when one message carries several papers). */
  byMessage(messageId: string): PostedEntry | undefined;
  /** How many papers it holds. */
  readonly size: number;
  /** Its rows from the newest post back (consumers stop early: the recovery read wants only a few). */
  newestFirst(): Iterable<PostedEntry>;
  /** Its rows in posting order (export, tests). */
  entries(): Iterable<PostedEntry>;
}

/**
 * A change a step makes to the posted log, applied in the step's transaction. `rename` moves a row to an id no
 * row holds; `remove` drops a row (only when two ids of one paper merge: the earlier post stays).
 */
export type PostedLogChange =
  { kind: 'append'; entry: PostedEntry } | { kind: 'rename'; from: string; to: string } | { kind: 'remove'; paperId: string };

/** The posted log an adapter keeps in memory: lookups by id and order by seq, each change O(1). */
export interface MutablePostedLog extends PostedLog {
  apply(change: PostedLogChange): void;
}

/** Creates an in-memory posted log holding `entries` (in any order; kept in seq order). */
export function createPostedLog(entries: Iterable<PostedEntry> = []): MutablePostedLog {
  // Rows in seq order; a removed row leaves a hole, so every index stays valid.
  const rows: Array<PostedEntry | undefined> = [...entries].sort((a, b) => a.seq - b.seq);
  const index = new Map<string, number>();
  rows.forEach((row, i) => index.set(row!.paperId, i));
  if (index.size !== rows.length) throw new Error('a posted log holds one row per paper');
  // Message id → row, built at the first lookup (a reaction names the message, not the paper) and kept up to date.
  let byMessage: Map<string, number> | null = null;
  const indexMessage = (i: number) => {
    const row = rows[i];
    if (byMessage && row && !byMessage.has(row.messageId)) byMessage.set(row.messageId, i);
  };
  let size = rows.length;
  return {
    has: (paperId) => index.has(paperId),
    get: (paperId) => {
      const i = index.get(paperId);
      return i === undefined ? undefined : rows[i];
    },
    byMessage: (messageId) => {
      if (!byMessage) {
        byMessage = new Map();
        for (let i = 0; i < rows.length; i += 1) indexMessage(i);
      }
      const i = byMessage.get(messageId);
      return i === undefined ? undefined : rows[i];
    },
    get size() {
      return size;
    },
    *newestFirst() {
      for (let i = rows.length - 1; i >= 0; i -= 1) if (rows[i]) yield rows[i]!;
    },
    *entries() {
      for (const row of rows) if (row) yield row;
    },
    apply(change) {
      if (change.kind === 'append') {
        if (index.has(change.entry.paperId)) throw new Error(`paper ${change.entry.paperId} is already in the posted log`);
        index.set(change.entry.paperId, rows.push(change.entry) - 1);
        indexMessage(rows.length - 1);
        size += 1;
        return;
      }
      if (change.kind === 'remove') {
        const i = index.get(change.paperId);
        if (i === undefined) return;
        const gone = rows[i]!;
        rows[i] = undefined;
        index.delete(change.paperId);
        if (byMessage?.get(gone.messageId) === i) {
          byMessage.delete(gone.messageId);
          // Another row of the same message (a compact post) answers for it now.
          for (let j = 0; j < rows.length; j += 1) if (rows[j]?.messageId === gone.messageId) indexMessage(j);
        }
        size -= 1;
        return;
      }
      const i = index.get(change.from);
      if (i === undefined) return;
      if (index.has(change.to)) throw new Error(`cannot rename ${change.from} to ${change.to}: ${change.to} is in the posted log`);
      rows[i] = { ...rows[i]!, paperId: change.to };
      index.delete(change.from);
      index.set(change.to, i);
    },
  };
}

/**
 * The posted log as a step sees it: the stored log with the step's own changes laid over it, without copying the
 * stored rows (the overlay holds only what this step changed).
 */
export function withLogChange(log: PostedLog, change: PostedLogChange): PostedLog {
  const base = log instanceof Overlay ? log.base : log;
  const added = log instanceof Overlay ? new Map(log.added) : new Map<string, PostedEntry>();
  const hidden = log instanceof Overlay ? new Set(log.hidden) : new Set<string>();
  const lookup = (id: string) => added.get(id) ?? (hidden.has(id) ? undefined : base.get(id));
  if (change.kind === 'append') {
    added.set(change.entry.paperId, change.entry);
    hidden.delete(change.entry.paperId);
  } else if (change.kind === 'remove') {
    added.delete(change.paperId);
    hidden.add(change.paperId);
  } else {
    const row = lookup(change.from);
    if (row) {
      added.delete(change.from);
      hidden.add(change.from);
      added.set(change.to, { ...row, paperId: change.to });
    }
  }
  return new Overlay(base, added, hidden);
}

class Overlay implements PostedLog {
  constructor(
    readonly base: PostedLog,
    readonly added: ReadonlyMap<string, PostedEntry>,
    readonly hidden: ReadonlySet<string>,
  ) {}

  has(paperId: string): boolean {
    return this.get(paperId) !== undefined;
  }

  get(paperId: string): PostedEntry | undefined {
    return this.added.get(paperId) ?? (this.hidden.has(paperId) ? undefined : this.base.get(paperId));
  }

  byMessage(messageId: string): PostedEntry | undefined {
    const stored = this.base.byMessage(messageId);
    if (stored && !this.hidden.has(stored.paperId) && !this.added.has(stored.paperId)) return stored;
    for (const row of this.added.values()) if (row.messageId === messageId) return row;
    return undefined;
  }

  get size(): number {
    let size = this.base.size;
    for (const id of this.hidden) if (this.base.has(id)) size -= 1;
    for (const id of this.added.keys()) if (this.hidden.has(id) || !this.base.has(id)) size += 1;
    return size;
  }

  *newestFirst(): Iterable<PostedEntry> {
    // Two streams newest first (this step's rows, the stored ones), merged by seq.
    const mine = [...this.added.values()].sort((a, b) => b.seq - a.seq);
    let next = 0;
    for (const row of this.base.newestFirst()) {
      if (this.hidden.has(row.paperId) || this.added.has(row.paperId)) continue;
      while (next < mine.length && mine[next]!.seq >= row.seq) yield mine[next++]!;
      yield row;
    }
    yield* mine.slice(next);
  }

  *entries(): Iterable<PostedEntry> {
    const rows = [...this.base.entries()].filter((row) => !this.hidden.has(row.paperId) && !this.added.has(row.paperId));
    yield* [...rows, ...this.added.values()].sort((a, b) => a.seq - b.seq);
  }
}
