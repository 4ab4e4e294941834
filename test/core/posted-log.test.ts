import { describe, expect, it } from 'vitest';
import { createPostedLog, type PostedEntry, type PostedLogChange, withLogChange } from '../../src/core/posted-log.js';

const AT = '2026-06-22T09:00:00.000Z';
const row = (paperId: string, seq: number): PostedEntry => ({ paperId, messageId: String(100 + seq), postedAt: AT, digest: 1, seq });
const ids = (rows: Iterable<PostedEntry>) => [...rows].map((r) => r.paperId);

describe('createPostedLog', () => {
  it('given rows in any order, then it looks them up by id and lists them by seq both ways', () => {
    const log = createPostedLog([row('b', 2), row('a', 1), row('c', 3)]);
    expect(log.size).toBe(3);
    expect(log.get('b')?.seq).toBe(2);
    expect(log.has('z')).toBe(false);
    expect(ids(log.entries())).toEqual(['a', 'b', 'c']);
    expect(ids(log.newestFirst())).toEqual(['c', 'b', 'a']);
  });

  it('given appends, a rename and a removal, then lookups and order follow', () => {
    const log = createPostedLog([row('a', 1), row('b', 2)]);
    log.apply({ kind: 'append', entry: row('c', 3) });
    log.apply({ kind: 'rename', from: 'a', to: 'a2' });
    log.apply({ kind: 'remove', paperId: 'b' });
    expect(ids(log.entries())).toEqual(['a2', 'c']);
    expect(log.get('a2')).toEqual({ ...row('a', 1), paperId: 'a2' });
    expect(log.has('a')).toBe(false);
    expect(log.size).toBe(2);
  });

  it('given a message id, then it finds the row posted in it through appends, renames and removals, and the overlay of a step', () => {
    const log = createPostedLog([row('a', 1), row('b', 2)]);
    expect(log.byMessage('101')?.paperId).toBe('a');
    log.apply({ kind: 'append', entry: row('c', 3) });
    log.apply({ kind: 'rename', from: 'a', to: 'a2' });
    log.apply({ kind: 'remove', paperId: 'b' });
    expect(log.byMessage('101')?.paperId).toBe('a2');
    expect(log.byMessage('102')).toBeUndefined();
    expect(log.byMessage('103')?.paperId).toBe('c');
    // Two papers in one message (a compact post): the earlier answers, the later once the earlier is gone.
    log.apply({ kind: 'append', entry: { ...row('d', 4), messageId: '103' } });
    expect(log.byMessage('103')?.paperId).toBe('c');
    log.apply({ kind: 'remove', paperId: 'c' });
    expect(log.byMessage('103')?.paperId).toBe('d');
    const step = withLogChange(withLogChange(log, { kind: 'append', entry: row('e', 5) }), { kind: 'remove', paperId: 'a2' });
    expect(step.byMessage('105')?.paperId).toBe('e');
    expect(step.byMessage('101')).toBeUndefined();
  });

  it.each<[string, PostedLogChange]>([
    ['an append of a posted paper', { kind: 'append', entry: row('a', 5) }],
    ['a rename onto a posted paper', { kind: 'rename', from: 'a', to: 'b' }],
  ])('given %s, then it throws (the log holds one row per paper)', (_name, change) => {
    const log = createPostedLog([row('a', 1), row('b', 2)]);
    expect(() => log.apply(change)).toThrow();
  });

  it('given two rows for one paper, then creating the log throws', () => {
    expect(() => createPostedLog([row('a', 1), row('a', 2)])).toThrow();
  });
});

describe('withLogChange (a step sees its own changes without copying the log)', () => {
  const base = createPostedLog([row('a', 1), row('b', 2), row('c', 3)]);

  it('given the same changes, then the overlay reads like the log they were applied to', () => {
    const changes: PostedLogChange[] = [
      { kind: 'append', entry: row('d', 4) },
      { kind: 'rename', from: 'a', to: 'a2' },
      { kind: 'remove', paperId: 'b' },
      { kind: 'append', entry: row('e', 5) },
    ];
    const overlay = changes.reduce<ReturnType<typeof withLogChange>>(withLogChange, base);
    const applied = createPostedLog(base.entries());
    for (const change of changes) applied.apply(change);
    expect(ids(overlay.entries())).toEqual(ids(applied.entries()));
    expect(ids(overlay.newestFirst())).toEqual(ids(applied.newestFirst()));
    expect(overlay.size).toBe(applied.size);
    for (const id of ['a', 'a2', 'b', 'c', 'd', 'e']) expect(overlay.get(id), id).toEqual(applied.get(id));
    expect(ids(base.entries())).toEqual(['a', 'b', 'c']);
  });
});
