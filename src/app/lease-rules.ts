import { type Fence, type Lease, LeaseLostError } from './ports.js';

/*
 * The rules of leases, shared by the stores that keep them in a table they read themselves (memory, SQLite); the
 * PostgreSQL adapter says the same in SQL, with the server's clock. A lease row is never deleted: its token is how the
 * next acquisition gets a greater one.
 */

/** A lease as a store keeps it: `owner` null once released; `expiresAt` in milliseconds since the epoch. */
export interface LeaseRow {
  scope: string;
  owner: string | null;
  token: bigint;
  expiresAt: number;
}

/** Checks a lease's duration (a bug otherwise). */
export function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new Error(`a lease lasts a positive whole number of milliseconds, not ${ttlMs}`);
}

/** The row after `owner` acquires the scope at `now`, or null while another owner holds it unexpired. */
export function planAcquire(row: LeaseRow | undefined, scope: string, owner: string, now: number, ttlMs: number): LeaseRow | null {
  checkTtl(ttlMs);
  if (row && row.owner !== null && row.owner !== owner && row.expiresAt > now) return null;
  return { scope, owner, token: (row?.token ?? 0n) + 1n, expiresAt: now + ttlMs };
}

/** The row after a renewal; throws a {@link LeaseLostError} when the lease is no longer this one. */
export function planRenew(row: LeaseRow | undefined, lease: Lease, now: number, ttlMs: number): LeaseRow {
  checkTtl(ttlMs);
  checkFence(row, lease);
  return { ...row!, expiresAt: now + ttlMs };
}

/** The row after a release, or null when the lease was already lost (nothing to do). */
export function planRelease(row: LeaseRow | undefined, lease: Lease, now: number): LeaseRow | null {
  if (!holds(row, lease)) return null;
  return { ...row!, owner: null, expiresAt: now };
}

/** Throws a {@link LeaseLostError} unless the fence's token is still the scope's current, held one. */
export function checkFence(row: LeaseRow | undefined, fence: Fence): void {
  if (!holds(row, fence)) throw new LeaseLostError(fence.scope, fence.token);
}

function holds(row: LeaseRow | undefined, fence: Fence): boolean {
  return row !== undefined && row.owner !== null && row.token.toString() === fence.token;
}

/** A row as the lease its owner holds. */
export function toLease(row: LeaseRow): Lease {
  return { scope: row.scope, owner: row.owner ?? '', token: row.token.toString(), expiresAt: new Date(row.expiresAt).toISOString() };
}
